// SPDX-License-Identifier: BSD-2-Clause
/* fold.c - see fold.h. Runs on the ring-buffer thread only: no locking. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "fold.h"

/* The event that opened a window, as the kernel names it in the fold entry. */
struct fold_id {
	uint64_t cgroup_id;
	uint64_t ktime_ns;
	uint16_t rule_id;
	uint16_t sys;
};

struct fold_rec {
	struct fold_rec *hnext;	     /* bucket chain */
	struct fold_rec *prev, *next; /* LRU list, most recent at head */
	struct fold_id id;
	size_t len;
	unsigned char data[];
};

struct fold_cache {
	struct fold_rec **bucket;
	size_t nbucket; /* a power of two */
	struct fold_rec *head, *tail;
	size_t max_records, max_bytes;
	struct fold_cache_stats st;
};

static size_t rec_cost(size_t len)
{
	return sizeof(struct fold_rec) + len;
}

static size_t id_hash(const struct fold_cache *c, const struct fold_id *id)
{
	uint64_t h = id->cgroup_id * 0x9e3779b97f4a7c15ull;

	h ^= id->ktime_ns + (h << 6) + (h >> 2);
	h ^= ((uint64_t)id->rule_id << 16 | id->sys) * 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h & (c->nbucket - 1);
}

static bool id_eq(const struct fold_id *a, const struct fold_id *b)
{
	return a->cgroup_id == b->cgroup_id && a->ktime_ns == b->ktime_ns &&
	       a->rule_id == b->rule_id && a->sys == b->sys;
}

struct fold_cache *fold_cache_new(size_t max_records, size_t max_bytes)
{
	struct fold_cache *c = calloc(1, sizeof(*c));

	if (!c || !max_records)
		goto fail;
	c->nbucket = 16;
	while (c->nbucket < max_records)
		c->nbucket <<= 1;
	c->bucket = calloc(c->nbucket, sizeof(*c->bucket));
	if (!c->bucket)
		goto fail;
	c->max_records = max_records;
	c->max_bytes = max_bytes;
	return c;
fail:
	free(c);
	return NULL;
}

static void lru_unlink(struct fold_cache *c, struct fold_rec *r)
{
	if (r->prev)
		r->prev->next = r->next;
	else
		c->head = r->next;
	if (r->next)
		r->next->prev = r->prev;
	else
		c->tail = r->prev;
	r->prev = r->next = NULL;
}

static void lru_push_head(struct fold_cache *c, struct fold_rec *r)
{
	r->prev = NULL;
	r->next = c->head;
	if (c->head)
		c->head->prev = r;
	c->head = r;
	if (!c->tail)
		c->tail = r;
}

static struct fold_rec **find_slot(struct fold_cache *c, const struct fold_id *id)
{
	struct fold_rec **p = &c->bucket[id_hash(c, id)];

	while (*p && !id_eq(&(*p)->id, id))
		p = &(*p)->hnext;
	return p;
}

static void remove_rec(struct fold_cache *c, struct fold_rec *r)
{
	struct fold_rec **p = find_slot(c, &r->id);

	if (*p == r)
		*p = r->hnext;
	lru_unlink(c, r);
	c->st.entries--;
	c->st.bytes -= rec_cost(r->len);
	free(r);
}

void fold_cache_free(struct fold_cache *c)
{
	if (!c)
		return;
	while (c->head)
		remove_rec(c, c->head);
	free(c->bucket);
	free(c);
}

int fold_cache_put(struct fold_cache *c, const struct c2d_syscall_event *ev, size_t len)
{
	struct fold_id id = {.cgroup_id = ev->hdr.cgroup_id, .ktime_ns = ev->hdr.ktime_ns,
			     .rule_id = ev->rule_id, .sys = ev->hdr.sys};
	struct fold_rec **p, *r;

	if (len < sizeof(*ev) || rec_cost(len) > c->max_bytes)
		return -EINVAL;
	p = find_slot(c, &id);
	if (*p)
		remove_rec(c, *p); /* the same event again: the newer copy wins */
	while (c->tail && (c->st.entries >= c->max_records ||
			   c->st.bytes + rec_cost(len) > c->max_bytes)) {
		remove_rec(c, c->tail);
		c->st.evicted++;
	}
	r = malloc(rec_cost(len));
	if (!r)
		return -ENOMEM;
	memset(r, 0, sizeof(*r));
	r->id = id;
	r->len = len;
	memcpy(r->data, ev, len);
	p = find_slot(c, &id); /* the chain may have changed */
	r->hnext = *p;
	*p = r;
	lru_push_head(c, r);
	c->st.entries++;
	c->st.bytes += rec_cost(len);
	c->st.stored++;
	return 0;
}

long fold_cache_summary(struct fold_cache *c, const struct c2d_fold_event *fe, void *out,
			size_t cap, int *hit)
{
	struct fold_id id = {.cgroup_id = fe->key.cgroup_id, .ktime_ns = fe->window_ns,
			     .rule_id = fe->key.rule_id, .sys = fe->key.sys};
	struct fold_rec *r = *find_slot(c, &id);
	struct c2d_syscall_event *ev = out;
	size_t len = r ? r->len : sizeof(*ev);

	if (cap < len || cap < sizeof(*ev))
		return -ENOSPC;
	*hit = r != NULL;
	if (r) {
		memcpy(out, r->data, r->len);
		lru_unlink(c, r); /* another flush of the same window may follow */
		lru_push_head(c, r);
		c->st.hits++;
	} else {
		memset(ev, 0, sizeof(*ev));
		ev->hdr.type = C2D_EV_SYSCALL;
		ev->hdr.size = (uint16_t)sizeof(*ev);
		ev->hdr.sys = fe->key.sys;
		ev->hdr.cgroup_id = fe->key.cgroup_id;
		ev->rule_id = fe->key.rule_id;
		ev->kind = C2D_KIND_NONE;
		c->st.misses++;
	}
	ev->hdr.ktime_ns = fe->last_ns;
	ev->count = fe->count;
	ev->first_ns = fe->first_ns ? fe->first_ns : fe->last_ns;
	return (long)len;
}

void fold_cache_get_stats(const struct fold_cache *c, struct fold_cache_stats *st)
{
	*st = c->st;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * proc_cache.c - chained hash on tgid + one LRU list. The list's head is the most recently
 * used entry, its tail the next to evict. An exited process stays until evicted, so that
 * events read after its exit (and its children's) still find it; a reused pid replaces it.
 * Bytes are counted as the struct plus the exe and args strings.
 */
#include <stdlib.h>
#include <string.h>

#include "proc_cache.h"

struct proc_cache {
	struct proc_entry **buckets;
	size_t nbuckets; /* power of two */
	size_t max_entries, max_bytes;
	struct proc_entry *head, *tail;
	struct proc_cache_stats st;
};

static size_t entry_bytes(const struct proc_entry *e)
{
	return sizeof(*e) + (e->exe ? strlen(e->exe) + 1 : 0) + e->args_len;
}

static size_t bucket(const struct proc_cache *pc, uint32_t tgid)
{
	return (tgid * 2654435761u) & (pc->nbuckets - 1);
}

struct proc_cache *proc_cache_new(size_t max_entries, size_t max_bytes)
{
	struct proc_cache *pc = calloc(1, sizeof(*pc));
	size_t nb = 1;

	if (!pc)
		return NULL;
	while (nb < max_entries)
		nb <<= 1;
	pc->buckets = calloc(nb, sizeof(*pc->buckets));
	if (!pc->buckets) {
		free(pc);
		return NULL;
	}
	pc->nbuckets = nb;
	pc->max_entries = max_entries;
	pc->max_bytes = max_bytes;
	return pc;
}

static void lru_unlink(struct proc_cache *pc, struct proc_entry *e)
{
	if (e->lprev)
		e->lprev->lnext = e->lnext;
	else
		pc->head = e->lnext;
	if (e->lnext)
		e->lnext->lprev = e->lprev;
	else
		pc->tail = e->lprev;
	e->lprev = e->lnext = NULL;
}

static void lru_push_head(struct proc_cache *pc, struct proc_entry *e)
{
	e->lprev = NULL;
	e->lnext = pc->head;
	if (pc->head)
		pc->head->lprev = e;
	pc->head = e;
	if (!pc->tail)
		pc->tail = e;
}

static void entry_free(struct proc_entry *e)
{
	free(e->exe);
	free(e->args);
	free(e);
}

static void hash_unlink(struct proc_cache *pc, struct proc_entry *e)
{
	struct proc_entry **pp = &pc->buckets[bucket(pc, e->tgid)];

	while (*pp && *pp != e)
		pp = &(*pp)->hnext;
	if (*pp)
		*pp = e->hnext;
}

static void drop(struct proc_cache *pc, struct proc_entry *e)
{
	hash_unlink(pc, e);
	lru_unlink(pc, e);
	pc->st.entries--;
	pc->st.bytes -= entry_bytes(e);
	entry_free(e);
}

static void evict(struct proc_cache *pc, const struct proc_entry *keep)
{
	while ((pc->st.entries > pc->max_entries || pc->st.bytes > pc->max_bytes) && pc->tail &&
	       pc->tail != keep) {
		drop(pc, pc->tail);
		pc->st.evictions++;
	}
}

void proc_cache_free(struct proc_cache *pc)
{
	if (!pc)
		return;
	while (pc->head)
		drop(pc, pc->head);
	free(pc->buckets);
	free(pc);
}

static struct proc_entry *find(struct proc_cache *pc, uint32_t tgid)
{
	struct proc_entry *e = pc->buckets[bucket(pc, tgid)];

	while (e && e->tgid != tgid)
		e = e->hnext;
	return e;
}

struct proc_entry *proc_cache_get(struct proc_cache *pc, uint32_t tgid)
{
	struct proc_entry *e = find(pc, tgid);

	if (!e) {
		pc->st.misses++;
		return NULL;
	}
	pc->st.hits++;
	if (!e->exited && pc->head != e) {
		lru_unlink(pc, e);
		lru_push_head(pc, e);
	}
	return e;
}

struct proc_entry *proc_cache_upsert(struct proc_cache *pc, uint32_t tgid)
{
	struct proc_entry *e = find(pc, tgid);
	size_t b;

	if (e) {
		if (e->exited) { /* pid reused: a new process */
			drop(pc, e);
		} else {
			lru_unlink(pc, e);
			lru_push_head(pc, e);
			return e;
		}
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->tgid = tgid;
	b = bucket(pc, tgid);
	e->hnext = pc->buckets[b];
	pc->buckets[b] = e;
	lru_push_head(pc, e);
	pc->st.entries++;
	pc->st.bytes += entry_bytes(e);
	evict(pc, e);
	return e;
}

static char *bounded_dup(const char *s, size_t n, size_t max)
{
	char *d;

	if (n >= max)
		n = max - 1;
	d = malloc(n + 1);
	if (!d)
		return NULL;
	memcpy(d, s, n);
	d[n] = 0;
	return d;
}

void proc_cache_set_exec(struct proc_cache *pc, struct proc_entry *e, const char *exe,
			 const char *args, size_t args_len, bool truncated)
{
	if (pc->head != e) { /* it is being used: never the one evicted to make room */
		lru_unlink(pc, e);
		lru_push_head(pc, e);
	}
	pc->st.bytes -= entry_bytes(e);
	free(e->exe);
	free(e->args);
	e->exe = exe ? bounded_dup(exe, strlen(exe), C2D_PROC_EXE_MAX) : NULL;
	e->args = NULL;
	e->args_len = 0;
	if (args && args_len) {
		if (args_len > C2D_PROC_ARGS_MAX) {
			args_len = C2D_PROC_ARGS_MAX;
			truncated = true;
		}
		e->args = malloc(args_len);
		if (e->args) {
			memcpy(e->args, args, args_len);
			e->args_len = (uint32_t)args_len;
		}
	}
	e->args_truncated = truncated;
	pc->st.bytes += entry_bytes(e);
	evict(pc, e);
}

void proc_cache_mark_exited(struct proc_cache *pc, uint32_t tgid)
{
	struct proc_entry *e = find(pc, tgid);

	if (!e)
		return;
	e->exited = true; /* kept in LRU order: late events of the process still resolve */
}

void proc_cache_remove(struct proc_cache *pc, uint32_t tgid)
{
	struct proc_entry *e = find(pc, tgid);

	if (e)
		drop(pc, e);
}

void proc_cache_get_stats(const struct proc_cache *pc, struct proc_cache_stats *st)
{
	*st = pc->st;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * meta_cache.c - see meta_cache.h. The bounded table itself: look-up, insertion, least recently
 * used replacement, TTLs (negative ones too), the request queue to the resolver thread
 * (meta_resolver.c), the queue of containers to announce, the counters, and the lock over them.
 *
 * Where the lock (mu) is held: only for in-memory work on the above, finding a slot, copying a
 * record in or out, queueing and counting. Where it is not: across a runtime RPC, a pod or
 * image-store look-up (the resolver thread does those between meta_cache_next_request() and
 * meta_cache_publish()) and across a procfs read (meta_env.c). The environment of an exec is
 * read by the ring-buffer thread in env_from_exec(): lock to decide it is wanted, unlock to
 * read, lock again to merge after finding the slot anew (the record may have been refreshed,
 * replaced or completed meanwhile). The resolver reads environments before publishing, and
 * meta_cache_publish() hands back an exec seen since rather than reading it under the lock.
 */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "meta_cache.h"
#include "meta_env.h"
#include "meta_resolver.h"

#define QUEUE_LEN      256
#define TTL_READY_S    600 /* a container's record does not change; refreshed now and then */
#define TTL_FAILED_S   30  /* negative answers are retried after this */
#define TTL_POD_WAIT_S 5   /* the record of a pod the API has not shown yet */
#define ENV_TRIES      4   /* execs looked at per container before giving up */
#define STARTED_LEN    64  /* containers resolved and not yet announced */

struct slot {
	struct container_meta m;
	char ns_hint[64];
	uint32_t pid;	   /* a process that exec'd in the container: its environment */
	bool env_done;	   /* an environment gave allowlisted names, or ENV_TRIES were read */
	uint8_t env_tries; /* the runtime's own execs come first and carry nothing */
	bool announced;	   /* given to meta_cache_next_started() once */
	time_t expires;
	uint64_t used; /* LRU clock */
};

struct meta_cache {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop, started; /* started: the resolver thread runs */
	struct slot *slots;
	unsigned nslots;
	uint64_t clock;
	unsigned q[QUEUE_LEN]; /* slot indexes waiting for the resolver */
	unsigned qhead, qlen;
	struct meta_resolver *res; /* NULL: no runtime to ask */
	const char *proc_root;
	struct {
		char id[129];
		struct runtime_mounts mounts; /* from its record: for its container_mount events */
		struct exposures exposures;   /* and for its secret_exposure events */
	} announce_q[STARTED_LEN]; /* containers resolved for the first time, oldest first */
	unsigned shead, slen;
	struct meta_cache_stats st;
};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* After an environment that gave something, or ENV_TRIES that gave nothing, no more are read
 * for the container (until its record is refreshed). */
static bool env_settled(bool filled, unsigned tries)
{
	return filled || tries >= ENV_TRIES;
}

#define PROBE 8 /* slots an id may live in: its hash's and the next 7 */

static unsigned hash_id(const char *id)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

/* The slot holding id, or the one to (re)use for it among its PROBE slots: an empty one,
 * else the least recently used that is not waiting for the resolver. O(PROBE) per event. */
static int find_slot(struct meta_cache *mc, const char *id, bool *found)
{
	unsigned base = hash_id(id);
	int victim = -1;

	*found = false;
	for (unsigned k = 0; k < PROBE && k < mc->nslots; k++) {
		unsigned i = (base + k) % mc->nslots;
		struct slot *s = &mc->slots[i];

		if (s->m.state != META_EMPTY && !strcmp(s->m.id, id)) {
			*found = true;
			return (int)i;
		}
		if (s->m.state == META_PENDING)
			continue;
		if (victim < 0 || s->m.state == META_EMPTY ||
		    (mc->slots[victim].m.state != META_EMPTY && s->used < mc->slots[victim].used))
			victim = (int)i;
	}
	return victim;
}

/* With the lock. */
static enum meta_state queue_lookup(struct meta_cache *mc, int i, const char *id,
				    const char *ns_hint, uint32_t pid)
{
	struct slot *s = &mc->slots[i];
	bool announced = s->m.state != META_EMPTY && !strcmp(s->m.id, id) && s->announced;

	if (!mc->started || mc->qlen == QUEUE_LEN) {
		mc->st.queue_full += mc->started;
		return META_FAILED; /* never resolved: the event goes out with what it has */
	}
	memset(s, 0, sizeof(*s));
	copy(s->m.id, sizeof(s->m.id), id);
	copy(s->ns_hint, sizeof(s->ns_hint), ns_hint);
	s->pid = pid;
	s->m.state = META_PENDING;
	s->announced = announced; /* a refresh of the same container is not a new start */
	s->used = ++mc->clock;
	mc->q[(mc->qhead + mc->qlen) % QUEUE_LEN] = (unsigned)i;
	mc->qlen++;
	pthread_cond_signal(&mc->cv);
	return META_PENDING;
}

bool meta_cache_next_request(struct meta_cache *mc, struct meta_request *rq)
{
	const struct slot *s;
	bool got = false;

	pthread_mutex_lock(&mc->mu);
	while (!mc->stop && !mc->qlen)
		pthread_cond_wait(&mc->cv, &mc->mu);
	if (!mc->stop) {
		rq->slot = mc->q[mc->qhead];
		mc->qhead = (mc->qhead + 1) % QUEUE_LEN;
		mc->qlen--;
		s = &mc->slots[rq->slot];
		copy(rq->id, sizeof(rq->id), s->m.id);
		copy(rq->ns_hint, sizeof(rq->ns_hint), s->ns_hint);
		rq->pid = s->pid;
		rq->first = !s->announced;
		got = true;
	}
	pthread_mutex_unlock(&mc->mu);
	return got;
}

/* With the lock: a container resolved for the first time is queued for its container_start,
 * once (a->mounts and a->exposures were prepared for it, as rq->first said). */
static void announce(struct meta_cache *mc, struct slot *s, const struct meta_answer *a)
{
	unsigned at = (mc->shead + mc->slen) % STARTED_LEN;

	if (s->announced)
		return;
	s->announced = true;
	if (mc->slen == STARTED_LEN) {
		mc->st.announce_dropped++;
		return;
	}
	copy(mc->announce_q[at].id, sizeof(mc->announce_q[at].id), s->m.id);
	mc->announce_q[at].mounts = a->mounts;
	mc->announce_q[at].exposures = a->exposures;
	__atomic_store_n(&mc->slen, mc->slen + 1, __ATOMIC_RELEASE); /* read unlocked: below */
}

/* With the lock: the resolver's record into the slot, READY. */
static void publish_ready(struct meta_cache *mc, const struct meta_request *rq, struct slot *s,
			  const struct meta_answer *a)
{
	memcpy(s->m.image, a->m.image, sizeof(a->m) - offsetof(struct container_meta, image));
	s->m.state = META_READY;
	s->env_tries = a->env_tries;
	s->env_done = env_settled(a->env_filled, a->env_tries);
	/* a pod the API has not shown yet: asked again soon */
	s->expires = now_s() + (a->pod_known ? TTL_READY_S : TTL_POD_WAIT_S);
	mc->st.resolved++;
	if (rq->first)
		announce(mc, s, a);
}

uint32_t meta_cache_publish(struct meta_cache *mc, const struct meta_request *rq,
			    const struct meta_answer *a)
{
	struct slot *s = &mc->slots[rq->slot];
	uint32_t again = 0;

	pthread_mutex_lock(&mc->mu);
	if (a->has_image_stats) {
		mc->st.image_hits = a->image.hits;
		mc->st.image_misses = a->image.misses;
		mc->st.image_failures = a->image.failures;
	}
	if (strcmp(s->m.id, rq->id) != 0) {
		/* the slot was reused meanwhile */
	} else if (a->rc != 0) {
		s->m.state = META_FAILED;
		s->expires = now_s() + TTL_FAILED_S;
		mc->st.failures++;
	} else if (s->pid && s->pid != a->env_pid && !env_settled(a->env_filled, a->env_tries)) {
		again =
		    s->pid; /* an exec seen meanwhile: read by the resolver, not under the lock */
	} else {
		publish_ready(mc, rq, s, a);
	}
	pthread_mutex_unlock(&mc->mu);
	return again;
}

/*
 * The environment of an exec in a resolved container, on the caller's thread (the ring-buffer
 * thread): read without the lock, merged with it. The slot is found again: if it was refreshed
 * meanwhile the same container's record gets it, if it is being resolved again the resolver is
 * told the pid instead, if it was replaced the read is dropped. out, when not NULL, already
 * holds the record and gets the merged provenance.
 */
static void env_from_exec(struct meta_cache *mc, const char *id, uint32_t pid,
			  struct container_meta *out)
{
	struct provenance env;
	struct slot *s;
	bool found;
	int i, filled;

	memset(&env, 0, sizeof(env));
	meta_env_provenance(mc->proc_root, pid, &env);
	pthread_mutex_lock(&mc->mu);
	i = find_slot(mc, id, &found);
	s = found ? &mc->slots[i] : NULL;
	if (s && !s->env_done && s->m.state == META_READY) {
		filled = meta_env_merge(&s->m.prov, &env);
		if (!filled)
			s->env_tries++;
		s->env_done = env_settled(filled > 0, s->env_tries);
		if (out && filled)
			out->prov = s->m.prov;
	} else if (s && s->m.state == META_PENDING) {
		s->pid = pid;
	}
	pthread_mutex_unlock(&mc->mu);
}

enum meta_state meta_cache_lookup(struct meta_cache *mc, const char *id, const char *ns_hint,
				  uint32_t pid, struct container_meta *out)
{
	bool env_wanted = false, found;
	enum meta_state st;
	int i;

	pthread_mutex_lock(&mc->mu);
	i = find_slot(mc, id, &found);
	if (found && (mc->slots[i].m.state == META_PENDING || now_s() < mc->slots[i].expires)) {
		struct slot *s = &mc->slots[i];

		st = s->m.state;
		s->used = ++mc->clock;
		if (pid && !s->env_done) { /* an exec in the container: its environment */
			if (st == META_PENDING)
				s->pid = pid; /* the resolver reads it */
			else if (st == META_READY)
				env_wanted = true; /* read below, without the lock */
		}
		if (st == META_READY) {
			if (out)
				*out = s->m;
			mc->st.hits++;
		}
	} else {
		/* an expired record is asked for again; its process keeps its environment's chance
		 */
		uint32_t keep = found && !pid ? mc->slots[i].pid : pid;

		mc->st.misses++;
		st = i < 0 ? META_FAILED : queue_lookup(mc, i, id, ns_hint, keep);
	}
	pthread_mutex_unlock(&mc->mu);
	if (env_wanted)
		env_from_exec(mc, id, pid, out);
	return st;
}

bool meta_cache_next_started(struct meta_cache *mc, struct container_meta *out)
{
	return meta_cache_next_started_spec(mc, out, NULL, NULL);
}

bool meta_cache_next_started_spec(struct meta_cache *mc, struct container_meta *out,
				  struct runtime_mounts *mounts, struct exposures *exposures)
{
	bool got = false;

	/* asked for every container finding: no lock unless the resolver has queued a start */
	if (!__atomic_load_n(&mc->slen, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&mc->mu);
	while (mc->slen && !got) {
		const char *id = mc->announce_q[mc->shead].id;
		bool found;
		int i = find_slot(mc, id, &found);

		if (mounts)
			*mounts = mc->announce_q[mc->shead].mounts;
		if (exposures)
			*exposures = mc->announce_q[mc->shead].exposures;
		mc->shead = (mc->shead + 1) % STARTED_LEN;
		__atomic_store_n(&mc->slen, mc->slen - 1, __ATOMIC_RELEASE);
		if (found && mc->slots[i].m.state == META_READY) { /* else evicted meanwhile */
			*out = mc->slots[i].m;
			got = true;
		}
	}
	pthread_mutex_unlock(&mc->mu);
	return got;
}

void meta_cache_get_stats(struct meta_cache *mc, struct meta_cache_stats *st)
{
	pthread_mutex_lock(&mc->mu);
	*st = mc->st;
	st->entries = 0;
	for (unsigned i = 0; i < mc->nslots; i++)
		st->entries += mc->slots[i].m.state != META_EMPTY;
	st->capacity = mc->nslots;
	pthread_mutex_unlock(&mc->mu);
}

struct meta_cache *meta_cache_new(unsigned nslots, const char *socket)
{
	return meta_cache_new_runtimes(nslots, socket, NULL);
}

struct meta_cache *meta_cache_new_runtimes(unsigned nslots, const char *socket,
					   const char *cri_socket)
{
	struct meta_cache *mc = calloc(1, sizeof(*mc));

	if (!mc)
		return NULL;
	mc->slots = calloc(nslots, sizeof(*mc->slots));
	mc->nslots = nslots;
	mc->proc_root = "/proc";
	pthread_mutex_init(&mc->mu, NULL);
	pthread_cond_init(&mc->cv, NULL);
	if (socket || cri_socket)
		mc->res = meta_resolver_new(mc, socket, cri_socket, mc->proc_root);
	if (!mc->slots || ((socket || cri_socket) && !mc->res)) {
		meta_cache_free(mc);
		return NULL;
	}
	if (mc->res && meta_resolver_start(mc->res) == 0)
		mc->started = true;
	return mc;
}

void meta_cache_free(struct meta_cache *mc)
{
	if (!mc)
		return;
	if (mc->started) {
		pthread_mutex_lock(&mc->mu);
		mc->stop = true;
		pthread_cond_signal(&mc->cv);
		pthread_mutex_unlock(&mc->mu);
	}
	meta_resolver_free(mc->res); /* joins its thread, which has seen stop */
	pthread_mutex_destroy(&mc->mu);
	pthread_cond_destroy(&mc->cv);
	free(mc->slots);
	free(mc);
}

void meta_cache_set_k8s(struct meta_cache *mc, struct k8s *k)
{
	if (mc->res)
		meta_resolver_set_k8s(mc->res, k);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * meta_resolver.h - the metadata cache's resolver thread, and the hand-off between it and the
 * cache (agent-internal: meta_cache.c is its only user; callers use meta_cache.h). The thread
 * takes a container id off the cache's request queue, asks the runtimes (a CRI runtime first,
 * then containerd's native API), the Kubernetes pod watch and containerd's content store, reads
 * the first exec's environment (meta_env.h), all without the cache's lock, and hands the answer
 * back to be published under it.
 */
#ifndef C2D_META_RESOLVER_H
#define C2D_META_RESOLVER_H

#include <stdbool.h>
#include <stdint.h>

#include "exposures.h"
#include "image_store.h"
#include "meta_cache.h"
#include "runtime_mounts.h"

/* One queued look-up, copied out of the cache under its lock. */
struct meta_request {
	unsigned slot; /* where the record goes: pending, so neither evicted nor queued twice */
	char id[129];
	char ns_hint[64];
	uint32_t pid; /* an exec in the container seen so far (its environment), or 0 */
	bool first;   /* never announced: its container_start is prepared too */
};

/* What the resolver found, for meta_cache_publish(). */
struct meta_answer {
	int rc;		/* 0: m holds the record; else why not (-errno, GRPC_ERR()) */
	bool pod_known; /* false: the API has not shown its pod yet (asked again soon) */
	/* the environments read into m.prov: the last pid, how many pids, whether one gave any */
	uint32_t env_pid;
	uint8_t env_tries;
	bool env_filled;
	struct container_meta m;      /* from m.image on; the state and id are the cache's */
	struct runtime_mounts mounts; /* first only: for its container_mount events */
	struct exposures exposures;   /* first only: its secrets, with where each came from */
	/* the image store is the resolver's alone: its counters reach readers this way */
	bool has_image_stats;
	struct image_store_stats image;
};

struct meta_resolver;
struct k8s;

/* Clients for the sockets given (either may be NULL, not both); its thread is not started.
 * proc_root ("/proc") must outlive it. NULL when a client cannot be made. */
struct meta_resolver *meta_resolver_new(struct meta_cache *mc, const char *socket,
					const char *cri_socket, const char *proc_root);
/* 0, or -errno when the thread cannot be started (look-ups then fail fast). The thread runs
 * until meta_cache_next_request() returns false. */
int meta_resolver_start(struct meta_resolver *r);
/* Joins the thread (the cache has been told to stop first) and frees; NULL is fine. */
void meta_resolver_free(struct meta_resolver *r);
/* Read by the thread without a lock: set before the first look-up. */
void meta_resolver_set_k8s(struct meta_resolver *r, struct k8s *k);

/* The cache's side, in meta_cache.c; the resolver thread calls them without the lock. */

/* Wait for the next queued look-up into *rq; false when the cache is being freed. */
bool meta_cache_next_request(struct meta_cache *mc, struct meta_request *rq);
/* Publish a to rq's slot, unless the slot was reused meanwhile. Returns 0, or, without
 * publishing, the pid of an exec seen since whose environment is still wanted: the resolver
 * reads it into a (unlocked) and publishes again. */
uint32_t meta_cache_publish(struct meta_cache *mc, const struct meta_request *rq,
			    const struct meta_answer *a);

#endif

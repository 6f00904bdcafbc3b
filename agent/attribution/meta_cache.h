/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * meta_cache.h - container metadata (image, digest, Kubernetes fields, provenance) by
 * container id, filled by a resolver thread that asks the runtime (meta_resolver.c), so that the
 * ring-buffer loop never waits on a socket. Bounded: a fixed table (least recently used
 * replaced), a fixed request queue; answers expire (TTL), failures too (negative caching).
 */
#ifndef C2D_META_CACHE_H
#define C2D_META_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "k8s_identity.h"
#include "provenance.h"
#include "exposures.h"
#include "runtime_mounts.h"

enum meta_state { META_EMPTY = 0, META_PENDING, META_READY, META_FAILED };

struct container_meta {
	enum meta_state state;
	char id[129];
	char image[256];
	char digest[80];
	char runtime[16]; /* who answered: "containerd", "cri-o" */
	char runtime_handler[64];
	char k8s_namespace[64];
	char pod[254];
	char pod_uid[37];
	char container[64];
	char workload_kind[32]; /* from the API's owners, else derived from the pod name */
	char workload_name[254];
	bool workload_derived;
	char service_account[254];
	struct k8s_identity identity; /* of this container, from its pod spec (k8s_identity.h) */
	struct provenance prov;
};

struct meta_cache_stats {
	uint64_t hits, misses, resolved, failures, queue_full;
	uint64_t announce_dropped; /* container starts not announced: too many at once */
	uint64_t entries, capacity; /* slots in use (any state but empty), slots */
	/* image configs read from the content store (image_store.h), copied under the lock */
	uint64_t image_hits, image_misses, image_failures;
};

struct meta_cache;

/* socket: containerd's; NULL disables look-ups (every container stays id-only). */
struct meta_cache *meta_cache_new(unsigned slots, const char *socket);
/* The same with a CRI runtime's socket (cri_socket, or NULL) asked first, then containerd's
 * native API (socket, or NULL) for the containers CRI does not know. */
struct meta_cache *meta_cache_new_runtimes(unsigned slots, const char *socket,
					   const char *cri_socket);
void meta_cache_free(struct meta_cache *mc);
/*
 * The state of container `id` (ns_hint: the containerd namespace if the cgroup path told it,
 * else NULL). EMPTY is never returned: a miss queues a look-up and answers PENDING. On READY
 * the record is copied into *out, unless out is NULL (a caller that only wants the look-up
 * started, or the state). pid: a process that has just exec'd in the container (its
 * first program, not the runtime's init), whose allowlisted environment variables fill the
 * provenance the labels do not give, once per container; 0 from any other event.
 */
enum meta_state meta_cache_lookup(struct meta_cache *mc, const char *id, const char *ns_hint,
				  uint32_t pid, struct container_meta *out);
void meta_cache_get_stats(struct meta_cache *mc, struct meta_cache_stats *st);
/* The next container resolved for the first time (oldest first) into *out; false when none.
 * Each container is given once, for its container_start event. */
bool meta_cache_next_started(struct meta_cache *mc, struct container_meta *out);
/* The same, with what its OCI spec says (each when not NULL): the host paths its runtime bound
 * into it, the secrets it was started with. */
bool meta_cache_next_started_spec(struct meta_cache *mc, struct container_meta *out,
				  struct runtime_mounts *mounts, struct exposures *exposures);

struct k8s;
/* Pod metadata from the Kubernetes API (annotations, labels, owners, service account) for the
 * records resolved from now on. Set before the first look-up. */
void meta_cache_set_k8s(struct meta_cache *mc, struct k8s *k);

/* Workload from a pod name as Kubernetes forms it: "name-<rs hash>-<5>" is a Deployment,
 * "name-<ordinal>" a StatefulSet. False when the name says nothing certain. */
bool workload_from_pod(const char *pod, char *kind, size_t kcap, char *name, size_t ncap);

#endif

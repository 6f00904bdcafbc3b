/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * k8s_sa_cache.h - ServiceAccounts of the node's pods, for their identity (k8s_identity.h):
 * GET /api/v1/namespaces/<ns>/serviceaccounts/<name>, cached per (ns, name) in a fixed table
 * (least recently used replaced). An answer is kept K8S_SA_TTL_S, a failure K8S_SA_FAIL_TTL_S;
 * a pod not seen before reads its ServiceAccount again unless that was just done, so that a new
 * revision sees the annotations it was started with. Used by the k8s thread alone.
 */
#ifndef C2D_K8S_SA_CACHE_H
#define C2D_K8S_SA_CACHE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "k8s_identity.h"

#define K8S_SA_CACHE_MAX     64
#define K8S_SA_TTL_S	     300
#define K8S_SA_FAIL_TTL_S    60
#define K8S_SA_MIN_REFRESH_S 2

struct k8s_sa_entry {
	bool used;
	char ns[64];
	char name[254];
	time_t fetched;
	uint64_t used_at; /* LRU clock */
	struct k8s_sa_identity sa;
};

struct k8s_sa_cache {
	struct k8s_sa_entry e[K8S_SA_CACHE_MAX];
	uint64_t clock;
	uint64_t fetches, failures;
	bool warned;
};

/* GET path; fill *out from the object on 200. The HTTP status, or -errno. */
typedef long (*k8s_sa_fetch_fn)(void *arg, const char *path, struct k8s_sa_identity *out);

/*
 * The ServiceAccount ns/name into *out (out->read false when it could not be had). new_pod:
 * the pod asking was not seen before. ns and name must be Kubernetes names (DNS-1123): anything
 * else is not asked for. Returns 0, or -EINVAL for a bad name.
 */
int k8s_sa_cache_get(struct k8s_sa_cache *c, const char *ns, const char *name, bool new_pod,
		     time_t now, k8s_sa_fetch_fn fetch, void *arg, struct k8s_sa_identity *out);

#endif

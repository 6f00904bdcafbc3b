/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * workload_meta.h - the GitOps tie (gitops_tie.h) of a pod's workload: the metadata of the
 * top-level object that was applied (GET /apis/apps/v1/…/deployments/<name>, statefulsets,
 * daemonsets, replicasets; /apis/batch/v1/…/cronjobs, jobs), cached per (kind, namespace,
 * name) in a fixed table (least recently used replaced): an answer is kept WM_TTL_S, a
 * failure WM_FAIL_TTL_S. A pod without an owner is its own applied object. Used by the k8s
 * thread alone.
 */
#ifndef C2D_WORKLOAD_META_H
#define C2D_WORKLOAD_META_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "gitops_tie.h"

#define WM_CACHE_MAX 128
#define WM_TTL_S 120
#define WM_FAIL_TTL_S 30

struct wm_entry {
	bool used;
	char kind[32], ns[GITOPS_NS_MAX], name[GITOPS_NAME_MAX];
	time_t fetched;
	bool ok;
	uint64_t used_at;
	struct gitops_tie tie;
};

struct wm_cache {
	struct wm_entry e[WM_CACHE_MAX];
	uint64_t clock, fetches, failures;
};

/* GET path; on 200 *obj is the parsed body (wm_tie frees it). The HTTP
 * status, or -errno. */
typedef long (*wm_fetch_fn)(void *arg, const char *path, cJSON **obj);

/* The tie of workload kind/ns/name (now: a monotonic second); an unknown kind, a failure or a
 * cached failure leaves *out empty. */
void wm_tie(struct wm_cache *c, const char *kind, const char *ns, const char *name, time_t now,
	    wm_fetch_fn fetch, void *arg, struct gitops_tie *out);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gitops.h - the deployed Git revision of a workload at a given time, from the GitOps
 * objects in the Kubernetes API: Argo CD Applications (argoproj.io/v1alpha1), Flux
 * Kustomizations (kustomize.toolkit.fluxcd.io/v1) and HelmReleases (helm.toolkit.fluxcd.io/v2),
 * each listed (paged) and watched from the list's resourceVersion (resumed after a drop,
 * relisted on 410 Gone) on a thread of its own, over the same verified TLS and re-read bearer
 * token as the pod watch (k8s_http.h). A kind whose CRD is not installed (404) is off, said
 * once, and asked again every few minutes. Bounded table (gitops_table.h); names only.
 */
#ifndef C2D_GITOPS_H
#define C2D_GITOPS_H

#include <stdbool.h>
#include <stdint.h>

#include "gitops_table.h"
#include "gitops_tie.h"

struct gitops_stats {
	uint64_t lists, watches, events, errors, objects, evicted;
	uint64_t sources_off; /* kinds not served (CRD not installed) */
};

struct gitops;

/* api: "https://10.0.0.1:443"; ca_file: the cluster CA; token_file: the bearer token. */
struct gitops *gitops_start(const char *api, const char *ca_file, const char *token_file);
void gitops_stop(struct gitops *g);
/* What was deployed for the workload tied by tie at wall-clock time at_ns (gitops_table_at);
 * g NULL: a plain Helm release only. A short lock; never the network. */
bool gitops_deploy_at(struct gitops *g, const struct gitops_tie *tie, int64_t at_ns,
		      struct gitops_deploy *out);
void gitops_get_stats(struct gitops *g, struct gitops_stats *st);

#endif

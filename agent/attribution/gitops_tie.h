/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gitops_tie.h - which GitOps object (an Argo CD Application, a Flux Kustomization or
 * HelmRelease) and which Helm release applied a workload, read from the metadata of the object
 * that was applied (the Deployment, StatefulSet, DaemonSet, CronJob…): Argo's tracking-id
 * annotation or instance label, Flux's name/namespace labels, Helm's meta.helm.sh annotations
 * (agent/GITOPS.md). Names only: no look-up here.
 */
#ifndef C2D_GITOPS_TIE_H
#define C2D_GITOPS_TIE_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum gitops_kind {
	GITOPS_NONE = 0,
	GITOPS_ARGO_APP,
	GITOPS_FLUX_KS,
	GITOPS_FLUX_HR,
	GITOPS_FLUX_GIT, /* a GitRepository: not a deploy, the repository URL of a Kustomization */
	GITOPS_KINDS
};

#define GITOPS_NS_MAX 64
#define GITOPS_NAME_MAX 254
#define GITOPS_TIE_REFS 4
#define HELM_RELEASE_MAX 54 /* Helm caps a release name at 53 */

struct gitops_ref {
	uint8_t kind; /* enum gitops_kind */
	char ns[GITOPS_NS_MAX]; /* "": any namespace (an Argo instance label names the app only) */
	char name[GITOPS_NAME_MAX];
};

struct gitops_tie {
	uint8_t nref;
	struct gitops_ref ref[GITOPS_TIE_REFS]; /* the first one the table knows wins */
	char helm_release[HELM_RELEASE_MAX], helm_ns[GITOPS_NS_MAX];
	char workload_ns[GITOPS_NS_MAX]; /* picks among same-named Applications (instance label) */
};

/* "<app>:<group>/<kind>:<namespace>/<name>" (Argo CD's resource tracking id). */
struct argo_tracking {
	char app[GITOPS_NAME_MAX];
	char app_ns[GITOPS_NS_MAX]; /* from "<ns>_<app>": an Application outside Argo's namespace */
	char group[GITOPS_NAME_MAX];
	char kind[64];
	char ns[GITOPS_NS_MAX];
	char name[GITOPS_NAME_MAX];
};

/* false when v is not a well-formed tracking id (or a part does not fit). */
bool gitops_parse_tracking_id(const char *v, struct argo_tracking *out);

/*
 * The tie of an applied object of this kind from its "metadata" (name, namespace, annotations,
 * labels). A tracking id counts only when it names this very object (Argo itself ignores a
 * copied one). Anything malformed or oversized is left out.
 */
void gitops_tie_from_meta(struct gitops_tie *t, const char *kind, const cJSON *meta);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/* gitops_tie.c - see gitops_tie.h; keys and formats verified in agent/GITOPS.md. */
#include <stdio.h>
#include <string.h>

#include "gitops_tie.h"

#define ARGO_TRACKING_ID "argocd.argoproj.io/tracking-id"
#define ARGO_INSTANCE "app.kubernetes.io/instance"
#define HELM_NAME "meta.helm.sh/release-name"
#define HELM_NS "meta.helm.sh/release-namespace"

/* The Flux controllers' origin labels, in order of trust: the HelmRelease's labels are on what
 * helm-controller rendered; a Kustomization's on what kustomize-controller applied. */
static const struct {
	uint8_t kind;
	const char *name, *ns;
} flux_labels[] = {
	{GITOPS_FLUX_HR, "helm.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/namespace"},
	{GITOPS_FLUX_KS, "kustomize.toolkit.fluxcd.io/name", "kustomize.toolkit.fluxcd.io/namespace"},
};

/* Copy [s, s+n) into dst (cap bytes) if it fits and is not empty. */
static bool put(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap || memchr(s, 0, n))
		return false;
	memcpy(dst, s, n);
	dst[n] = 0;
	return true;
}

/* "a/b" → a, b (exactly one slash; b not empty; a may be: the core group, a cluster scope). */
static bool split_slash(const char *s, size_t n, char *a, size_t acap, char *b, size_t bcap)
{
	const char *sl = memchr(s, '/', n);

	if (!sl || memchr(sl + 1, '/', n - (size_t)(sl + 1 - s)))
		return false;
	if (sl > s && !put(a, acap, s, (size_t)(sl - s)))
		return false;
	if (sl == s)
		a[0] = 0;
	return put(b, bcap, sl + 1, n - (size_t)(sl + 1 - s));
}

bool gitops_parse_tracking_id(const char *v, struct argo_tracking *out)
{
	const char *c1, *c2, *us;
	size_t n;

	memset(out, 0, sizeof(*out));
	if (!v || (n = strlen(v)) > 1024)
		return false;
	c1 = strchr(v, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c2 || strchr(c2 + 1, ':')) /* Kubernetes names hold no ':' */
		return false;
	us = memchr(v, '_', (size_t)(c1 - v)); /* names hold no '_': "<ns>_<app>" */
	if (us && !(put(out->app_ns, sizeof(out->app_ns), v, (size_t)(us - v)) &&
		    put(out->app, sizeof(out->app), us + 1, (size_t)(c1 - us - 1))))
		return false;
	if (!us && !put(out->app, sizeof(out->app), v, (size_t)(c1 - v)))
		return false;
	return split_slash(c1 + 1, (size_t)(c2 - c1 - 1), out->group, sizeof(out->group), out->kind,
			   sizeof(out->kind)) &&
	       split_slash(c2 + 1, strlen(c2 + 1), out->ns, sizeof(out->ns), out->name,
			   sizeof(out->name));
}

static const char *str_of(const cJSON *obj, const char *key)
{
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static void add_ref(struct gitops_tie *t, uint8_t kind, const char *ns, const char *name)
{
	struct gitops_ref *r;

	if (t->nref == GITOPS_TIE_REFS || !name || strlen(name) >= sizeof(r->name) ||
	    !name[0] || (ns && strlen(ns) >= sizeof(r->ns)))
		return;
	r = &t->ref[t->nref++];
	r->kind = kind;
	snprintf(r->ns, sizeof(r->ns), "%s", ns ? ns : "");
	snprintf(r->name, sizeof(r->name), "%s", name);
}

/* The tracking id, when it names this object (kind, name and namespace). */
static void argo_annotation(struct gitops_tie *t, const char *kind, const char *ns,
			    const char *name, const char *v)
{
	struct argo_tracking a;

	if (!v || !gitops_parse_tracking_id(v, &a) || !kind || !name || strcmp(a.kind, kind) ||
	    strcmp(a.name, name) || strcmp(a.ns, ns ? ns : ""))
		return;
	add_ref(t, GITOPS_ARGO_APP, a.app_ns, a.app);
}

void gitops_tie_from_meta(struct gitops_tie *t, const char *kind, const cJSON *meta)
{
	const cJSON *ann = cJSON_GetObjectItemCaseSensitive(meta, "annotations");
	const cJSON *lab = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	const char *ns = str_of(meta, "namespace"), *name = str_of(meta, "name");
	const char *hn = str_of(ann, HELM_NAME), *hns = str_of(ann, HELM_NS);

	memset(t, 0, sizeof(*t));
	if (ns && strlen(ns) < sizeof(t->workload_ns))
		snprintf(t->workload_ns, sizeof(t->workload_ns), "%s", ns);
	argo_annotation(t, kind, ns, name, str_of(ann, ARGO_TRACKING_ID));
	for (size_t i = 0; i < sizeof(flux_labels) / sizeof(flux_labels[0]); i++) {
		const char *fns = str_of(lab, flux_labels[i].ns);

		if (fns && fns[0])
			add_ref(t, flux_labels[i].kind, fns, str_of(lab, flux_labels[i].name));
	}
	add_ref(t, GITOPS_ARGO_APP, NULL, str_of(lab, ARGO_INSTANCE)); /* label tracking */
	if (hn && strlen(hn) < sizeof(t->helm_release) && hn[0]) {
		snprintf(t->helm_release, sizeof(t->helm_release), "%s", hn);
		if (hns && strlen(hns) < sizeof(t->helm_ns))
			snprintf(t->helm_ns, sizeof(t->helm_ns), "%s", hns);
	}
}

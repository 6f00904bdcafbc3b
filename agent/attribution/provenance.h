/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * provenance.h - which commit, repository, pipeline and deploy a container comes from, read
 * from image labels and pod annotations/labels by an ordered table of keys (EVENTS.md
 * "Default provenance keys"); every field records the key it came from.
 */
#ifndef C2D_PROVENANCE_H
#define C2D_PROVENANCE_H

#include <stdint.h>

#include "gitops.h"
#include "gitops_tie.h"
#include "jsonw.h"
#include "labels.h"

enum prov_field {
	PROV_COMMIT,
	PROV_REPOSITORY,
	PROV_VERSION,
	PROV_BUILD_TIME,
	PROV_PIPELINE_ID,
	PROV_PIPELINE_URL,
	PROV_DEPLOY_COMMIT,
	PROV_MAX,
};

#define PROV_VALUE_MAX 256
#define PROV_SOURCE_MAX 160

struct provenance {
	char value[PROV_MAX][PROV_VALUE_MAX];	/* "" = unknown */
	char source[PROV_MAX][PROV_SOURCE_MAX]; /* "image-label:org.opencontainers.image.revision" */
	uint16_t custom; /* bit per field: set by an operator's key (it wins over GitOps) */
	struct gitops_tie tie; /* the workload's GitOps object, Helm release (from the API) */
};

/*
 * image_labels: the container record's labels (containerd copies the image's config labels
 * into them; kubelet's own are io.kubernetes.* only); pod_annotations, pod_labels: from the
 * Kubernetes API, or NULL. The first key found wins, in the table's order.
 */
void provenance_resolve(const struct label_set *image_labels,
			const struct label_set *pod_annotations,
			const struct label_set *pod_labels, struct provenance *out);

/* Fill the fields still unknown from a process environment (NUL-separated NAME=VALUE, as in
 * /proc/<pid>/environ): only the allowlisted names (GIT_COMMIT, DD_GIT_COMMIT_SHA, …) are
 * looked at; every other value is skipped unread. Sources are "env:NAME". */
int provenance_from_env(const char *env, size_t len, struct provenance *p); /* fields filled */

#define PROV_CUSTOM_MAX 32

/* A key of the operator's ("image-label:com.acme.git.sha", "pod-annotation:acme.io/commit",
 * "pod-label:…") for a field ("commit", "repository", …), looked up before the defaults.
 * Set at start-up, before any thread reads the table. 0, or -EINVAL (why in err). */
int provenance_add_key(const char *field, const char *spec, char *err, size_t errlen);
void provenance_clear_keys(void);
/* "provenance": {... "sources": {...}} — nothing if every field is unknown. */
void provenance_render(struct jw *w, const struct provenance *p);
/* The same at wall-clock time at_ns: unless an operator's key gave deploy_commit, the deploy
 * of p->tie at that time (gitops_deploy_at; g may be NULL) gives deploy_commit and
 * "deploy": {tool, kind, object, revision, repository, deployed_at, helm_release}. */
void provenance_render_at(struct jw *w, const struct provenance *p, struct gitops *g,
			  int64_t at_ns);

#endif

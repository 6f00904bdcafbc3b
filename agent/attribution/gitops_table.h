/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gitops_table.h - Argo CD Applications, Flux Kustomizations and HelmReleases as the agent
 * last saw them, each with a bounded history of (revision, repository, deployed at): the
 * tool's own history where it keeps one (Argo's status.history, a HelmRelease's
 * status.history), else every change of its current revision the agent observed, stamped with
 * the time it saw it. Answers "what was deployed for this workload at time t". Pure: parsing
 * and the table, no I/O, no lock (gitops.c holds one around it). Formats: agent/GITOPS.md.
 */
#ifndef C2D_GITOPS_TABLE_H
#define C2D_GITOPS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "gitops_tie.h"

#define GITOPS_OBJECTS_MAX 512 /* least recently asked-for replaced beyond this */
#define GITOPS_HISTORY 10      /* Argo keeps 10 by default (revisionHistoryLimit) */
#define GITOPS_REV_MAX 128
#define GITOPS_REPO_MAX 256
#define GITOPS_SHA_MAX 41

enum gitops_at {
	GITOPS_AT_BEFORE = 0, /* in effect when the agent first looked: since an unknown time */
	GITOPS_AT_TOOL,	      /* the tool's own deploy time */
	GITOPS_AT_OBSERVED,   /* when the agent saw the revision change */
};

struct gitops_rev {
	char revision[GITOPS_REV_MAX];
	char repository[GITOPS_REPO_MAX];
	char helm_release[HELM_RELEASE_MAX];
	int64_t at_ns; /* wall clock; 0 with GITOPS_AT_BEFORE */
	int32_t helm_revision; /* a HelmRelease snapshot's release version; 0: unknown */
	uint8_t at; /* enum gitops_at */
};

/* One object as parsed from the API. */
struct gitops_snapshot {
	uint8_t kind;
	char ns[GITOPS_NS_MAX], name[GITOPS_NAME_MAX];
	char dest_ns[GITOPS_NS_MAX]; /* an Application's spec.destination.namespace */
	/* a Kustomization's spec.sourceRef when it is a GitRepository (its spec.url is the
	 * repository of every revision it applies) */
	char src_ns[GITOPS_NS_MAX], src_name[GITOPS_NAME_MAX];
	struct gitops_rev hist[GITOPS_HISTORY]; /* the tool's own, oldest first */
	uint8_t nhist;
	bool has_current; /* no history: the current revision (Flux, an Argo app never synced) */
	struct gitops_rev current;
};

struct gitops_obj {
	bool used;
	uint8_t kind, nhist;
	char ns[GITOPS_NS_MAX], name[GITOPS_NAME_MAX], dest_ns[GITOPS_NS_MAX];
	char src_ns[GITOPS_NS_MAX], src_name[GITOPS_NAME_MAX]; /* as in gitops_snapshot */
	struct gitops_rev hist[GITOPS_HISTORY]; /* oldest first */
	uint64_t used_at; /* LRU clock: the last look-up that found it, or its insertion */
};

struct gitops_table {
	struct gitops_obj obj[GITOPS_OBJECTS_MAX];
	uint64_t clock, objects, evicted;
};

/* What was deployed for a workload at a time. Strings "" when unknown. */
struct gitops_deploy {
	const char *tool; /* "argocd", "flux", "helm" */
	const char *kind; /* "Application", "Kustomization", "HelmRelease"; NULL for plain Helm */
	const char *source_prefix; /* for provenance.sources: "argocd", "flux-kustomization", … */
	char object[GITOPS_NS_MAX + GITOPS_NAME_MAX]; /* "<namespace>/<name>" */
	char revision[GITOPS_REV_MAX];
	char repository[GITOPS_REPO_MAX];
	char commit[GITOPS_SHA_MAX]; /* the Git commit in the revision, when it holds one */
	char helm_release[HELM_RELEASE_MAX];
	int64_t deployed_at_ns; /* 0: unknown */
	int32_t helm_revision;
};

/* metav1.Time (RFC 3339: "2024-05-01T12:00:00Z", fractions and offsets accepted) → ns since
 * the epoch; -1 when malformed. */
int64_t gitops_parse_time(const char *s);
/* RFC 3339 UTC; nanoseconds only when there are any. */
void gitops_format_time(int64_t ns, char *out, size_t cap);
/* The commit in a revision: Flux "<ref>@sha1:<hex>" and "sha1:<hex>", the older
 * "<ref>/<hex>", Argo's bare "<hex>" (40 lower-case hex). false when there is none. */
bool gitops_revision_sha(const char *rev, char out[GITOPS_SHA_MAX]);

/* Parse an object of this kind; 0, or -EINVAL when it is not one (no name, oversized). */
int gitops_parse(uint8_t kind, const cJSON *obj, struct gitops_snapshot *out);

void gitops_table_init(struct gitops_table *t);
/* Merge a snapshot seen at now_ns; initial: from a list (a revision already in effect), not a
 * watch event (a change seen as it happened). */
void gitops_table_apply(struct gitops_table *t, const struct gitops_snapshot *s, int64_t now_ns,
			bool initial);
/* What the tie's first known object had deployed at at_ns (the newest entry not after it);
 * else a plain Helm release when the tie names one. false when nothing is known. */
bool gitops_table_at(struct gitops_table *t, const struct gitops_tie *tie, int64_t at_ns,
		     struct gitops_deploy *out);

#endif

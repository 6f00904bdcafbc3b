/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * query_revisions.h - the revisions a workload ran, in the order they were first seen (from
 * every event of the workload, container_start included: a revision that ran without a finding
 * is what tells "absent" from "not running"). Used by /v1/introduced.
 */
#ifndef C2D_COLLECTOR_QUERY_REVISIONS_H
#define C2D_COLLECTOR_QUERY_REVISIONS_H

#include "query_internal.h"

/* More than a workload plausibly deploys in the store's retention; past it the list is cut and
 * flagged (the earliest revisions are kept: they decide "introduced in"). */
#define QUERY_REVISIONS_MAX 4096

struct query_rev {
	char *revision;						/* commit, else image digest */
	char *commit, *image_digest, *pipeline_id, *repository; /* NULL when unknown */
	char *deploy_commit; /* the latest (by value) it was deployed under, NULL when unknown */
	int64_t first_ns, last_ns;
	int64_t events;
};

struct query_revs {
	struct query_rev *v; /* by first_ns */
	int n;
	int *by_name; /* indices of v sorted by revision, for query_revs_find */
	bool truncated;
	char *workload_kind;
};

/* 0, -ENOENT (the workload has no events: q holds a 404), or -1 (q holds the error). */
int query_revs_load(struct query_req *q, const char *ns, const char *name, struct query_revs *r);
/* Index in r->v, or -1. */
int query_revs_find(const struct query_revs *r, const char *revision);
void query_revs_free(struct query_revs *r);
/* {revision, commit, image_digest, pipeline_id, first_seen} of r->v[i] (null for i < 0). */
bool query_revs_add_ref(cJSON *obj, const char *key, const struct query_revs *r, int i);
/* obj[key]: the forge's page of the changes from revision `from` to `to` (indices in r) when
 * both are commits of a repository links.h knows the pages of; else null. */
bool query_revs_add_compare(cJSON *obj, const char *key, const struct query_revs *r, int from,
			    int to);

#endif

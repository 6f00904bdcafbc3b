// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_introduced.c - GET /v1/introduced?workload=NAMESPACE/NAME: for every behaviour (rule,
 * target, executable) of the workload's findings, the first revision it showed in and the
 * revision that ran just before without it ("introduced between A and B"); behaviours that
 * went away in a revision that ran and came back later are flagged as reintroduced.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_revisions.h"

/* Behaviours held while scanning; the `limit` first seen are returned. */
#define BEHAVIOURS_MAX 20000

struct behaviour {
	char *rule, *target, *executable, *kind;
	int64_t count, first_ns, last_ns;
	int introduced;	  /* revision index, -1: only seen without a known revision */
	int reintroduced; /* latest reappearance after a revision without it, or -1 */
	int absent;	  /* the revision just before that reappearance */
	int *seen_in;	  /* the revisions it showed in, ascending */
	int nseen;
};

struct scan {
	struct behaviour *v;
	int n;
	bool truncated;
	unsigned char *seen; /* one flag per revision, for the behaviour being read */
};

static void behaviour_free(struct behaviour *b)
{
	free(b->rule);
	free(b->target);
	free(b->executable);
	free(b->kind);
	free(b->seen_in);
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = true;
	return d;
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool same_behaviour(const struct behaviour *b, struct qstmt *st)
{
	return same_text(b->rule, qs_text_raw(st, 0)) &&
	       same_text(b->target, qs_text_raw(st, 1)) &&
	       same_text(b->executable, qs_text_raw(st, 2));
}

/* Walks the revisions in the order they ran: the first with the behaviour introduced it; a
 * revision with it after one without it is a reappearance (the last one is reported). */
static void finish(struct scan *s, struct behaviour *b, int nrevs)
{
	int last = -1;

	b->introduced = b->reintroduced = b->absent = -1;
	b->nseen = 0;
	for (int i = 0; i < nrevs; i++)
		b->nseen += s->seen[i];
	b->seen_in = b->nseen ? malloc((size_t)b->nseen * sizeof(int)) : NULL;
	if (!b->seen_in)
		b->nseen = 0; /* out of memory: the lanes are left out, the answer stands */
	for (int i = 0, k = 0; i < nrevs; i++) {
		if (!s->seen[i])
			continue;
		if (k < b->nseen)
			b->seen_in[k++] = i;
		if (last < 0)
			b->introduced = i;
		else if (i > last + 1) {
			b->reintroduced = i;
			b->absent = i - 1;
		}
		last = i;
	}
	memset(s->seen, 0, (size_t)nrevs);
}

static int start(struct scan *s, struct qstmt *st)
{
	struct behaviour *b = &s->v[s->n];
	bool oom = false;

	memset(b, 0, sizeof(*b));
	b->rule = dup_or_null(qs_text(st, 0), &oom);
	b->target = dup_or_null(qs_text(st, 1), &oom);
	b->executable = dup_or_null(qs_text(st, 2), &oom);
	b->kind = dup_or_null(qs_text(st, 4), &oom);
	b->first_ns = INT64_MAX;
	b->last_ns = INT64_MIN;
	s->n++;
	return oom ? -ENOMEM : 0;
}

static void add_row(struct scan *s, const struct query_revs *r, struct qstmt *st)
{
	struct behaviour *b = &s->v[s->n - 1];
	const char *rev = qs_text(st, 3);
	int i = rev ? query_revs_find(r, rev) : -1;
	int64_t first = qs_int64(st, 6), last = qs_int64(st, 7);

	if (i >= 0)
		s->seen[i] = 1;
	b->count += qs_int64(st, 5);
	b->first_ns = first < b->first_ns ? first : b->first_ns;
	b->last_ns = last > b->last_ns ? last : b->last_ns;
}

static int scan_behaviours(struct query_req *q, const char *ns, const char *name,
			   const struct query_revs *r, struct scan *s)
{
	static const char sql[] =
	    "SELECT rule, target, executable, revision, MIN(kind), COUNT(*), MIN(time_ns),"
	    " MAX(time_ns) FROM events WHERE namespace = ? AND workload_name = ? AND kind "
	    "IN " QUERY_FINDING_KINDS " GROUP BY rule, target, executable, revision"
	    " ORDER BY rule, target, executable";
	/* ClickHouse: each event counted once, NULLs first as SQLite sorts them */
	static const char ch_sql[] =
	    "SELECT rule, target, executable, revision, min(kind), uniqExact(id), min(time_ns),"
	    " max(time_ns) FROM events WHERE namespace = ? AND workload_name = ? AND kind "
	    "IN " QUERY_FINDING_KINDS " GROUP BY rule, target, executable, revision"
	    " ORDER BY rule NULLS FIRST, target NULLS FIRST, executable NULLS FIRST";
	struct qstmt *st = qs_prepare(q, sql, ch_sql);
	int rc;

	s->v = calloc(BEHAVIOURS_MAX, sizeof(*s->v));
	s->seen = calloc((size_t)r->n + 1, 1);
	if (!st || !s->v || !s->seen)
		return qs_finalize(st), -1;
	qs_bind_text(st, 1, ns);
	qs_bind_text(st, 2, name);
	while ((rc = qs_step(st)) == QS_ROW) {
		if (!s->n || !same_behaviour(&s->v[s->n - 1], st)) {
			if (s->n)
				finish(s, &s->v[s->n - 1], r->n);
			if (s->n == BEHAVIOURS_MAX) {
				s->truncated = true;
				break;
			}
			if (start(s, st) < 0)
				break;
		}
		add_row(s, r, st);
	}
	qs_finalize(st);
	if (rc != QS_DONE && !s->truncated)
		return -1;
	if (s->n && !s->truncated)
		finish(s, &s->v[s->n - 1], r->n);
	return 0;
}

static int by_first_seen(const void *a, const void *b)
{
	const struct behaviour *x = a, *y = b;

	if (x->first_ns != y->first_ns)
		return x->first_ns < y->first_ns ? -1 : 1;
	return strcmp(x->rule ? x->rule : "", y->rule ? y->rule : ""); /* stable output */
}

static bool add_text(cJSON *o, const struct query_revs *r, const struct behaviour *b)
{
	char from[64], to[64], text[200];

	if (b->introduced < 0)
		return qj_str(o, "text", "seen only in events without a known revision");
	query_short_rev(r->v[b->introduced].revision, to, sizeof(to));
	if (b->introduced == 0) {
		snprintf(text, sizeof(text), "present since the first known revision %s", to);
	} else {
		query_short_rev(r->v[b->introduced - 1].revision, from, sizeof(from));
		snprintf(text, sizeof(text), "introduced between %s and %s", from, to);
	}
	return qj_str(o, "text", text);
}

static bool add_behaviour(cJSON *arr, const struct query_revs *r, const struct behaviour *b)
{
	int prev = b->introduced > 0 ? b->introduced - 1 : -1;
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	return qj_str(o, "rule", b->rule) && qj_str(o, "target", b->target) &&
	       qj_str(o, "executable", b->executable) && qj_str(o, "kind", b->kind) &&
	       query_revs_add_ref(o, "introduced_in", r, b->introduced) &&
	       query_revs_add_ref(o, "previous", r, prev) && add_text(o, r, b) &&
	       query_revs_add_compare(o, "compare_url", r, prev, b->introduced) &&
	       cJSON_AddBoolToObject(o, "reintroduced", b->reintroduced >= 0) &&
	       query_revs_add_ref(o, "reintroduced_in", r, b->reintroduced) &&
	       query_revs_add_ref(o, "absent_in", r, b->absent) &&
	       query_revs_add_compare(o, "reintroduced_compare_url", r, b->absent, b->reintroduced) &&
	       cJSON_AddNumberToObject(o, "count", (double)b->count) &&
	       qj_time(o, "first_seen", b->first_ns) && qj_time(o, "last_seen", b->last_ns) &&
	       cJSON_AddItemToObject(o, "seen_in",
				     b->nseen ? cJSON_CreateIntArray(b->seen_in, b->nseen)
					      : cJSON_CreateArray());
}

static bool add_revision(cJSON *arr, const struct query_rev *v)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	return qj_str(o, "revision", v->revision) && qj_str(o, "commit", v->commit) &&
	       qj_str(o, "image_digest", v->image_digest) &&
	       qj_str(o, "pipeline_id", v->pipeline_id) && qj_str(o, "repository", v->repository) &&
	       qj_str(o, "deploy_commit", v->deploy_commit) &&
	       qj_time(o, "first_seen", v->first_ns) && qj_time(o, "last_seen", v->last_ns) &&
	       cJSON_AddNumberToObject(o, "events", (double)v->events);
}

static cJSON *build(const char *ns, const char *name, const struct query_revs *r, struct scan *s,
		    int limit)
{
	cJSON *res = cJSON_CreateObject(), *w, *revs, *bs;
	bool ok;

	w = res ? cJSON_AddObjectToObject(res, "workload") : NULL;
	ok = w && qj_str(w, "namespace", ns) && qj_str(w, "name", name) &&
	     qj_str(w, "kind", r->workload_kind);
	revs = ok ? cJSON_AddArrayToObject(res, "revisions") : NULL;
	for (int i = 0; revs && ok && i < r->n; i++)
		ok = add_revision(revs, &r->v[i]);
	qsort(s->v, (size_t)s->n, sizeof(*s->v), by_first_seen);
	bs = ok && revs ? cJSON_AddArrayToObject(res, "behaviours") : NULL;
	for (int i = 0; bs && ok && i < s->n && i < limit; i++)
		ok = add_behaviour(bs, r, &s->v[i]);
	if (!bs || !ok ||
	    !cJSON_AddBoolToObject(res, "truncated",
				   r->truncated || s->truncated || s->n > limit)) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

cJSON *query_introduced(struct query_req *q)
{
	struct query_revs revs = {0};
	struct scan scan = {0};
	const char *ns, *name;
	char buf[512];
	cJSON *res = NULL;
	int limit;

	if (query_param_workload(q, buf, sizeof(buf), &ns, &name, true) < 0 ||
	    query_param_limit(q, &limit) < 0)
		return NULL;
	if (query_revs_load(q, ns, name, &revs) == 0 &&
	    scan_behaviours(q, ns, name, &revs, &scan) == 0)
		res = build(ns, name, &revs, &scan, limit);
	for (int i = 0; scan.v && i < scan.n; i++)
		behaviour_free(&scan.v[i]);
	free(scan.v);
	free(scan.seen);
	query_revs_free(&revs);
	return res;
}

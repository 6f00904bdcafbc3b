// SPDX-License-Identifier: BSD-2-Clause
/* query_revisions.c - see query_revisions.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "links.h"
#include "query_revisions.h"

#define URL_MAX 1024

static char *dup_col(struct qstmt *st, int col, bool *oom)
{
	const char *s = qs_text(st, col);
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*oom = true;
	return d;
}

static int load_kind(struct query_req *q, const char *ns, const char *name, struct query_revs *r)
{
	static const char sql[] = "SELECT workload_kind FROM events WHERE namespace = ?"
				  " AND workload_name = ? ORDER BY time_ns DESC, id DESC LIMIT 1";
	struct qstmt *st = qs_prepare(q, sql, sql);
	bool oom = false;
	int rc;

	if (!st)
		return -1;
	qs_bind_text(st, 1, ns);
	qs_bind_text(st, 2, name);
	rc = qs_step(st);
	if (rc == QS_ROW)
		r->workload_kind = dup_col(st, 0, &oom);
	qs_finalize(st);
	if (rc == QS_DONE)
		query_fail(q, 404, "no events for workload %.100s/%.100s", ns, name);
	return rc == QS_ROW && !oom ? 0 : rc == QS_DONE ? -ENOENT : -1;
}

static int row(struct qstmt *st, struct query_rev *v)
{
	bool oom = false;

	v->revision = dup_col(st, 0, &oom);
	v->first_ns = qs_int64(st, 1);
	v->last_ns = qs_int64(st, 2);
	v->commit = dup_col(st, 3, &oom);
	v->image_digest = dup_col(st, 4, &oom);
	v->pipeline_id = dup_col(st, 5, &oom);
	v->repository = dup_col(st, 6, &oom);
	v->events = qs_int64(st, 7);
	v->deploy_commit = dup_col(st, 8, &oom);
	return oom || !v->revision ? -ENOMEM : 0;
}

static int by_name_cmp(const void *a, const void *b, void *arg)
{
	const struct query_revs *r = arg;

	return strcmp(r->v[*(const int *)a].revision, r->v[*(const int *)b].revision);
}

static int index_names(struct query_revs *r)
{
	r->by_name = calloc((size_t)r->n + 1, sizeof(int));
	if (!r->by_name)
		return -ENOMEM;
	for (int i = 0; i < r->n; i++)
		r->by_name[i] = i;
	/* queries run on the server's threads: qsort_r, no comparison context in a global */
	qsort_r(r->by_name, (size_t)r->n, sizeof(int), by_name_cmp, r);
	return 0;
}

int query_revs_load(struct query_req *q, const char *ns, const char *name, struct query_revs *r)
{
	/* the summary kept at ingest (schema.h: workload_revisions), not a scan of the events */
	static const char sql[] =
	    "SELECT revision, first_ns, last_ns, commit_sha, image_digest, pipeline_id,"
	    " repository, events, deploy_commit FROM workload_revisions"
	    " WHERE namespace = ? AND workload_name = ? ORDER BY first_ns, revision LIMIT ?";
	/* ClickHouse: from the events, each counted once (uniqExact: a retried batch's copies) */
	static const char ch_sql[] =
	    "SELECT revision, min(time_ns) AS first_ns, max(time_ns), max(commit_sha),"
	    " max(image_digest), max(pipeline_id), max(repository), uniqExact(id),"
	    " max(nullIf(deploy_commit, '')) FROM events WHERE namespace = ?1"
	    " AND workload_name = ?2 AND revision != '' AND kind != 'agent_gap'"
	    " GROUP BY revision ORDER BY first_ns, revision LIMIT ?3";
	struct qstmt *st;
	int rc, err;

	memset(r, 0, sizeof(*r));
	err = load_kind(q, ns, name, r);
	if (err)
		return err;
	st = qs_prepare(q, sql, ch_sql);
	r->v = calloc(QUERY_REVISIONS_MAX, sizeof(*r->v));
	if (!st || !r->v)
		return qs_finalize(st), -1;
	qs_bind_text(st, 1, ns);
	qs_bind_text(st, 2, name);
	qs_bind_int64(st, 3, QUERY_REVISIONS_MAX + 1);
	while ((rc = qs_step(st)) == QS_ROW) {
		if (r->n == QUERY_REVISIONS_MAX) {
			r->truncated = true;
			rc = QS_DONE;
			break;
		}
		if (row(st, &r->v[r->n++]) < 0)
			break;
	}
	qs_finalize(st);
	if (rc != QS_DONE)
		return -1;
	return index_names(r) < 0 ? -1 : 0;
}

int query_revs_find(const struct query_revs *r, const char *revision)
{
	int lo = 0, hi = r->n - 1;

	while (lo <= hi) {
		int mid = lo + (hi - lo) / 2, c = strcmp(revision, r->v[r->by_name[mid]].revision);

		if (!c)
			return r->by_name[mid];
		if (c < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	return -1;
}

void query_revs_free(struct query_revs *r)
{
	for (int i = 0; r->v && i < r->n; i++) {
		free(r->v[i].revision);
		free(r->v[i].commit);
		free(r->v[i].image_digest);
		free(r->v[i].pipeline_id);
		free(r->v[i].repository);
		free(r->v[i].deploy_commit);
	}
	free(r->v);
	free(r->by_name);
	free(r->workload_kind);
	memset(r, 0, sizeof(*r));
}

bool query_revs_add_ref(cJSON *obj, const char *key, const struct query_revs *r, int i)
{
	const struct query_rev *v = i >= 0 ? &r->v[i] : NULL;
	cJSON *o;

	if (!v)
		return cJSON_AddNullToObject(obj, key) != NULL;
	o = cJSON_AddObjectToObject(obj, key);
	return o && qj_str(o, "revision", v->revision) && qj_str(o, "commit", v->commit) &&
	       qj_str(o, "image_digest", v->image_digest) &&
	       qj_str(o, "pipeline_id", v->pipeline_id) && qj_time(o, "first_seen", v->first_ns);
}

bool query_revs_add_compare(cJSON *o, const char *key, const struct query_revs *r, int from,
			    int to)
{
	char url[URL_MAX];
	const struct query_rev *a = from >= 0 ? &r->v[from] : NULL, *b = to >= 0 ? &r->v[to] : NULL;
	const char *repo = b ? (b->repository ? b->repository : a ? a->repository : NULL) : NULL;
	bool ok = a && b && a->commit && b->commit &&
		  links_compare_url(repo, a->commit, b->commit, url, sizeof(url)) == 0;

	return qj_str(o, key, ok ? url : NULL);
}

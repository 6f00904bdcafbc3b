// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_origins.c - GET /v1/origins?by=commit|pipeline|repository: findings grouped by where
 * the code came from, the most recently active origin first.
 *
 * Without `since` the answer comes from the summaries kept at ingest (schema.h: origin_totals
 * ranks the origins, origin_items gives each listed origin's DISTINCT lists); with `since` it
 * groups the events (a summary has no time axis to cut at); the ClickHouse store always groups
 * the events (it keeps no summaries). All give the same answer: each list is in the order of
 * its values' first appearance by (kind, time_ns, id), or with a namespace by (workload_name,
 * time_ns, id), a missing workload first. (time_ns, id), not the ingest order (seq): only it is
 * the same in both stores. The two orders differ at exact time ties only, such as an
 * identity_change and the event that made it (same time). The summary keeps each item's first
 * event by (time_ns, seq) and sorts by that event's id: exact unless one item has two events
 * at its first time.
 */
#include <stdio.h>
#include <string.h>

#include "links.h"
#include "query_internal.h"
#include "schema.h"

/* Distinct kinds/rules/workloads listed per origin; a commit deployed to hundreds of workloads
 * is summarised, not enumerated. */
#define DISTINCT_MAX 50
#define URL_MAX	     1024

static const struct grouping {
	const char *by;
	const char *column; /* a constant of this table: never from the request */
} groupings[] = {
    {"commit", "commit_sha"},
    {"pipeline", "pipeline_id"},
    {"repository", "repository"},
};

/* The summary path's state for add_row (NULL lists: the row carries them, the events path). */
struct origin_ctx {
	const struct grouping *g;
	struct query_req *q;
	struct qstmt *lists;
	const char *ns;
};

#define NGROUPINGS (sizeof(groupings) / sizeof(groupings[0]))

static const struct grouping *grouping_param(struct query_req *q)
{
	const char *by = query_param(q, "by");

	if (!by)
		by = "commit";
	for (size_t i = 0; i < NGROUPINGS; i++)
		if (!strcmp(by, groupings[i].by))
			return &groupings[i];
	query_fail(q, 400, "by: \"%.64s\" is not one of commit, pipeline, repository", by);
	return NULL;
}

/* Parameters: the namespace (when given), since (when given), the limit. */
static struct qstmt *prepare(struct query_req *q, const struct grouping *g, bool ns, bool since)
{
	const char *c = g->column, *nsw = ns ? " AND namespace = ?" : "";
	const char *sw = since ? " AND time_ns >= ?" : "", *order = ns ? "workload_name" : "kind";
	char sql[1536], ch[3072];

	/* the rows in list order (top of file) into the grouping, whose sorter keeps that order
	 * within a group (json_group_array(DISTINCT) keeps the first of each) */
	snprintf(sql, sizeof(sql),
		 "SELECT key, MAX(repository), MAX(pipeline_url), COUNT(*), MIN(time_ns),"
		 " MAX(time_ns) AS last, json_group_array(DISTINCT kind),"
		 " json_group_array(DISTINCT rule),"
		 " json_group_array(DISTINCT namespace || '/' || workload_name),"
		 " COUNT(DISTINCT commit_sha), MAX(commit_sha) FROM (SELECT %s AS key, repository,"
		 " pipeline_url, time_ns, kind, rule, namespace, workload_name, commit_sha"
		 " FROM events WHERE kind IN " QUERY_FINDING_KINDS " AND %s <> ''%s%s"
		 " ORDER BY %s, time_ns, id) GROUP BY key ORDER BY last DESC, key LIMIT ?",
		 c, c, nsw, sw, order);
	/* ClickHouse: per item (kind, rule, workload) its first event by (time_ns, id) and its
	 * partial aggregates (each event counted once: uniqExact, a retried batch's copies), then
	 * per origin the items sorted into the lists (arrayDistinct keeps the first of each and
	 * drops NULL, as qj_distinct skips it); '' is the keys' "none" (ch_schema.h) */
	snprintf(ch, sizeof(ch),
		 "SELECT key, max(repo), max(purl), sum(n), min(f), max(l) AS last,"
		 " arrayDistinct(arrayMap(x -> x.3, arraySort(groupArray((o, first, kind, rule,"
		 " wl))) AS a)), arrayDistinct(arrayMap(x -> x.4, a)),"
		 " arrayDistinct(arrayMap(x -> x.5, a)), uniqExactArray(cs), max(mc)"
		 " FROM (SELECT %s AS key, kind, rule, namespace, workload_name, %s AS o,"
		 " if(namespace = '' OR workload_name = '', NULL,"
		 " concat(namespace, '/', workload_name)) AS wl, uniqExact(id) AS n,"
		 " min(time_ns) AS f, max(time_ns) AS l, max(repository) AS repo,"
		 " max(pipeline_url) AS purl, groupUniqArray(commit_sha) AS cs,"
		 " max(commit_sha) AS mc, min((time_ns, id)) AS first FROM events"
		 " WHERE kind IN " QUERY_FINDING_KINDS " AND %s != ''%s%s"
		 " GROUP BY key, kind, rule, namespace, workload_name)"
		 " GROUP BY key ORDER BY last DESC, key LIMIT ?",
		 c, order, c, nsw, sw);
	return qs_prepare(q, sql, ch);
}

/* The ranking from origin_totals, in the columns of prepare()'s (6-8: the lists, read after).
 * The origins are ranked on their last time alone, then only the listed ones are aggregated
 * (every aggregate over all of the table's ~30k rows took 60-95 ms at 200k events). */
static struct qstmt *prepare_summary(struct query_req *q, const struct grouping *g, bool ns)
{
	const char *c = g->column, *nsw = ns ? " AND namespace = ?1" : "";
	char sql[1536];

	snprintf(sql, sizeof(sql),
		 "SELECT %s AS key, MAX(CASE WHEN nulls & 4 THEN NULL ELSE repository END),"
		 " MAX(pipeline_url), SUM(count), MIN(first_ns), MAX(last_ns) AS last, NULL, NULL,"
		 " NULL, COUNT(DISTINCT CASE WHEN nulls & 1 THEN NULL ELSE commit_sha END),"
		 " MAX(CASE WHEN nulls & 1 THEN NULL ELSE commit_sha END) FROM origin_totals"
		 " WHERE %s IN (SELECT k FROM (SELECT %s AS k, MAX(last_ns) AS l FROM origin_totals"
		 " WHERE %s <> ''%s GROUP BY %s ORDER BY l DESC, k LIMIT ?2))%s GROUP BY %s"
		 " ORDER BY last DESC, key",
		 c, c, c, c, nsw, c, nsw, c);
	return qs_prepare(q, sql, NULL);
}

/* One origin's (kind, rule, workload) items in the grouping query's order (top of file). */
static struct qstmt *prepare_lists(struct query_req *q, const struct grouping *g, bool ns)
{
	char sql[1024];

	snprintf(sql, sizeof(sql),
		 "SELECT kind, CASE WHEN nulls & 32 THEN NULL ELSE rule END,"
		 " CASE WHEN nulls & 24 THEN NULL ELSE namespace || '/' || workload_name END"
		 " FROM origin_items WHERE %s = ?1%s, first_ns,"
		 " (SELECT id FROM events WHERE seq = first_seq)", g->column,
		 ns ? " AND namespace = ?2 AND nulls & 8 = 0 ORDER BY workload_name,"
		      " nulls & 16 = 0" /* a NULL workload first */
		    : " ORDER BY kind");
	return qs_prepare(q, sql, NULL);
}

/* s appended to arr unless NULL, already there or past the cut (json_group_array(DISTINCT)
 * then qj_distinct). */
static bool add_distinct(cJSON *arr, int *n, const char *s)
{
	const cJSON *it;

	if (!s || *n >= DISTINCT_MAX)
		return true;
	cJSON_ArrayForEach(it, arr)
		if (!strcmp(it->valuestring, s))
			return true;
	(*n)++;
	return cJSON_AddItemToArray(arr, cJSON_CreateString(s));
}

static bool add_summary_lists(cJSON *o, const struct origin_ctx *c, const char *key)
{
	static const char *const names[3] = {"kinds", "rules", "workloads"};
	cJSON *arr[3];
	int n[3] = {0}, rc = QS_DONE;
	bool ok = true;

	for (int i = 0; i < 3; i++)
		if (!(arr[i] = cJSON_AddArrayToObject(o, names[i])))
			return false;
	qs_reset(c->lists);
	qs_bind_text(c->lists, 1, key);
	if (c->ns)
		qs_bind_text(c->lists, 2, c->ns);
	while (ok && (rc = qs_step(c->lists)) == QS_ROW)
		for (int i = 0; i < 3; i++)
			ok = ok && add_distinct(arr[i], &n[i], qs_text_raw(c->lists, i));
	qs_reset(c->lists);
	return ok && rc == QS_DONE;
}

static bool add_lists(cJSON *o, const struct origin_ctx *c, struct qstmt *st)
{
	if (c->lists)
		return add_summary_lists(o, c, qs_text(st, 0));
	return qj_distinct(o, "kinds", qs_text(st, 6), DISTINCT_MAX) &&
	       qj_distinct(o, "rules", qs_text(st, 7), DISTINCT_MAX) &&
	       qj_distinct(o, "workloads", qs_text(st, 8), DISTINCT_MAX);
}

static bool add_specific(cJSON *o, const struct grouping *g, struct qstmt *st)
{
	char url[URL_MAX];
	const char *key = qs_text(st, 0), *repo = qs_text(st, 1);

	if (!strcmp(g->by, "commit"))
		return qj_str(o, "repository", repo) &&
		       qj_str(o, "commit_url",
			      links_commit_url(repo, key, url, sizeof(url)) == 0 ? url : NULL);
	if (!strcmp(g->by, "pipeline"))
		return qj_str(o, "repository", repo) &&
		       qj_str(o, "pipeline_url", qs_text(st, 2)) &&
		       qj_str(o, "commit", qs_text(st, 10));
	return cJSON_AddNumberToObject(o, "commits", (int)qs_int64(st, 9)) != NULL;
}

static bool add_row(cJSON *arr, struct qstmt *st, const void *ctx)
{
	const struct origin_ctx *c = ctx;
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	return qj_str(o, "key", qs_text(st, 0)) && add_specific(o, c->g, st) &&
	       cJSON_AddNumberToObject(o, "count", (double)qs_int64(st, 3)) &&
	       add_lists(o, c, st) && qj_time(o, "first_seen", qs_int64(st, 4)) &&
	       qj_time(o, "last_seen", qs_int64(st, 5));
}

cJSON *query_origins(struct query_req *q)
{
	const struct grouping *g = grouping_param(q);
	const char *ns = query_param(q, "namespace");
	struct origin_ctx c = {g, q, NULL, ns};
	int64_t since;
	int limit, idx = 1;
	struct qstmt *st;
	cJSON *res, *arr;

	if (!g || query_param_since(q, &since) < 0 || query_param_limit(q, &limit) < 0)
		return NULL;
	if (since > 0 || q->ch) {
		st = prepare(q, g, ns, since > 0);
	} else {
		st = prepare_summary(q, g, ns);
		c.lists = st ? prepare_lists(q, g, ns) : NULL;
		if (!c.lists)
			st = (qs_finalize(st), NULL);
	}
	if (!st)
		return NULL;
	if (ns)
		qs_bind_text(st, idx++, ns);
	if (since > 0)
		qs_bind_int64(st, idx++, since);
	qs_bind_int64(st, c.lists ? 2 : idx, limit); /* the summary's: ?1 namespace, ?2 */
	res = cJSON_CreateObject();
	arr = res && cJSON_AddStringToObject(res, "by", g->by)
		  ? cJSON_AddArrayToObject(res, "origins")
		  : NULL;
	res = query_collect(q, st, res, arr, add_row, &c);
	qs_finalize(c.lists);
	return res;
}

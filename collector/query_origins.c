// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_origins.c - GET /v1/origins?by=commit|pipeline|repository: findings grouped by where
 * the code came from, the most recently active origin first.
 */
#include <stdio.h>
#include <string.h>

#include "links.h"
#include "query_internal.h"

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

static sqlite3_stmt *prepare(struct query_req *q, const struct grouping *g, bool ns, bool since)
{
	char sql[1536];

	snprintf(sql, sizeof(sql),
		 "SELECT %s AS key, MAX(repository), MAX(pipeline_url), COUNT(*), MIN(time_ns),"
		 " MAX(time_ns) AS last, json_group_array(DISTINCT kind),"
		 " json_group_array(DISTINCT rule),"
		 " json_group_array(DISTINCT namespace || '/' || workload_name),"
		 " COUNT(DISTINCT commit_sha), MAX(commit_sha)"
		 " FROM events WHERE kind IN " QUERY_FINDING_KINDS " AND %s <> ''%s%s"
		 " GROUP BY %s ORDER BY last DESC, key LIMIT ?",
		 g->column, g->column, ns ? " AND namespace = ?" : "",
		 since ? " AND time_ns >= ?" : "", g->column);
	return query_prepare(q, sql);
}

static bool add_specific(cJSON *o, const struct grouping *g, sqlite3_stmt *st)
{
	char url[URL_MAX];
	const char *key = query_col_text(st, 0), *repo = query_col_text(st, 1);

	if (!strcmp(g->by, "commit"))
		return qj_str(o, "repository", repo) &&
		       qj_str(o, "commit_url",
			      links_commit_url(repo, key, url, sizeof(url)) == 0 ? url : NULL);
	if (!strcmp(g->by, "pipeline"))
		return qj_str(o, "repository", repo) &&
		       qj_str(o, "pipeline_url", query_col_text(st, 2)) &&
		       qj_str(o, "commit", query_col_text(st, 10));
	return cJSON_AddNumberToObject(o, "commits", sqlite3_column_int(st, 9)) != NULL;
}

static bool add_row(cJSON *arr, sqlite3_stmt *st, const void *ctx)
{
	const struct grouping *g = ctx;
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	return qj_str(o, "key", query_col_text(st, 0)) && add_specific(o, g, st) &&
	       cJSON_AddNumberToObject(o, "count", (double)sqlite3_column_int64(st, 3)) &&
	       qj_distinct(o, "kinds", query_col_text(st, 6), DISTINCT_MAX) &&
	       qj_distinct(o, "rules", query_col_text(st, 7), DISTINCT_MAX) &&
	       qj_distinct(o, "workloads", query_col_text(st, 8), DISTINCT_MAX) &&
	       qj_time(o, "first_seen", sqlite3_column_int64(st, 4)) &&
	       qj_time(o, "last_seen", sqlite3_column_int64(st, 5));
}

cJSON *query_origins(struct query_req *q)
{
	const struct grouping *g = grouping_param(q);
	const char *ns = query_param(q, "namespace");
	int64_t since;
	int limit, idx = 1;
	sqlite3_stmt *st;
	cJSON *res, *arr;

	if (!g || query_param_since(q, &since) < 0 || query_param_limit(q, &limit) < 0)
		return NULL;
	st = prepare(q, g, ns, since > 0);
	if (!st)
		return NULL;
	if (ns)
		sqlite3_bind_text(st, idx++, ns, -1, SQLITE_STATIC);
	if (since > 0)
		sqlite3_bind_int64(st, idx++, since);
	sqlite3_bind_int(st, idx, limit);
	res = cJSON_CreateObject();
	arr = res && cJSON_AddStringToObject(res, "by", g->by)
		  ? cJSON_AddArrayToObject(res, "origins")
		  : NULL;
	return query_collect(q, st, res, arr, add_row, g);
}

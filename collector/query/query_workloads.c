// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_workloads.c - GET /v1/workloads[?namespace=N&limit=N]: every workload with findings,
 * the most recently active first, with its counts by kind and by severity and how many
 * revisions it ran (the web UI's first page).
 */
#include <stdio.h>
#include <string.h>

#include "query_internal.h"

static const char *const *const kinds = query_finding_kinds;
static const char *const severities[] = {"critical", "high", "medium", "low", "info", NULL};

#define NKINDS QUERY_NFINDING_KINDS

static struct qstmt *prepare(struct query_req *q, bool ns)
{
	char sql[2048], ch[2048];
	size_t n, m;

	n = (size_t)snprintf(sql, sizeof(sql),
			     "SELECT namespace, workload_name, MAX(workload_kind),"
			     " SUM(CASE WHEN kind IN " QUERY_FINDING_KINDS " THEN count ELSE 0 END)"
			     " AS findings, MIN(first_ns), MAX(last_ns) AS last,"
			     " (SELECT COUNT(*) FROM workload_revisions r WHERE r.namespace ="
			     " t.namespace AND r.workload_name = t.workload_name)");
	/* ClickHouse: the same columns from the events, each counted once (uniqExact: a
	 * retried batch's copies) */
	m = (size_t)snprintf(ch, sizeof(ch),
			     "SELECT namespace, workload_name, max(workload_kind),"
			     " uniqExactIf(id, kind IN " QUERY_FINDING_KINDS ") AS findings,"
			     " min(time_ns),"
			     " max(time_ns) AS last, uniqExact(nullIf(revision, ''))");
	/* the names are this file's constants, never the request's */
	for (int i = 0; kinds[i]; i++) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
				      ", SUM(CASE WHEN kind = '%s' THEN count ELSE 0 END)", kinds[i]);
		m += (size_t)snprintf(ch + m, sizeof(ch) - m, ", uniqExactIf(id, kind = '%s')",
				      kinds[i]);
	}
	for (int i = 0; severities[i]; i++) {
		n += (size_t)snprintf(sql + n, sizeof(sql) - n,
				      ", SUM(CASE WHEN severity = '%s' AND kind IN "
				      QUERY_FINDING_KINDS " THEN count ELSE 0 END)",
				      severities[i]);
		m += (size_t)snprintf(ch + m, sizeof(ch) - m,
				      ", uniqExactIf(id, ifNull(severity, '') = '%s' AND kind IN "
				      QUERY_FINDING_KINDS ")", severities[i]);
	}
	snprintf(sql + n, sizeof(sql) - n,
		 /* every event counts for the revisions it ran (a container_start too); the
		  * summaries (schema.h: workload_totals, workload_revisions) hold every event but
		  * agent_gap */
		 " FROM workload_totals t WHERE namespace <> '' AND"
		 " workload_name <> ''%s GROUP BY namespace, workload_name HAVING findings > 0"
		 " ORDER BY last DESC, namespace, workload_name LIMIT ?",
		 ns ? " AND namespace = ?" : "");
	snprintf(ch + m, sizeof(ch) - m,
		 " FROM events WHERE namespace != '' AND workload_name != ''"
		 " AND kind != 'agent_gap'%s GROUP BY namespace, workload_name HAVING findings > 0"
		 " ORDER BY last DESC, namespace, workload_name LIMIT ?",
		 ns ? " AND namespace = ?" : "");
	return qs_prepare(q, sql, ch);
}

/* o[key] = {name: count} for the non-zero columns from `col` on. */
static bool add_counts(cJSON *o, const char *key, const char *const *names, struct qstmt *st,
		       int col)
{
	cJSON *m = cJSON_AddObjectToObject(o, key);

	for (int i = 0; m && names[i]; i++) {
		int64_t v = qs_int64(st, col + i);

		if (v && !cJSON_AddNumberToObject(m, names[i], (double)v))
			return false;
	}
	return m != NULL;
}

static bool add_row(cJSON *arr, struct qstmt *st, const void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	return qj_str(o, "namespace", qs_text(st, 0)) &&
	       qj_str(o, "name", qs_text(st, 1)) &&
	       qj_str(o, "kind", qs_text(st, 2)) &&
	       cJSON_AddNumberToObject(o, "findings", (double)qs_int64(st, 3)) &&
	       qj_time(o, "first_seen", qs_int64(st, 4)) &&
	       qj_time(o, "last_seen", qs_int64(st, 5)) &&
	       cJSON_AddNumberToObject(o, "revisions", (double)qs_int64(st, 6)) &&
	       add_counts(o, "by_kind", kinds, st, 7) &&
	       add_counts(o, "by_severity", severities, st, 7 + NKINDS);
}

cJSON *query_workloads(struct query_req *q)
{
	const char *ns = query_param(q, "namespace");
	struct qstmt *st;
	cJSON *res, *arr;
	int limit, idx = 1;

	if (query_param_limit(q, &limit) < 0)
		return NULL;
	st = prepare(q, ns != NULL);
	if (!st)
		return NULL;
	if (ns)
		qs_bind_text(st, idx++, ns);
	qs_bind_int64(st, idx, limit);
	res = cJSON_CreateObject();
	arr = res ? cJSON_AddArrayToObject(res, "workloads") : NULL;
	return query_collect(q, st, res, arr, add_row, NULL);
}

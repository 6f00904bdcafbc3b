// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_exposures.c - GET /v1/exposures[?workload=NAMESPACE/NAME]: the secrets containers were
 * started with, one per fingerprint (the same secret wherever it appears), newest activity
 * first: the names and detectors it was seen under, where it came from (image, manifest, a
 * Secret), every workload it is in, and the first revision that carried it. With a workload,
 * the secrets found in that workload, still with every workload each is in ("this key is in 3
 * images built by pipeline 812").
 */
#include <stdio.h>
#include <string.h>

#include "query_internal.h"

#define DISTINCT_MAX 50

/* ?1 and ?2: the workload's namespace and name (when filtered); the last: the limit. */
static struct qstmt *prepare(struct query_req *q, bool workload)
{
	const char *in = workload ? " AND target IN (SELECT target FROM events WHERE"
				    " kind = 'secret_exposure' AND namespace = ? AND"
				    " workload_name = ?)"
				  : "";
	char sql[2048], ch[2048];

	/* the first event of each secret: one seek per secret down events_exposure (schema.h),
	 * which also gives the groups in order, each in (time_ns, id) order */
	snprintf(sql, sizeof(sql),
		 "SELECT target AS fp, COUNT(*), MIN(time_ns), MAX(time_ns) AS last,"
		 " json_group_array(DISTINCT json_extract(body, '$.exposure.name')),"
		 " json_group_array(DISTINCT json_extract(body, '$.exposure.detector')),"
		 " json_group_array(DISTINCT json_extract(body, '$.exposure.origin')),"
		 " json_group_array(DISTINCT json_extract(body, '$.exposure.origin_ref')),"
		 " json_group_array(DISTINCT namespace || '/' || workload_name),"
		 " json_group_array(DISTINCT nullif(pipeline_id, '')),"
		 " (SELECT f.commit_sha FROM events f WHERE f.kind = 'secret_exposure' AND"
		 "  f.target = e.target ORDER BY f.time_ns, f.id LIMIT 1),"
		 " (SELECT f.pipeline_id FROM events f WHERE f.kind = 'secret_exposure' AND"
		 "  f.target = e.target ORDER BY f.time_ns, f.id LIMIT 1)"
		 " FROM events e INDEXED BY events_exposure"
		 " WHERE kind = 'secret_exposure' AND target <> ''%s"
		 " GROUP BY target ORDER BY last DESC, fp LIMIT ?",
		 in);
	/* ClickHouse: each secret's events in (time_ns, id) order, the lists their values in
	 * order of first appearance (arrayDistinct keeps the first of each, drops NULL as
	 * qj_distinct skips it, and a retried batch's copies), the first commit and pipeline
	 * the first event's; the exposure's fields are columns (ch_schema.h) */
	snprintf(ch, sizeof(ch),
		 "SELECT target AS fp, uniqExact(id), min(time_ns), max(time_ns) AS last,"
		 " arrayDistinct(arrayMap(x -> x.3, arraySort(groupArray((time_ns, id,"
		 " exposure_name, exposure_detector, exposure_origin, exposure_origin_ref,"
		 " if(namespace = '' OR workload_name = '', NULL,"
		 " concat(namespace, '/', workload_name)), nullIf(pipeline_id, ''), commit_sha,"
		 " pipeline_id))) AS a)), arrayDistinct(arrayMap(x -> x.4, a)),"
		 " arrayDistinct(arrayMap(x -> x.5, a)), arrayDistinct(arrayMap(x -> x.6, a)),"
		 " arrayDistinct(arrayMap(x -> x.7, a)), arrayDistinct(arrayMap(x -> x.8, a)),"
		 " tupleElement(a[1], 9), tupleElement(a[1], 10) FROM events"
		 " WHERE kind = 'secret_exposure' AND target != ''%s"
		 " GROUP BY target ORDER BY last DESC, fp LIMIT ?",
		 in);
	return qs_prepare(q, sql, ch);
}

static bool add_row(cJSON *arr, struct qstmt *st, const void *ctx)
{
	cJSON *o = cJSON_CreateObject();

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	return qj_str(o, "fingerprint", qs_text(st, 0)) &&
	       cJSON_AddNumberToObject(o, "count", (double)qs_int64(st, 1)) &&
	       qj_distinct(o, "names", qs_text(st, 4), DISTINCT_MAX) &&
	       qj_distinct(o, "detectors", qs_text(st, 5), DISTINCT_MAX) &&
	       qj_distinct(o, "origins", qs_text(st, 6), DISTINCT_MAX) &&
	       qj_distinct(o, "origin_refs", qs_text(st, 7), DISTINCT_MAX) &&
	       qj_distinct(o, "workloads", qs_text(st, 8), DISTINCT_MAX) &&
	       qj_distinct(o, "pipelines", qs_text(st, 9), DISTINCT_MAX) &&
	       qj_str(o, "first_commit", qs_text(st, 10)) &&
	       qj_str(o, "first_pipeline", qs_text(st, 11)) &&
	       qj_time(o, "first_seen", qs_int64(st, 2)) &&
	       qj_time(o, "last_seen", qs_int64(st, 3));
}

cJSON *query_exposures(struct query_req *q)
{
	const char *ns, *name;
	char buf[512];
	int limit, idx = 1;
	struct qstmt *st;
	cJSON *res, *arr;

	if (query_param_workload(q, buf, sizeof(buf), &ns, &name, false) < 0 ||
	    query_param_limit(q, &limit) < 0)
		return NULL;
	st = prepare(q, ns != NULL);
	if (!st)
		return NULL;
	if (ns) {
		qs_bind_text(st, idx++, ns);
		qs_bind_text(st, idx++, name);
	}
	qs_bind_int64(st, idx, limit);
	res = cJSON_CreateObject();
	arr = res ? cJSON_AddArrayToObject(res, "exposures") : NULL;
	return query_collect(q, st, res, arr, add_row, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/* query_findings.c - GET /v1/findings: findings newest first, filtered by a table of parameters. */
#include <stdio.h>
#include <string.h>

#include "query_internal.h"

enum filter_type {
	F_EXACT,    /* column = value */
	F_KIND,	    /* one of the finding kinds */
	F_COMMIT,   /* full commit, or a hex prefix of one ("3f2a9c1e") */
	F_WORKLOAD, /* NAME, or NAMESPACE/NAME */
};

static const struct filter {
	const char *param;
	enum filter_type type;
	const char *sql;
} filters[] = {
    {"namespace", F_EXACT, " AND namespace = ?"},
    {"workload", F_WORKLOAD, " AND workload_name = ?"},
    {"kind", F_KIND, " AND kind = ?"},
    {"rule", F_EXACT, " AND rule = ?"},
    {"commit", F_COMMIT, " AND commit_sha = ?"},
    {"pipeline", F_EXACT, " AND pipeline_id = ?"},
};

#define NFILTERS    (sizeof(filters) / sizeof(filters[0]))
#define MAX_CLAUSES (NFILTERS + 1)
#define MAX_VALUE   256

/* One "AND column = ?" and the value bound to it, in statement order. */
struct clause {
	const char *sql;
	char value[MAX_VALUE + 1];
};

static const char *const finding_kinds[] = {"credential_read", "privileged_call", "storage_write",
					    "metadata_access", "container_mount"};

static bool is_hex(const char *s)
{
	return *s && strspn(s, "0123456789abcdefABCDEF") == strlen(s);
}

static void add_clause(struct clause *c, size_t *n, const char *sql, const char *v, int vlen)
{
	c[*n].sql = sql;
	snprintf(c[*n].value, sizeof(c[*n].value), "%.*s", vlen, v);
	(*n)++;
}

static bool kind_ok(const char *v)
{
	for (size_t i = 0; i < sizeof(finding_kinds) / sizeof(finding_kinds[0]); i++)
		if (!strcmp(v, finding_kinds[i]))
			return true;
	return false;
}

/* The clauses of one parameter; 0 or a 400 in q. */
static int filter_clauses(struct query_req *q, const struct filter *f, const char *v,
			  struct clause *c, size_t *n)
{
	const char *slash = strchr(v, '/');

	if (strlen(v) > MAX_VALUE - 2)
		return query_fail(q, 400, "%s: longer than %d characters", f->param, MAX_VALUE - 2),
		       -1;
	switch (f->type) {
	case F_KIND:
		if (!kind_ok(v))
			return query_fail(q, 400,
					  "kind: \"%.64s\" is not one of credential_read, "
					  "privileged_call, storage_write, metadata_access, "
					  "container_mount",
					  v),
			       -1;
		break;
	case F_WORKLOAD:
		if (!slash)
			break;
		add_clause(c, n, " AND namespace = ?", v, (int)(slash - v));
		add_clause(c, n, f->sql, slash + 1, -1 + (int)strlen(slash));
		return 0;
	case F_COMMIT:
		/* A hex prefix uses the index (GLOB with a literal prefix); only hex is sure to
		 * hold no GLOB metacharacter, so anything else is matched whole. */
		if (!is_hex(v))
			break;
		if (strlen(v) < 4)
			return query_fail(q, 400, "commit: a prefix needs at least 4 hex digits"),
			       -1;
		add_clause(c, n, " AND commit_sha GLOB ?", v, (int)strlen(v));
		strcat(c[*n - 1].value, "*");
		return 0;
	case F_EXACT:
		break;
	}
	add_clause(c, n, f->sql, v, (int)strlen(v));
	return 0;
}

static sqlite3_stmt *prepare(struct query_req *q, const struct clause *c, size_t n, bool since)
{
	char sql[1536];
	size_t len;

	len = (size_t)snprintf(sql, sizeof(sql),
			       "SELECT id, time_ns, kind, rule, severity, namespace, workload_kind,"
			       " workload_name, pod, target, executable, commit_sha, pipeline_id,"
			       " image_digest FROM events WHERE kind IN " QUERY_FINDING_KINDS);
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s", c[i].sql);
	snprintf(sql + len, sizeof(sql) - len, "%s ORDER BY time_ns DESC, seq DESC LIMIT ?",
		 since ? " AND time_ns >= ?" : "");
	return query_prepare(q, sql);
}

static bool add_row(cJSON *arr, sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject(), *w;
	bool ok;

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	ok = qj_str(o, "id", query_col_text(st, 0)) &&
	     qj_time(o, "time", sqlite3_column_int64(st, 1)) &&
	     qj_str(o, "kind", query_col_text(st, 2)) && qj_str(o, "rule", query_col_text(st, 3)) &&
	     qj_str(o, "severity", query_col_text(st, 4)) &&
	     qj_str(o, "namespace", query_col_text(st, 5));
	w = ok ? cJSON_AddObjectToObject(o, "workload") : NULL;
	return w && qj_str(w, "kind", query_col_text(st, 6)) &&
	       qj_str(w, "name", query_col_text(st, 7)) &&
	       qj_str(o, "pod", query_col_text(st, 8)) &&
	       qj_str(o, "target", query_col_text(st, 9)) &&
	       qj_str(o, "executable", query_col_text(st, 10)) &&
	       qj_str(o, "commit", query_col_text(st, 11)) &&
	       qj_str(o, "pipeline_id", query_col_text(st, 12)) &&
	       qj_str(o, "image_digest", query_col_text(st, 13));
}

cJSON *query_findings(struct query_req *q)
{
	struct clause clauses[MAX_CLAUSES];
	size_t n = 0;
	sqlite3_stmt *st;
	cJSON *res, *arr;
	int64_t since;
	int limit, idx = 1, rc = SQLITE_ERROR, count = 0;

	if (query_param_limit(q, &limit) < 0 || query_param_since(q, &since) < 0)
		return NULL;
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *v = query_param(q, filters[i].param);

		if (v && filter_clauses(q, &filters[i], v, clauses, &n) < 0)
			return NULL;
	}
	st = prepare(q, clauses, n, since > 0);
	if (!st)
		return NULL;
	for (size_t i = 0; i < n; i++)
		sqlite3_bind_text(st, idx++, clauses[i].value, -1, SQLITE_STATIC);
	if (since > 0)
		sqlite3_bind_int64(st, idx++, since);
	sqlite3_bind_int(st, idx, limit);
	res = cJSON_CreateObject();
	arr = res ? cJSON_AddArrayToObject(res, "findings") : NULL;
	while (arr && (rc = query_step(q, st)) == SQLITE_ROW && add_row(arr, st))
		count++;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || !cJSON_AddNumberToObject(res, "count", count)) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

// SPDX-License-Identifier: BSD-2-Clause
/* query_findings.c - GET /v1/findings: findings newest first, filtered by a table of parameters. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"
#include "validate.h"

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
    {"image", F_EXACT, " AND image_digest = ?"},
};

#define NFILTERS    (sizeof(filters) / sizeof(filters[0]))
#define MAX_CLAUSES (NFILTERS + 1)
#define MAX_VALUE   256

/* One "AND column = ?" and the value bound to it, in statement order. */
struct clause {
	const char *sql;
	char value[MAX_VALUE + 1];
};

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
	for (size_t i = 0; query_finding_kinds[i]; i++)
		if (!strcmp(v, query_finding_kinds[i]))
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
					  "container_mount, secret_exposure, identity_change",
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
		if (q->ch) {
			add_clause(c, n, " AND startsWith(ifNull(commit_sha, ''), ?)", v,
				   (int)strlen(v));
		} else {
			add_clause(c, n, " AND commit_sha GLOB ?", v, (int)strlen(v));
			strcat(c[*n - 1].value, "*");
		}
		return 0;
	case F_EXACT:
		break;
	}
	add_clause(c, n, f->sql, v, (int)strlen(v));
	return 0;
}

/*
 * Paging is by key, not offset: the cursor is the (time_ns, id) of the last row a page
 * returned, "<time_ns>-<id>", and the next page starts strictly after it in the order
 * (time_ns DESC, id DESC). Events stored meanwhile never shift a page nor repeat a row, and
 * the order is the same in both stores (ClickHouse has no ingest sequence).
 */
struct cursor {
	int64_t time_ns;
	char id[EVENT_ID_LEN + 1];
};

static int parse_cursor(struct query_req *q, struct cursor *c)
{
	const char *v = query_param(q, "cursor");
	char *end;

	if (!v)
		return 0;
	errno = 0;
	c->time_ns = strtoll(v, &end, 10);
	if (errno || end == v || *end != '-' || c->time_ns < 0)
		goto bad;
	if (!valid_event_id(end + 1, NULL))
		goto bad;
	snprintf(c->id, sizeof(c->id), "%s", end + 1);
	return 1;
bad:
	query_fail(q, 400, "cursor: not a cursor from a previous page's \"next\"");
	return -1;
}

/* " WHERE kind IN (…) AND …filters…": the part the page and the total share. */
static size_t where(char *sql, size_t size, const struct clause *c, size_t n, bool since)
{
	size_t len = (size_t)snprintf(sql, size, " FROM events WHERE kind IN " QUERY_FINDING_KINDS);

	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(sql + len, size - len, "%s", c[i].sql);
	len += (size_t)snprintf(sql + len, size - len, "%s", since ? " AND time_ns >= ?" : "");
	return len;
}

static struct qstmt *prepare(struct query_req *q, const struct clause *c, size_t n, bool since,
			     bool cursor)
{
	char sql[1536];
	size_t len;

	len = (size_t)snprintf(sql, sizeof(sql),
			       "SELECT id, time_ns, kind, rule, severity, namespace, workload_kind,"
			       " workload_name, pod, target, executable, commit_sha, pipeline_id,"
			       " image_digest");
	len += where(sql + len, sizeof(sql) - len, c, n, since);
	/* ClickHouse: a retried event is one row (its copies share time and id: adjacent) */
	snprintf(sql + len, sizeof(sql) - len, "%s ORDER BY time_ns DESC, id DESC%s LIMIT ?",
		 cursor ? " AND (time_ns < ? OR (time_ns = ? AND id < ?))" : "",
		 q->ch ? " LIMIT 1 BY id" : "");
	return qs_prepare(q, sql, sql);
}

/* Binds the filters (and since) from index 1; returns the next free index. */
static int bind_filters(struct qstmt *st, const struct clause *c, size_t n, int64_t since)
{
	int idx = 1;

	for (size_t i = 0; i < n; i++)
		qs_bind_text(st, idx++, c[i].value);
	if (since > 0)
		qs_bind_int64(st, idx++, since);
	return idx;
}

/* How many findings match the filters in all: "showing 100 of 3,011". -1 on error. */
static int64_t total(struct query_req *q, const struct clause *c, size_t n, int64_t since)
{
	char sql[1536];
	struct qstmt *st;
	int64_t t = -1;

	/* ClickHouse: each event once, however often its batch was retried */
	snprintf(sql, sizeof(sql), "SELECT %s", q->ch ? "uniqExact(id)" : "count(*)");
	where(sql + strlen(sql), sizeof(sql) - strlen(sql), c, n, since > 0);
	st = qs_prepare(q, sql, sql);
	if (!st)
		return -1;
	bind_filters(st, c, n, since);
	if (qs_step(st) == QS_ROW)
		t = qs_int64(st, 0);
	qs_finalize(st);
	return t;
}

static bool add_row(cJSON *arr, struct qstmt *st)
{
	cJSON *o = cJSON_CreateObject(), *w;
	bool ok;

	if (!o || !cJSON_AddItemToArray(arr, o))
		return cJSON_Delete(o), false;
	ok = qj_str(o, "id", qs_text(st, 0)) &&
	     qj_time(o, "time", qs_int64(st, 1)) &&
	     qj_str(o, "kind", qs_text(st, 2)) && qj_str(o, "rule", qs_text(st, 3)) &&
	     qj_str(o, "severity", qs_text(st, 4)) &&
	     qj_str(o, "namespace", qs_text(st, 5));
	w = ok ? cJSON_AddObjectToObject(o, "workload") : NULL;
	return w && qj_str(w, "kind", qs_text(st, 6)) &&
	       qj_str(w, "name", qs_text(st, 7)) &&
	       qj_str(o, "pod", qs_text(st, 8)) &&
	       qj_str(o, "target", qs_text(st, 9)) &&
	       qj_str(o, "executable", qs_text(st, 10)) &&
	       qj_str(o, "commit", qs_text(st, 11)) &&
	       qj_str(o, "pipeline_id", qs_text(st, 12)) &&
	       qj_str(o, "image_digest", qs_text(st, 13));
}

cJSON *query_findings(struct query_req *q)
{
	struct clause clauses[MAX_CLAUSES];
	struct cursor cur = {0}, last = {0};
	size_t n = 0;
	struct qstmt *st;
	cJSON *res, *arr;
	int64_t since, all;
	int limit, idx, rc = QS_ERROR, count = 0, has_cursor;
	bool more = false;
	char next[64];

	if (query_param_limit(q, &limit) < 0 || query_param_since(q, &since) < 0 ||
	    (has_cursor = parse_cursor(q, &cur)) < 0)
		return NULL;
	for (size_t i = 0; i < NFILTERS; i++) {
		const char *v = query_param(q, filters[i].param);

		if (v && filter_clauses(q, &filters[i], v, clauses, &n) < 0)
			return NULL;
	}
	st = prepare(q, clauses, n, since > 0, has_cursor);
	if (!st)
		return NULL;
	idx = bind_filters(st, clauses, n, since);
	if (has_cursor) {
		qs_bind_int64(st, idx++, cur.time_ns);
		qs_bind_int64(st, idx++, cur.time_ns);
		qs_bind_text(st, idx++, cur.id);
	}
	qs_bind_int64(st, idx, limit + 1); /* one more than asked: is there a next page? */
	res = cJSON_CreateObject();
	arr = res ? cJSON_AddArrayToObject(res, "findings") : NULL;
	while (arr && (rc = qs_step(st)) == QS_ROW) {
		if (count == limit) {
			more = true;
			rc = QS_DONE;
			break;
		}
		if (!add_row(arr, st))
			break;
		last.time_ns = qs_int64(st, 1);
		snprintf(last.id, sizeof(last.id), "%s", qs_text(st, 0));
		count++;
	}
	qs_finalize(st);
	all = rc == QS_DONE ? total(q, clauses, n, since) : -1;
	snprintf(next, sizeof(next), "%" PRId64 "-%s", last.time_ns, last.id);
	if (all < 0 || !cJSON_AddNumberToObject(res, "count", count) ||
	    !cJSON_AddNumberToObject(res, "total", (double)all) ||
	    !cJSON_AddBoolToObject(res, "truncated", more) ||
	    (more && !cJSON_AddStringToObject(res, "next", next))) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

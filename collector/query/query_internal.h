/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * query_internal.h - what the query modules (query_findings.c, query_trace.c,
 * query_introduced.c, query_origins.c) share: the request, parameter parsing, time formats,
 * statement helpers and JSON helpers (query_util.c).
 */
#ifndef C2D_COLLECTOR_QUERY_INTERNAL_H
#define C2D_COLLECTOR_QUERY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "qstmt.h"
#include "query.h"
#include "schema.h"

struct ch_client;

#define QUERY_LIMIT_DEFAULT 100
#define QUERY_LIMIT_MAX	    1000
#define QUERY_TIME_MAX	    40 /* "2026-11-28T20:31:02.123456789Z" and room */

/* The finding kinds, as an SQL list (schema.h), and as names (NULL-terminated, same order). */
#define QUERY_FINDING_KINDS SCHEMA_FINDING_KINDS
#define QUERY_NFINDING_KINDS 7
extern const char *const query_finding_kinds[QUERY_NFINDING_KINDS + 1];

struct query_req {
	sqlite3 *db;	       /* the SQLite store's read-only connection, or */
	struct ch_client *ch; /* the ClickHouse store (qstmt.h runs the statements on either) */
	query_param_fn param;
	void *ctx;
	const char *rest; /* the path after the route's prefix ("<event id>" for /v1/trace/) */
	int status;	  /* set with err when a handler returns NULL */
	char err[256];
};

typedef cJSON *(*query_handler_fn)(struct query_req *q);

cJSON *query_findings(struct query_req *q);
cJSON *query_trace(struct query_req *q);
cJSON *query_introduced(struct query_req *q);
cJSON *query_origins(struct query_req *q);
cJSON *query_exposures(struct query_req *q);
cJSON *query_diff(struct query_req *q);
cJSON *query_workloads(struct query_req *q);

/* Sets status and the message; returns NULL so handlers can `return query_fail(...)`. */
cJSON *query_fail(struct query_req *q, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The parameter, or NULL when absent or empty. */
const char *query_param(struct query_req *q, const char *name);
/* `limit` in [1, QUERY_LIMIT_MAX], default QUERY_LIMIT_DEFAULT. 0 or -EINVAL (q->err set). */
int query_param_limit(struct query_req *q, int *limit);
/* `workload` as NAMESPACE/NAME, split in place into buf (*ns, *name; both NULL when absent and
 * not required). 0 or -EINVAL (q->err set). */
int query_param_workload(struct query_req *q, char *buf, size_t len, const char **ns,
			 const char **name, bool required);
/* `since` as RFC 3339 or a duration back from now ("30m", "1h", "7d"); *ns = 0 when absent.
 * 0 or -EINVAL (q->err set). */
int query_param_since(struct query_req *q, int64_t *ns);

/* RFC 3339 ("2026-11-28T20:31:02.5Z", "...+02:00") to ns since the epoch. 0 or -EINVAL. */
int query_parse_time(const char *s, int64_t *ns);
/* "1h", "30m", "7d", "90s", "2w" to ns. 0 or -EINVAL. */
int query_parse_duration(const char *s, int64_t *ns);
/* RFC 3339 UTC with nanoseconds when the time has any. */
void query_format_time(int64_t ns, char out[QUERY_TIME_MAX]);

/* Steps st to the end, add(arr, st, ctx) per row, then res["count"]; finalizes st. res on
 * success, else NULL (res freed, q->err set on a store error). */
cJSON *query_collect(struct query_req *q, struct qstmt *st, cJSON *res, cJSON *arr,
		     bool (*add)(cJSON *arr, struct qstmt *st, const void *ctx), const void *ctx);

/* key: value, or key: null when value is NULL; false when out of memory. */
bool qj_str(cJSON *obj, const char *key, const char *value);
bool qj_time(cJSON *obj, const char *key, int64_t ns);
/* obj[key] = the strings of a JSON array text (json_group_array), nulls left out, at most max. */
bool qj_distinct(cJSON *obj, const char *key, const char *json, int max);
/* A short form of a revision for people: 12 characters of a commit, "sha256:" + 12 of a digest. */
void query_short_rev(const char *rev, char *out, size_t len);

#endif

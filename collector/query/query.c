// SPDX-License-Identifier: BSD-2-Clause
/* query.c - the route table and the per-call read-only connection (see query.h). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "query_internal.h"
#include "schema.h"

/* The store may be checkpointing or writing a batch: a reader in WAL mode only waits for the
 * brief moments the WAL index is locked. */
#define QUERY_BUSY_MS 2000

static const struct route {
	const char *path;
	bool prefix; /* path is a prefix followed by one non-empty segment */
	query_handler_fn fn;
} routes[] = {
    {"/v1/findings", false, query_findings},
    {"/v1/trace/", true, query_trace},
    {"/v1/introduced", false, query_introduced},
    {"/v1/origins", false, query_origins},
    {"/v1/exposures", false, query_exposures},
    {"/v1/diff", false, query_diff},
    {"/v1/workloads", false, query_workloads},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

static const struct route *route_find(const char *url_path, const char **rest)
{
	for (size_t i = 0; i < NROUTES; i++) {
		size_t n = strlen(routes[i].path);

		if (routes[i].prefix) {
			if (!strncmp(url_path, routes[i].path, n) && url_path[n] &&
			    !strchr(url_path + n, '/')) {
				*rest = url_path + n;
				return &routes[i];
			}
		} else if (!strcmp(url_path, routes[i].path)) {
			*rest = "";
			return &routes[i];
		}
	}
	return NULL;
}

static int db_open(struct query_req *q, const char *db_path)
{
	struct qstmt *st;
	int version = -1;

	if (sqlite3_open_v2(db_path, &q->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		log_error("query: open %s: %s", db_path, sqlite3_errmsg(q->db));
		query_fail(q, 500, "store unavailable");
		return -EIO;
	}
	sqlite3_busy_timeout(q->db, QUERY_BUSY_MS);
	st = qs_prepare(q, "PRAGMA user_version", NULL);
	if (!st)
		return -EIO;
	if (qs_step(st) == QS_ROW)
		version = (int)qs_int64(st, 0);
	qs_finalize(st);
	if (version != SCHEMA_VERSION) {
		if (version >= 0)
			query_fail(q, 500, "store schema version %d, this collector reads %d",
				   version, SCHEMA_VERSION);
		return -EIO;
	}
	return 0;
}

static cJSON *error_json(const char *msg)
{
	cJSON *o = cJSON_CreateObject();

	if (o && !cJSON_AddStringToObject(o, "error", msg)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *query_dispatch(const struct query_source *src, const char *url_path, query_param_fn param,
		      void *ctx, int *http_status)
{
	struct query_req q = {.param = param, .ctx = ctx, .status = 500, .ch = src->ch};
	const struct route *r;
	cJSON *res = NULL;

	snprintf(q.err, sizeof(q.err), "out of memory");
	r = url_path ? route_find(url_path, &q.rest) : NULL;
	if (!r) {
		*http_status = 404;
		return error_json("no such route");
	}
	if (q.ch || db_open(&q, src->db_path) == 0) {
		res = r->fn(&q);
		if (res)
			q.status = 200;
	}
	sqlite3_close(q.db);
	*http_status = q.status;
	return res ? res : error_json(q.err);
}

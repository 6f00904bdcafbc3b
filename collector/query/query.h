/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * query.h - the origin queries behind GET /v1/findings, /v1/trace/<id>, /v1/introduced and
 * /v1/origins (QUERIES.md has the parameters and response shapes). Read-only over the store's
 * SQLite file: every call opens its own read-only connection, so queries never hold a lock the
 * ingest path waits on (the store writes in WAL mode).
 */
#ifndef C2D_COLLECTOR_QUERY_H
#define C2D_COLLECTOR_QUERY_H

#include <cjson/cJSON.h>

/* URL query parameter (decoded) or NULL. */
typedef const char *(*query_param_fn)(void *ctx, const char *name);

struct ch_client;

/* Where the queries read: the SQLite file at db_path, or the ClickHouse store when ch is set. */
struct query_source {
	const char *db_path;
	struct ch_client *ch;
};

/*
 * Run the query for url_path ("/v1/findings", "/v1/trace/<event id>", "/v1/introduced",
 * "/v1/origins", …) on src. Returns the JSON response (NULL only when
 * out of memory); errors are {"error": "..."} with *http_status 400 (bad parameter, named), 404
 * (unknown route or event), 500 (store unreadable); 200 otherwise.
 */
cJSON *query_dispatch(const struct query_source *src, const char *url_path, query_param_fn param,
		      void *ctx, int *http_status);

#endif

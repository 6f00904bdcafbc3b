/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ch_client.h - ClickHouse over its HTTP interface (libcurl): a statement in, the answer's
 * body out, bounded. Used by the ClickHouse store (ch_store.c) and the queries on it
 * (qstmt.c). Every call takes its own libcurl handle, so any thread may call at any time.
 *
 * The address is `clickhouse://HOST:PORT/DATABASE` (plain HTTP) or `clickhouses://…` (HTTPS,
 * verified against the system's CAs or --store-ca). Credentials go as HTTP basic auth: the user
 * from --store-user (default "default"), the password from the first line of
 * --store-password-file; neither ever reaches a log.
 */
#ifndef C2D_COLLECTOR_CH_CLIENT_H
#define C2D_COLLECTOR_CH_CLIENT_H

#include <stddef.h>

#include "buf.h"

#define CH_DB_MAX 64

struct ch_client;

struct ch_options {
	const char *url;	   /* clickhouse://host:port/db */
	const char *user;	   /* NULL: "default" */
	const char *password_file; /* NULL: no password */
	const char *ca_file;	   /* NULL: the system's CAs (clickhouses:// only) */
	long timeout_ms;	   /* per request; 0: 30 s */
};

/* Parses and checks the address (curl_url): 0, or -EINVAL with the reason in err. Nothing is
 * contacted yet. */
int ch_client_new(const struct ch_options *o, struct ch_client **out, char *err, size_t errlen);
void ch_client_free(struct ch_client *c);

/* The database name (checked: letters, digits, '_'), for statements. */
const char *ch_client_db(const struct ch_client *c);

/* Runs one statement (the query text is the POST body); the answer's body is appended to out
 * (NULL: dropped) up to out->max. 0, or -EIO (no answer, or an HTTP error: ClickHouse's
 * message, cut to errlen, in err), -EFBIG (answer larger than out->max), -ENOMEM. */
int ch_exec(struct ch_client *c, const char *sql, struct buf *out, char *err, size_t errlen);

/* ch_exec without a current database, and without an answer (CREATE DATABASE). */
int ch_exec_server(struct ch_client *c, const char *sql, char *err, size_t errlen);

/* INSERT INTO <table> FORMAT JSONEachRow with rows (JSON objects, one per line), sent gzip'd.
 * 0 or as ch_exec. */
int ch_insert_json(struct ch_client *c, const char *table, const char *rows, size_t len,
		   char *err, size_t errlen);

/* Appends s as a ClickHouse string literal ('…' with \\ \' and control bytes escaped) to out.
 * 0, -EFBIG or -ENOMEM. */
int ch_quote(struct buf *out, const char *s);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cli.h - the c2d command-line client of the collector's query API (collector/QUERIES.md):
 * argument parsing into a request (commands.c), the HTTP GET (http.c), and one renderer per
 * command (render_*.c) that turns the server's JSON into tables for people.
 */
#ifndef C2D_CLI_H
#define C2D_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define CLI_DEFAULT_SERVER "http://127.0.0.1:8787"
#define CLI_PATH_MAX	   4096
#define CLI_EXIT_USAGE	   2

/* Prints a response for people; 0 or -EINVAL when the JSON is not the expected shape. */
typedef int (*cli_render_fn)(const cJSON *res, FILE *out);

struct cli_request {
	const char *server;	/* --server, $C2D_SERVER, else CLI_DEFAULT_SERVER */
	const char *token_file; /* --token-file, $C2D_TOKEN_FILE, else NULL (no token) */
	bool json;		/* print the server's JSON as-is (pretty) */
	bool help;
	const char *command;
	char path[CLI_PATH_MAX]; /* "/v1/findings?namespace=prod&limit=5", values escaped */
	cli_render_fn render;
};

/* argv → request (reads $C2D_SERVER and $C2D_TOKEN_FILE). 0 or -EINVAL (why in err). */
int cli_parse(int argc, char **argv, struct cli_request *req, char *err, size_t errlen);
void cli_usage(FILE *f);
/* Percent-encodes everything but RFC 3986 unreserved characters. 0 or -ENOSPC. */
int cli_url_escape(const char *s, char *out, size_t len);

int cli_render_findings(const cJSON *res, FILE *out);
int cli_render_trace(const cJSON *res, FILE *out);
int cli_render_introduced(const cJSON *res, FILE *out);
int cli_render_origins(const cJSON *res, FILE *out);

/* Helpers the renderers share (render_util.c). */
const char *cli_str(const cJSON *obj, const char *key);			/* string member or NULL */
const char *cli_str2(const cJSON *obj, const char *k1, const char *k2); /* obj.k1.k2 */
/* 12 characters of a commit; "sha256:" + 12 of a digest; "-" for NULL. */
const char *cli_short(const char *rev, char *buf, size_t len);
/* "2026-11-28T20:31:02.123Z" → "2026-11-28 20:31:02" (UTC: the server only sends UTC). */
const char *cli_time(const char *rfc3339, char *buf, size_t len);

#endif

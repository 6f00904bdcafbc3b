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

/* Exit status (README, `c2d help`). */
#define CLI_EXIT_OK	0
#define CLI_EXIT_NONE	1 /* 404, or a query that found nothing */
#define CLI_EXIT_USAGE	2
#define CLI_EXIT_SERVER 3 /* connection, TLS, authentication, 5xx, an answer that is not JSON */
#define CLI_EXIT_OUTPUT 4 /* writing the result failed (stdout full, closed pipe) */

enum cli_output { CLI_OUT_TABLE, CLI_OUT_WIDE, CLI_OUT_JSON, CLI_OUT_NDJSON };

/* Prints a response for people; 0 or -EINVAL when the JSON is not the expected shape. */
typedef int (*cli_render_fn)(const cJSON *res, FILE *out);

struct cli_request {
	const char *server;	/* --server, $C2D_SERVER, else CLI_DEFAULT_SERVER */
	const char *token_file; /* --token-file, $C2D_TOKEN_FILE, else NULL (no token) */
	const char *ca_file;	/* --ca, $C2D_CA_FILE, else NULL (the system's CAs) */
	enum cli_output output;	/* -o; --json is -o json */
	bool help, version, all;
	const char *help_for;	/* `c2d help CMD`, `CMD --help`: that command's help */
	const char *completion; /* `c2d completion bash|zsh` */
	const char *command;
	char path[CLI_PATH_MAX]; /* "/v1/findings?namespace=prod&limit=5", values escaped */
	cli_render_fn render;
	const char *items; /* the answer's array (-o ndjson lines, --all pages) or NULL */
};

/* argv → request (reads $C2D_SERVER and $C2D_TOKEN_FILE). 0 or -EINVAL (why in err). */
int cli_parse(int argc, char **argv, struct cli_request *req, char *err, size_t errlen);
void cli_usage(FILE *f);
int cli_command_help(FILE *f, const char *name); /* 0, or -ENOENT for no such command */
void cli_completion_words(FILE *f);
/* Shell completion script for "bash" or "zsh" (completion.c). 0 or -EINVAL. */
int cli_completion(FILE *f, const char *shell);
/* Percent-encodes everything but RFC 3986 unreserved characters. 0 or -ENOSPC. */
int cli_url_escape(const char *s, char *out, size_t len);
/* Appends prefix + the escaped value to path. 0 or -ENOSPC. */
int cli_path_append(char *path, size_t size, const char *prefix, const char *value);

int cli_render_findings(const cJSON *res, FILE *out);
int cli_render_findings_wide(const cJSON *res, FILE *out); /* -o wide: pod, image, severity… */
int cli_render_trace(const cJSON *res, FILE *out);
int cli_render_introduced(const cJSON *res, FILE *out);
int cli_render_origins(const cJSON *res, FILE *out);
int cli_render_exposures(const cJSON *res, FILE *out);
int cli_render_diff(const cJSON *res, FILE *out);

/* Helpers the renderers share (render_util.c). */
const char *cli_str(const cJSON *obj, const char *key);			/* string member or NULL */
const char *cli_str2(const cJSON *obj, const char *k1, const char *k2); /* obj.k1.k2 */
/* 12 characters of a commit; "sha256:" + 12 of a digest; "-" for NULL. */
const char *cli_short(const char *rev, char *buf, size_t len);
/* "2026-11-28T20:31:02.123Z" → "2026-11-28 20:31:02" (UTC: the server only sends UTC). */
const char *cli_time(const char *rfc3339, char *buf, size_t len);
/* "a,b,c" (sep ",") from a JSON array of strings (cut at len), or NULL when it holds none. */
const char *cli_joined(const cJSON *arr, const char *sep, char *buf, size_t len);
/* "1111111111aa (pipeline 100)" for a revision reference {commit|revision, pipeline_id},
 * escaped for a terminal (both come from labels). */
const char *cli_rev_label(const cJSON *ref, char *buf, size_t len);
/* A workload-controlled string for a sentence: escaped for a terminal, "-" when NULL. */
const char *cli_safe(const char *s, char *buf, size_t len);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness_collector.h - integration-test library for the collector side: run the real
 * c2d-collector on a loopback port with a fresh store and token, stop it gently or kill it,
 * start it again on the same store, count what it stored, and run the c2d CLI against it.
 */
#ifndef C2D_INTEG_HARNESS_COLLECTOR_H
#define C2D_INTEG_HARNESS_COLLECTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

#define H_COLLECTOR_READY_MS 30000 /* start-up under ASan until /healthz answers */

struct h_collector {
	pid_t pid;		/* 0 when not running */
	int port;		/* kept across restarts */
	char dir[256];		/* the store, token and log live here */
	char db[320];
	char token_file[320];
	char url[64];		/* http://127.0.0.1:<port> */
	char config[320];	/* --config file when set (before start) */
};

/* GET url (5 s at most); the body into out (NUL-terminated, truncated to cap). The HTTP
 * status, or 0 when there was no answer. */
long h_http_get(const char *url, char *out, size_t cap);

/* The value of one series (`name` or `name{labels}` exactly as exported) at base_url's
 * /metrics (base_url: "http://127.0.0.1:9101"); -1 if not there or no answer. */
long long h_metric(const char *base_url, const char *series);

/* A loopback TCP port the kernel says is free now. */
int h_free_port(void);

/* Start $C2D_COLLECTOR (default build/c2d-collector-san) with a fresh store and token in a new
 * temp dir (first start) or the existing one (restart), without retention (tests' events carry
 * fixed dates); 0 once /healthz answers 200. */
int h_collector_start(struct h_collector *c);
/* Stop with sig (SIGTERM: must exit 0; SIGKILL: reaped). Returns 0 or -1. */
int h_collector_stop(struct h_collector *c, int sig);
/* Stop if running and remove the temp dir. */
void h_collector_free(struct h_collector *c);

/* The agent's arguments that ship to this collector: "--collector URL --token-file F"
 * (pointers into c, valid while c is). */
void h_collector_agent_args(const struct h_collector *c, const char **argv4);

/* GET path (e.g. "/v1/findings?limit=5") on c with its token, 60 s at most: the HTTP status
 * (0: no answer) and the body in *body (malloc'd, NUL-terminated, at most H_GET_MAX; the caller
 * frees it). */
#define H_GET_MAX (16u << 20)
long h_collector_get(const struct h_collector *c, const char *path, char **body);

/* POST an NDJSON body to c's /v1/events with its ingest token; the HTTP status, or 0 when there
 * was no answer (60 s at most). */
long h_collector_post(const struct h_collector *c, const char *ndjson);

/* One integer from a SELECT on the store (read-only), or -1. */
long long h_collector_count(const struct h_collector *c, const char *sql);

/* Run build/c2d (or $C2D_CLI) with --server and --token-file set, then args (NULL-ended);
 * stdout into out. Returns the exit status, or -1. */
int h_cli(const struct h_collector *c, char *out, size_t cap, const char *const *args);
/* h_cli with --json; the parsed answer or NULL. */
cJSON *h_cli_json(const struct h_collector *c, const char *const *args);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_http.h - the agent's own HTTP endpoint (--metrics-addr), served by libmicrohttpd on
 * its one thread:
 *   GET /metrics  the latest Prometheus text the ring-buffer loop published (once a second);
 *   GET /healthz  200 while that loop keeps publishing, 503 once it has been silent 30 s;
 *   GET /readyz   200 between "every program attached" and the stop signal, 503 otherwise.
 * The loop hands over finished text: this thread never touches the agent's state.
 */
#ifndef C2D_METRICS_HTTP_H
#define C2D_METRICS_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* The most text /metrics will hold; longer is cut at the last whole line by the writer. */
#define METRICS_TEXT_MAX (64u << 10)
/* /healthz fails when the loop has not published for this long. */
#define METRICS_STALL_S 30

struct metrics_http;

/* Listen on addr ("127.0.0.1:9101", "[::1]:9101", ":9101"). 0 or -errno with err set. */
int metrics_http_start(struct metrics_http **out, const char *addr, char *err, size_t errlen);
/* Replace what /metrics serves (copied) and prove the loop alive. */
void metrics_http_publish(struct metrics_http *m, const char *text, size_t len);
void metrics_http_set_ready(struct metrics_http *m, bool ready);
void metrics_http_stop(struct metrics_http *m); /* NULL is fine */

#endif

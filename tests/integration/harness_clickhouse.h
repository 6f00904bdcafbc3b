/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness_clickhouse.h - a throwaway ClickHouse server for the tests (clickhouse.sh: Debian's
 * clickhouse-server in the foreground as an unprivileged user, HTTP on a loopback port), and
 * collectors that keep their events in it.
 */
#ifndef C2D_INTEG_HARNESS_CLICKHOUSE_H
#define C2D_INTEG_HARNESS_CLICKHOUSE_H

#include <stdio.h>

#include "harness_collector.h"

struct h_clickhouse {
	char dir[256];
	char password_file[300];
	int port;
};

/* 0 when it answers; 1 when clickhouse-server is not installed (the caller skips, saying so);
 * -1 on failure (the log's tail printed). */
int h_clickhouse_start(struct h_clickhouse *ch);
void h_clickhouse_stop(struct h_clickhouse *ch);

/* Sets c's --config to a file (in ch's dir) that stores in database db of ch; extra: more
 * `key = value` lines, or NULL. Before h_collector_start. 0 or -1. */
int h_collector_use_clickhouse(struct h_collector *c, const struct h_clickhouse *ch,
			       const char *db, const char *extra);

/* One number from a statement on ch (e.g. "SELECT uniqExact(id) FROM db.events"), or -1. */
long long h_clickhouse_count(const struct h_clickhouse *ch, const char *sql);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ch_store.h - the ClickHouse store (--store clickhouse://HOST:PORT/DB): events shared by any
 * number of stateless collector replicas.
 *
 * Tables (created at start, ch_schema.h): `events`, a ReplacingMergeTree partitioned by day and
 * ordered for the workload queries, and `events_by_id`, a materialized view ordered by id for
 * trace. A retried batch inserts its events again; the queries read `FINAL` (or group by id),
 * so no answer counts an event twice. Retention drops whole days.
 *
 * Each replica also keeps its own SQLite store (--db) of what it ingested: its forwarders read
 * it as today (durable cursor, at-least-once), so forwarding needs no coordination between
 * replicas. An event is acknowledged only when both hold it; ClickHouse first, so an event a
 * replica forwards is always queryable.
 */
#ifndef C2D_COLLECTOR_CH_STORE_H
#define C2D_COLLECTOR_CH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ch_client.h"

struct ch_store;

/* Connects, creates the database's tables if missing. 0, or -EIO/-EINVAL with err set. */
int ch_store_open(const struct ch_options *o, struct ch_store **out, char *err, size_t errlen);
void ch_store_free(struct ch_store *s);

/* The client, for the queries (query.h). */
struct ch_client *ch_store_client(struct ch_store *s);

/* All n events (validated) in one INSERT; 0 or -EIO/-ENOMEM (nothing acknowledged). */
int ch_store_insert(struct ch_store *s, cJSON *const *events, char *const *bodies, size_t n,
		    int64_t received_ns);

/* Several sets of events in one INSERT (a batch and the identity_change events the SQLite
 * store made of it: store_commit_hook), without copying them into one array. */
struct ch_rows {
	cJSON *const *events;
	char *const *bodies;
	size_t n;
};
int ch_store_insert_sets(struct ch_store *s, const struct ch_rows *sets, size_t nsets,
			 int64_t received_ns);

/* Drops the days wholly older than cutoff_ns (0: none), then the oldest days while the
 * tables take more than max_bytes (0: no cap). *removed: events in the dropped days. */
int ch_store_retain(struct ch_store *s, int64_t cutoff_ns, uint64_t max_bytes, uint64_t *removed);

/* Does ClickHouse answer? (GET /readyz) */
bool ch_store_ready(struct ch_store *s);

#endif

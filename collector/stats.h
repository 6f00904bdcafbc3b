/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.h - the collector's counters: every request that is refused is counted by class, and
 * logged at most once a minute per class (a flood of bad requests must not flood the log).
 * GET /metrics (metrics.c) exports the same struct.
 */
#ifndef C2D_COLLECTOR_STATS_H
#define C2D_COLLECTOR_STATS_H

#include <stdatomic.h>
#include <stdint.h>

enum reject_class {
	REJ_AUTH,	 /* 401 */
	REJ_ROUTE,	 /* 404, 405 */
	REJ_MEDIA,	 /* 415 */
	REJ_TOO_LARGE,	 /* 413: the body as sent */
	REJ_INFLATED,	 /* 413: the body decompressed */
	REJ_INVALID,	 /* 400 */
	REJ_UNAVAILABLE, /* 503 */
	REJ__N,
};

/* Event kinds counted apart on ingest (EVENTS.md); anything else is "other". */
enum ingest_kind {
	IK_CREDENTIAL_READ,
	IK_PRIVILEGED_CALL,
	IK_STORAGE_WRITE,
	IK_METADATA_ACCESS,
	IK_CONTAINER_START,
	IK_AGENT_GAP,
	IK_CONTAINER_MOUNT,
	IK_SECRET_EXPOSURE,
	IK_OTHER,
	IK__N,
};

struct collector_stats {
	atomic_uint_fast64_t requests;
	atomic_uint_fast64_t batches;
	atomic_uint_fast64_t events;
	atomic_uint_fast64_t duplicates;
	atomic_uint_fast64_t kinds[IK__N]; /* events of stored batches, duplicates included */
	atomic_uint_fast64_t rejected[REJ__N];
	/* the ClickHouse store's INSERTs (ch_store.h), by outcome */
	atomic_uint_fast64_t ch_inserts, ch_insert_failures;
	atomic_int_fast64_t last_log[REJ__N]; /* CLOCK_MONOTONIC seconds */
};

const char *stats_reject_name(enum reject_class c);
const char *stats_kind_name(enum ingest_kind k);
/* The counter index of an event's "kind" (NULL: other). */
enum ingest_kind stats_kind(const char *kind);
/* Count one rejection; log why (no body, no token) unless this class logged < 60 s ago. */
void stats_reject(struct collector_stats *s, enum reject_class c, const char *peer,
		  const char *why);
/* One line with every counter. */
void stats_log(struct collector_stats *s, const char *when);

#endif

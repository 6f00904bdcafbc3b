/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics_export.h - the collector's counters as Prometheus text, for GET /metrics
 * (agent/METRICS.md lists them): ingest by outcome and by event kind, store size, and each
 * forwarder's queue depth, sent, retries, failures and drops. A pure function of the counters
 * it is given.
 */
#ifndef C2D_COLLECTOR_METRICS_EXPORT_H
#define C2D_COLLECTOR_METRICS_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "forward.h"
#include "stats.h"

struct collector_metrics_in {
	const char *version;
	uint64_t start_time_s;		   /* seconds since the epoch */
	const struct collector_stats *stats;
	const uint64_t *store_bytes;	   /* NULL: the store could not say */
	bool clickhouse;		   /* the ClickHouse store is in use: its counters */
	const struct fwd_conf *forwarders; /* configuration order */
	/* The i-th forwarder's counters (forward_stats), or NULL to stop. */
	const struct fwd_stats *(*fwd_stats)(const struct forward *f, size_t i);
	const struct forward *fwd;
};

/* Render into buf (cap bytes, NUL-terminated): the length, or -ENOSPC (whole lines kept). */
long collector_metrics_render(char *buf, size_t cap, const struct collector_metrics_in *in);

#endif

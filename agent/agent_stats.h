/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * agent_stats.h - losses, stats and metrics snapshots of one agent (agent.h): the "stats:" log
 * lines, kernel losses counted as gaps and sent in band as agent_gap events, and the
 * /metrics text (agent/METRICS.md). All on the ring-buffer loop's thread, which owns the
 * counters it snapshots.
 */
#ifndef C2D_AGENT_STATS_H
#define C2D_AGENT_STATS_H

#include <stdint.h>

#include "metrics_http.h"

struct agent;
struct c2d_stats;

#define AGENT_KERNEL_LOSSES 2 /* kernel counters that are losses: ring full, rate limited */

struct agent_stats {
	uint64_t kernel_seen[AGENT_KERNEL_LOSSES]; /* their values already counted as gaps */
	char text[METRICS_TEXT_MAX];		   /* /metrics, rendered (too big for a stack) */
};

/* The "stats:" lines: containers, Kubernetes, file ids, shipping, kernel and pipeline. */
void agent_log_stats(const struct agent *a);
/* Once a second when shipping: kernel losses become losses like the others, and the losses of
 * every reason go out as agent_gap events (rate-limited in gap.c). k: NULL if unreadable. */
void agent_report_gaps(struct agent *a, const struct c2d_stats *k);
/* Once a second with --metrics-addr: every counter snapshotted, rendered, handed to the
 * endpoint's thread. k: NULL if unreadable. */
void agent_publish_metrics(struct agent *a, const struct c2d_stats *k);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * metrics.h - the agent's counters as Prometheus text (agent/METRICS.md lists them). A pure function
 * of snapshots the ring-buffer loop takes once a second: it reads no shared state itself.
 */
#ifndef C2D_METRICS_H
#define C2D_METRICS_H

#include <stddef.h>

#include "c2d_abi.h"
#include "k8s.h"
#include "meta_cache.h"
#include "pipeline.h"
#include "gitops.h"
#include "proc_cache.h"
#include "ship.h"
#include "spool.h"

/* One snapshot. The pointers of subsystems that are not running are NULL; their metrics are
 * left out rather than shown as zero. */
struct agent_metrics_in {
	const char *version;
	const char *hook_mode;		  /* "tracepoint", ... (probe.h) */
	const struct c2d_stats *kernel;	  /* NULL if the stats map could not be read */
	const struct pipeline_stats *pipeline;
	const struct proc_cache_stats *proc_cache;
	const struct meta_cache_stats *meta_cache;
	const struct k8s_stats *k8s;
	const struct gitops_stats *gitops;
	const struct ship_stats *ship;
	const struct spool_stats *spool;
	const uint64_t *lost; /* [GAP_NREASONS], cumulative (gap.h) */
	uint64_t runtime_task_starts;
	uint64_t start_time_s; /* process start, seconds since the epoch */
};

/* Render into buf (cap bytes, NUL-terminated). The length, or -ENOSPC if it did not all fit
 * (what fit is whole lines). */
long agent_metrics_render(char *buf, size_t cap, const struct agent_metrics_in *in);

#endif

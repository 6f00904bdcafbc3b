/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline.h - what happens to each ring-buffer record: exec/fork/exit keep the process
 * cache; findings are checked, rendered and written out.
 */
#ifndef C2D_PIPELINE_H
#define C2D_PIPELINE_H

#include <stdio.h>

#include "deferred.h"
#include "fold.h"
#include "file_ids.h"
#include "hostpath.h"
#include "meta_cache.h"
#include "event_ids.h"
#include "render.h"
#include "ship.h"

struct pipeline_stats {
	uint64_t records;
	uint64_t findings[C2D_KIND_MAX];
	uint64_t decode_errors;	 /* malformed records (never expected) */
	uint64_t user_filtered;	 /* unresolved candidates that matched nothing once normalised */
	uint64_t render_errors;	 /* a finding too large to render */
	uint64_t write_errors;	 /* output failed */
	uint64_t deferred;	 /* findings held back for their container's metadata */
	uint64_t defer_full;	 /* ... that went out at once because the queue was full */
	uint64_t container_starts; /* container_start events emitted */
	uint64_t container_mounts; /* container_mount events emitted (host-path-mount) */
	uint64_t secret_exposures; /* secret_exposure events emitted (secret-exposure) */
	uint64_t gap_events;	   /* agent_gap events emitted (themselves lost if spool-dropped) */
	uint64_t runtime_filtered; /* privileged calls of the runtime itself (C2D_F_RUNTIME) */
	uint64_t fold_summaries;   /* C2D_EV_FOLD records rendered as their finding (or bare) */
	uint64_t fold_bare;	   /* ... of those, bare: the finding was no longer kept */
	uint64_t fold_unmatched;   /* ... for a key neither kept nor judgeable: counts lost */
	uint64_t fold_unmatched_count; /* the findings those stood for */
};

/* Records handled per poll/consume call: under a sustained flood libbpf would otherwise keep
 * draining forever and the loop would never flush, log or see a stop signal. */
#define PIPELINE_BUDGET 8192

/* How long a finding may wait for its container's record (the runtime answers in ms). */
#define PIPELINE_DEFER_NS (2000ull * 1000 * 1000)

struct pipeline {
	struct render_ctx rctx;
	struct event_ids event_ids; /* every event's id is issued here, in order, then rendered */
	struct meta_cache *meta; /* NULL: container records are not looked up */
	struct deferred deferred;
	unsigned budget; /* set before each drain; at 0 the callback stops it (-EAGAIN) */
	FILE *out; /* NDJSON sink (--stdout) or NULL */
	bool report_runtime; /* --report-runtime-calls: keep the runtime's own privileged calls */
	struct ship *ship; /* --collector: the shipper's queue, or NULL */
	struct fold_cache *fold; /* --fold-window: the findings that went out, or NULL */
	struct file_ids *ids;	 /* rules by identity (learn), or NULL */
	struct hostpath_cache hp; /* host paths of findings (mountinfo NULL: not resolved) */
	struct pipeline_stats st;
	char buf[C2D_EVENT_JSON_MAX];
};

/* ring_buffer_sample_fn */
int pipeline_handle(void *ctx, void *data, size_t size);
/* Write the event rendered in pl->buf (n bytes), of sequence number seq (its id's), to every
 * sink. 0, or -ENOSPC when the shipper's queue refused it (counted there as a gap). */
int pipeline_emit(struct pipeline *pl, long n, uint64_t seq);
/* Release deferred findings whose container is known or whose wait is over (all: flush). */
void pipeline_tick(struct pipeline *pl, bool flush);

#endif

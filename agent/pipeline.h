/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pipeline.h - what happens to each ring-buffer record: exec/fork/exit keep the process
 * cache; findings are checked, rendered and written out.
 */
#ifndef C2D_PIPELINE_H
#define C2D_PIPELINE_H

#include <stdio.h>

#include "render.h"

struct pipeline_stats {
	uint64_t records;
	uint64_t findings[C2D_KIND_MAX];
	uint64_t decode_errors;	 /* malformed records (never expected) */
	uint64_t user_filtered;	 /* unresolved candidates that matched nothing once normalised */
	uint64_t render_errors;	 /* a finding too large to render */
	uint64_t write_errors;	 /* output failed */
};

/* Records handled per poll/consume call: under a sustained flood libbpf would otherwise keep
 * draining forever and the loop would never flush, log or see a stop signal. */
#define PIPELINE_BUDGET 8192

struct pipeline {
	struct render_ctx rctx;
	unsigned budget; /* set before each drain; at 0 the callback stops it (-EAGAIN) */
	FILE *out; /* NDJSON sink (--stdout) or NULL */
	struct pipeline_stats st;
	char buf[C2D_EVENT_JSON_MAX];
};

/* ring_buffer_sample_fn */
int pipeline_handle(void *ctx, void *data, size_t size);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gap.h - coverage gaps reported in band: every loss the agent knows of (in-memory queue
 * full, spool full, kernel ring buffer full) is counted from any thread, and turned into an
 * `agent_gap` event on the ring-buffer thread (which owns the id sequence): at most one per
 * reason per GAP_INTERVAL_NS, carrying what was lost since the previous one.
 */
#ifndef C2D_GAP_H
#define C2D_GAP_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "event_ids.h"
#include "render.h"

#define GAP_INTERVAL_NS (10ull * 1000000000ull)

enum gap_reason {
	GAP_QUEUE_FULL,
	GAP_SPOOL_FULL,
	GAP_KERNEL_RING_FULL,
	GAP_RATE_LIMITED, /* over a container's --container-rate budget, dropped in the kernel */
	GAP_AGENT_RESTART, /* the last run was killed: issued, not yet spooled (runmark.h) */
	GAP_NREASONS
};

struct gap {
	_Atomic uint64_t lost[GAP_NREASONS];	 /* cumulative since start */
	_Atomic uint64_t first_ns[GAP_NREASONS]; /* wall clock of the first unreported loss, 0 */
	_Atomic uint64_t last_ns[GAP_NREASONS];	 /* ... of the latest one */
	/* ring-buffer thread only */
	uint64_t reported[GAP_NREASONS];
	uint64_t emitted_ns[GAP_NREASONS];
};

const char *gap_reason_name(enum gap_reason r);

/* n events lost for reason r at wall-clock when_ns (0: now). Any thread, lock-free. */
void gap_count(struct gap *g, enum gap_reason r, uint64_t n, uint64_t when_ns);

/* The agent_gap event as event id, rendered: its length or -ENOSPC. */
long gap_render(char *buf, size_t cap, const struct render_ctx *ctx, const char *id,
		enum gap_reason r, uint64_t lost, uint64_t total, uint64_t start_ns,
		uint64_t end_ns, uint64_t now_ns);

/* Emit (through emit, which returns 0 if the line was taken) the gap events that are due at
 * wall-clock now_ns, each with the next id of ids (its sequence number passed to emit). A
 * refused line is tried again at the next call. */
typedef int (*gap_emit_fn)(void *arg, const char *line, size_t len, uint64_t seq);
void gap_poll(struct gap *g, const struct render_ctx *ctx, struct event_ids *ids,
	      uint64_t now_ns, char *buf, size_t cap, gap_emit_fn emit, void *arg);

uint64_t gap_now_ns(void); /* CLOCK_REALTIME */

#endif

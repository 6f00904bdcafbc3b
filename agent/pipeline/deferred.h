/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * deferred.h - findings held back a moment while their container's metadata is looked up
 * (a container that reads a token and exits within 100 ms is still fully attributed).
 * A FIFO of record copies (each with what the pipeline keeps with it: the process as it was),
 * bounded in count and bytes; a full queue is not a loss: the
 * finding goes out at once with the container id only.
 */
#ifndef C2D_DEFERRED_H
#define C2D_DEFERRED_H

#include <stddef.h>
#include <stdint.h>

#define DEFERRED_MAX 1024
#define DEFERRED_BYTES (8u << 20)

struct deferred_rec {
	void *data;	 /* the record (len bytes), then what was kept with it (tail_len bytes) */
	size_t len;
	size_t tail_len; /* counted in the bytes bound with the record */
	uint64_t deadline_ns; /* CLOCK_MONOTONIC */
};

struct deferred {
	struct deferred_rec q[DEFERRED_MAX];
	unsigned head, n;
	size_t bytes;
};

/* Queue a copy of the record (len bytes) with tail (tail_len bytes, may be 0: NULL) after it:
 * what the pipeline keeps with it (a process snapshot, proc_snap.h). 0, -ENOSPC (full) or
 * -ENOMEM. */
int deferred_push(struct deferred *d, const void *data, size_t len, const void *tail,
		  size_t tail_len, uint64_t deadline_ns);
struct deferred_rec *deferred_peek(struct deferred *d); /* NULL if empty */
void deferred_pop(struct deferred *d);
void deferred_clear(struct deferred *d);

#endif

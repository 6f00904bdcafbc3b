/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ring.h - the reader of the kernel's BPF ring buffer (BPF_MAP_TYPE_RINGBUF, the `events` map).
 *
 * The same records in the same order as libbpf's ring_buffer__consume(), with one difference
 * that matters on the hot path: the consumer position the kernel reads on every reserve is
 * published once per pass (and at least every RING_PUBLISH_BYTES), not after every record.
 * libbpf 1.1 stores it after each record, so each finding's bpf_ringbuf_output() found that
 * cache line just written by the reader's CPU and had to take it back (PERFORMANCE.md).
 */
#ifndef C2D_RING_H
#define C2D_RING_H

#include <stddef.h>
#include <stdint.h>

/* Return < 0 to stop the pass after this record (it counts as read); like libbpf's callback. */
typedef int (*ring_sample_fn)(void *ctx, void *data, size_t size);

struct ring {
	unsigned long *consumer_pos; /* page 0 of the map, read-write */
	unsigned long *producer_pos; /* page 1, read-only */
	unsigned char *data;	     /* the data area, mapped twice back to back by the kernel */
	uint64_t mask;		     /* data size - 1 (a power of two) */
	uint64_t publish_bytes;	     /* publish the consumer position at least this often */
	size_t map_len;		     /* the read-only mapping (producer page and data twice) */
	size_t page;
	int epfd;
	ring_sample_fn fn;
	void *ctx;
};

/* Map the ring of map_fd and register it for wakeups. 0 or -errno. */
int ring_open(struct ring *r, int map_fd, ring_sample_fn fn, void *ctx);
/* Wait up to timeout_ms for a wakeup, then read what is there, woken or not (records sent
 * without a wakeup are read on the timeout). Records read, or -errno (-EINTR when a signal
 * came: nothing read), or the callback's negative value. */
int ring_poll(struct ring *r, int timeout_ms);
/* Read every complete record now in the ring. Records read, or the callback's negative value. */
int ring_consume(struct ring *r);
void ring_close(struct ring *r);

#endif

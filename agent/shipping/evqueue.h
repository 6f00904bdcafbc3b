/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * evqueue.h - the bounded hand-off between the ring-buffer thread (one producer) and the
 * shipper (one consumer): rendered event lines, each with its event's sequence number (the
 * shipper learns which ids are safely spooled without reading them back out of the text),
 * length-prefixed in a byte ring. A push never waits: when the ring is full the line is refused
 * and the caller counts the loss.
 */
#ifndef C2D_EVQUEUE_H
#define C2D_EVQUEUE_H

#include <stddef.h>
#include <stdint.h>

struct evqueue;

struct evqueue *evqueue_new(size_t cap_bytes);
void evqueue_free(struct evqueue *q);

/* Copy one line in; 0, or -ENOSPC when it does not fit (nothing is written). Never blocks
 * beyond the short critical section. */
int evqueue_push(struct evqueue *q, const char *line, size_t len, uint64_t seq);

/* Copy the oldest line into buf (cap bytes) and its sequence number into *seq, and remove it:
 * its length, 0 if the queue stayed empty for timeout_ms, or -E2BIG (line dropped) if it did
 * not fit in buf. */
long evqueue_pop(struct evqueue *q, char *buf, size_t cap, int timeout_ms, uint64_t *seq);

/* Wake a consumer waiting in evqueue_pop (stop requested). */
void evqueue_wake(struct evqueue *q);

/* Bytes of the ring ever written: what it costs in resident memory. An emptied queue starts
 * again at its first byte, so this follows the most it ever held. */
size_t evqueue_touched(struct evqueue *q);


#endif

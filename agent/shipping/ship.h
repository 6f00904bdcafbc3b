/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ship.h - shipping events to the collector (SHIPPING.md). The ring-buffer thread hands each
 * rendered line to ship_push, which never blocks; a batcher thread builds gzip'd batches and
 * appends them to the spool (fsync'd); a sender thread POSTs the oldest unsent record and
 * advances the spool only on a 2xx.
 */
#ifndef C2D_SHIP_H
#define C2D_SHIP_H

#include <stddef.h>
#include <stdint.h>

#include "spool.h"

#include "batch.h"
#include "gap.h"

/* in-memory hand-off between the two sides: ~6 k rendered findings, tens of ms of a burst at
 * the kernel ring's rate (the ring itself and the spool behind hold the rest) */
#define SHIP_QUEUE_BYTES (4u << 20)
#define SHIP_DRAIN_MS 5000	    /* on stop: how long unsent batches may still be sent */

struct ship_opts {
	const char *url; /* one collector, or a comma-separated list (SHIP_MAX_COLLECTORS) */
	const char *token_file, *ca_file;
	const char *spool_dir;
	struct batch_limits batch;
	uint64_t spool_max_bytes;
	size_t queue_bytes;	/* 0: SHIP_QUEUE_BYTES */
	/* After each batch is in the spool: the sequence number of its last event (batcher
	 * thread; the run marker keeps it, runmark.h). NULL: not told. */
	void (*spooled)(void *arg, uint64_t seq);
	void *spooled_arg;
};

#define SHIP_MAX_COLLECTORS 8

struct ship_stats {
	uint64_t batches_2xx, batches_dropped, batches_auth, batches_retry, batches_neterr;
	uint64_t retries;
	uint64_t failovers; /* a batch moved on to the next collector of the list */
	uint64_t events_sent, bytes_sent; /* gzip'd bytes acknowledged */
	uint64_t batches_spooled, events_spooled;
	uint64_t spool_failed;		  /* events of batches the spool could not take */
};

struct ship;

/* Open the spool and start both threads. Losses are counted into gap. 0 or -errno. */
int ship_start(struct ship **out, const struct ship_opts *o, struct gap *gap);

/* Ring-buffer thread: queue one line (no newline), the event of sequence number seq (its id's;
 * the spooled callback gets the highest of each spooled batch). 0, or -ENOSPC (a gap). */
int ship_push(struct ship *s, const char *line, size_t len, uint64_t seq);

/* Flush the batch being assembled to the spool, send for at most drain_ms, stop, free. */
void ship_stop(struct ship *s, int drain_ms);

void ship_log_stats(struct ship *s);
void ship_get_stats(struct ship *s, struct ship_stats *st);
/* The spool's counters (bytes and records waiting on disk, ...). */
void ship_get_spool_stats(struct ship *s, struct spool_stats *st);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * spool.h - the on-disk queue between batching and sending: append-only segment files of
 * checksummed records, a read position persisted atomically, a size cap enforced by dropping
 * the oldest segments (and counting the events lost). Format and guarantees: SHIPPING.md.
 *
 * Thread-safe: the batcher appends while the sender reads and acknowledges.
 */
#ifndef C2D_SPOOL_H
#define C2D_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#define SPOOL_SEG_MAGIC "C2DSPOOL"
#define SPOOL_REC_MAGIC 0x52443243u /* "C2DR" little-endian */
#define SPOOL_VERSION 1
#define SPOOL_SEG_HDR 16
#define SPOOL_REC_HDR 32
#define SPOOL_REC_MAX ((uint32_t)64 << 20) /* a longer length field is corruption */
#define SPOOL_F_GZIP 1u

struct spool;

/* One unsent record, as spool_next hands it out. */
struct spool_rec {
	uint8_t *data; /* payload, malloc'd: the caller frees */
	uint32_t len, nevents, flags;
	uint64_t first_ms;
	uint64_t seg, off; /* where it is: the token spool_ack checks */
};

struct spool_stats {
	uint64_t bytes;		 /* on disk, all segments */
	uint64_t records;	 /* unsent */
	uint64_t events;	 /* unsent */
	uint64_t appended;	 /* records written since open */
	uint64_t corrupt;	 /* records skipped: torn, bad header or checksum */
	uint64_t dropped_records; /* unsent records deleted because the spool was full */
	uint64_t dropped_events;
	uint64_t write_errors;	 /* an append failed (disk full, I/O error) */
};

/* Open or create the spool in dir (made 0700), at most max_bytes on disk. Earlier segments
 * are replayed from the persisted read position; a new segment takes the appends. */
int spool_open(struct spool **out, const char *dir, uint64_t max_bytes);
void spool_close(struct spool *sp);

/* Append one record and fsync it. Oldest segments are deleted first if needed; the unsent
 * events they held are added to *lost_events (and *lost_first_ms is set to the time of the
 * first of them, if it was 0). 0 or -errno (-EFBIG: larger than the whole spool). */
int spool_append(struct spool *sp, const void *data, uint32_t len, uint32_t nevents,
		 uint32_t flags, uint64_t first_ms, uint64_t *lost_events, uint64_t *lost_first_ms);

/* The oldest unsent record, skipping (counting, logging) damaged ones. 0, -ENOENT if there
 * is none, or -errno. */
int spool_next(struct spool *sp, struct spool_rec *rec);

/* The record rec was delivered: advance and persist the read position past it; delete the
 * segments left behind. A record whose segment a full spool deleted while it was out was
 * delivered all the same: it is not counted lost. */
int spool_ack(struct spool *sp, const struct spool_rec *rec);

/* The send of rec ended without spool_ack (it will be read again): if a full spool deleted
 * its segment meanwhile, its events are lost now and added to *lost_events (and
 * *lost_first_ms set if 0); returns 1 then, else 0. A no-op after spool_ack. Every record
 * spool_next hands out ends with one of the two. */
int spool_release(struct spool *sp, const struct spool_rec *rec, uint64_t *lost_events,
		  uint64_t *lost_first_ms);

void spool_get_stats(struct spool *sp, struct spool_stats *st);

#endif

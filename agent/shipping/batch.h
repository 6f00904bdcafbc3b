/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * batch.h - the batch being assembled by the shipper: NDJSON lines bounded by count, bytes
 * and age (the clock is the caller's, so tests inject it), then gzip'd as one body.
 */
#ifndef C2D_BATCH_H
#define C2D_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct batch_limits {
	uint64_t max_events;
	uint64_t max_bytes; /* uncompressed NDJSON */
	uint64_t max_age_ms;
};

struct batch;

struct batch *batch_new(const struct batch_limits *lim);
void batch_free(struct batch *b);

/* Append one line (a '\n' is added), the event of sequence number seq. -E2BIG when it would
 * overflow a non-empty batch (ship it, then add again); a lone line larger than max_bytes still
 * forms a batch of its own. */
int batch_add(struct batch *b, const char *line, size_t len, uint64_t seq, uint64_t now_ms);

/* Full by count or bytes, or its first line is max_age_ms old. */
bool batch_due(const struct batch *b, uint64_t now_ms);
/* When it becomes due by age; UINT64_MAX when empty. */
uint64_t batch_deadline_ms(const struct batch *b);

size_t batch_events(const struct batch *b);
size_t batch_bytes(const struct batch *b);
const char *batch_data(const struct batch *b);
uint64_t batch_first_ms(const struct batch *b); /* now_ms of its first line */
uint64_t batch_last_seq(const struct batch *b); /* the highest sequence number in it */
void batch_reset(struct batch *b);

/* gzip (RFC 1952) of in into a malloc'd *out. 0 or -errno. */
int gz_compress(const void *in, size_t n, uint8_t **out, size_t *outlen);
/* The inverse, refusing more than max output bytes (-EFBIG) or a bad stream (-EBADMSG); max is
 * a real cap (below SIZE_MAX / 2, else -EINVAL): at most max + 1 bytes are ever allocated. */
int gz_decompress(const void *in, size_t n, size_t max, uint8_t **out, size_t *outlen);

#endif

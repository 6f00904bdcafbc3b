/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gzip.h - gzip (RFC 1952) compression of one buffer with zlib: the agent's batches and the
 * collector's forwarded bodies. (Decompression differs by design: the collector's is streamed
 * and capped, collector/ingest/gunzip.h.)
 */
#ifndef C2D_GZIP_H
#define C2D_GZIP_H

#include <stddef.h>

/* n bytes at in, gzip'd at level (1 fastest .. 9 smallest) into out (cap bytes): the length,
 * or -ENOSPC (cap too small) or -ENOMEM. */
long gzip_compress(const void *in, size_t n, void *out, size_t cap, int level);

/* The most gzip_compress can produce from n bytes. */
size_t gzip_bound(size_t n);

#endif

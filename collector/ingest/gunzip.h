/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * gunzip.h - incremental gzip decoding into a capped buffer. Input arrives in whatever pieces
 * the HTTP layer delivers; output stops with -EFBIG the moment it would cross the buffer's
 * maximum, so a gzip bomb costs at most the cap. Concatenated members (RFC 1952 allows them,
 * and `cat a.gz b.gz` makes them) are decoded one after the other.
 */
#ifndef C2D_COLLECTOR_GUNZIP_H
#define C2D_COLLECTOR_GUNZIP_H

#include <stddef.h>

#include "buf.h"

struct gunzip;

struct gunzip *gunzip_new(void);
/* Decode n bytes into out. 0, -EFBIG (out's cap crossed), -EBADMSG (not gzip, corrupt). */
int gunzip_feed(struct gunzip *g, const void *in, size_t n, struct buf *out);
/* End of input: 0, or -EBADMSG if it stopped inside a member (truncated) or held nothing. */
int gunzip_finish(struct gunzip *g);
void gunzip_free(struct gunzip *g);

#endif

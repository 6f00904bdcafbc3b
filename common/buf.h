/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * buf.h - a growable byte buffer with a hard maximum, shared by the agent and the collector:
 * a body (an HTTP request or response, an inflated stream) can never make either allocate more
 * than the configured cap, whatever its headers claim. max must be a size worth allocating:
 * past 1 MiB the buffer takes max + 1 bytes at once (untouched pages cost nothing).
 */
#ifndef C2D_COMMON_BUF_H
#define C2D_COMMON_BUF_H

#include <stddef.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
	size_t max; /* len never exceeds this */
};

void buf_init(struct buf *b, size_t max);
/* Append n bytes; -EFBIG if that would cross max (nothing appended), -ENOMEM. Keeps a NUL
 * after the data so it can be handed to string functions. */
int buf_append(struct buf *b, const void *p, size_t n);
/* Room for at least n more bytes; -EFBIG or -ENOMEM. */
int buf_reserve(struct buf *b, size_t n);
void buf_free(struct buf *b);

#endif

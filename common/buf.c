// SPDX-License-Identifier: BSD-2-Clause
/* buf.c - see buf.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_JUMP (1u << 20)

void buf_init(struct buf *b, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->max = max;
}

int buf_reserve(struct buf *b, size_t n)
{
	size_t want, ncap;
	char *p;

	if (n > b->max - b->len)
		return -EFBIG;
	want = b->len + n + 1; /* + the NUL */
	if (want <= b->cap)
		return 0;
	ncap = b->cap ? b->cap : 4096;
	while (ncap < want)
		ncap *= 2;
	/* Past 1 MiB, take the whole cap at once: untouched pages cost no memory, while doubling
	 * would copy (and briefly hold twice) tens of MiB. Never beyond the cap: a bomb stops at
	 * max + 1 bytes of heap. */
	if (ncap > BUF_JUMP || ncap > b->max + 1)
		ncap = b->max + 1;
	p = realloc(b->p, ncap);
	if (!p)
		return -ENOMEM;
	b->p = p;
	b->cap = ncap;
	return 0;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
	int err = buf_reserve(b, n);

	if (err)
		return err;
	if (n)
		memcpy(b->p + b->len, p, n);
	b->len += n;
	b->p[b->len] = 0;
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

// SPDX-License-Identifier: BSD-2-Clause
/* gunzip.c - see gunzip.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <zlib.h>

#include "gunzip.h"

#define GUNZIP_CHUNK 65536 /* output is produced this much at a time */

struct gunzip {
	z_stream z;
	bool in_member; /* bytes of a member seen and its trailer not yet */
	bool members;	/* at least one member completed */
	bool failed;
};

struct gunzip *gunzip_new(void)
{
	struct gunzip *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	/* 16 + MAX_WBITS: gzip wrapper only; a raw or zlib stream is not what was announced */
	if (inflateInit2(&g->z, 16 + MAX_WBITS) != Z_OK) {
		free(g);
		return NULL;
	}
	return g;
}

/* One inflate step into out's free space; returns zlib's code or -EFBIG / -ENOMEM. */
static int step(struct gunzip *g, struct buf *out)
{
	size_t room = out->max - out->len;
	int err, rc;

	if (room > GUNZIP_CHUNK)
		room = GUNZIP_CHUNK;
	/* A full buffer with input left: one more byte would cross the cap. Asking for one byte
	 * tells a real overflow from a stream that ends exactly at the cap. */
	err = buf_reserve(out, room ? room : 0);
	if (err)
		return err;
	if (!room) {
		unsigned char probe;

		g->z.next_out = &probe;
		g->z.avail_out = 1;
		rc = inflate(&g->z, Z_NO_FLUSH);
		return g->z.avail_out == 0 ? -EFBIG : rc;
	}
	g->z.next_out = (unsigned char *)out->p + out->len;
	g->z.avail_out = (uInt)room;
	rc = inflate(&g->z, Z_NO_FLUSH);
	out->len += room - g->z.avail_out;
	out->p[out->len] = 0;
	return rc;
}

int gunzip_feed(struct gunzip *g, const void *in, size_t n, struct buf *out)
{
	int rc;

	if (g->failed)
		return -EBADMSG;
	g->z.next_in = (unsigned char *)in;
	g->z.avail_in = (uInt)n;
	while (g->z.avail_in > 0) {
		g->in_member = true;
		rc = step(g, out);
		if (rc == -EFBIG || rc == -ENOMEM)
			return rc;
		if (rc == Z_STREAM_END) {
			/* a member ended: the next byte, if any, starts another one */
			g->in_member = false;
			g->members = true;
			inflateReset(&g->z);
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			g->failed = true;
			return -EBADMSG;
		}
	}
	return 0;
}

int gunzip_finish(struct gunzip *g)
{
	if (g->failed || g->in_member || !g->members)
		return -EBADMSG;
	return 0;
}

void gunzip_free(struct gunzip *g)
{
	if (!g)
		return;
	inflateEnd(&g->z);
	free(g);
}

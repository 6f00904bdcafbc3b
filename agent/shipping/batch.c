// SPDX-License-Identifier: BSD-2-Clause
/* batch.c - see batch.h. */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "batch.h"
#include "buf.h"
#include "gzip.h"

struct batch {
	struct batch_limits lim;
	char *buf;
	size_t len, cap, n;
	uint64_t first_ms;
	uint64_t last_seq;
};

struct batch *batch_new(const struct batch_limits *lim)
{
	struct batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->lim = *lim;
	return b;
}

void batch_free(struct batch *b)
{
	if (b)
		free(b->buf);
	free(b);
}

static int reserve(struct batch *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 4096;
	char *p;

	if (need <= b->cap)
		return 0;
	while (cap < need)
		cap *= 2;
	p = realloc(b->buf, cap);
	if (!p)
		return -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

int batch_add(struct batch *b, const char *line, size_t len, uint64_t seq, uint64_t now_ms)
{
	if (b->n && (b->n >= b->lim.max_events || b->len + len + 1 > b->lim.max_bytes))
		return -E2BIG;
	if (reserve(b, b->len + len + 1) < 0)
		return -ENOMEM;
	if (!b->n) {
		b->first_ms = now_ms;
		b->last_seq = seq;
	}
	if (seq > b->last_seq)
		b->last_seq = seq;
	memcpy(b->buf + b->len, line, len);
	b->len += len;
	b->buf[b->len++] = '\n';
	b->n++;
	return 0;
}

bool batch_due(const struct batch *b, uint64_t now_ms)
{
	if (!b->n)
		return false;
	return b->n >= b->lim.max_events || b->len >= b->lim.max_bytes ||
	       now_ms >= b->first_ms + b->lim.max_age_ms;
}

uint64_t batch_last_seq(const struct batch *b)
{
	return b->last_seq;
}

uint64_t batch_deadline_ms(const struct batch *b)
{
	return b->n ? b->first_ms + b->lim.max_age_ms : UINT64_MAX;
}

size_t batch_events(const struct batch *b)
{
	return b->n;
}

size_t batch_bytes(const struct batch *b)
{
	return b->len;
}

const char *batch_data(const struct batch *b)
{
	return b->buf;
}

uint64_t batch_first_ms(const struct batch *b)
{
	return b->first_ms;
}

void batch_reset(struct batch *b)
{
	b->len = 0;
	b->n = 0;
	/* a batch that once held a huge line gives the memory back */
	if (b->cap > ((size_t)4 << 20)) {
		free(b->buf);
		b->buf = NULL;
		b->cap = 0;
	}
}

int gz_compress(const void *in, size_t n, uint8_t **out, size_t *outlen)
{
	size_t cap = gzip_bound(n);
	long len;

	*out = malloc(cap);
	if (!*out)
		return -ENOMEM;
	/* level 6: zlib's balance, for batches kept in the spool and sent over the network */
	len = gzip_compress(in, n, *out, cap, 6);
	if (len < 0) {
		free(*out);
		*out = NULL;
		return len == -ENOMEM ? -ENOMEM : -EIO;
	}
	*outlen = (size_t)len;
	return 0;
}

int gz_decompress(const void *in, size_t n, size_t max, uint8_t **out, size_t *outlen)
{
	z_stream zs = {0};
	struct buf b;
	int rc = Z_OK;

	*out = NULL;
	if (max >= SIZE_MAX / 2)
		return -EINVAL; /* a real cap, or buf would take it all at once */
	if (inflateInit2(&zs, 15 + 16) != Z_OK)
		return -ENOMEM;
	buf_init(&b, max + 1); /* one byte past max: reaching it means too big */
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)n;
	while (rc != Z_STREAM_END) {
		size_t room = b.cap > b.len + 1 ? b.cap - b.len - 1 : 0;

		if (!room) { /* double, up to the cap */
			room = b.len ? b.len : 4096;
			if (room > b.max - b.len)
				room = b.max - b.len;
			rc = buf_reserve(&b, room);
			if (rc < 0)
				goto fail;
			room = b.cap - b.len - 1;
		}
		zs.next_out = (Bytef *)b.p + b.len;
		zs.avail_out = room > UINT_MAX ? UINT_MAX : (uInt)room;
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			rc = -EBADMSG;
			goto fail;
		}
		b.len = zs.total_out;
		b.p[b.len] = 0;
		if (b.len > max) {
			rc = -EFBIG;
			goto fail;
		}
		if (rc == Z_OK && zs.avail_out != 0 && zs.avail_in == 0) {
			rc = -EBADMSG; /* truncated stream */
			goto fail;
		}
	}
	inflateEnd(&zs);
	*out = (uint8_t *)b.p;
	*outlen = b.len;
	return 0;
fail:
	inflateEnd(&zs);
	buf_free(&b);
	return rc;
}

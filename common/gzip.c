// SPDX-License-Identifier: BSD-2-Clause
/* gzip.c - see gzip.h. */
#include <errno.h>

#include <zlib.h>

#include "gzip.h"

#define GZIP_WINDOW (15 + 16) /* 15: a 32 KiB window; + 16: a gzip header and trailer */

long gzip_compress(const void *in, size_t n, void *out, size_t cap, int level)
{
	z_stream z = {0};
	int rc;

	if (deflateInit2(&z, level, Z_DEFLATED, GZIP_WINDOW, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	rc = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return rc == Z_STREAM_END ? (long)z.total_out : -ENOSPC;
}

size_t gzip_bound(size_t n)
{
	z_stream z = {0};
	size_t b;

	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, GZIP_WINDOW, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return compressBound(n) + 18; /* zlib's bound and gzip's 18 bytes of wrapper */
	b = deflateBound(&z, n);
	deflateEnd(&z);
	return b;
}

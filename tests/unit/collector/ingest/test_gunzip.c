// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_gunzip.c - collector/ingest/gunzip.c + buf.c: a bomb stops at the cap with no more heap than
 * the cap, a stream ending exactly at the cap passes, concatenated members, truncation, junk.
 */
#include <errno.h>
#include <zlib.h>

#include "gunzip.h"
#include "unit/unit.h"

/* gzip of n bytes of c (one member) into a malloc'd buffer. */
static unsigned char *gz(size_t n, char c, size_t *outlen)
{
	z_stream z = {0};
	unsigned char *in = malloc(n ? n : 1), *out = malloc(n / 100 + 1024);

	memset(in, c, n);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 9, Z_DEFAULT_STRATEGY),
			 Z_OK);
	z.next_in = in, z.avail_in = (uInt)n;
	z.next_out = out, z.avail_out = (uInt)(n / 100 + 1024);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	free(in);
	return out;
}

/* Feed in pieces of `piece` bytes; returns the first error or gunzip_finish's result. */
static int feed(const unsigned char *p, size_t n, size_t piece, struct buf *out)
{
	struct gunzip *g = gunzip_new();
	int ret = 0;

	for (size_t off = 0; off < n && !ret; off += piece)
		ret = gunzip_feed(g, p + off, n - off < piece ? n - off : piece, out);
	if (!ret)
		ret = gunzip_finish(g);
	gunzip_free(g);
	return ret;
}

static void test_bomb_stops_at_cap(void **st)
{
	size_t n;
	unsigned char *z = gz(64 << 20, 0, &n); /* 64 MiB of zeros, ~64 KiB compressed */
	struct buf out;

	buf_init(&out, 1 << 20);
	assert_int_equal(feed(z, n, 4096, &out), -EFBIG);
	assert_int_equal(out.len, 1 << 20);
	assert_true(out.cap <= (1u << 20) + 1); /* never allocated past the cap */
	buf_free(&out);
	free(z);
}

static void test_exactly_at_cap(void **st)
{
	size_t n;
	unsigned char *z = gz(100000, 'a', &n);
	struct buf out;

	buf_init(&out, 100000);
	assert_int_equal(feed(z, n, 7, &out), 0);
	assert_int_equal(out.len, 100000);
	buf_free(&out);
	buf_init(&out, 99999);
	assert_int_equal(feed(z, n, 7, &out), -EFBIG);
	buf_free(&out);
	free(z);
}

static void test_concatenated_members(void **st)
{
	size_t n1, n2, n3;
	unsigned char *a = gz(1000, 'a', &n1), *b = gz(0, 'x', &n2), *c = gz(500, 'c', &n3);
	unsigned char all[8192];
	struct buf out;

	memcpy(all, a, n1);
	memcpy(all + n1, b, n2);
	memcpy(all + n1 + n2, c, n3);
	buf_init(&out, 1 << 20);
	assert_int_equal(feed(all, n1 + n2 + n3, 3, &out), 0);
	assert_int_equal(out.len, 1500);
	assert_int_equal(out.p[999], 'a');
	assert_int_equal(out.p[1000], 'c');
	buf_free(&out);
	free(a), free(b), free(c);
}

static void test_truncated_and_junk(void **st)
{
	size_t n;
	unsigned char *z = gz(1000, 'a', &n);
	struct buf out;

	buf_init(&out, 1 << 20);
	assert_int_equal(feed(z, n - 4, 64, &out), -EBADMSG); /* trailer cut */
	buf_free(&out);
	buf_init(&out, 1 << 20);
	assert_int_equal(feed((const unsigned char *)"{\"not\":\"gzip\"}", 14, 64, &out),
			 -EBADMSG);
	buf_free(&out);
	buf_init(&out, 1 << 20);
	assert_int_equal(feed(z, 0, 64, &out), -EBADMSG); /* nothing at all */
	buf_free(&out);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bomb_stops_at_cap),
		cmocka_unit_test(test_exactly_at_cap),
		cmocka_unit_test(test_concatenated_members),
		cmocka_unit_test(test_truncated_and_junk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

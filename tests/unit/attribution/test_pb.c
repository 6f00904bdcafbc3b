// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pb.c - the protobuf reader and writer against hand-encoded vectors (INTEGRATION.md §2),
 * writer-to-reader round trips, and malformed input. Malformed input is read from heap copies
 * of its exact size, so that ASan turns one byte read past the end into a failure.
 */
#include <stdbool.h>

#include "unit.h"

#include "pb.h"

#define ID64 "4f2c1b9e8d7a6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170605f4e3"

/* An exact-size heap copy: the byte after it belongs to nobody. */
static uint8_t *heap_copy(const void *b, size_t n)
{
	uint8_t *p = malloc(n ? n : 1);

	assert_non_null(p);
	memcpy(p, b, n);
	return p;
}

/* Walks every field of a message, into every PB_LEN field as a sub-message as well; returns
 * whether the top level ended in error. */
static bool walk(const uint8_t *b, size_t n, int depth)
{
	struct pb_reader r;
	struct pb_field f;

	pb_reader_init(&r, b, n);
	while (pb_next(&r, &f))
		if (f.wire == PB_LEN && depth < 8)
			walk(f.data, f.len, depth + 1);
	return r.error;
}

/* Reads bytes from an exact-size heap copy: true if the reader flagged them as malformed. */
static bool malformed(const void *bytes, size_t n)
{
	uint8_t *p = heap_copy(bytes, n);
	bool err = walk(p, n, 0);

	free(p);
	return err;
}

#define MALFORMED(...)                                                                             \
	({                                                                                         \
		static const uint8_t b_[] = {__VA_ARGS__};                                         \
		malformed(b_, sizeof(b_));                                                         \
	})

static void expect_varint(struct pb_reader *r, uint32_t num, uint64_t v)
{
	struct pb_field f;

	assert_true(pb_next(r, &f));
	assert_int_equal(f.num, num);
	assert_int_equal(f.wire, PB_VARINT);
	assert_true(f.u64 == v);
}

static void expect_end(struct pb_reader *r)
{
	struct pb_field f;

	assert_false(pb_next(r, &f));
	assert_false(r->error);
}

/* ---- reader: well-formed vectors ---------------------------------------------------------- */

static void test_varint_150(void **state)
{
	static const uint8_t b[] = {0x08, 0x96, 0x01};
	struct pb_reader r;

	pb_reader_init(&r, b, sizeof(b));
	expect_varint(&r, 1, 150);
	expect_end(&r);
}

static void test_varint_limits(void **state)
{
	/* 0, 127, 128, UINT64_MAX (10 bytes, the last 01), field 15 and field 16 (2-byte tag) */
	static const uint8_t b[] = {0x08, 0x00, 0x10, 0x7f, 0x18, 0x80, 0x01, 0x20,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0x01, 0x78, 0x05, 0x80, 0x01, 0x06};
	struct pb_reader r;

	pb_reader_init(&r, b, sizeof(b));
	expect_varint(&r, 1, 0);
	expect_varint(&r, 2, 127);
	expect_varint(&r, 3, 128);
	expect_varint(&r, 4, UINT64_MAX);
	expect_varint(&r, 15, 5);
	expect_varint(&r, 16, 6);
	expect_end(&r);
}

/* CRI ContainerStatus.exit_code = -1: int32 negatives are sign-extended to 10 bytes. */
static void test_negative_int32(void **state)
{
	static const uint8_t b[] = {0x38, 0xff, 0xff, 0xff, 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0x01};
	struct pb_reader r;
	struct pb_field f;

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 7);
	assert_int_equal((int32_t)(int64_t)f.u64, -1);
	expect_end(&r);
}

static void test_max_field_number(void **state)
{
	/* (2^29 - 1) << 3 | 0 = 0xfffffff8 */
	static const uint8_t b[] = {0xf8, 0xff, 0xff, 0xff, 0x0f, 0x2a};
	struct pb_reader r;

	pb_reader_init(&r, b, sizeof(b));
	expect_varint(&r, 536870911, 42);
	expect_end(&r);
}

static void test_string(void **state)
{
	static const uint8_t b[] = {0x12, 0x07, 't', 'e', 's', 't', 'i', 'n', 'g'};
	struct pb_reader r;
	struct pb_field f;
	char s[16];

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 2);
	assert_int_equal(f.wire, PB_LEN);
	assert_int_equal(f.len, 7);
	assert_ptr_equal(f.data, b + 2);
	assert_true(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "testing");
	assert_true(pb_str(&f, s, 8)); /* exactly fits with its NUL */
	assert_string_equal(s, "testing");
	expect_end(&r);
}

static void test_str_refusals(void **state)
{
	static const uint8_t b[] = {0x0a, 0x03, 'a', 0x00, 'b', 0x0a, 0x00, 0x10, 0x01};
	struct pb_reader r;
	struct pb_field f;
	char s[8];

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	memset(s, 'x', sizeof(s));
	assert_false(pb_str(&f, s, sizeof(s))); /* embedded NUL */
	assert_string_equal(s, "");
	assert_false(pb_str(&f, s, 3)); /* no room for the NUL */
	assert_false(pb_str(&f, s, 0));
	assert_int_equal(s[0], 0);

	assert_true(pb_next(&r, &f)); /* empty string */
	memset(s, 'x', sizeof(s));
	assert_true(pb_str(&f, s, 1));
	assert_string_equal(s, "");

	assert_true(pb_next(&r, &f)); /* a varint is not a string */
	memset(s, 'x', sizeof(s));
	assert_false(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "");
	expect_end(&r);
}

static void test_str_too_long(void **state)
{
	uint8_t b[2 + 100];
	struct pb_reader r;
	struct pb_field f;
	char s[100];

	b[0] = 0x0a;
	b[1] = 100;
	memset(b + 2, 'a', 100);
	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	assert_false(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "");
}

static void test_fixed(void **state)
{
	/* field 1 fixed32 0x12345678, field 2 fixed64 0x0102030405060708, field 3 double 1.0 */
	static const uint8_t b[] = {0x0d, 0x78, 0x56, 0x34, 0x12, 0x11, 0x08, 0x07,
				    0x06, 0x05, 0x04, 0x03, 0x02, 0x01, 0x19, 0x00,
				    0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f};
	struct pb_reader r;
	struct pb_field f;
	double d;

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 1);
	assert_int_equal(f.wire, PB_I32);
	assert_true(f.u64 == 0x12345678);
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 2);
	assert_int_equal(f.wire, PB_I64);
	assert_true(f.u64 == 0x0102030405060708ull);
	assert_true(pb_next(&r, &f));
	memcpy(&d, &f.u64, sizeof(d));
	assert_true(d == 1.0);
	expect_end(&r);
}

/* containerd Container{id, image, created_at{seconds, nanos}}: a nested message. */
static void test_nested(void **state)
{
	static const uint8_t b[] = {0x0a, 0x03, 'a',  'b',  'c',  0x1a, 0x05, 'n',
				    'g',  'i',	'n',  'x',  0x42, 0x08, 0x08, 0x80,
				    0xa1, 0xa6, 0xb1, 0x06, 0x10, 0x07};
	struct pb_reader r, sub;
	struct pb_field f;
	char s[16];

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	assert_true(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "abc");
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 3);
	assert_true(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "nginx");
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 8);
	pb_sub(&f, &sub);
	expect_varint(&sub, 1, 1714000000);
	expect_varint(&sub, 2, 7);
	expect_end(&sub);
	expect_end(&r);
}

/* A sub-message ends where its length says, even when the outer buffer goes on. */
static void test_sub_bounded(void **state)
{
	static const uint8_t b[] = {0x0a, 0x03, 0x0a, 0x05, 'a', 'b', 'c', 'd', 'e'};
	struct pb_reader r, sub;
	struct pb_field f;

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	pb_sub(&f, &sub);
	assert_false(pb_next(&sub, &f));
	assert_true(sub.error);
	assert_false(r.error);
}

static void test_sub_of_scalar(void **state)
{
	static const uint8_t b[] = {0x08, 0x01};
	struct pb_reader r, sub;
	struct pb_field f;

	pb_reader_init(&r, b, sizeof(b));
	assert_true(pb_next(&r, &f));
	pb_sub(&f, &sub);
	assert_true(sub.error);
	assert_false(pb_next(&sub, &f));
}

/* containerd Container.labels (field 2): two map<string,string> entries. */
static void test_map_labels(void **state)
{
	static const char *const want[][2] = {{"io.kubernetes.pod.name", "web-0"},
					      {"io.kubernetes.pod.namespace", "default"}};
	uint8_t b[128], *p = b;
	struct pb_reader r;
	struct pb_field f;
	size_t n = 0;

	*p++ = 0x0a; /* id */
	*p++ = 0x01;
	*p++ = 'x';
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		size_t kl = strlen(want[i][0]), vl = strlen(want[i][1]);

		*p++ = 0x12;
		*p++ = (uint8_t)(2 + kl + 2 + vl);
		*p++ = 0x0a;
		*p++ = (uint8_t)kl;
		memcpy(p, want[i][0], kl);
		p += kl;
		*p++ = 0x12;
		*p++ = (uint8_t)vl;
		memcpy(p, want[i][1], vl);
		p += vl;
	}
	pb_reader_init(&r, b, (size_t)(p - b));
	while (pb_next(&r, &f)) {
		const uint8_t *k, *v;
		size_t kl, vl;

		if (f.num != 2)
			continue;
		assert_true(n < ARRAY_SIZE(want));
		assert_true(pb_map_entry(&f, &k, &kl, &v, &vl));
		assert_int_equal(kl, strlen(want[n][0]));
		assert_memory_equal(k, want[n][0], kl);
		assert_int_equal(vl, strlen(want[n][1]));
		assert_memory_equal(v, want[n][1], vl);
		n++;
	}
	assert_false(r.error);
	assert_int_equal(n, 2);
}

static bool map_entry_of(const uint8_t *b, size_t n, const uint8_t **k, size_t *kl,
			 const uint8_t **v, size_t *vl)
{
	struct pb_reader r;
	struct pb_field f;

	pb_reader_init(&r, b, n);
	assert_true(pb_next(&r, &f));
	return pb_map_entry(&f, k, kl, v, vl);
}

static void test_map_entry_edges(void **state)
{
	/* value absent */
	static const uint8_t no_val[] = {0x12, 0x03, 0x0a, 0x01, 'k'};
	/* key absent */
	static const uint8_t no_key[] = {0x12, 0x03, 0x12, 0x01, 'v'};
	/* unknown fields around, value first, key repeated: the last one wins */
	static const uint8_t extra[] = {0x12, 0x10, 0x18, 0x05, 0x12, 0x01, 'v', 0x0a, 0x01,
					'a',  0x0a, 0x01, 'k',	0x25, 0,    0,	 0,    0};
	/* a key that is a varint */
	static const uint8_t int_key[] = {0x12, 0x02, 0x08, 0x01};
	/* truncated inside, before and after a good key */
	static const uint8_t cut[] = {0x12, 0x02, 0x0a, 0x05};
	static const uint8_t cut_val[] = {0x12, 0x05, 0x0a, 0x01, 'k', 0x12, 0x05};
	/* the entry itself is not a message */
	static const uint8_t scalar[] = {0x10, 0x01};
	const uint8_t *k, *v;
	size_t kl, vl;

	assert_true(map_entry_of(no_val, sizeof(no_val), &k, &kl, &v, &vl));
	assert_int_equal(kl, 1);
	assert_int_equal(k[0], 'k');
	assert_int_equal(vl, 0);
	assert_non_null(v);

	assert_false(map_entry_of(no_key, sizeof(no_key), &k, &kl, &v, &vl));

	assert_true(map_entry_of(extra, sizeof(extra), &k, &kl, &v, &vl));
	assert_int_equal(kl, 1);
	assert_int_equal(k[0], 'k');
	assert_int_equal(vl, 1);
	assert_int_equal(v[0], 'v');

	assert_false(map_entry_of(int_key, sizeof(int_key), &k, &kl, &v, &vl));
	assert_false(map_entry_of(cut, sizeof(cut), &k, &kl, &v, &vl));
	assert_false(map_entry_of(cut_val, sizeof(cut_val), &k, &kl, &v, &vl));
	assert_false(map_entry_of(scalar, sizeof(scalar), &k, &kl, &v, &vl));
}

/* Unknown fields of every wire type, before and after the one we want. */
static void test_skip_unknown(void **state)
{
	static const uint8_t b[] = {
	    0xb8, 0x06, 0x96, 0x01,			    /* 103 varint */
	    0xa1, 0x06, 1,    2,    3,	  4,	5, 6, 7, 8, /* 100 fixed64 */
	    0xaa, 0x06, 0x03, 'x',  'y',  'z',		    /* 101 len */
	    0xb5, 0x06, 1,    2,    3,	  4,		    /* 102 fixed32 */
	    0x0a, 0x02, 'o',  'k',			    /* 1: the one we want */
	    0x92, 0x01, 0x00,				    /* 18 empty len */
	    0xf8, 0xff, 0xff, 0xff, 0x0f, 0x01,		    /* 2^29-1 varint */
	};
	struct pb_reader r;
	struct pb_field f;
	char s[8] = "";
	int seen = 0;

	pb_reader_init(&r, b, sizeof(b));
	while (pb_next(&r, &f)) {
		seen++;
		if (f.num == 1)
			assert_true(pb_str(&f, s, sizeof(s)));
	}
	assert_false(r.error);
	assert_int_equal(seen, 7);
	assert_string_equal(s, "ok");
}

static void test_empty(void **state)
{
	struct pb_reader r;
	struct pb_field f;

	pb_reader_init(&r, NULL, 0);
	assert_false(pb_next(&r, &f));
	assert_false(r.error);
	pb_reader_init(&r, "", 0);
	assert_false(pb_next(&r, &f));
	assert_false(r.error);
	pb_reader_init(&r, NULL, 5);
	assert_false(pb_next(&r, &f));
	assert_true(r.error);
}

/* ---- reader: malformed input ------------------------------------------------------------- */

static void test_bad_varints(void **state)
{
	assert_true(MALFORMED(0x08, 0x96));	  /* value cut */
	assert_true(MALFORMED(0x88));		  /* tag cut */
	assert_true(MALFORMED(0x08, 0x80, 0x80)); /* continuation to the end */
	/* 11 bytes */
	assert_true(
	    MALFORMED(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00));
	assert_true(
	    MALFORMED(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00));
	/* 10th byte above 1: bits past 64 */
	assert_true(MALFORMED(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02));
	assert_true(MALFORMED(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f));
	/* the same limits on a tag */
	assert_true(
	    MALFORMED(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x00));
	/* 10 bytes, 10th = 1: fine (UINT64_MAX) */
	assert_false(MALFORMED(0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
	/* non-minimal but within 10 bytes: accepted, as protobuf does */
	assert_false(MALFORMED(0x88, 0x80, 0x00, 0x80, 0x00));
}

static void test_bad_lengths(void **state)
{
	assert_true(MALFORMED(0x0a, 0x05, 'a', 'b'));  /* past the end */
	assert_true(MALFORMED(0x0a, 0x01));	       /* one past */
	assert_false(MALFORMED(0x0a, 0x02, 'a', 'b')); /* exactly to the end */
	assert_true(MALFORMED(0x0a));		       /* no length */
	assert_true(MALFORMED(0x0a, 0x80));	       /* length cut */
	/* UINT64_MAX: p + len would wrap */
	assert_true(
	    MALFORMED(0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a'));
	/* SIZE_MAX - 1 and 2^63 */
	assert_true(
	    MALFORMED(0x0a, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 'a'));
	assert_true(
	    MALFORMED(0x0a, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 'a'));
	/* 2^32 + 1: wraps a 32-bit size */
	assert_true(MALFORMED(0x0a, 0x81, 0x80, 0x80, 0x80, 0x10, 'a'));
	/* fixed widths cut */
	assert_true(MALFORMED(0x0d, 1, 2, 3));
	assert_true(MALFORMED(0x09, 1, 2, 3, 4, 5, 6, 7));
	assert_true(MALFORMED(0x09));
}

static void test_bad_wire_and_number(void **state)
{
	assert_true(MALFORMED(0x0b));		  /* field 1 start group */
	assert_true(MALFORMED(0x0b, 0x0c));	  /* a whole empty group */
	assert_true(MALFORMED(0x0c));		  /* end group */
	assert_true(MALFORMED(0x0e, 0x00));	  /* wire 6 */
	assert_true(MALFORMED(0x0f, 0x00));	  /* wire 7 */
	assert_true(MALFORMED(0x00, 0x00));	  /* field 0 varint */
	assert_true(MALFORMED(0x02, 0x00));	  /* field 0 len */
	assert_true(MALFORMED(0x05, 0, 0, 0, 0)); /* field 0 fixed32 */
	/* field 2^29: one past the largest */
	assert_true(MALFORMED(0x80, 0x80, 0x80, 0x80, 0x10, 0x00));
	/* a tag beyond 32 bits whose low 29 bits of field number look fine */
	assert_true(MALFORMED(0x88, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00));
}

/* The first fault stops the reader: the fields before it were returned, nothing after. */
static void test_sticky(void **state)
{
	static const uint8_t b[] = {0x08, 0x01, 0x0b, 0x08, 0x02};
	uint8_t *p = heap_copy(b, sizeof(b));
	struct pb_reader r;
	struct pb_field f;
	const uint8_t *at;

	pb_reader_init(&r, p, sizeof(b));
	expect_varint(&r, 1, 1);
	assert_false(pb_next(&r, &f));
	assert_true(r.error);
	at = r.p;
	assert_false(pb_next(&r, &f));
	assert_true(r.error);
	assert_ptr_equal(r.p, at);

	/* an error set by the caller (a schema mismatch, say) stops it too */
	pb_reader_init(&r, p, sizeof(b));
	r.error = true;
	assert_false(pb_next(&r, &f));
	assert_ptr_equal(r.p, p);
	free(p);
}

/* ---- writer ------------------------------------------------------------------------------- */

/* INTEGRATION.md §2.3: ContainerStatus{container_id, verbose = true}. */
static void test_write_container_status(void **state)
{
	uint8_t b[68], want[68];
	struct pb_writer w;

	want[0] = 0x0a;
	want[1] = 0x40;
	memcpy(want + 2, ID64, 64);
	want[66] = 0x10;
	want[67] = 0x01;
	pb_writer_init(&w, b, sizeof(b));
	pb_put_str_field(&w, 1, ID64);
	pb_put_varint_field(&w, 2, 1);
	assert_false(w.overflow);
	assert_int_equal(w.len, sizeof(want));
	assert_memory_equal(b, want, sizeof(want));
}

/* ImageStatus{image{image = "sha256:<64>"}, verbose = true}: a nested message, 77 bytes. */
static void test_write_nested(void **state)
{
	uint8_t inner[80], outer[80];
	struct pb_writer wi, wo;
	struct pb_reader r, sub;
	struct pb_field f;
	char s[80];

	pb_writer_init(&wi, inner, sizeof(inner));
	pb_put_str_field(&wi, 1, "sha256:" ID64);
	assert_int_equal(wi.len, 73);
	pb_writer_init(&wo, outer, sizeof(outer));
	pb_put_bytes_field(&wo, 1, inner, wi.len);
	pb_put_varint_field(&wo, 2, 1);
	assert_false(wo.overflow);
	assert_int_equal(wo.len, 77);
	assert_int_equal(outer[0], 0x0a);
	assert_int_equal(outer[1], 0x49);

	pb_reader_init(&r, outer, wo.len);
	assert_true(pb_next(&r, &f));
	pb_sub(&f, &sub);
	assert_true(pb_next(&sub, &f));
	assert_true(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "sha256:" ID64);
	expect_end(&sub);
	expect_varint(&r, 2, 1);
	expect_end(&r);
}

static void test_round_trip(void **state)
{
	static const uint64_t vals[] = {0,
					1,
					127,
					128,
					150,
					16383,
					16384,
					UINT32_MAX,
					1ull << 32,
					INT64_MAX,
					UINT64_MAX - 1,
					UINT64_MAX};
	static const uint32_t nums[] = {1, 15, 16, 2047, 2048, 536870911};
	uint8_t b[1024], blob[300];
	struct pb_writer w;
	struct pb_reader r;
	struct pb_field f;
	char s[8];

	for (size_t i = 0; i < sizeof(blob); i++)
		blob[i] = (uint8_t)i; /* NULs and all: bytes, not a string */
	pb_writer_init(&w, b, sizeof(b));
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		pb_put_varint_field(&w, nums[i % ARRAY_SIZE(nums)], vals[i]);
	pb_put_bytes_field(&w, 7, blob, sizeof(blob));
	pb_put_bytes_field(&w, 8, NULL, 0);
	pb_put_str_field(&w, 9, "");
	pb_put_str_field(&w, 10, NULL);
	pb_put_str_field(&w, 11, "héllo");
	assert_false(w.overflow);

	pb_reader_init(&r, b, w.len);
	for (size_t i = 0; i < ARRAY_SIZE(vals); i++)
		expect_varint(&r, nums[i % ARRAY_SIZE(nums)], vals[i]);
	assert_true(pb_next(&r, &f));
	assert_int_equal(f.num, 7);
	assert_int_equal(f.len, sizeof(blob));
	assert_memory_equal(f.data, blob, sizeof(blob));
	for (uint32_t n = 8; n <= 10; n++) {
		assert_true(pb_next(&r, &f));
		assert_int_equal(f.num, n);
		assert_int_equal(f.wire, PB_LEN);
		assert_int_equal(f.len, 0);
	}
	assert_true(pb_next(&r, &f));
	assert_true(pb_str(&f, s, sizeof(s)));
	assert_string_equal(s, "héllo");
	expect_end(&r);
}

/* Exactly full is fine; one byte short refuses the whole field and everything after it. */
static void test_writer_overflow(void **state)
{
	uint8_t *b = malloc(6); /* exact: ASan sees a write past cap */
	struct pb_writer w;

	assert_non_null(b);
	pb_writer_init(&w, b, 6);
	pb_put_str_field(&w, 1, "abcd"); /* 0a 04 abcd: 6 bytes */
	assert_false(w.overflow);
	assert_int_equal(w.len, 6);
	pb_put_varint_field(&w, 2, 0);
	assert_true(w.overflow);
	assert_int_equal(w.len, 6);

	pb_writer_init(&w, b, 6);
	pb_put_varint_field(&w, 1, 1);	 /* 2 bytes */
	pb_put_str_field(&w, 2, "abcd"); /* 6 more: refused, not cut */
	assert_true(w.overflow);
	assert_int_equal(w.len, 2);
	pb_put_varint_field(&w, 3, 1); /* would fit, but the request already has a hole */
	assert_int_equal(w.len, 2);
	assert_true(w.overflow);

	pb_writer_init(&w, b, 6);
	pb_put_varint_field(&w, 1, UINT64_MAX); /* 1 + 10 */
	assert_true(w.overflow);
	assert_int_equal(w.len, 0);

	free(b);
}

/* len + header wraps size_t to a small number: a check written as a sum would let it through. */
static void test_writer_wrap(void **state)
{
	uint8_t b[64];
	struct pb_writer w;

	pb_writer_init(&w, b, sizeof(b));
	pb_put_bytes_field(&w, 1, b, SIZE_MAX - 5);
	assert_true(w.overflow);
	assert_int_equal(w.len, 0);
}

static void test_writer_bad_input(void **state)
{
	uint8_t b[16];
	struct pb_writer w;

	pb_writer_init(&w, NULL, 0);
	pb_put_varint_field(&w, 1, 1);
	assert_true(w.overflow);
	assert_int_equal(w.len, 0);

	pb_writer_init(&w, b, sizeof(b));
	pb_put_varint_field(&w, 0, 1); /* field 0 does not exist */
	assert_true(w.overflow);
	assert_int_equal(w.len, 0);

	pb_writer_init(&w, b, sizeof(b));
	pb_put_varint_field(&w, 536870912, 1);
	assert_true(w.overflow);
	assert_int_equal(w.len, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_varint_150),
	    cmocka_unit_test(test_varint_limits),
	    cmocka_unit_test(test_negative_int32),
	    cmocka_unit_test(test_max_field_number),
	    cmocka_unit_test(test_string),
	    cmocka_unit_test(test_str_refusals),
	    cmocka_unit_test(test_str_too_long),
	    cmocka_unit_test(test_fixed),
	    cmocka_unit_test(test_nested),
	    cmocka_unit_test(test_sub_bounded),
	    cmocka_unit_test(test_sub_of_scalar),
	    cmocka_unit_test(test_map_labels),
	    cmocka_unit_test(test_map_entry_edges),
	    cmocka_unit_test(test_skip_unknown),
	    cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_bad_varints),
	    cmocka_unit_test(test_bad_lengths),
	    cmocka_unit_test(test_bad_wire_and_number),
	    cmocka_unit_test(test_sticky),
	    cmocka_unit_test(test_write_container_status),
	    cmocka_unit_test(test_write_nested),
	    cmocka_unit_test(test_round_trip),
	    cmocka_unit_test(test_writer_overflow),
	    cmocka_unit_test(test_writer_wrap),
	    cmocka_unit_test(test_writer_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_pb.c - libFuzzer harness for the protobuf reader and writer. Any input is walked as a
 * message, every PB_LEN field again as a sub-message (the runtime APIs nest a few levels; the
 * bound keeps a hostile input from recursing the stack away) and as a string and a map entry.
 * libFuzzer hands over an exact-size heap copy, so ASan sees any byte read past the end; the
 * checks below catch a reader that stays in bounds but returns views that do not.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pb.h"
#include "fuzz.h"

#define FUZZ_DEPTH 16

/* A view returned by the reader must lie inside the message it came from. */
static void check_view(const uint8_t *p, size_t n, const uint8_t *lo, const uint8_t *hi)
{
	if (!n)
		return;
	CHECK(p >= lo && p <= hi && n <= (size_t)(hi - p));
}

static void check_len_field(const struct pb_field *f, const uint8_t *lo, const uint8_t *hi)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	char s[256];

	check_view(f->data, f->len, lo, hi);
	if (pb_str(f, s, sizeof(s)))
		CHECK(strlen(s) == f->len && (!f->len || !memcmp(s, f->data, f->len)));
	else
		CHECK(s[0] == 0);
	if (pb_map_entry(f, &k, &kl, &v, &vl)) {
		check_view(k, kl, f->data, f->data + f->len);
		check_view(v, vl, f->data, f->data + f->len);
	}
}

static void walk(struct pb_reader *r, int depth)
{
	const uint8_t *lo = r->p, *hi = r->end;
	struct pb_reader sub;
	struct pb_field f;

	while (pb_next(r, &f)) {
		CHECK(f.num >= 1 && f.num <= 536870911);
		CHECK(r->p >= lo && r->p <= hi);
		if (f.wire == PB_I32)
			CHECK(f.u64 <= UINT32_MAX);
		if (f.wire != PB_LEN)
			continue;
		check_len_field(&f, lo, hi);
		if (depth < FUZZ_DEPTH) {
			pb_sub(&f, &sub);
			walk(&sub, depth + 1);
		}
	}
	CHECK(r->p >= lo && r->p <= hi);
	CHECK(!pb_next(r, &f)); /* the end, or the error, stays */
}

/* The input's head as one varint and one bytes field, into a writer as small as it says. */
static void round_trip(const uint8_t *data, size_t size)
{
	uint8_t buf[64];
	struct pb_writer w;
	struct pb_reader r;
	struct pb_field f;
	uint64_t v = 0;
	uint32_t num;
	size_t cap;

	if (size < 10)
		return;
	memcpy(&v, data, 8);
	num = (uint32_t)((data[8] | (uint32_t)data[9] << 8) % 536870911 + 1);
	cap = size % (sizeof(buf) + 1);
	data += 10;
	size -= 10;
	if (size > sizeof(buf))
		size = sizeof(buf);
	pb_writer_init(&w, buf, cap);
	pb_put_varint_field(&w, num, v);
	pb_put_bytes_field(&w, num, data, size);
	CHECK(w.len <= cap);
	if (w.overflow)
		return;
	pb_reader_init(&r, buf, w.len);
	CHECK(pb_next(&r, &f) && f.num == num && f.wire == PB_VARINT && f.u64 == v);
	CHECK(pb_next(&r, &f) && f.num == num && f.wire == PB_LEN && f.len == size);
	CHECK(!size || !memcmp(f.data, data, size));
	CHECK(!pb_next(&r, &f) && !r.error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pb_reader r;

	pb_reader_init(&r, data, size);
	walk(&r, 0);
	round_trip(data, size);
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ring.c - agent/capture/ring.c on a ring laid out in memory as the kernel lays it out
 * (positions, 8-byte record headers with the busy and discard bits, the data area twice): the
 * records and their order, what stops a pass, records across the end, and when the consumer
 * position is published.
 */
#include <errno.h>
#include <stdio.h>

#include <linux/bpf.h>

#include "ring.h"
#include "unit.h"

#define SIZE 4096u

struct fake {
	unsigned long cons, prod;
	unsigned char data[2 * SIZE]; /* the kernel maps the data area twice back to back */
	struct ring r;
	/* what the callback saw */
	int n;
	char got[16][32];
	unsigned long cons_seen[16]; /* the published position at each record */
	int fail_at;		     /* the callback returns -EAGAIN on this record (1-based) */
};

static void put(struct fake *f, unsigned long pos, const void *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		f->data[(pos + i) % SIZE] = ((const unsigned char *)p)[i];
		f->data[(pos + i) % SIZE + SIZE] = ((const unsigned char *)p)[i];
	}
}

/* Append a record of the string s (NUL included) with extra header bits; its position. */
static unsigned long push(struct fake *f, const char *s, uint32_t bits)
{
	unsigned long at = f->prod;
	uint32_t len = (uint32_t)strlen(s) + 1, hdr[2] = {len | bits, 0};

	put(f, at, hdr, sizeof(hdr));
	put(f, at + BPF_RINGBUF_HDR_SZ, s, len);
	f->prod = at + ((len + BPF_RINGBUF_HDR_SZ + 7) & ~7u);
	return at;
}

static void set_bits(struct fake *f, unsigned long at, uint32_t len_and_bits)
{
	put(f, at, &len_and_bits, sizeof(len_and_bits));
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct fake *f = ctx;

	if (f->n < 16) {
		snprintf(f->got[f->n], sizeof(f->got[0]), "%.*s", (int)size, (char *)data);
		f->cons_seen[f->n] = f->cons;
	}
	f->n++;
	return f->n == f->fail_at ? -EAGAIN : 0;
}

static struct fake *fake_new(unsigned long start, uint64_t publish_bytes)
{
	struct fake *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->cons = f->prod = start;
	f->r.consumer_pos = &f->cons;
	f->r.producer_pos = &f->prod;
	f->r.data = f->data;
	f->r.mask = SIZE - 1;
	f->r.publish_bytes = publish_bytes;
	f->r.fn = on_sample;
	f->r.ctx = f;
	f->r.epfd = -1;
	return f;
}

static void test_records_in_order_discarded_skipped(void **state)
{
	struct fake *f = fake_new(0, SIZE);

	push(f, "one", 0);
	push(f, "gone", BPF_RINGBUF_DISCARD_BIT);
	push(f, "three", 0);
	assert_int_equal(ring_consume(&f->r), 2);
	assert_int_equal(f->n, 2);
	assert_string_equal(f->got[0], "one");
	assert_string_equal(f->got[1], "three");
	assert_int_equal(f->cons, f->prod); /* all of it given back, the discarded one too */
	assert_int_equal(ring_consume(&f->r), 0);
	free(f);
}

static void test_busy_record_stops_then_is_read(void **state)
{
	struct fake *f = fake_new(0, SIZE);
	unsigned long busy;

	push(f, "done", 0);
	busy = push(f, "writing", BPF_RINGBUF_BUSY_BIT);
	push(f, "after", 0);
	assert_int_equal(ring_consume(&f->r), 1);
	assert_int_equal(f->cons, busy); /* the busy record is where the next pass starts */
	set_bits(f, busy, (uint32_t)strlen("writing") + 1); /* committed */
	assert_int_equal(ring_consume(&f->r), 2);
	assert_string_equal(f->got[1], "writing");
	assert_string_equal(f->got[2], "after");
	assert_int_equal(f->cons, f->prod);
	free(f);
}

static void test_callback_error_stops_after_its_record(void **state)
{
	struct fake *f = fake_new(0, SIZE);
	unsigned long second;

	push(f, "a", 0);
	second = push(f, "b", 0);
	push(f, "c", 0);
	f->fail_at = 2;
	assert_int_equal(ring_consume(&f->r), -EAGAIN);
	assert_int_equal(f->cons, second + 16); /* "b" counts as read: never delivered twice */
	f->fail_at = 0;
	assert_int_equal(ring_consume(&f->r), 1);
	assert_string_equal(f->got[2], "c");
	free(f);
}

static void test_record_across_the_end_reads_whole(void **state)
{
	struct fake *f = fake_new(SIZE - 16, SIZE); /* 16 bytes before the end: header + 8 */

	push(f, "across-the-end", 0);
	push(f, "next", 0);
	assert_int_equal(ring_consume(&f->r), 2);
	assert_string_equal(f->got[0], "across-the-end");
	assert_string_equal(f->got[1], "next");
	assert_true(f->cons > SIZE); /* positions only grow; the mask places them */
	free(f);
}

/* The point of this reader: the position the kernel reads on every reserve is written once per
 * pass, not after every record (libbpf 1.1 does), unless a pass runs past publish_bytes. */
static void test_position_published_once_per_pass(void **state)
{
	struct fake *f = fake_new(0, SIZE);

	for (int i = 0; i < 8; i++)
		push(f, "record", 0);
	assert_int_equal(ring_consume(&f->r), 8);
	for (int i = 0; i < 8; i++)
		assert_int_equal(f->cons_seen[i], 0);
	assert_int_equal(f->cons, f->prod);
	free(f);

	f = fake_new(0, 64); /* a long pass gives room back on the way */
	for (int i = 0; i < 8; i++)
		push(f, "record", 0); /* 16 bytes each */
	assert_int_equal(ring_consume(&f->r), 8);
	assert_int_equal(f->cons_seen[3], 0);
	assert_int_equal(f->cons_seen[4], 64); /* after the fourth: 64 bytes read */
	assert_int_equal(f->cons, f->prod);
	free(f);
}

static void test_impossible_length_is_refused(void **state)
{
	struct fake *f = fake_new(0, SIZE);
	uint32_t hdr[2] = {SIZE, 0}; /* longer than the ring: no kernel writes that */

	put(f, 0, hdr, sizeof(hdr));
	f->prod = SIZE;
	assert_int_equal(ring_consume(&f->r), -EIO);
	assert_int_equal(f->n, 0);
	assert_int_equal(f->cons, 0);
	free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_in_order_discarded_skipped),
		cmocka_unit_test(test_busy_record_stops_then_is_read),
		cmocka_unit_test(test_callback_error_stops_after_its_record),
		cmocka_unit_test(test_record_across_the_end_reads_whole),
		cmocka_unit_test(test_position_published_once_per_pass),
		cmocka_unit_test(test_impossible_length_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

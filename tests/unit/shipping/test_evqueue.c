// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_evqueue.c - agent/shipping/evqueue.c: lines come out in order with their sequence
 * numbers, across the ring's wrap; a line that does not fit is refused whole; a line larger
 * than the reader's buffer is dropped, not truncated; and an emptied ring starts again at its
 * first byte, so the memory it touches follows the most it held, not the bytes that went
 * through it.
 */
#include <errno.h>
#include <stdio.h>

#include "evqueue.h"
#include "unit.h"

#define HDR (sizeof(uint32_t) + sizeof(uint64_t)) /* length and sequence number per line */

static void push_line(struct evqueue *q, uint64_t seq, size_t len)
{
	char line[512];

	assert_true(len <= sizeof(line));
	memset(line, 'a' + (int)(seq % 26), len);
	assert_int_equal(evqueue_push(q, line, len, seq), 0);
}

static void pop_line(struct evqueue *q, uint64_t want_seq, size_t want_len)
{
	char buf[512];
	uint64_t seq = 0;
	long n = evqueue_pop(q, buf, sizeof(buf), 0, &seq);

	assert_int_equal(n, (long)want_len);
	assert_int_equal(seq, want_seq);
	for (size_t i = 0; i < want_len; i++)
		assert_int_equal(buf[i], 'a' + (int)(want_seq % 26));
}

static void test_order_and_wrap(void **state)
{
	struct evqueue *q = evqueue_new(1000);
	uint64_t next_in = 0, next_out = 0;

	assert_non_null(q);
	/* keep two lines in flight so the ring wraps many times without emptying */
	push_line(q, next_in++, 100);
	for (int i = 0; i < 200; i++) {
		push_line(q, next_in, 90 + next_in % 37);
		next_in++;
		pop_line(q, next_out, next_out == 0 ? 100 : 90 + next_out % 37);
		next_out++;
	}
	pop_line(q, next_out, 90 + next_out % 37);
	assert_int_equal(evqueue_pop(q, (char[8]){0}, 8, 0, &(uint64_t){0}), 0); /* empty */
	evqueue_free(q);
}

static void test_full_is_refused_whole(void **state)
{
	struct evqueue *q = evqueue_new(3 * (HDR + 100));

	assert_non_null(q);
	push_line(q, 1, 100);
	push_line(q, 2, 100);
	push_line(q, 3, 100);
	assert_int_equal(evqueue_push(q, "x", 1, 4), -ENOSPC);
	pop_line(q, 1, 100);
	push_line(q, 4, 100); /* room again: exactly one line's worth */
	pop_line(q, 2, 100);
	pop_line(q, 3, 100);
	pop_line(q, 4, 100);
	evqueue_free(q);
}

static void test_too_long_for_reader(void **state)
{
	struct evqueue *q = evqueue_new(4096);
	char small[16];
	uint64_t seq = 0;

	assert_non_null(q);
	push_line(q, 7, 300);
	push_line(q, 8, 10);
	assert_int_equal(evqueue_pop(q, small, sizeof(small), 0, &seq), -E2BIG);
	assert_int_equal(seq, 7);
	pop_line(q, 8, 10); /* the next line is intact */
	evqueue_free(q);
}

static void test_emptied_ring_restarts(void **state)
{
	struct evqueue *q = evqueue_new(1 << 20);
	size_t line = 200, one = HDR + 200;

	assert_non_null(q);
	/* 10 000 lines (2 MB) through a 1 MiB ring, never more than three at once */
	for (uint64_t i = 0; i < 10000; i += 3) {
		for (uint64_t k = i; k < i + 3; k++)
			push_line(q, k, line);
		for (uint64_t k = i; k < i + 3; k++)
			pop_line(q, k, line);
	}
	assert_int_equal(evqueue_touched(q), 3 * one);
	/* holding more touches more, and only that */
	for (uint64_t k = 0; k < 10; k++)
		push_line(q, k, line);
	assert_int_equal(evqueue_touched(q), 10 * one);
	evqueue_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_wrap),
		cmocka_unit_test(test_full_is_refused_whole),
		cmocka_unit_test(test_too_long_for_reader),
		cmocka_unit_test(test_emptied_ring_restarts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

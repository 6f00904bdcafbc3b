// SPDX-License-Identifier: BSD-2-Clause
/* test_batch.c - batch limits by count, bytes and age (injected clock); gzip round trip. */
#include <errno.h>
#include <stdio.h>

#include "unit.h"

#include "batch.h"

static const struct batch_limits lim = {.max_events = 3, .max_bytes = 100, .max_age_ms = 1000};

static void test_count_limit(void **state)
{
	struct batch *b = batch_new(&lim);

	for (int i = 0; i < 3; i++) {
		assert_false(batch_due(b, 0));
		assert_int_equal(batch_add(b, "{}", 2, 1, 0), 0);
	}
	assert_true(batch_due(b, 0));
	assert_int_equal(batch_add(b, "{}", 2, 1, 0), -E2BIG); /* the caller ships first */
	assert_int_equal(batch_events(b), 3);
	assert_int_equal(batch_bytes(b), 9);
	assert_memory_equal(batch_data(b), "{}\n{}\n{}\n", 9);
	batch_reset(b);
	assert_false(batch_due(b, 0));
	assert_int_equal(batch_add(b, "{}", 2, 1, 0), 0);
	batch_free(b);
}

static void test_bytes_limit(void **state)
{
	struct batch *b = batch_new(&lim);
	char line[200];

	memset(line, 'a', sizeof(line));
	assert_int_equal(batch_add(b, line, 60, 1, 0), 0);
	assert_false(batch_due(b, 0));
	assert_int_equal(batch_add(b, line, 60, 1, 0), -E2BIG); /* 122 > 100 */
	batch_reset(b);
	/* a lone line larger than the limit still goes, alone */
	assert_int_equal(batch_add(b, line, 150, 1, 0), 0);
	assert_true(batch_due(b, 0));
	assert_int_equal(batch_add(b, line, 1, 1, 0), -E2BIG);
	batch_free(b);
}

static void test_age_limit(void **state)
{
	struct batch *b = batch_new(&lim);

	assert_int_equal(batch_deadline_ms(b), UINT64_MAX);
	assert_int_equal(batch_add(b, "{}", 2, 1, 5000), 0);
	assert_int_equal(batch_add(b, "{}", 2, 1, 5900), 0); /* the age is the first line's */
	assert_int_equal(batch_deadline_ms(b), 6000);
	assert_false(batch_due(b, 5999));
	assert_true(batch_due(b, 6000));
	assert_int_equal(batch_first_ms(b), 5000);
	batch_free(b);
}

static void test_gzip_round_trip(void **state)
{
	struct batch_limits big = {.max_events = 100000, .max_bytes = 1 << 24, .max_age_ms = 1};
	struct batch *b = batch_new(&big);
	uint8_t *gz, *back;
	size_t gzlen, backlen;
	char line[128];

	for (int i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "{\"id\":\"%016x-%016x\",\"kind\":\"x\"}", i, i);

		assert_int_equal(batch_add(b, line, (size_t)n, 1, 0), 0);
	}
	assert_int_equal(gz_compress(batch_data(b), batch_bytes(b), &gz, &gzlen), 0);
	assert_true(gzlen < batch_bytes(b) / 4);
	assert_int_equal(gz[0], 0x1f); /* gzip, not zlib */
	assert_int_equal(gz[1], 0x8b);
	assert_int_equal(gz_decompress(gz, gzlen, 1 << 24, &back, &backlen), 0);
	assert_int_equal(backlen, batch_bytes(b));
	assert_memory_equal(back, batch_data(b), backlen);
	free(back);
	/* the cap is inclusive: exactly max bytes pass, one more is too big */
	assert_int_equal(gz_decompress(gz, gzlen, batch_bytes(b), &back, &backlen), 0);
	assert_int_equal(backlen, batch_bytes(b));
	free(back);
	assert_int_equal(gz_decompress(gz, gzlen, batch_bytes(b) - 1, &back, &backlen), -EFBIG);
	assert_null(back);
	assert_int_equal(gz_decompress(gz, gzlen, 1000, &back, &backlen), -EFBIG);
	assert_int_equal(gz_decompress(gz, gzlen / 2, 1 << 24, &back, &backlen), -EBADMSG);
	gz[gzlen / 2] ^= 0xff;
	assert_true(gz_decompress(gz, gzlen, 1 << 24, &back, &backlen) < 0);
	free(gz);
	batch_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_count_limit),
		cmocka_unit_test(test_bytes_limit),
		cmocka_unit_test(test_age_limit),
		cmocka_unit_test(test_gzip_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

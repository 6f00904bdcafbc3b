// SPDX-License-Identifier: BSD-2-Clause
/* test_ship_backoff.c - the collector-answer table and the retry waits: full jitter within
 * [0, min(60 s, 1 s·2^(n-1))], every value of the range reachable, Retry-After honoured and
 * capped, slow retries for refused tokens. */
#include "unit.h"

#include "retry.h"

static void test_classify_table(void **state)
{
	static const struct {
		long status;
		enum retry_class want;
	} cases[] = {
		{200, RETRY_DONE},  {202, RETRY_DONE},	{204, RETRY_DONE},  {400, RETRY_DROP},
		{404, RETRY_DROP},  {413, RETRY_DROP},	{415, RETRY_DROP},  {422, RETRY_DROP},
		{401, RETRY_AUTH},  {403, RETRY_AUTH},	{408, RETRY_AGAIN}, {429, RETRY_AGAIN},
		{500, RETRY_AGAIN}, {502, RETRY_AGAIN}, {503, RETRY_AGAIN}, {0, RETRY_AGAIN},
		{301, RETRY_AGAIN}, {100, RETRY_AGAIN},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (retry_classify(cases[i].status) != cases[i].want)
			fail_msg("HTTP %ld: %s, want %s", cases[i].status,
				 retry_class_name(retry_classify(cases[i].status)),
				 retry_class_name(cases[i].want));
	}
}

static void test_full_jitter_bounds(void **state)
{
	for (unsigned a = 1; a <= 20; a++) {
		uint64_t ceil = a >= 7 ? RETRY_CAP_MS : (uint64_t)RETRY_BASE_MS << (a - 1);

		assert_int_equal(retry_delay_ms(RETRY_AGAIN, a, 0, 0), 0); /* full: from zero */
		assert_int_equal(retry_delay_ms(RETRY_AGAIN, a, 0, (uint32_t)ceil), ceil);
		for (uint32_t r = 1; r < 2000000; r += 7919)
			assert_true(retry_delay_ms(RETRY_AGAIN, a, 0, r * 2654435761u) <= ceil);
	}
}

static void test_retry_after(void **state)
{
	assert_int_equal(retry_delay_ms(RETRY_AGAIN, 1, 5000, 0), 5000);
	assert_int_equal(retry_delay_ms(RETRY_AGAIN, 1, 5000, 999), 5000);
	assert_true(retry_delay_ms(RETRY_AGAIN, 10, 5000, 60000) >= 5000);
	assert_int_equal(retry_delay_ms(RETRY_AGAIN, 1, 86400000, 0), RETRY_AFTER_MAX_MS);
}

static void test_auth_is_slow(void **state)
{
	for (uint32_t r = 0; r < 100000; r += 997) {
		uint64_t d = retry_delay_ms(RETRY_AUTH, 1, 0, r);

		assert_true(d >= RETRY_AUTH_MS && d <= 2 * RETRY_AUTH_MS);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_full_jitter_bounds),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_auth_is_slow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

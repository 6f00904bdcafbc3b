// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_rfc3339.c - common/rfc3339.c: the strict form the event schema takes (UTC, at most nine
 * fraction digits), the lenient one of query parameters and Kubernetes objects (offsets, 't',
 * leap second, long fractions), and the calendar.
 */
#include <errno.h>

#include "rfc3339.h"
#include "unit/unit.h"

#define S 1000000000LL

static void test_strict(void **state)
{
	int64_t ns;

	assert_int_equal(rfc3339_parse("1970-01-01T00:00:00Z", RFC3339_UTC, &ns), 0);
	assert_true(ns == 0);
	assert_int_equal(rfc3339_parse("2026-11-28T20:31:02.123456789Z", RFC3339_UTC, &ns), 0);
	assert_true(ns == 1795897862123456789LL);
	assert_int_equal(rfc3339_parse("2024-02-29T00:00:00.5Z", RFC3339_UTC, &ns), 0);
	assert_true(ns == 1709164800LL * S + 500000000);
	static const char *const bad[] = {
	    "2023-02-29T00:00:00Z",	      /* not a leap year */
	    "2026-04-31T00:00:00Z",	      /* April has 30 days */
	    "2026-11-28T24:00:00Z",	      "2026-11-28T20:31:60Z", /* no leap second */
	    "2026-11-28T20:31:02.Z",	      "2026-11-28t20:31:02Z",
	    "2026-11-28T20:31:02Zx",	      "2026-11-28T20:31:02+00:00", /* UTC only */
	    "2026-11-28T20:31:02.1234567890Z", "1969-12-31T23:59:59Z",
	    "2262-01-01T00:00:00Z",	      "2026-11-28",
	    "",				      "2026-1-28T20:31:02Z",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(rfc3339_parse(bad[i], RFC3339_UTC, &ns), -EINVAL);
	assert_int_equal(rfc3339_parse(NULL, 0, &ns), -EINVAL);
}

static void test_lenient(void **state)
{
	int64_t ns;

	assert_int_equal(rfc3339_parse("2024-05-01T14:00:00+02:00", RFC3339_LENIENT, &ns), 0);
	assert_true(ns == 1714564800LL * S);
	assert_int_equal(rfc3339_parse("2024-05-01t09:30:00-02:30z", RFC3339_LENIENT, &ns),
			 -EINVAL); /* an offset or a Z, not both */
	assert_int_equal(rfc3339_parse("2024-05-01 12:00:00.123456789123z", RFC3339_LENIENT, &ns),
			 0);
	assert_true(ns == 1714564800LL * S + 123456789);
	assert_int_equal(rfc3339_parse("2016-12-31T23:59:60Z", RFC3339_LENIENT, &ns), 0);
	assert_int_equal(rfc3339_parse("2024-05-01T12:00:00", RFC3339_LENIENT, &ns), -EINVAL);
	assert_int_equal(rfc3339_parse("1970-01-01T00:30:00+01:00", RFC3339_LENIENT, &ns),
			 -EINVAL); /* before the epoch */
	assert_int_equal(rfc3339_parse("2024-05-01T12:00:00+24:00", RFC3339_LENIENT, &ns),
			 -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_lenient),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

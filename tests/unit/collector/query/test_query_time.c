// SPDX-License-Identifier: BSD-2-Clause
/* test_query_time.c - collector/query/query_util.c: RFC 3339 and duration parsing, time formatting. */
#include <errno.h>

#include "query_internal.h"
#include "unit/unit.h"

#define T0 1795896000LL /* 2026-11-28T20:00:00Z */
#define NS 1000000000LL

static void test_rfc3339(void **state)
{
	int64_t ns;

	assert_int_equal(query_parse_time("2026-11-28T20:00:00Z", &ns), 0);
	assert_true(ns == T0 * NS);
	assert_int_equal(query_parse_time("2026-11-28t20:00:00.5z", &ns), 0);
	assert_true(ns == T0 * NS + NS / 2);
	assert_int_equal(query_parse_time("2026-11-28T20:00:00.123456789123Z", &ns), 0);
	assert_true(ns == T0 * NS + 123456789);
	assert_int_equal(query_parse_time("2026-11-28T22:30:00+02:30", &ns), 0);
	assert_true(ns == T0 * NS);
	assert_int_equal(query_parse_time("2026-11-28T17:00:00-03:00", &ns), 0);
	assert_true(ns == T0 * NS);
	assert_int_equal(query_parse_time("2026-11-28T20:00:00", &ns), -EINVAL); /* no zone */
	assert_int_equal(query_parse_time("2026-11-28", &ns), -EINVAL);
	assert_int_equal(query_parse_time("2026-11-28T20:00:00.Z", &ns), -EINVAL);
	assert_int_equal(query_parse_time("2026-11-28T24:00:00Z", &ns), -EINVAL);
	assert_int_equal(query_parse_time("2026-11-28T20:00:00Zjunk", &ns), -EINVAL);
}

static void test_durations(void **state)
{
	int64_t ns;

	assert_int_equal(query_parse_duration("90s", &ns), 0);
	assert_true(ns == 90 * NS);
	assert_int_equal(query_parse_duration("30m", &ns), 0);
	assert_true(ns == 1800 * NS);
	assert_int_equal(query_parse_duration("1h", &ns), 0);
	assert_true(ns == 3600 * NS);
	assert_int_equal(query_parse_duration("7d", &ns), 0);
	assert_true(ns == 7 * 86400 * NS);
	assert_int_equal(query_parse_duration("2w", &ns), 0);
	assert_true(ns == 14 * 86400 * NS);
	assert_int_equal(query_parse_duration("1y", &ns), -EINVAL);
	assert_int_equal(query_parse_duration("h", &ns), -EINVAL);
	assert_int_equal(query_parse_duration("-1h", &ns), -EINVAL);
	assert_int_equal(query_parse_duration("1hh", &ns), -EINVAL);
	assert_int_equal(query_parse_duration("99999999999999d", &ns), -EINVAL); /* overflow */
}

static void test_format(void **state)
{
	char buf[QUERY_TIME_MAX];

	query_format_time(T0 * NS, buf);
	assert_string_equal(buf, "2026-11-28T20:00:00Z");
	query_format_time(T0 * NS + 500, buf);
	assert_string_equal(buf, "2026-11-28T20:00:00.000000500Z");
	query_short_rev("3f2a9c1e0b7d4c5a8e6f", buf, sizeof(buf));
	assert_string_equal(buf, "3f2a9c1e0b7d");
	query_short_rev("sha256:9f86d081884c7d659a2f", buf, sizeof(buf));
	assert_string_equal(buf, "sha256:9f86d081884c");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rfc3339),
	    cmocka_unit_test(test_durations),
	    cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/* test_ch_client.c - collector/store/ch_client.c: the --store address (what is refused and why), the
 * password file (first line, never more), and ClickHouse string literals made from hostile
 * bytes. (The server itself is exercised by tests/integration/test_stores.c.) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "ch_client.h"
#include "unit/unit.h"

static int open_url(const char *url, char *err, size_t errlen)
{
	struct ch_options o = {.url = url};
	struct ch_client *c = NULL;
	int ret = ch_client_new(&o, &c, err, errlen);

	if (!ret)
		assert_string_equal(ch_client_db(c), strrchr(url, '/') + 1);
	ch_client_free(c);
	return ret;
}

static void test_store_urls(void **state)
{
	char err[256];

	assert_int_equal(open_url("clickhouse://127.0.0.1:8123/c2d", err, sizeof(err)), 0);
	assert_int_equal(open_url("clickhouse://ch.db.svc/c2d_events", err, sizeof(err)), 0);
	assert_int_equal(open_url("clickhouses://[::1]:8443/c2d", err, sizeof(err)), 0);
	assert_int_equal(open_url("http://127.0.0.1:8123/c2d", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "not clickhouse://"));
	assert_int_equal(open_url("clickhouse://127.0.0.1:8123/", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "database"));
	/* the database name goes into statements: nothing but letters, digits and '_' */
	assert_int_equal(open_url("clickhouse://h/c2d;DROP", err, sizeof(err)), -EINVAL);
	assert_int_equal(open_url("clickhouse://h/a%20b", err, sizeof(err)), -EINVAL);
	assert_int_equal(open_url("clickhouse://h/1db", err, sizeof(err)), -EINVAL);
	/* credentials never ride in the URL (they would reach logs and process lists) */
	assert_int_equal(open_url("clickhouse://h/c2d?password=x", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--store-password-file"));
	assert_int_equal(open_url("clickhouse://admin:s3cret@h/c2d", err, sizeof(err)), -EINVAL);
	assert_null(strstr(err, "s3cret"));
	assert_int_equal(open_url("ftp://admin:s3cret@h/c2d", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--store-password-file"));
	assert_null(strstr(err, "s3cret"));
	assert_int_equal(open_url("not a url", err, sizeof(err)), -EINVAL);
}

static void test_password_file(void **state)
{
	char path[] = "/tmp/c2d-chpw-XXXXXX", err[256];
	int fd = mkstemp(path);
	struct ch_options o = {.url = "clickhouse://h/db", .password_file = path};
	struct ch_client *c = NULL;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "s3cret\nsecond line\n", 19), 19);
	close(fd);
	assert_int_equal(ch_client_new(&o, &c, err, sizeof(err)), 0);
	ch_client_free(c);
	unlink(path);
	c = NULL;
	assert_int_equal(ch_client_new(&o, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "--store-password-file"));
	assert_null(strstr(err, "s3cret"));
}

static void expect_quoted(const char *in, const char *want)
{
	struct buf b;

	buf_init(&b, 1024);
	assert_int_equal(ch_quote(&b, in), 0);
	assert_string_equal(b.p, want);
	buf_free(&b);
}

static void test_quote(void **state)
{
	struct buf b;

	expect_quoted("shop", "'shop'");
	expect_quoted("", "''");
	/* a quote or a backslash cannot end the literal early */
	expect_quoted("x' OR 1=1 --", "'x\\' OR 1=1 --'");
	expect_quoted("a\\' OR 1", "'a\\\\\\' OR 1'");
	/* control bytes (a workload chose them) are written as escapes; UTF-8 passes */
	expect_quoted("a\nb\x1b[2J\x7f", "'a\\x0Ab\\x1B[2J\\x7F'");
	expect_quoted("caf\xc3\xa9", "'caf\xc3\xa9'");
	/* bounded like every buffer: a literal that does not fit is refused, not cut */
	buf_init(&b, 8);
	assert_int_equal(ch_quote(&b, "0123456789"), -EFBIG);
	buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_store_urls),
	    cmocka_unit_test(test_password_file),
	    cmocka_unit_test(test_quote),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_fwd_gzip.c - gzip'd request bodies: fwd_gzip() output decodes back (with the
 * collector's own gunzip) to the same bytes, refuses a buffer too small, and the `gzip` setting
 * is auto (OTLP only) unless set, true/false when set, and refused for syslog.
 */
#include <errno.h>
#include <stdio.h>

#include "buf.h"
#include "forward.h"
#include "gunzip.h"
#include "unit/unit.h"

static void test_roundtrip(void **state)
{
	static char in[200000], out[300000];
	struct gunzip *g = gunzip_new();
	struct buf b;
	long n;

	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = "{\"kind\":\"credential_read\",\"id\":\"c2d\"}\n"[i % 38] + (char)(i % 7 == 0);
	n = fwd_gzip(in, sizeof(in), out, sizeof(out));
	assert_true(n > 18 && n < (long)sizeof(in) / 2); /* it compresses */
	assert_int_equal((unsigned char)out[0], 0x1f);	  /* a gzip member */
	assert_int_equal((unsigned char)out[1], 0x8b);
	buf_init(&b, sizeof(in));
	assert_non_null(g);
	assert_int_equal(gunzip_feed(g, out, (size_t)n, &b), 0);
	assert_int_equal(gunzip_finish(g), 0);
	assert_int_equal(b.len, sizeof(in));
	assert_memory_equal(b.p, in, sizeof(in));
	buf_free(&b);
	gunzip_free(g);
	assert_int_equal(fwd_gzip(in, sizeof(in), out, 64), -ENOSPC);
}

static struct fwd_conf *conf(const char *type, const char *gzip, int want_check)
{
	struct fwd_conf *l = NULL;
	char err[256];

	assert_int_equal(fwd_config_key(&l, "forwarder.f.type", type, err, sizeof(err)), 0);
	assert_int_equal(fwd_config_key(&l, "forwarder.f.url", "tcp://127.0.0.1:1", err,
					sizeof(err)), 0);
	if (gzip)
		assert_int_equal(fwd_config_key(&l, "forwarder.f.gzip", gzip, err, sizeof(err)), 0);
	assert_int_equal(fwd_config_check(l, err, sizeof(err)), want_check);
	if (want_check)
		assert_non_null(strstr(err, "forwarder.f.gzip"));
	return l;
}

static void test_setting(void **state)
{
	struct { const char *type, *gzip; bool on; } cases[] = {
		{"otlp", NULL, true},	   {"otlp", "auto", true},  {"otlp", "false", false},
		{"loki", NULL, false},	   {"loki", "true", true},  {"elastic", "true", true},
		{"splunk", "auto", false}, {"webhook", "true", true}, {"syslog", NULL, false},
		{"syslog", "false", false},
	};
	struct fwd_conf *l = NULL;
	char err[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct fwd_conf *c = conf(cases[i].type, cases[i].gzip, 0);

		if (fwd_gzip_on(c) != cases[i].on)
			fail_msg("%s gzip=%s: %d", cases[i].type, cases[i].gzip, !cases[i].on);
		fwd_config_free(c);
	}
	fwd_config_free(conf("syslog", "true", -EINVAL));
	assert_int_equal(fwd_config_key(&l, "forwarder.f.gzip", "yes", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "true, false or auto"));
	fwd_config_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_setting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

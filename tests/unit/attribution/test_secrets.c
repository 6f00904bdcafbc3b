// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_secrets.c - agent/attribution/secrets.c: each credential format is recognised by its shape,
 * named secrets by name and value together, look-alikes are not, and a fingerprint names a secret
 * without holding it. Every value here is a fake of the right shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "secrets.h"
#include "unit.h"

struct detect_case {
	const char *name; /* NULL: an argument */
	const char *value;
	const char *want; /* detector id, or NULL */
};

static const struct detect_case cases[] = {
	/* formats, whatever the name */
	{NULL, "AKIAIOSFODNN7EXAMPLE", "aws-access-key-id"},
	{"X", "ASIAIOSFODNN7EXAMPLE", "aws-access-key-id"},
	{NULL, "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "github-token"},
	{NULL, "github_pat_11ABCDEFG0123456789abcdef_ghijklmnopqrstuvwxyz", "github-token"},
	{NULL, "glpat-abcdefghij0123456789", "gitlab-token"},
	{NULL, "xoxb-1234567890-abcdefghij", "slack-token"},
	{"STRIPE_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-secret-key"},
	{NULL, "AIzaSyA1234567890abcdefghijklmnopqrstuv", "google-api-key"},
	{NULL, "npm_abcdefghijklmnopqrstuvwxyz0123456789", "npm-token"},
	{NULL,
	 "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZmdoLWlqa2wtbW5vcC1xcnN0LXV2d3h5ejAxMjM0NTY3ODkw",
	 "pypi-token"},
	{"TLS_KEY", "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg\n-----END EC PRIVATE KEY-----",
	 "private-key"},
	{NULL, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLXZhbHVl", "jwt"},
	{"DATABASE_URL", "postgres://app:s3cr3t-pw@db:5432/app", "url-password"},
	{"AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "aws-secret-access-key"},
	{"DB_PASSWORD", "Tr0ub4dor&3-horse", "named-secret"},
	{"api_key", "9f8e7d6c5b4a3f2e1d0c", "named-secret"},
	{"STRIPE_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc\n", "stripe-secret-key"},
	/* look-alikes and what such names usually hold instead */
	{NULL, "AKIAIOSFODNN7EXAMPL", NULL},	    /* one short */
	{NULL, "akiaiosfodnn7example", NULL},	    /* wrong case */
	{NULL, "ghp_short", NULL},
	{NULL, "sk_test_4eC39HqLyjWDarjtT1zdp7dc", NULL}, /* a test key */
	{NULL, "eyJhbGciOiJIUzI1NiJ9", NULL},		  /* one segment */
	{"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin", NULL},
	{"HOME", "/root", NULL},
	{"DB_PASSWORD", "changeme", NULL},			     /* one class */
	{"DB_PASSWORD", "hunter2", NULL},			     /* too short */
	{"DB_PASSWORD", "${DB_PASSWORD}", NULL},		     /* to be expanded */
	{"DB_PASSWORD", "{{ .Values.password }}", NULL},	     /* a template */
	{"GOOGLE_APPLICATION_CREDENTIALS", "/var/run/secrets/gcp/key.json", NULL},
	{"TOKEN_URL", "https://auth.example.com/token", NULL}, /* no password in it */
	{"AUTH_ENABLED", "true", NULL},
	{"SECRET_ROTATION_DAYS", "90", NULL},
	{"GREETING", "s3cr3t-but-not-named", NULL},		     /* not named, no format */
	{"DATABASE_URL", "postgres://app:${PW}@db/app", NULL},
	{"DATABASE_URL", "postgres://db:5432/app", NULL},
	{"MOTD", "a password is needed to log in", NULL},	     /* spaces: a sentence */
	{NULL, "", NULL},
};

static void test_detectors(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct detect_case *c = &cases[i];
		const char *got = secrets_detect(c->name, c->name ? strlen(c->name) : 0, c->value,
						 strlen(c->value));

		if ((got == NULL) != (c->want == NULL) || (got && strcmp(got, c->want) != 0))
			fail_msg("case %zu (%s): detector %s, want %s", i, c->name ? c->name : "arg",
				 got ? got : "none", c->want ? c->want : "none");
	}
}

static void test_names_and_prefixes(void **state)
{
	assert_true(secrets_name_is_secret("DB_PASSWORD", 11));
	assert_true(secrets_name_is_secret("--api-key", 9));
	assert_true(secrets_name_is_secret("GITHUB_TOKEN", 12));
	assert_false(secrets_name_is_secret("PATH", 4));
	assert_false(secrets_name_is_secret("KUBERNETES_SERVICE_HOST", 23));
	assert_true(secrets_has_known_prefix("AKIAIOSFODNN7EXAMPLE"));
	assert_true(secrets_has_known_prefix("-----BEGIN RSA PRIVATE KEY-----"));
	assert_false(secrets_has_known_prefix("npm_config_cache=/tmp"));
	assert_false(secrets_has_known_prefix("hello"));
}

static char *write_key(const char *bytes)
{
	static char path[] = "/tmp/c2d-fpkey.XXXXXX";
	int fd;

	strcpy(path, "/tmp/c2d-fpkey.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	close(fd);
	return path;
}

/* The fingerprint: stable under one key, different under another, hex only, no trace of the
 * value; no key, no fingerprint. */
static void test_fingerprint(void **state)
{
	static const char v[] = "sk_live_4eC39HqLyjWDarjtT1zdp7dc";
	char a[SECRET_FP_LEN], b[SECRET_FP_LEN], c[SECRET_FP_LEN], d[SECRET_FP_LEN];
	char *path;

	secrets_key_clear();
	assert_int_equal(secrets_fingerprint(v, strlen(v), a), -EINVAL);
	assert_string_equal(a, "");

	path = write_key("cluster-key-0123456789abcdef\n");
	assert_int_equal(secrets_key_init(path), 0);
	assert_int_equal(secrets_fingerprint(v, strlen(v), a), 0);
	assert_int_equal(secrets_fingerprint(v, strlen(v), b), 0);
	assert_string_equal(a, b); /* the same secret, the same name: across pods and images */
	assert_int_equal(strlen(a), SECRET_FP_LEN - 1);
	assert_int_equal(strncmp(a, "hmac-sha256:", 12), 0);
	assert_int_equal(strspn(a + 12, "0123456789abcdef"), 32);
	assert_null(strstr(a, "4eC39HqL"));
	assert_int_equal(secrets_fingerprint("sk_live_other", 13, c), 0);
	assert_string_not_equal(a, c);
	/* the trailing newline of the key file is not part of the key */
	unlink(path);
	path = write_key("cluster-key-0123456789abcdef");
	assert_int_equal(secrets_key_init(path), 0);
	assert_int_equal(secrets_fingerprint(v, strlen(v), d), 0);
	assert_string_equal(a, d);
	unlink(path);
	/* another cluster's key: another name for the same secret */
	path = write_key("another-cluster-key-fedcba98765");
	assert_int_equal(secrets_key_init(path), 0);
	assert_int_equal(secrets_fingerprint(v, strlen(v), d), 0);
	assert_string_not_equal(a, d);
	unlink(path);
	/* a key too short to be one is refused, and leaves no key behind */
	path = write_key("short\n");
	assert_int_equal(secrets_key_init(path), -EINVAL);
	assert_int_equal(secrets_fingerprint(v, strlen(v), d), -EINVAL);
	unlink(path);
	assert_int_equal(secrets_key_init("/nonexistent/c2d-key"), -ENOENT);
	/* no file: a random key for this run */
	assert_int_equal(secrets_key_init(NULL), 0);
	assert_int_equal(secrets_fingerprint(v, strlen(v), d), 0);
	assert_string_not_equal(a, d);
	secrets_key_clear();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detectors),
		cmocka_unit_test(test_names_and_prefixes),
		cmocka_unit_test(test_fingerprint),
	};

	return cmocka_run_group_tests_name("secrets", tests, NULL, NULL);
}

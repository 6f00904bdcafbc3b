// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_policy_paths.c - agent/policy/policy*.c: path normalisation (policy_normalize_path) and
 * --storage-path (policy_add_storage_path).
 */
#include "policy_test.h"

/* ---- policy_normalize_path -------------------------------------------------------------- */

static void test_normalize(void **state)
{
	static const struct {
		const char *in, *out; /* out NULL: -EINVAL */
	} cases[] = {
		{"/a/./b", "/a/b"},
		{"/a/../b", "/b"},
		{"//a///b", "/a/b"},
		{"/../../etc/shadow", "/etc/shadow"},
		{"/a/b/../../..", "/"},
		{"/a/..", "/"},
		{"/a/b/", "/a/b"},
		{"/a/b//", "/a/b"},
		{"/", "/"},
		{"/.", "/"},
		{"//", "/"},
		{"/home/u/../../root/.aws/./credentials", "/root/.aws/credentials"},
		{"/a/..b/.c/...", "/a/..b/.c/..."},
		{"a/b", NULL},
		{"./a", NULL},
		{"", NULL},
	};
	char buf[256];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int rc;

		snprintf(buf, sizeof(buf), "%s", cases[i].in);
		rc = policy_normalize_path(buf);
		if (!cases[i].out) {
			if (rc != -EINVAL)
				fail_msg("\"%s\": rc %d, expected -EINVAL", cases[i].in, rc);
			continue;
		}
		if (rc != 0 || strcmp(buf, cases[i].out) != 0)
			fail_msg("\"%s\": rc %d, \"%s\", expected \"%s\"", cases[i].in, rc, buf,
				 cases[i].out);
	}
}

/* ---- policy_add_storage_path ------------------------------------------------------------ */

static void test_add_storage_path(void **state)
{
	static const struct {
		const char *in, *pattern; /* pattern NULL: refused */
	} cases[] = {
		{"/srv/data", "/srv/data/"},
		{"/srv/data/", "/srv/data/"},
		{"/", "/"},
		{"srv/data", NULL},
		{"./srv", NULL},
		{"", NULL},
		{"/srv//data", NULL},
		{"/srv/../etc", NULL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char err[256] = "";
		int rc;

		memset(&pol, 0, sizeof(pol));
		rc = policy_add_storage_path(&pol, cases[i].in, err, sizeof(err));
		if (!cases[i].pattern) {
			if (rc != -EINVAL || pol.n != 0 || !err[0])
				fail_msg("\"%s\": rc %d, %zu rules, err \"%s\"", cases[i].in, rc,
					 pol.n, err);
			continue;
		}
		if (rc != 0 || pol.n != 1)
			fail_msg("\"%s\": rc %d: %s", cases[i].in, rc, err);
		assert_string_equal(pol.rules[0].pattern, cases[i].pattern);
		assert_string_equal(pol.rules[0].name, "production-storage");
		assert_string_equal(pol.rules[0].severity, "high");
		assert_int_equal(pol.rules[0].kind, C2D_KIND_STORAGE_WRITE);
		assert_int_equal(pol.rules[0].match, C2D_MATCH_PREFIX);
		assert_true(pol.rules[0].enabled);
	}
}

static void test_add_storage_path_error_names_path(void **state)
{
	char err[256] = "";

	memset(&pol, 0, sizeof(pol));
	assert_int_equal(policy_add_storage_path(&pol, "srv/data", err, sizeof(err)), -EINVAL);
	assert_contains(err, "\"srv/data\"");
	assert_contains(err, "absolute");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_add_storage_path),
		cmocka_unit_test(test_add_storage_path_error_names_path),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/* test_links.c - collector/query/links.c: the URL forms labels carry, each forge's paths, refusals. */
#include <errno.h>

#include "links.h"
#include "unit/unit.h"

#define SHA "3f2a9c1e0b7d4c5a8e6f9a0b1c2d3e4f5a6b7c8d"
#define OLD "0123456789abcdef0123456789abcdef01234567"

static void expect_commit(const char *repo, const char *want)
{
	char out[256];
	int err = links_commit_url(repo, SHA, out, sizeof(out));

	if (err)
		fail_msg("%s: %d", repo, err);
	assert_string_equal(out, want);
}

static void test_commit_forms(void **state)
{
	expect_commit("https://github.com/acme/payments",
		      "https://github.com/acme/payments/commit/" SHA);
	expect_commit("https://github.com/acme/payments.git",
		      "https://github.com/acme/payments/commit/" SHA);
	expect_commit("https://github.com/acme/payments/",
		      "https://github.com/acme/payments/commit/" SHA);
	expect_commit("git@github.com:acme/payments.git",
		      "https://github.com/acme/payments/commit/" SHA);
	expect_commit("ssh://git@github.com/acme/payments.git",
		      "https://github.com/acme/payments/commit/" SHA);
	expect_commit("ssh://git@gitlab.acme.io:2222/grp/sub/app.git",
		      "https://gitlab.acme.io/grp/sub/app/-/commit/" SHA);
	expect_commit("https://gitlab.com/acme/payments",
		      "https://gitlab.com/acme/payments/-/commit/" SHA);
	expect_commit("git@gitlab.example.com:acme/billing.git",
		      "https://gitlab.example.com/acme/billing/-/commit/" SHA);
	expect_commit("https://gitea.example/acme/web",
		      "https://gitea.example/acme/web/commit/" SHA);
	expect_commit("https://bitbucket.org/acme/web",
		      "https://bitbucket.org/acme/web/commits/" SHA);
}

static void test_compare(void **state)
{
	char out[256];

	assert_int_equal(
	    links_compare_url("https://github.com/acme/p.git", OLD, SHA, out, sizeof(out)), 0);
	assert_string_equal(out, "https://github.com/acme/p/compare/" OLD "..." SHA);
	assert_int_equal(links_compare_url("git@gitlab.com:acme/p.git", OLD, SHA, out, sizeof(out)),
			 0);
	assert_string_equal(out, "https://gitlab.com/acme/p/-/compare/" OLD "..." SHA);
	assert_int_equal(
	    links_compare_url("https://bitbucket.org/acme/p", OLD, SHA, out, sizeof(out)),
	    -ENOTSUP);
}

static void test_refusals(void **state)
{
	char out[256], small[16];

	assert_int_equal(links_commit_url(NULL, SHA, out, sizeof(out)), -EINVAL);
	assert_int_equal(links_commit_url("", SHA, out, sizeof(out)), -EINVAL);
	assert_int_equal(links_commit_url("https://github.com/acme", SHA, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(links_commit_url("https://github.com", SHA, out, sizeof(out)), -EINVAL);
	assert_int_equal(links_commit_url("payments", SHA, out, sizeof(out)), -EINVAL);
	assert_int_equal(
	    links_commit_url("https://github.com/a/b\"><script>", SHA, out, sizeof(out)), -EINVAL);
	assert_int_equal(links_commit_url("https://github.com/a/b c", SHA, out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(links_commit_url("https://github.com/a/b", "../../x", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(links_commit_url("https://github.com/a/b", "", out, sizeof(out)), -EINVAL);
	assert_int_equal(links_compare_url("https://github.com/a/b", SHA, "a?b", out, sizeof(out)),
			 -EINVAL);
	assert_int_equal(links_commit_url("https://github.com/a/b", SHA, small, sizeof(small)),
			 -ENOSPC);
	assert_int_equal(links_repo_web("http://git.example/a/b.git", out, sizeof(out)), 0);
	assert_string_equal(out, "http://git.example/a/b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_commit_forms),
	    cmocka_unit_test(test_compare),
	    cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_demo.c - the README's main command does what it says: `make demo` (tests/demo/demo.sh)
 * builds two revisions, runs them as containers, and ends with the answer — both behaviours
 * introduced between revision A and revision B, and the trace of a finding of B — and the web
 * UI's address, then stops what it started. Run with C2D_DEMO_KEEP=1, it leaves the collector
 * up, and the web UI is then tested on the demo's data in a real headless Chromium
 * (tests/ui/ui_test.mjs: timeline, trace, origins, a hostile path, a wrong token; screenshots
 * in build/ui-screenshots/).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "harness.h"

static void expect_line(const char *out, const char *want)
{
	if (!strstr(out, want)) {
		fprintf(stderr, "demo output lacks \"%s\":\n%s\n", want, out);
		fail();
	}
}

#define COMMIT_A "9f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d"
#define COMMIT_B "4b7e1a9c3d5f2e8a6c0b9d7f1e3a5c2b8d4f6e0a"

/* What the demo left running with C2D_DEMO_KEEP=1 (from its last lines). */
static char ui_url[256], work[256];
static int collector_pid;

static void kept(const char *out)
{
	const char *u = strstr(out, "demo: the web UI: "), *k = strstr(out, "collector pid ");

	if (u)
		sscanf(u, "demo: the web UI: %255s", ui_url);
	if (k)
		sscanf(k, "collector pid %d, work dir %255s", &collector_pid, work);
}

static int teardown(void **state)
{
	char cmd[320];

	if (collector_pid > 0)
		kill(collector_pid, SIGTERM);
	if (!strncmp(work, "/tmp/c2d-demo.", 14) && !strchr(work, '\'')) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		return system(cmd) == 0 ? 0 : -1;
	}
	return 0;
}

static void test_demo_answers(void **state)
{
	static char out[1 << 20], err[1 << 16];
	char *argv[] = {"tests/demo/demo.sh", NULL};
	int st;

	setenv("C2D_DEMO_KEEP", "1", 1);
	assert_int_equal(h_run_capture(argv, &st, out, sizeof(out), err, sizeof(err)), 0);
	unsetenv("C2D_DEMO_KEEP");
	kept(out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "demo failed (%d):\n%s\n%s\n", st, out, err);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	for (int i = 1; i <= 7; i++) { /* a progress line per step */
		char step[16];

		snprintf(step, sizeof(step), "[%d/7]", i);
		expect_line(out, step);
	}
	expect_line(out, "credential_read k8s-serviceaccount-token "
			 "/var/run/secrets/kubernetes.io/serviceaccount/token by /bin/busybox: "
			 "introduced between 9f1c2d3e4a5b (pipeline 812) and 4b7e1a9c3d5f "
			 "(pipeline 813)");
	expect_line(out, "storage_write production-storage /srv/prod-data/orders.db by "
			 "/bin/busybox: introduced between 9f1c2d3e4a5b (pipeline 812) and "
			 "4b7e1a9c3d5f (pipeline 813)");
	{ /* the key baked into B's image: by its fingerprint (a random key here), introduced by B */
		const char *l = strstr(out, "secret_exposure secret-exposure hmac-sha256:");
		const char *eol = l ? strchr(l, '\n') : NULL;
		const char *in = l ? strstr(l, ": introduced between 9f1c2d3e4a5b (pipeline 812) and "
					       "4b7e1a9c3d5f (pipeline 813)")
				   : NULL;

		if (!l || !eol || !in || in > eol) {
			fprintf(stderr, "demo output lacks the secret's introduction:\n%s\n", out);
			fail();
		}
	}
	/* and the key itself: by fingerprint, its name, detector and origin (B's image config has
	 * it, read from containerd's content store), the workload and the first commit and
	 * pipeline that carried it */
	expect_line(out, "$ c2d exposures --workload shop/checkout");
	expect_line(out, "STRIPE_KEY  stripe-secret-key  image");
	expect_line(out, "shop/checkout  4b7e1a9c3d5f  813");
	expect_line(out, "https://github.com/acme/checkout/compare/"
			 "9f1c2d3e4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d..."
			 "4b7e1a9c3d5f2e8a6c0b9d7f1e3a5c2b8d4f6e0a");
	expect_line(out, "commit         4b7e1a9c3d5f2e8a6c0b9d7f1e3a5c2b8d4f6e0a");
	expect_line(out, "pipeline       813");
	expect_line(out, "pod            shop/checkout-7c6b5d4f8-q7x2k");
	expect_line(out, "demo: done");
	/* it ends with the UI's address, and the collector behind it kept for a browser */
	expect_line(out, "demo: the web UI: http://127.0.0.1:");
	assert_non_null(strstr(ui_url, "/ui/"));
	assert_true(collector_pid > 0 && kill(collector_pid, 0) == 0);
	/* and nothing else it made is left behind */
	assert_int_equal(system("ctr -n default images ls -q | grep -q '^demo/checkout'"), 256);
}

/* The web UI on the demo's data, in Debian's Chromium. */
static void test_ui_in_a_browser(void **state)
{
	static char out[1 << 16], err[1 << 16];
	char server[256], token[320];
	char *argv[] = {"/usr/bin/env", "node", "tests/ui/ui_test.mjs", server, token, "build/ui-screenshots",
			COMMIT_A, COMMIT_B, NULL};
	int st;

	assert_true(collector_pid > 0); /* the demo ran and kept its collector */
	snprintf(server, sizeof(server), "%.*s", (int)(strstr(ui_url, "/ui/") - ui_url), ui_url);
	snprintf(token, sizeof(token), "%s/token", work);
	assert_int_equal(h_run_capture(argv, &st, out, sizeof(out), err, sizeof(err)), 0);
	print_message("%s", out);
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		fprintf(stderr, "ui test failed (%d):\n%s\n", st, err);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_non_null(strstr(out, "ui: all checks passed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_demo_answers),
					   cmocka_unit_test(test_ui_in_a_browser)};

	return cmocka_run_group_tests(tests, NULL, teardown);
}

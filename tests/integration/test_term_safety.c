// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_term_safety.c - what a workload chose cannot reach an analyst's terminal raw. A real
 * container whose image label (the repository), pod name, argv and file path hold terminal
 * escapes (retitle, clear screen), a newline that would forge a table row and a right-to-left
 * override reads its AWS credentials; the real agent ships the finding to the real collector.
 * `c2d findings` (table and wide) and `c2d trace` contain none of those bytes (checked byte by
 * byte) and exactly the lines they should, while `-o json` gives every string back exactly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "harness_collector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define NS "default"
#define IMAGE "c2d/hostile:rev-x"
#define EVIL "\x1b]0;pwned\a\x1b[2J\nFAKE credential_read \xe2\x80\xaegnp.exe"
#define REPO "https://git.example/acme/app" EVIL
#define POD "web-7d9f8c6b5-x2x4q" EVIL
/* in the container: the directory name holds EVIL; busybox printf makes the bytes */
#define DIR_PRINTF "/tmp/d\\033]0;pwned\\007\\033[2J\\nFAKE credential_read \\342\\200\\256gnp.exe"
#define PATH "/tmp/d" EVIL "/.aws/credentials"

static struct h_collector col;
static char ctr_id[64], cli_out[1 << 16];

/* argv without a shell: the hostile bytes go through as they are. */
static int run(char *const argv[])
{
	char out[4096], err[4096];
	int st;

	if (h_run_capture(argv, &st, out, sizeof(out), err, sizeof(err)) < 0)
		return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st))
		fprintf(stderr, "%s: %s", argv[0], err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int setup(void **state)
{
	char label[512];
	char *build[] = {"tests/integration/images/build_image.sh", NS, IMAGE, label, NULL};

	snprintf(label, sizeof(label), "org.opencontainers.image.source=%s", REPO);
	snprintf(ctr_id, sizeof(ctr_id), "c2d-hostile-%d", getpid());
	return run(build) == 0 && h_collector_start(&col) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	h_sh("ctr -n %s containers rm %s >/dev/null 2>&1", NS, ctr_id);
	h_sh("ctr -n %s images rm %s >/dev/null 2>&1", NS, IMAGE);
	h_collector_free(&col);
	return 0;
}

/* The ESC, BEL and RLO bytes, and more lines than the output should have: none. */
static void assert_inert(const char *out, int max_lines)
{
	int lines = 0;

	for (const char *p = out; *p; p++) {
		unsigned char c = (unsigned char)*p;

		assert_false(c == 0x1b || c == 0x07 || c == 0x7f);
		assert_false(c < 0x20 && c != '\n');
		if (c == 0xe2 && p[1] == (char)0x80 && p[2] == (char)0xae)
			fail_msg("a raw right-to-left override in: %s", out);
		lines += c == '\n';
	}
	assert_true(lines <= max_lines);
}

static void test_hostile_strings_are_inert_and_json_is_exact(void **state)
{
	char pod_label[600], script[600];
	char *ctr[] = {"/usr/bin/ctr", "-n", NS, "run", "--rm", "--label", pod_label, "--label",
		       "io.kubernetes.pod.namespace=shop", "--label",
		       "io.kubernetes.container.name=web", IMAGE, ctr_id, "/bin/sh", "-c", script, NULL};
	const char *args[16], *q[] = {"findings", "--rule", "aws-credentials", NULL};
	struct h_agent *a;
	cJSON *j = NULL;
	char id[96], sql[128], sd[300];
	int n;

	snprintf(pod_label, sizeof(pod_label), "io.kubernetes.pod.name=%s", POD);
	snprintf(script, sizeof(script),
		 "d=$(printf '%s'); mkdir -p \"$d/.aws\" && echo placeholder > \"$d/.aws/credentials\" "
		 "&& cat \"$d/.aws/credentials\" >/dev/null",
		 DIR_PRINTF);
	h_collector_agent_args(&col, args);
	snprintf(sd, sizeof(sd), "%s/agent-state", col.dir); /* not the default's spool */
	args[4] = "--batch-age-ms";
	args[5] = "100";
	args[6] = "--k8s-api";
	args[7] = "none";
	args[8] = "--state-dir";
	args[9] = sd;
	args[10] = NULL;
	a = h_agent_start(args);
	assert_non_null(a);
	assert_int_equal(run(ctr), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE rule = 'aws-credentials'");
	for (int i = 0; i < 120 && h_collector_count(&col, sql) < 1; i++)
		h_agent_pump(a, 250);
	assert_int_equal(h_agent_stop(a), 0);
	assert_true(h_collector_count(&col, sql) >= 1);

	/* JSON: every string exactly as the workload wrote it */
	j = h_cli_json(&col, q);
	assert_non_null(j);
	{
		const cJSON *f = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "findings"), 0);

		n = cJSON_GetArraySize(cJSON_GetObjectItem(j, "findings")); /* the write and the read */
		assert_string_equal(h_str(f, "target"), PATH);
		assert_string_equal(h_str(f, "pod"), POD);
		snprintf(id, sizeof(id), "%s", h_str(f, "id"));
	}
	cJSON_Delete(j);
	{
		const char *t[] = {"trace", id, NULL};

		char *pargs;

		j = h_cli_json(&col, t);
		assert_non_null(j);
		assert_string_equal(h_str(j, "event.file.path"), PATH);
		assert_string_equal(h_str(j, "provenance.repository"), REPO);
		assert_string_equal(h_str(j, "pod.name"), POD);
		pargs = cJSON_PrintUnformatted(h_get(j, "process.args"));
		assert_non_null(pargs);
		assert_non_null(strstr(pargs, "pwned"));
		free(pargs);
		cJSON_Delete(j);
	}

	/* tables and the trace: inert, no forged line */
	assert_int_equal(h_cli(&col, cli_out, sizeof(cli_out), q), 0);
	assert_inert(cli_out, n + 2); /* the header, one line per finding, "N findings" */
	assert_non_null(strstr(cli_out, "\\e]0;pwned\\x07\\e[2J\\nFAKE"));
	{
		const char *w[] = {"findings", "--rule", "aws-credentials", "-o", "wide", NULL};

		assert_int_equal(h_cli(&col, cli_out, sizeof(cli_out), w), 0);
		assert_inert(cli_out, n + 2);
		assert_non_null(strstr(cli_out, "\\u202egnp.exe"));
	}
	{
		const char *t[] = {"trace", id, NULL};

		assert_int_equal(h_cli(&col, cli_out, sizeof(cli_out), t), 0);
		assert_inert(cli_out, 40);
		assert_non_null(strstr(cli_out, "repository"));
		assert_null(strstr(cli_out, "\nFAKE")); /* never at the start of a line */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hostile_strings_are_inert_and_json_is_exact),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cli.c - the c2d CLI against the real collector, as a person and a script use it:
 * paging through 3,000 findings (many with the same timestamp, so the cursor's tie-break is
 * exercised) gives each exactly once with --all; the first page says "3,000 findings match"
 * on stderr; a full stdout is an error (exit 4), not a silent success; help and version exit
 * 0 wherever they are asked for; the completion script loads in bash; exit codes: 1 for an
 * unknown event id, 2 for a usage error, 3 for a refused token and an unreachable server;
 * `c2d diff` between two revisions of a workload whose cloud role changed shows the collector's
 * identity_change, the new behaviour and both roles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>


#include "harness.h"
#include "harness_collector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define NEVENTS 3000
#define BATCH	500

static struct h_collector col;

/* POST events [from, to): 60 distinct timestamps only, so pages split runs of equal times. */
static void post(int from, int to)
{
	char *body = calloc(1, 1 << 20);
	size_t len = 0;
	long code;

	for (int i = from; i < to; i++)
		len += (size_t)snprintf(
		    body + len, (1 << 20) - len,
		    "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"c11c11c11c11c11c-%016x\","
		    "\"time\":\"2026-06-01T12:00:%02d.000000001Z\",\"kind\":\"credential_read\","
		    "\"rule\":\"etc-shadow\",\"severity\":\"high\",\"outcome\":\"success\","
		    "\"node\":{\"name\":\"node-1\"},\"process\":{\"pid\":%d,\"uid\":0,\"comm\":\"cat\","
		    "\"executable\":\"/bin/cat\"},\"syscall\":{\"name\":\"openat\"},"
		    "\"file\":{\"path\":\"/etc/shadow\"},\"k8s\":{\"namespace\":\"shop\",\"pod\":"
		    "\"web-1\",\"workload\":{\"kind\":\"Deployment\",\"name\":\"web\"}}}\n",
		    i, i % 60, 1000 + i);
	code = h_collector_post(&col, body);
	assert_true(code >= 200 && code < 300);
	free(body);
}

static int setup(void **state)
{
	if (h_collector_start(&col) < 0)
		return -1;
	for (int i = 0; i < NEVENTS; i += BATCH)
		post(i, i + BATCH);
	return h_collector_count(&col, "SELECT count(*) FROM events") == NEVENTS ? 0 : -1;
}

static int teardown(void **state)
{
	h_collector_free(&col);
	return 0;
}

/* build/c2d with the collector's flags, then args and a shell redirection; its exit status. */
static int C2D(const char *args, const char *redirect)
{
	char cmd[2048];
	int st;

	snprintf(cmd, sizeof(cmd), "%s --server %s --token-file %s %s %s",
		 getenv("C2D_CLI") ? getenv("C2D_CLI") : "build/c2d", col.url, col.token_file, args,
		 redirect);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_all_pages_each_finding_once(void **state)
{
	char path[300], line[4096];
	static char seen[NEVENTS];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/all.ndjson", col.dir);
	snprintf(line, sizeof(line), "> %s", path);
	/* flags after the command; 13 pages of 250 (the last one short) */
	assert_int_equal(C2D("findings --all --limit 250 -o ndjson", line), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		cJSON *j = cJSON_Parse(line);
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(j, "id"));
		unsigned seq;

		assert_non_null(id);
		assert_int_equal(sscanf(id, "c11c11c11c11c11c-%x", &seq), 1);
		assert_true(seq < NEVENTS);
		assert_int_equal(seen[seq], 0); /* never twice */
		seen[seq] = 1;
		n++;
		cJSON_Delete(j);
	}
	fclose(f);
	assert_int_equal(n, NEVENTS); /* and none missing */
}

static void test_first_page_says_how_many(void **state)
{
	char redirect[400], err[4096] = "";
	FILE *f;

	snprintf(redirect, sizeof(redirect), "> /dev/null 2> %s/err.txt", col.dir);
	assert_int_equal(C2D("findings", redirect), 0);
	snprintf(redirect, sizeof(redirect), "%s/err.txt", col.dir);
	f = fopen(redirect, "r");
	assert_non_null(f);
	assert_true(fread(err, 1, sizeof(err) - 1, f) > 0);
	fclose(f);
	assert_non_null(strstr(err, "3,000 findings match; showing 100"));
	assert_non_null(strstr(err, "--cursor "));
}

static void test_write_error_is_an_error(void **state)
{
	assert_int_equal(C2D("findings", "> /dev/full 2>/dev/null"), 4);
	assert_int_equal(C2D("findings -o json", "> /dev/full 2>/dev/null"), 4);
	assert_int_equal(C2D("--version", "> /dev/full 2>/dev/null"), 4);
}

static void test_help_version_completion(void **state)
{
	const char *bin = getenv("C2D_CLI") ? getenv("C2D_CLI") : "build/c2d";
	char cmd[512];

	assert_int_equal(C2D("findings --help", "> /dev/null"), 0);
	assert_int_equal(C2D("trace -h", "> /dev/null"), 0);
	assert_int_equal(C2D("help introduced", "> /dev/null"), 0);
	assert_int_equal(C2D("--version", "| grep -q '^c2d [0-9.]* (git '"), 0);
	snprintf(cmd, sizeof(cmd),
		 "bash -c 'source <(%s completion bash) && complete -p c2d | grep -q _c2d && "
		 "COMP_WORDS=(c2d findings --ki) COMP_CWORD=2 && _c2d && "
		 "[ \"${COMPREPLY[*]}\" = --kind ]'",
		 bin);
	assert_int_equal(WEXITSTATUS(system(cmd)), 0);
}

static void test_exit_codes(void **state)
{
	char cmd[1024];

	assert_int_equal(C2D("trace no-such-event", "> /dev/null 2>&1"), 1);
	assert_int_equal(C2D("findings --rule no-such-rule", "> /dev/null 2>&1"), 1);
	assert_int_equal(C2D("findings --by commit", "> /dev/null 2>&1"), 2);
	assert_int_equal(C2D("nonsense", "> /dev/null 2>&1"), 2);
	snprintf(cmd, sizeof(cmd), "echo wrong-token > %s/wrong && %s --server %s --token-file "
		 "%s/wrong findings > /dev/null 2>&1",
		 col.dir, getenv("C2D_CLI") ? getenv("C2D_CLI") : "build/c2d", col.url, col.dir);
	assert_int_equal(WEXITSTATUS(system(cmd)), 3);
	snprintf(cmd, sizeof(cmd), "%s --server http://127.0.0.1:%d findings > /dev/null 2>&1",
		 getenv("C2D_CLI") ? getenv("C2D_CLI") : "build/c2d", h_free_port());
	assert_int_equal(WEXITSTATUS(system(cmd)), 3);
}

/* shop/api revision REV (deploy commit D) with an IRSA role ROLE reads PATH. */
static void post_api(int seq, int sec, const char *rev, const char *d, const char *role,
		     const char *path)
{
	char body[2048];

	snprintf(body, sizeof(body),
		 "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"d1ffd1ffd1ffd1ff-%016x\","
		 "\"time\":\"2026-06-02T12:00:%02d.5Z\",\"kind\":\"credential_read\","
		 "\"rule\":\"etc-shadow\",\"severity\":\"high\",\"outcome\":\"success\","
		 "\"node\":{\"name\":\"node-1\"},\"process\":{\"pid\":7,\"executable\":"
		 "\"/bin/cat\"},\"syscall\":{\"name\":\"openat\"},\"file\":{\"path\":\"%s\"},"
		 "\"container\":{\"id\":\"c\","
		 "\"name\":\"api\"},\"k8s\":{\"namespace\":\"shop\",\"pod\":\"api-1\","
		 "\"container\":\"api\",\"workload\":{\"kind\":\"Deployment\",\"name\":\"api\"},"
		 "\"identity\":{\"service_account\":\"api\",\"cloud\":[{\"provider\":\"aws\","
		 "\"key\":\"eks.amazonaws.com/role-arn\",\"value\":\"%s\"}],"
		 "\"automount_token\":true}},\"provenance\":{\"commit\":\"%s\","
		 "\"repository\":\"https://github.com/acme/api\",\"deploy_commit\":\"%s\"}}\n",
		 seq, sec, path, role, rev, d);
	assert_int_equal(h_collector_post(&col, body) / 100, 2);
}

static void test_diff_shows_a_new_role(void **state)
{
	const char *ro = "arn:aws:iam::111122223333:role/api-ro";
	const char *admin = "arn:aws:iam::111122223333:role/api-admin";
	char out[16384];

	post_api(1, 1, "1111111111111111111111111111111111111111", "dddd0001", ro, "/etc/shadow");
	post_api(2, 9, "2222222222222222222222222222222222222222", "dddd0002", admin, "/etc/shadow");
	post_api(3, 10, "2222222222222222222222222222222222222222", "dddd0002", admin,
		 "/root/.aws/credentials");
	/* the collector made one identity_change, in revision 2 */
	assert_int_equal(h_collector_count(&col, "SELECT count(*) FROM events WHERE kind ="
					   " 'identity_change' AND workload_name = 'api' AND"
					   " revision LIKE '2222%'"), 1);
	/* `c2d diff` with the revisions as arguments (prefixes), as a person types it */
	assert_int_equal(h_cli(&col, out, sizeof(out),
			       (const char *const[]){"diff", "--workload", "shop/api", "1111111",
						     "2222222", NULL}), 0);
	assert_non_null(strstr(out, "+ credential_read etc-shadow /root/.aws/credentials by /bin/cat"));
	assert_non_null(strstr(out, "+ container api: sa=api aws=arn:aws:iam::111122223333:role/api-admin"));
	assert_non_null(strstr(out, "- container api: sa=api aws=arn:aws:iam::111122223333:role/api-ro"));
	assert_non_null(strstr(out, "deploy commit dddd0002"));
	assert_non_null(strstr(out, "compare: https://github.com/acme/api/compare/"));
	/* and `c2d introduced` lists the change like a behaviour, introduced between the two */
	assert_int_equal(h_cli(&col, out, sizeof(out),
			       (const char *const[]){"introduced", "--workload", "shop/api", NULL}),
			 0);
	assert_non_null(strstr(out, "identity_change identity-change sa=api aws=arn:aws:iam::"
				    "111122223333:role/api-admin: introduced between 111111111111"));
	/* the same names twice is a usage error */
	assert_int_equal(C2D("diff --workload shop/api 1111111 --from 1111111", "> /dev/null 2>&1"),
			 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_all_pages_each_finding_once),
	    cmocka_unit_test(test_first_page_says_how_many),
	    cmocka_unit_test(test_write_error_is_an_error),
	    cmocka_unit_test(test_help_version_completion),
	    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_diff_shows_a_new_role),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

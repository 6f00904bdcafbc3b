// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_roles.c - the collector's token roles against the real binary: an ingest token cannot
 * read (403), a read token cannot ingest (403), a token bound to a node cannot write another
 * node's events (403) but writes its own (202); SIGHUP re-reads the token files instead of
 * killing the collector (a rotated read token takes over at once), removing a token file
 * revokes its tokens, and a world-readable token file is refused at start-up.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "harness_collector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static struct h_collector col;
static char ingest_file[320], read_file[320];

static size_t discard(char *p, size_t sz, size_t n, void *u)
{
	return sz * n;
}

/* POST one event of `node` (NULL: GET /v1/findings) with token; the HTTP status. */
static long call(const char *token, const char *node)
{
	char url[128], auth[256], body[1024];
	struct curl_slist *h = NULL;
	CURL *cu = curl_easy_init();
	long code = 0;

	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	h = curl_slist_append(curl_slist_append(h, auth), "Content-Type: application/x-ndjson");
	snprintf(url, sizeof(url), "%s%s", col.url, node ? "/v1/events" : "/v1/findings");
	if (node) {
		snprintf(body, sizeof(body),
			 "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"a0a0a0a0a0a0a0a0-%016lx\","
			 "\"time\":\"2026-06-01T12:00:00Z\",\"kind\":\"credential_read\",\"rule\":"
			 "\"etc-shadow\",\"severity\":\"high\",\"outcome\":\"success\",\"node\":{"
			 "\"name\":\"%s\"},\"process\":{\"pid\":1},\"syscall\":{\"name\":\"openat\"},\"file\":{\"path\":\"/etc/shadow\"}}\n",
			 (unsigned long)random(), node);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
	}
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(cu) == CURLE_OK)
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	curl_easy_cleanup(cu);
	return code;
}

static void put(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static int setup(void **state)
{
	FILE *f;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* the first start makes the dir and the both-roles token; then the role files */
	if (h_collector_start(&col) < 0 || h_collector_stop(&col, SIGTERM) < 0)
		return -1;
	snprintf(ingest_file, sizeof(ingest_file), "%s/ingest-tokens", col.dir);
	snprintf(read_file, sizeof(read_file), "%s/read-tokens", col.dir);
	put(ingest_file, "# agents\nagent-any-0001\nagent-n1-0001 node=node-1\n", 0600);
	put(read_file, "reader-0001\n", 0640);
	snprintf(col.config, sizeof(col.config), "%s/collector.conf", col.dir);
	f = fopen(col.config, "w");
	if (!f)
		return -1;
	fprintf(f, "ingest-token-file = %s\nread-token-file = %s\n", ingest_file, read_file);
	fclose(f);
	return h_collector_start(&col);
}

static int teardown(void **state)
{
	h_collector_free(&col);
	curl_global_cleanup();
	return 0;
}

static void test_roles_are_separate(void **state)
{
	assert_int_equal(call("agent-any-0001", "node-7"), 202);
	assert_int_equal(call("agent-any-0001", NULL), 403); /* an ingest token cannot read */
	assert_int_equal(call("reader-0001", NULL), 200);
	assert_int_equal(call("reader-0001", "node-7"), 403); /* a read token cannot ingest */
	assert_int_equal(call("nobody", NULL), 401);
	assert_int_equal(call("nobody", "node-7"), 401);
}

static void test_node_bound_token(void **state)
{
	assert_int_equal(call("agent-n1-0001", "node-1"), 202);
	assert_int_equal(call("agent-n1-0001", "node-2"), 403);
	assert_int_equal(h_collector_count(&col, "SELECT count(*) FROM events WHERE node = 'node-2'"),
			 0);
}

static void test_sighup_reloads_and_removal_revokes(void **state)
{
	/* same size, same second: only SIGHUP is sure to notice */
	put(read_file, "reader-0002\n", 0600);
	assert_int_equal(kill(col.pid, SIGHUP), 0);
	usleep(300 * 1000);
	assert_int_equal(kill(col.pid, 0), 0); /* alive: SIGHUP no longer kills it */
	assert_int_equal(call("reader-0002", NULL), 200);
	assert_int_equal(call("reader-0001", NULL), 401);
	unlink(read_file);
	assert_int_equal(call("reader-0002", NULL), 401);
	put(read_file, "reader-0002\n", 0644); /* back, but readable by everyone: still refused */
	assert_int_equal(call("reader-0002", NULL), 401);
	assert_int_equal(chmod(read_file, 0600), 0);
	assert_int_equal(call("reader-0002", NULL), 200);
}

static void test_world_readable_refused_at_start(void **state)
{
	const char *bin = getenv("C2D_COLLECTOR") ? getenv("C2D_COLLECTOR") : "build/c2d-collector-san";
	char cmd[1200];
	int st;

	assert_int_equal(chmod(col.token_file, 0644), 0);
	snprintf(cmd, sizeof(cmd),
		 "%s --listen 127.0.0.1:%d --db %s/other.db --token-file %s 2>&1 | "
		 "grep -q 'readable or writable by every user (mode 0644)'",
		 bin, h_free_port(), col.dir, col.token_file);
	st = system(cmd);
	assert_int_equal(chmod(col.token_file, 0600), 0);
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roles_are_separate),
	    cmocka_unit_test(test_node_bound_token),
	    cmocka_unit_test(test_sighup_reloads_and_removal_revokes),
	    cmocka_unit_test(test_world_readable_refused_at_start),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_origin.c - the question cloud2dev exists to answer, end to end on this node: four
 * revisions of one workload run as real containers (containerd + runc), the real agent ships
 * what it sees to the real collector on loopback, and the c2d CLI says which revision
 * introduced each behaviour.
 *
 *   A (commit 1111…, pipeline 100): reads only its own config — no finding, but it ran;
 *   B (commit 2222…, pipeline 101): reads the service-account token, writes production data;
 *   C (commit 3333…, pipeline 102): like A;
 *   D (commit 4444…, pipeline 103): like B again.
 *
 * Expected: both behaviours "introduced between A and B", reintroduced in D (absent in C);
 * `c2d trace` of a finding of B shows commit B, its repository, pipeline 101 and the pod.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "harness_collector.h"

#define NS "default"
#define REPO "https://github.com/acme/shop-api"
#define POD_NS "prod"
#define WORKLOAD POD_NS "/shop-api"
#define STORAGE "/srv/prod-data"
#define WAIT_MS 30000

struct revision {
	char letter;
	const char *commit, *pipeline, *rs_hash;
	bool bad; /* reads the token and writes production data */
};

static const struct revision revs[] = {
	{'a', "1111111111111111111111111111111111111111", "100", "5d8f7c9b6", false},
	{'b', "2222222222222222222222222222222222222222", "101", "7c6b5d4f8", true},
	{'c', "3333333333333333333333333333333333333333", "102", "6f5d4c8b7", false},
	{'d', "4444444444444444444444444444444444444444", "103", "8b7c6d5f9", true},
};

static struct h_collector col;
static struct h_agent *agent;

static int build_images(void)
{
	for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]); i++) {
		const struct revision *r = &revs[i];

		if (h_sh("tests/integration/images/build_image.sh %s c2d/shop-api:%c "
		       "org.opencontainers.image.revision=%s "
		       "org.opencontainers.image.source=" REPO " "
		       "org.opencontainers.image.version=1.%d.0 "
		       "org.opencontainers.image.created=2026-11-2%dT09:00:00Z "
		       "dev.cloud2dev.pipeline.id=%s "
		       "dev.cloud2dev.pipeline.url=https://ci.example/acme/shop-api/pipelines/%s",
		       NS, r->letter, r->commit, (int)i, (int)i + 1, r->pipeline, r->pipeline) != 0)
			return -1;
	}
	return 0;
}

static long long stored(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static long long stored(const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	return h_collector_count(&col, sql);
}

/* Pump the agent until the collector has at least n rows for the query. */
static bool wait_stored(long long n, const char *sql)
{
	for (int i = 0; i < WAIT_MS / 100; i++) {
		if (stored("%s", sql) >= n)
			return true;
		h_agent_pump(agent, 100);
	}
	fprintf(stderr, "collector has %lld of %lld rows for: %s\n", stored("%s", sql), n, sql);
	return false;
}

/* One pod of the Deployment shop-api at revision r runs to completion. */
static int run_revision(const struct revision *r)
{
	char id[64], sql[512];

	snprintf(id, sizeof(id), "c2d-origin-%c-%d", r->letter, getpid());
	if (h_sh("ctr -n %s run --rm --label io.kubernetes.pod.name=shop-api-%s-q7x2k "
	       "--label io.kubernetes.pod.namespace=" POD_NS " "
	       "--label io.kubernetes.pod.uid=0000000%c-9d41-4a7e-8c55-1f2e3d4c5b6a "
	       "--label io.kubernetes.container.name=api c2d/shop-api:%c %s /bin/sh -c '%s' "
	       ">/dev/null",
	       NS, r->rs_hash, r->letter, r->letter, id,
	       r->bad ? "cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null; "
			"mkdir -p " STORAGE " && echo order >" STORAGE "/orders.db"
		      : "cat /etc/app/config >/dev/null; sleep 0.2") != 0)
		return -1;
	/* its start (and its findings) are stored before the next revision runs: the order of
	 * revisions is the order they were first seen */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE container_id = '%s' AND kind = "
		 "'container_start' AND commit_sha = '%s'",
		 id, r->commit);
	if (!wait_stored(1, sql))
		return -1;
	if (r->bad) {
		snprintf(sql, sizeof(sql),
			 "SELECT count(DISTINCT rule) FROM events WHERE container_id = '%s' AND "
			 "rule IN ('k8s-serviceaccount-token', 'production-storage')",
			 id);
		if (!wait_stored(2, sql))
			return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	static char sd[300];
	const char *args[10] = {"--storage-path", STORAGE};

	if (build_images() < 0 || h_collector_start(&col) < 0)
		return -1;
	h_collector_agent_args(&col, &args[2]);
	/* its own spool: not the default's, which another run may have left events in */
	snprintf(sd, sizeof(sd), "%s/agent-state", col.dir);
	args[6] = "--state-dir";
	args[7] = sd;
	args[8] = NULL;
	agent = h_agent_start(args);
	if (!agent)
		return -1;
	for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]); i++)
		if (run_revision(&revs[i]) < 0)
			return -1;
	return 0;
}

static int group_teardown(void **state)
{
	int rc = agent ? h_agent_stop(agent) : 0;

	h_collector_free(&col);
	for (size_t i = 0; i < sizeof(revs) / sizeof(revs[0]); i++)
		h_sh("ctr -n %s images rm c2d/shop-api:%c >/dev/null 2>&1", NS, revs[i].letter);
	return rc;
}

static const cJSON *find_behaviour(const cJSON *intro, const char *rule)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(intro, "behaviours"))
		if (h_str(b, "rule") && !strcmp(h_str(b, "rule"), rule))
			return b;
	return NULL;
}

static void test_introduced_between_a_and_b_then_reintroduced(void **state)
{
	static const char *const args[] = {"introduced", "--workload", WORKLOAD, NULL};
	static const char *const rules[] = {"k8s-serviceaccount-token", "production-storage"};
	static char human[1 << 16];
	cJSON *intro = h_cli_json(&col, args);

	assert_non_null(intro);
	h_expect_str(intro, "workload.name", "shop-api");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(intro, "revisions")), 4);
	/* exactly the workload's two behaviours: the runtime setting each container up (runc's
	 * mounts, pivot_root, setuid, keyctl) is not the workload's doing */
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(intro, "behaviours")), 2);
	for (size_t i = 0; i < 2; i++) {
		const cJSON *b = find_behaviour(intro, rules[i]);

		assert_non_null(b);
		h_expect_str(b, "introduced_in.commit", revs[1].commit);
		h_expect_str(b, "introduced_in.pipeline_id", "101");
		h_expect_str(b, "previous.commit", revs[0].commit);
		h_expect_str(b, "previous.pipeline_id", "100");
		assert_true(cJSON_IsTrue(cJSON_GetObjectItem(b, "reintroduced")));
		h_expect_str(b, "reintroduced_in.commit", revs[3].commit);
		h_expect_str(b, "absent_in.commit", revs[2].commit);
		h_expect_str(b, "compare_url",
			     REPO "/compare/1111111111111111111111111111111111111111..."
				  "2222222222222222222222222222222222222222");
	}
	/* the token read's target is the file as the kernel resolved it */
	h_expect_str(find_behaviour(intro, rules[0]), "target",
		     "/var/run/secrets/kubernetes.io/serviceaccount/token");
	cJSON_Delete(intro);

	/* and the sentence a person reads */
	assert_int_equal(h_cli(&col, human, sizeof(human), args), 0);
	assert_non_null(strstr(human, "introduced between"));
	assert_non_null(strstr(human, "reintroduced"));
	assert_non_null(strstr(human, "111111111111"));
	assert_non_null(strstr(human, "222222222222"));
}

static void test_trace_of_a_finding_of_b(void **state)
{
	char id[64], sql[512];
	const char *args[] = {"trace", id, NULL};
	cJSON *tr;

	/* the event id of B's token read, from the store */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE commit_sha = '%s' AND rule = "
		 "'k8s-serviceaccount-token'",
		 revs[1].commit);
	assert_true(stored("%s", sql) >= 1);
	{
		static const char *const fargs[] = {"findings", "--commit",
						    "2222222222222222222222222222222222222222",
						    "--rule", "k8s-serviceaccount-token", NULL};
		cJSON *f = h_cli_json(&col, fargs);
		const cJSON *first;

		assert_non_null(f);
		first = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "findings"), 0);
		assert_non_null(first);
		snprintf(id, sizeof(id), "%s", h_str(first, "id"));
		cJSON_Delete(f);
	}
	tr = h_cli_json(&col, args);
	assert_non_null(tr);
	h_expect_str(tr, "provenance.commit", revs[1].commit);
	h_expect_str(tr, "provenance.repository", REPO);
	h_expect_str(tr, "provenance.pipeline_id", "101");
	h_expect_str(tr, "provenance.pipeline_url", "https://ci.example/acme/shop-api/pipelines/101");
	h_expect_str(tr, "pod.name", "shop-api-7c6b5d4f8-q7x2k");
	h_expect_str(tr, "pod.namespace", POD_NS);
	h_expect_str(tr, "workload.kind", "Deployment");
	h_expect_str(tr, "workload.name", "shop-api");
	h_expect_str(tr, "process.executable", "/bin/busybox");
	h_expect_str(tr, "links.commit_url", REPO "/commit/" "2222222222222222222222222222222222222222");
	h_expect_str(tr, "links.pipeline_url", "https://ci.example/acme/shop-api/pipelines/101");
	assert_int_equal(strncmp(h_str(tr, "container.image.digest"), "sha256:", 7), 0);
	cJSON_Delete(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_introduced_between_a_and_b_then_reintroduced),
		cmocka_unit_test(test_trace_of_a_finding_of_b),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

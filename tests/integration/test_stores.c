// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_stores.c - one query suite, two stores (issue 15): the same events go to a collector on
 * SQLite and to one on ClickHouse (Debian's clickhouse-server, started here), and every query
 * route must answer both with the same bytes. The events: 20,000 of the realistic load
 * (tests/bench/realistic.c: 1,000 workloads, 30 commits each, six kinds, secrets, identity
 * changes the collectors make themselves) plus a handful of awkward ones (no Kubernetes, equal
 * times, a path of escapes and bidi characters, a commit without a repository). ClickHouse also
 * gets one batch twice, as an agent retrying after a lost answer would send it: no answer may
 * count it twice. The URLs come from the SQLite collector's own answers: every filter of
 * findings, pages through the cursor, traces, each workload's introduced/diff/exposures, origins
 * by commit, pipeline and repository, and the errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include "harness.h"
#include "harness_clickhouse.h"
#include "harness_collector.h"

#define NREAL	 20000
#define SEED	 "11"
#define MAX_URLS 600

static struct h_clickhouse ch;
static struct h_collector sq, chc; /* SQLite; ClickHouse */
static bool have_ch;
static char *urls[MAX_URLS];
static int nurls;

static cJSON *get_json(const struct h_collector *c, const char *path)
{
	char *body;
	cJSON *j;

	assert_int_equal(h_collector_get(c, path, &body), 200);
	j = cJSON_Parse(body);
	free(body);
	assert_non_null(j);
	return j;
}

static void add_url(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_url(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (nurls == MAX_URLS)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (int i = 0; i < nurls; i++)
		if (!strcmp(urls[i], buf))
			return;
	urls[nurls++] = strdup(buf);
}

/* The realistic load through its own client: every batch answered 202. */
static void load_realistic(const struct h_collector *c, const char *first, const char *n)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "build/bench/realistic post %s %s " SEED " %s %s %d 1000 2 >/dev/null", c->url,
		 c->token_file, first, n, NREAL);
	assert_int_equal(system(cmd), 0);
}

/* Events the realistic load lacks. */
static const char awkward[] =
    /* no Kubernetes, no provenance: a bare node's finding */
    "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"a11a11a11a11a11a-0000000000000001\","
    "\"time\":\"2026-11-15T10:00:00Z\",\"kind\":\"credential_read\",\"rule\":\"etc-shadow\","
    "\"severity\":\"high\",\"outcome\":\"success\",\"node\":{\"name\":\"bare-1\"},"
    "\"process\":{\"pid\":7,\"uid\":0,\"comm\":\"cat\",\"executable\":\"/bin/cat\"},"
    "\"syscall\":{\"name\":\"openat\"},\"file\":{\"path\":\"/etc/shadow\"}}\n"
    /* three at the same nanosecond in one workload: ties ordered by id in both stores */
    "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"a11a11a11a11a11a-0000000000000002\","
    "\"time\":\"2026-11-15T10:00:01Z\",\"kind\":\"privileged_call\",\"rule\":\"setns\","
    "\"severity\":\"critical\",\"outcome\":\"success\",\"node\":{\"name\":\"n-1\"},"
    "\"process\":{\"pid\":8,\"uid\":0,\"comm\":\"nsenter\",\"executable\":\"/bin/nsenter\"},"
    "\"syscall\":{\"name\":\"setns\"},\"k8s\":{\"namespace\":\"odd\",\"pod\":\"tie-1\","
    "\"workload\":{\"kind\":\"Deployment\",\"name\":\"tie\"}},"
    "\"provenance\":{\"commit\":\"00000000000000000000000000000000000000aa\"}}\n"
    "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"a11a11a11a11a11a-0000000000000004\","
    "\"time\":\"2026-11-15T10:00:01Z\",\"kind\":\"privileged_call\",\"rule\":\"setns\","
    "\"severity\":\"critical\",\"outcome\":\"success\",\"node\":{\"name\":\"n-1\"},"
    "\"process\":{\"pid\":9,\"uid\":0,\"comm\":\"nsenter\",\"executable\":\"/bin/nsenter\"},"
    "\"syscall\":{\"name\":\"setns\"},\"k8s\":{\"namespace\":\"odd\",\"pod\":\"tie-1\","
    "\"workload\":{\"kind\":\"Deployment\",\"name\":\"tie\"}},"
    "\"provenance\":{\"commit\":\"00000000000000000000000000000000000000aa\"}}\n"
    "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"a11a11a11a11a11a-0000000000000003\","
    "\"time\":\"2026-11-15T10:00:01Z\",\"kind\":\"storage_write\","
    "\"rule\":\"production-storage-write\",\"severity\":\"medium\",\"outcome\":\"success\","
    "\"node\":{\"name\":\"n-1\"},\"process\":{\"pid\":10,\"uid\":0,\"comm\":\"sh\","
    "\"executable\":\"/bin/sh\"},\"syscall\":{\"name\":\"openat\"},"
    /* a path a workload chose: escapes, a bidi override, a bell, non-ASCII */
    "\"file\":{\"path\":\"/srv/prod/caf\\u00e9\\u202etxt.exe\\u0007\\u001b[2J\"},"
    "\"k8s\":{\"namespace\":\"odd\",\"pod\":\"tie-1\",\"workload\":{\"kind\":\"Deployment\","
    "\"name\":\"tie\"}},\"provenance\":{\"commit\":\"00000000000000000000000000000000000000bb\","
    "\"pipeline_id\":\"77\"}}\n";

static int setup(void **state)
{
	int rc = h_clickhouse_start(&ch);

	if (rc == 1)
		return 0; /* each test skips, saying why */
	if (rc < 0)
		return -1;
	/* the load's dates are fixed (November 2026): the harness starts collectors without
	 * retention, whatever the calendar says */
	if (h_collector_start(&sq) < 0 || h_collector_use_clickhouse(&chc, &ch, "suite", NULL) < 0 ||
	    h_collector_start(&chc) < 0)
		return -1;
	have_ch = true;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return 0;
}

static int teardown(void **state)
{
	h_collector_free(&sq);
	h_collector_free(&chc);
	h_clickhouse_stop(&ch);
	for (int i = 0; i < nurls; i++)
		free(urls[i]);
	return 0;
}

static void need_clickhouse(void)
{
	if (!have_ch) {
		print_message("clickhouse-server is not installed: the ClickHouse store is not "
			      "tested (apt-get install clickhouse-server)\n");
		skip();
	}
}

static void test_load_both(void **state)
{
	char first[16], n[16];

	need_clickhouse();
	load_realistic(&sq, "0", "20000");
	load_realistic(&chc, "0", "20000");
	/* a batch retried after a lost answer: ClickHouse stores it again */
	snprintf(first, sizeof(first), "%d", 5000);
	snprintf(n, sizeof(n), "%d", 1000);
	load_realistic(&chc, first, n);
	assert_int_equal(h_collector_post(&sq, awkward), 202);
	assert_int_equal(h_collector_post(&chc, awkward), 202);
	assert_int_equal(h_collector_post(&chc, awkward), 202);
	/* the retried rows are there twice; the distinct ids are what SQLite holds */
	assert_true(h_clickhouse_count(&ch, "SELECT count() FROM suite.events") >
		    h_clickhouse_count(&ch, "SELECT uniqExact(id) FROM suite.events"));
	assert_int_equal(h_clickhouse_count(&ch, "SELECT uniqExact(id) FROM suite.events"),
			 h_collector_count(&sq, "SELECT count(*) FROM events"));
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* The URLs, from what the SQLite collector answers. */
static void collect_urls(void)
{
	static const char *const kinds[] = {"credential_read", "privileged_call", "storage_write",
					    "metadata_access", "secret_exposure",
					    "identity_change"};
	static const char *const bys[] = {"commit", "pipeline", "repository"};
	cJSON *f = get_json(&sq, "/v1/findings?limit=40"), *w, *it;
	char next[128];
	int k = 0;

	add_url("/v1/findings");
	add_url("/v1/findings?limit=1000");
	add_url("/v1/findings?since=2026-11-20T00:00:00Z&limit=50");
	add_url("/v1/findings?namespace=odd");
	add_url("/v1/findings?workload=odd/tie");
	add_url("/v1/findings?commit=0000");
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++)
		add_url("/v1/findings?kind=%s&limit=30", kinds[i]);
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(f, "findings"))
	{
		const char *ns = str(it, "namespace"), *commit = str(it, "commit");
		const cJSON *wl = cJSON_GetObjectItemCaseSensitive(it, "workload");
		const char *name = str(wl, "name");

		add_url("/v1/trace/%s", str(it, "id"));
		if (k++ >= 12 || !ns || !name)
			continue;
		add_url("/v1/findings?workload=%s/%s&limit=20", ns, name);
		add_url("/v1/findings?workload=%s", name);
		add_url("/v1/findings?namespace=%s&rule=%s&limit=10", ns, str(it, "rule"));
		add_url("/v1/introduced?workload=%s/%s", ns, name);
		add_url("/v1/introduced?workload=%s/%s&limit=3", ns, name);
		add_url("/v1/diff?workload=%s/%s", ns, name);
		add_url("/v1/exposures?workload=%s/%s", ns, name);
		add_url("/v1/workloads?namespace=%s", ns);
		if (commit) {
			add_url("/v1/findings?commit=%.8s", commit);
			add_url("/v1/findings?commit=%s", commit);
			add_url("/v1/diff?workload=%s/%s&to=%.10s", ns, name, commit);
		}
		if (str(it, "pipeline_id"))
			add_url("/v1/findings?pipeline=%s", str(it, "pipeline_id"));
		if (str(it, "image_digest"))
			add_url("/v1/findings?image=%s", str(it, "image_digest"));
	}
	/* five pages down the cursor */
	snprintf(next, sizeof(next), "%s", str(f, "next") ? str(f, "next") : "");
	for (int page = 0; next[0] && page < 5; page++) {
		cJSON *p;

		add_url("/v1/findings?limit=40&cursor=%s", next);
		p = get_json(&sq, urls[nurls - 1]);
		snprintf(next, sizeof(next), "%s", str(p, "next") ? str(p, "next") : "");
		cJSON_Delete(p);
	}
	cJSON_Delete(f);
	add_url("/v1/trace/a11a11a11a11a11a-0000000000000003");
	add_url("/v1/trace/a11a11a11a11a11a-0000000000000001");
	add_url("/v1/trace/ffffffffffffffff-ffffffffffffffff"); /* 404 */
	add_url("/v1/introduced?workload=odd/tie");
	add_url("/v1/introduced?workload=nobody/none"); /* 404 */
	add_url("/v1/workloads");
	add_url("/v1/workloads?limit=5");
	add_url("/v1/exposures");
	add_url("/v1/exposures?limit=5");
	for (size_t i = 0; i < 3; i++) {
		add_url("/v1/origins?by=%s", bys[i]);
		add_url("/v1/origins?by=%s&limit=7", bys[i]);
		add_url("/v1/origins?by=%s&since=2026-11-25T00:00:00Z", bys[i]);
		add_url("/v1/origins?by=%s&namespace=odd", bys[i]);
	}
	w = get_json(&sq, "/v1/workloads?limit=8");
	cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(w, "workloads"))
	{
		add_url("/v1/introduced?workload=%s/%s", str(it, "namespace"), str(it, "name"));
		add_url("/v1/diff?workload=%s/%s", str(it, "namespace"), str(it, "name"));
	}
	cJSON_Delete(w);
	/* the errors are answered alike too */
	add_url("/v1/findings?limit=0");
	add_url("/v1/findings?cursor=bogus");
	add_url("/v1/findings?kind=nope");
	add_url("/v1/introduced");
	add_url("/v1/origins?by=nope");
}

static void test_same_answers(void **state)
{
	int differ = 0;

	need_clickhouse();
	collect_urls();
	assert_true(nurls >= 100);
	for (int i = 0; i < nurls; i++) {
		char *a, *b;
		long sa = h_collector_get(&sq, urls[i], &a), sb = h_collector_get(&chc, urls[i], &b);

		if (sa != sb || strcmp(a, b)) {
			differ++;
			print_message("differ: %s: SQLite %ld %.300s\n           ClickHouse %ld "
				      "%.300s\n",
				      urls[i], sa, a, sb, b);
		}
		free(a);
		free(b);
	}
	print_message("%d URLs compared, %d differ\n", nurls, differ);
	assert_int_equal(differ, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_load_both),
	    cmocka_unit_test(test_same_answers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

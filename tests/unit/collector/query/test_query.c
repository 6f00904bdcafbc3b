// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_query.c - collector/query/query*.c over a real SQLite store: the findings filters, trace
 * chains and their links, introduced-by (including reintroduction), origins grouping, and the
 * 400/404 answers.
 */
#include "query_db.h"
#include "query_internal.h"

#define A "1111111111111111111111111111111111111111"
#define B "2222222222222222222222222222222222222222"
#define C "3333333333333333333333333333333333333333"
#define D "4444444444444444444444444444444444444444"
#define E "5555555555555555555555555555555555555555"
#define F "6666666666666666666666666666666666666666"
#define G "7777777777777777777777777777777777777777"

#define GH    "https://github.com/acme/payments.git"
#define GL    "git@gitlab.example.com:acme/billing.git"
#define GT    "https://gitea.example/acme/web/"
#define DIG   "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define TOKEN "/var/run/secrets/kubernetes.io/serviceaccount/token"
#define CS    "container_start"
#define CRED  "credential_read"
#define SW    "storage_write"

/* A container_start: a revision that ran. */
#define START(id, t, ns, wl, commit, pipeline, repo)                                               \
	{                                                                                          \
		id, t, CS, NULL, ns, wl, commit, DIG, pipeline, repo, NULL, NULL, NULL             \
	}

/* payments: A (ran, no findings) → B (token read + storage write) → C (ran, none) → D (both
 * again). billing: the privileged call from its first revision on. web: one metadata access. */
static const struct tev events[] = {
    START("a1", 0, "prod", "payments", A, "100", GH),
    START("b1", 100, "prod", "payments", B, "101", GH),
    {"b2", 110, CRED, "k8s-serviceaccount-token", "prod", "payments", B, DIG, "101", GH, TOKEN,
     "openat", "/bin/busybox"},
    {"b3", 120, SW, "prod-storage", "prod", "payments", B, DIG, "101", GH, "/data/db/x", "openat",
     "/usr/bin/app"},
    {"b4", 125, CRED, "k8s-serviceaccount-token", "prod", "payments", B, DIG, "101", GH, TOKEN,
     "openat", "/bin/busybox"},
    START("c1", 200, "prod", "payments", C, "102", GH),
    START("d1", 300, "prod", "payments", D, "103", GH),
    {"d2", 310, CRED, "k8s-serviceaccount-token", "prod", "payments", D, DIG, "103", GH, TOKEN,
     "openat", "/bin/busybox"},
    {"d3", 320, SW, "prod-storage", "prod", "payments", D, DIG, "103", GH, "/data/db/x", "openat",
     "/usr/bin/app"},
    {"e1", 50, "privileged_call", "setuid-root", "prod", "billing", E, DIG, "200", GL, NULL,
     "setuid", "/usr/bin/sudo"},
    START("e2", 400, "prod", "billing", F, "201", GL),
    {"f1", 410, "privileged_call", "setuid-root", "prod", "billing", F, DIG, "201", GL, NULL,
     "setuid", "/usr/bin/sudo"},
    {"gap", 500, "agent_gap", NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
    {"g1", 600, "metadata_access", "cloud-metadata", "dev", "web", G, DIG, "300", GT, NULL,
     "connect", "/usr/bin/curl"},
};

static struct tdb db;

static int setup(void **state)
{
	tdb_open(&db);
	for (size_t i = 0; i < ARRAY_SIZE(events); i++)
		tdb_insert(&db, &events[i]);
	return 0;
}

static int teardown(void **state)
{
	tdb_close(&db);
	return 0;
}

static int count_of(const char *path, const char *const *params)
{
	cJSON *r = tdb_query(&db, path, params, 200);
	int n = (int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "count"));

	cJSON_Delete(r);
	return n;
}

#define P(...) ((const char *const[]){__VA_ARGS__, NULL})

static void test_findings_all_newest_first(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/findings", NULL, 200);

	assert_jint(r, "count", 8); /* no container_start, no agent_gap */
	assert_jstr(r, "findings.#0.id", "g1");
	assert_jstr(r, "findings.#0.time", "2026-11-28T20:10:00.000000500Z");
	assert_jstr(r, "findings.#0.kind", "metadata_access");
	assert_jstr(r, "findings.#0.target", "connect");
	assert_jstr(r, "findings.#0.namespace", "dev");
	assert_jstr(r, "findings.#0.workload.kind", "Deployment");
	assert_jstr(r, "findings.#0.workload.name", "web");
	assert_jstr(r, "findings.#0.commit", G);
	assert_jstr(r, "findings.#0.pipeline_id", "300");
	assert_jstr(r, "findings.#0.image_digest", DIG);
	assert_jstr(r, "findings.#1.id", "f1");
	assert_jstr(r, "findings.#7.id", "e1");
	cJSON_Delete(r);
}

static void test_findings_filters(void **state)
{
	assert_int_equal(count_of("/v1/findings", P("namespace", "prod")), 7);
	assert_int_equal(count_of("/v1/findings", P("kind", SW)), 2);
	assert_int_equal(count_of("/v1/findings", P("rule", "setuid-root")), 2);
	assert_int_equal(count_of("/v1/findings", P("commit", B)), 3);
	assert_int_equal(count_of("/v1/findings", P("commit", "22222222")), 3); /* a prefix */
	assert_int_equal(count_of("/v1/findings", P("pipeline", "101")), 3);
	assert_int_equal(count_of("/v1/findings", P("image", DIG)), 8);
	assert_int_equal(count_of("/v1/findings", P("image", "sha256:00")), 0);
	assert_int_equal(count_of("/v1/findings", P("kind", "identity_change")), 0);
	assert_int_equal(count_of("/v1/findings", P("workload", "prod/payments")), 5);
	assert_int_equal(count_of("/v1/findings", P("workload", "payments")), 5);
	assert_int_equal(count_of("/v1/findings", P("workload", "dev/payments")), 0);
	assert_int_equal(count_of("/v1/findings", P("since", "2026-11-28T20:05:00Z")), 4);
	assert_int_equal(count_of("/v1/findings", P("since", "2026-11-28T21:05:00+01:00")), 4);
	assert_int_equal(count_of("/v1/findings", P("since", "36500d")), 8);
	assert_int_equal(count_of("/v1/findings", P("limit", "2")), 2);
	assert_int_equal(
	    count_of("/v1/findings", P("namespace", "prod", "kind", CRED, "commit", D)), 1);
}

/* A container_mount is a finding: listed, filtered by its kind, its target the host path;
 * it has no process. */
static void test_container_mount_is_a_finding(void **state)
{
	static const struct tev mount = {"m1", 700, "container_mount", "host-path-mount", "prod",
					 "payments", B, DIG, "101", GH, "/etc", NULL, NULL};
	struct tdb own;
	cJSON *r;

	tdb_open(&own);
	tdb_insert(&own, &events[1]); /* its container's start */
	tdb_insert(&own, &mount);
	r = tdb_query(&own, "/v1/findings", P("kind", "container_mount"), 200);
	assert_jint(r, "count", 1);
	assert_jstr(r, "findings.#0.kind", "container_mount");
	assert_jstr(r, "findings.#0.rule", "host-path-mount");
	assert_jstr(r, "findings.#0.target", "/etc");
	assert_jstr(r, "findings.#0.commit", B);
	assert_null(jstr(r, "findings.#0.executable"));
	cJSON_Delete(r);
	r = tdb_query(&own, "/v1/findings", NULL, 200);
	assert_jint(r, "count", 1); /* the start is not a finding */
	cJSON_Delete(r);
	tdb_close(&own);
}

/* One secret in two workloads is one row with both; a workload's filter keeps its secrets and
 * still lists every workload each one is in; the first commit and pipeline are the earliest
 * event's. */
static void test_exposures_by_fingerprint(void **state)
{
#define FPA "hmac-sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define FPB "hmac-sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	static const struct tev x[] = {
		{"x1", 100, "secret_exposure", "secret-exposure", "shop", "checkout", B, DIG, "812",
		 GH, FPA, NULL, NULL},
		{"x2", 200, "secret_exposure", "secret-exposure", "shop", "billing", A, DIG, "900",
		 GH, FPA, NULL, NULL},
		{"x3", 300, "secret_exposure", "secret-exposure", "shop", "checkout", B, DIG, "812",
		 GH, FPB, NULL, NULL},
		{"x4", 400, "secret_exposure", "secret-exposure", "shop", "checkout", B, DIG, "813",
		 GH, FPA, NULL, NULL},
	};
	static const char *const xn[][2] = {{"STRIPE_KEY", "image"}, {"PAYMENT_KEY", "image"},
					     {"DB_PASSWORD", "manifest"}, {"STRIPE_KEY", "image"}};
	struct tdb own;
	cJSON *r;

	tdb_open(&own);
	for (size_t i = 0; i < sizeof(x) / sizeof(x[0]); i++)
		tdb_insert_x(&own, &x[i], xn[i][0], xn[i][1]);
	tdb_insert(&own, &events[2]); /* a finding of another kind: not an exposure */
	r = tdb_query(&own, "/v1/exposures", NULL, 200);
	assert_jint(r, "count", 2);
	assert_jstr(r, "exposures.#0.fingerprint", FPA); /* the latest activity first */
	assert_jint(r, "exposures.#0.count", 3);
	assert_jstr(r, "exposures.#0.first_commit", B);
	assert_jstr(r, "exposures.#0.first_pipeline", "812");
	assert_int_equal(cJSON_GetArraySize(jget(r, "exposures.#0.workloads")), 2);
	assert_int_equal(cJSON_GetArraySize(jget(r, "exposures.#0.names")), 2);
	assert_int_equal(cJSON_GetArraySize(jget(r, "exposures.#0.pipelines")), 3);
	assert_jstr(r, "exposures.#0.origins.#0", "image");
	assert_jstr(r, "exposures.#1.fingerprint", FPB);
	assert_jstr(r, "exposures.#1.origins.#0", "manifest");
	cJSON_Delete(r);
	r = tdb_query(&own, "/v1/exposures", P("workload", "shop/billing"), 200);
	assert_jint(r, "count", 1);
	assert_jstr(r, "exposures.#0.fingerprint", FPA);
	assert_int_equal(cJSON_GetArraySize(jget(r, "exposures.#0.workloads")), 2);
	cJSON_Delete(r);
	r = tdb_query(&own, "/v1/exposures", P("workload", "billing"), 400);
	cJSON_Delete(r);
	tdb_close(&own);
#undef FPA
#undef FPB
}

static void expect_400(const char *path, const char *const *params, const char *name)
{
	cJSON *r = tdb_query(&db, path, params, 400);

	assert_contains(jstr(r, "error"), name);
	cJSON_Delete(r);
}

static void test_bad_parameters(void **state)
{
	expect_400("/v1/findings", P("limit", "0"), "limit");
	expect_400("/v1/findings", P("limit", "1001"), "limit");
	expect_400("/v1/findings", P("limit", "12abc"), "limit");
	expect_400("/v1/findings", P("kind", CS), "kind");
	expect_400("/v1/findings", P("since", "yesterday"), "since");
	expect_400("/v1/findings", P("since", "2026-13-01T00:00:00Z"), "since");
	expect_400("/v1/findings", P("commit", "ab"), "commit");
	expect_400("/v1/introduced", NULL, "workload");
	expect_400("/v1/introduced", P("workload", "payments"), "workload");
	expect_400("/v1/introduced", P("workload", "prod/"), "workload");
	expect_400("/v1/origins", P("by", "author"), "by");
	expect_400("/v1/origins", P("since", "3x"), "since");
}

static void expect_404(const char *path, const char *const *params)
{
	cJSON *r = tdb_query(&db, path, params, 404);

	assert_non_null(jstr(r, "error"));
	cJSON_Delete(r);
}

static void test_not_found(void **state)
{
	expect_404("/v1/trace/nope", NULL);
	expect_404("/v1/trace/", NULL);
	expect_404("/v1/trace/b2/x", NULL);
	expect_404("/v1/nope", NULL);
	expect_404("/v1/events", NULL); /* the server's, not a query */
	expect_404("/v1/introduced", P("workload", "prod/nothing"));
}

static void test_store_missing_is_500(void **state)
{
	int status = 0;
	cJSON *r =
	    query_dispatch(&(struct query_source){.db_path = "/nonexistent/events.db"}, "/v1/findings", tdb_param, NULL, &status);

	assert_int_equal(status, 500);
	assert_non_null(jstr(r, "error"));
	cJSON_Delete(r);
}

static void test_trace_chain_github(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/trace/d2", NULL, 200);

	assert_jstr(r, "id", "d2");
	assert_jstr(r, "kind", CRED);
	assert_jstr(r, "rule", "k8s-serviceaccount-token");
	assert_jint(r, "process.pid", 4242);
	assert_jint(r, "process.uid", 0);
	assert_jstr(r, "process.executable", "/bin/busybox");
	assert_jstr(r, "process.args.#1", TOKEN);
	assert_jstr(r, "process.parent.comm", "sh");
	assert_jstr(r, "container.runtime", "containerd");
	assert_jstr(r, "container.image.digest", DIG);
	assert_jstr(r, "pod.namespace", "prod");
	assert_jstr(r, "pod.name", "payments-7d9f8c6b5-x2x4q");
	assert_jstr(r, "pod.service_account", "payments");
	assert_jstr(r, "workload.kind", "Deployment");
	assert_jstr(r, "provenance.commit", D);
	assert_jstr(r, "provenance.pipeline_id", "103");
	assert_jstr(r, "provenance.sources.commit",
		    "image-label:org.opencontainers.image.revision");
	assert_jstr(r, "previous_revision.commit", C);
	assert_jstr(r, "previous_revision.pipeline_id", "102");
	assert_jstr(r, "links.repository_url", "https://github.com/acme/payments");
	assert_jstr(r, "links.commit_url", "https://github.com/acme/payments/commit/" D);
	assert_jstr(r, "links.compare_url", "https://github.com/acme/payments/compare/" C "..." D);
	assert_jstr(r, "links.pipeline_url", "https://ci.example/acme/-/pipelines/103");
	assert_jstr(r, "event.id", "d2");
	assert_jstr(r, "event.file.path", TOKEN);
	cJSON_Delete(r);
}

static void test_trace_gitlab_scp_url(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/trace/f1", NULL, 200);

	assert_jstr(r, "links.commit_url", "https://gitlab.example.com/acme/billing/-/commit/" F);
	assert_jstr(r, "links.compare_url",
		    "https://gitlab.example.com/acme/billing/-/compare/" E "..." F);
	cJSON_Delete(r);
}

static void test_trace_first_revision_has_no_compare(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/trace/e1", NULL, 200);

	assert_jnull(r, "previous_revision");
	assert_jnull(r, "links.compare_url");
	assert_jstr(r, "links.commit_url", "https://gitlab.example.com/acme/billing/-/commit/" E);
	cJSON_Delete(r);
	r = tdb_query(&db, "/v1/trace/g1", NULL, 200); /* Gitea: GitHub's paths, '/' stripped */
	assert_jstr(r, "links.commit_url", "https://gitea.example/acme/web/commit/" G);
	cJSON_Delete(r);
	r = tdb_query(&db, "/v1/trace/gap", NULL, 200); /* no pod, no provenance: nulls */
	assert_jnull(r, "pod");
	assert_jnull(r, "provenance");
	assert_jnull(r, "links.commit_url");
	cJSON_Delete(r);
}

static void assert_ref(const cJSON *r, const char *path, const char *commit, const char *pipeline)
{
	char p[128];

	snprintf(p, sizeof(p), "%s.commit", path);
	assert_jstr(r, p, commit);
	snprintf(p, sizeof(p), "%s.pipeline_id", path);
	assert_jstr(r, p, pipeline);
}

static void test_introduced_between_and_reintroduced(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/introduced", P("workload", "prod/payments"), 200);
	const cJSON *bs = jget(r, "behaviours");

	assert_jstr(r, "workload.kind", "Deployment");
	assert_int_equal(cJSON_GetArraySize(jget(r, "revisions")), 4);
	assert_ref(r, "revisions.#0", A, "100");
	assert_jstr(r, "revisions.#0.first_seen", "2026-11-28T20:00:00.000000500Z");
	assert_ref(r, "revisions.#1", B, "101");
	assert_ref(r, "revisions.#2", C, "102");
	assert_ref(r, "revisions.#3", D, "103");
	assert_int_equal(cJSON_GetArraySize(bs), 2);
	assert_jstr(bs, "#0.kind", CRED);
	assert_jstr(bs, "#0.target", TOKEN);
	assert_jstr(bs, "#0.executable", "/bin/busybox");
	assert_jint(bs, "#0.count", 3);
	assert_jstr(bs, "#1.kind", SW);
	for (int i = 0; i < 2; i++) {
		const cJSON *b = cJSON_GetArrayItem(bs, i);

		assert_ref(b, "introduced_in", B, "101");
		assert_ref(b, "previous", A, "100");
		assert_jstr(b, "text", "introduced between 111111111111 and 222222222222");
		assert_jstr(b, "compare_url",
			    "https://github.com/acme/payments/compare/" A "..." B);
		assert_true(cJSON_IsTrue(jget(b, "reintroduced")));
		assert_ref(b, "reintroduced_in", D, "103");
		assert_ref(b, "absent_in", C, "102");
		assert_jstr(b, "reintroduced_compare_url",
			    "https://github.com/acme/payments/compare/" C "..." D);
		/* the lanes of the timeline: in B and D, not in A and C */
		assert_int_equal(cJSON_GetArraySize(jget(b, "seen_in")), 2);
		assert_jint(b, "seen_in.#0", 1);
		assert_jint(b, "seen_in.#1", 3);
	}
	assert_jstr(bs, "#0.first_seen", "2026-11-28T20:01:50.000000500Z");
	assert_jstr(bs, "#0.last_seen", "2026-11-28T20:05:10.000000500Z");
	cJSON_Delete(r);
}

static void test_introduced_present_since_first(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/introduced", P("workload", "prod/billing"), 200);

	assert_int_equal(cJSON_GetArraySize(jget(r, "behaviours")), 1);
	assert_ref(r, "behaviours.#0.introduced_in", E, "200");
	assert_jnull(r, "behaviours.#0.previous");
	assert_jnull(r, "behaviours.#0.compare_url");
	assert_false(cJSON_IsTrue(jget(r, "behaviours.#0.reintroduced")));
	assert_jnull(r, "behaviours.#0.absent_in");
	assert_contains(jstr(r, "behaviours.#0.text"), "present since the first known revision");
	assert_jint(r, "behaviours.#0.count", 2);
	cJSON_Delete(r);
}

static void test_origins_by_commit(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/origins", P("by", "commit"), 200);

	assert_jint(r, "count", 5);
	assert_jstr(r, "origins.#0.key", G); /* last seen first */
	assert_jstr(r, "origins.#1.key", F);
	assert_jstr(r, "origins.#2.key", D);
	assert_jstr(r, "origins.#3.key", B);
	assert_jstr(r, "origins.#4.key", E);
	assert_jint(r, "origins.#3.count", 3);
	assert_jstr(r, "origins.#3.repository", GH);
	assert_jstr(r, "origins.#3.commit_url", "https://github.com/acme/payments/commit/" B);
	assert_jstr(r, "origins.#3.first_seen", "2026-11-28T20:01:50.000000500Z");
	assert_jstr(r, "origins.#3.last_seen", "2026-11-28T20:02:05.000000500Z");
	assert_int_equal(cJSON_GetArraySize(jget(r, "origins.#3.kinds")), 2);
	assert_int_equal(cJSON_GetArraySize(jget(r, "origins.#3.rules")), 2);
	assert_jstr(r, "origins.#3.workloads.#0", "prod/payments");
	assert_int_equal(cJSON_GetArraySize(jget(r, "origins.#3.workloads")), 1);
	cJSON_Delete(r);
}

static void test_origins_by_pipeline_and_repository(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/origins", P("by", "pipeline"), 200);

	assert_jint(r, "count", 5);
	assert_jstr(r, "origins.#3.key", "101");
	assert_jstr(r, "origins.#3.commit", B);
	assert_jstr(r, "origins.#3.pipeline_url", "https://ci.example/acme/-/pipelines/101");
	cJSON_Delete(r);
	r = tdb_query(&db, "/v1/origins", P("by", "repository"), 200);
	assert_jint(r, "count", 3);
	assert_jstr(r, "origins.#0.key", GT);
	assert_jstr(r, "origins.#1.key", GL);
	assert_jstr(r, "origins.#2.key", GH);
	assert_jint(r, "origins.#2.count", 5);
	assert_jint(r, "origins.#2.commits", 2);
	assert_jstr(r, "origins.#2.first_seen", "2026-11-28T20:01:50.000000500Z");
	assert_jstr(r, "origins.#2.last_seen", "2026-11-28T20:05:20.000000500Z");
	cJSON_Delete(r);
	assert_int_equal(count_of("/v1/origins", P("by", "repository", "namespace", "dev")), 1);
	assert_int_equal(count_of("/v1/origins", P("since", "2026-11-28T20:05:15Z")), 3);
}

/* The UI's first page: each workload with findings, newest activity first, counts by kind and
 * severity of its findings, and every revision it ran (container starts count). */
/* The events of test_origins_summary_is_the_grouping: kinds whose alphabetical order is not
 * their time order, equal times, inserted out of time order, NULL and '' rules, a NULL
 * workload, a NULL namespace, a pipeline over two commits, a NULL commit, a NULL repository. */
#define X "8888888888888888888888888888888888888888"
#define Y "9999999999999999999999999999999999999999"
#define Z "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
static const struct tev oev[] = {
    {"o1", 300, SW, "r-z", "prod", "api", X, DIG, "500", GH, "/a", NULL, NULL},
    {"o2", 100, CRED, "r-b", "prod", "web", X, DIG, "500", GH, "/b", NULL, NULL},
    {"o3", 100, "privileged_call", "r-a", "dev", "api", X, DIG, "500", GH, NULL, "setuid", NULL},
    {"o4", 200, CRED, NULL, "prod", NULL, X, DIG, "500", GH, "/c", NULL, NULL},
    {"o5", 50, "metadata_access", "r-z", NULL, NULL, X, DIG, "500", GH, NULL, "connect", NULL},
    {"o6", 100, CRED, "r-c", "prod", "api", X, DIG, "500", GH, "/d", NULL, NULL},
    {"o7", 400, SW, "", "prod", "api", X, DIG, "500", GH, "/e", NULL, NULL},
    START("o0", 10, "prod", "api", X, "500", GH),
    {"o8", 250, CRED, "r-b", "dev", "db", Y, DIG, "500", GH, "/b", NULL, NULL},
    {"o9", 20, "privileged_call", "r-y", "prod", "web", Y, DIG, "500", GH, NULL, "setuid", NULL},
    {"o10", 30, SW, "r-q", "prod", "api", NULL, DIG, "501", GH, "/f", NULL, NULL},
    {"o11", 35, CRED, "r-b", "prod", "api", Z, DIG, NULL, NULL, "/g", NULL, NULL},
};

/* Every grouping and namespace answers from the summaries (no since) what the grouping of the
 * events (a since before everything) answers, byte for byte. */
static void assert_origins_agree(struct tdb *d)
{
	static const char *const bys[] = {"commit", "pipeline", "repository"};
	static const char *const nss[] = {NULL, "prod", "dev", "none"};

	for (size_t i = 0; i < ARRAY_SIZE(bys); i++)
		for (size_t j = 0; j < ARRAY_SIZE(nss); j++) {
			const char *const sum[] = {"by", bys[i], "namespace", nss[j], NULL};
			const char *const all[] = {"by", bys[i], "since", "2000-01-01T00:00:00Z",
						   "namespace", nss[j], NULL};
			cJSON *a = tdb_query(d, "/v1/origins", sum, 200);
			cJSON *b = tdb_query(d, "/v1/origins", all, 200);
			char *sa = cJSON_PrintUnformatted(a), *sb = cJSON_PrintUnformatted(b);

			assert_string_equal(sa, sb);
			cJSON_free(sa);
			cJSON_free(sb);
			cJSON_Delete(a);
			cJSON_Delete(b);
		}
}

static void test_origins_summary_is_the_grouping(void **state)
{
	static const char del[] = "BEGIN; DELETE FROM events WHERE id IN ('o2', 'o9', 'o10', 'o5');"
				  SUMMARY_REPAIR "COMMIT;";
	struct tdb own;
	cJSON *r;

	tdb_open(&own);
	for (size_t i = 0; i < ARRAY_SIZE(oev); i++)
		tdb_insert(&own, &oev[i]);
	r = tdb_query(&own, "/v1/origins", P("by", "commit"), 200);
	assert_jstr(r, "origins.#0.key", X); /* kinds in order, rules by (kind, time, ingest) */
	assert_jstr(r, "origins.#0.rules.#0", "r-b");
	assert_jstr(r, "origins.#0.rules.#1", "r-c");
	assert_jstr(r, "origins.#0.rules.#2", "r-z");
	assert_jstr(r, "origins.#0.rules.#3", "r-a");
	assert_jstr(r, "origins.#0.rules.#4", "");
	assert_jstr(r, "origins.#0.workloads.#0", "prod/web");
	cJSON_Delete(r);
	assert_origins_agree(&own);
	/* retention takes part of groups (and the whole of one): the repair keeps them exact */
	assert_int_equal(sqlite3_exec(own.db, del, NULL, NULL, NULL), SQLITE_OK);
	assert_origins_agree(&own);
	r = tdb_query(&own, "/v1/origins", P("by", "pipeline"), 200);
	assert_jint(r, "count", 1);
	assert_jint(r, "origins.#0.count", 6);
	cJSON_Delete(r);
	tdb_close(&own);
}

static void test_workloads(void **state)
{
	cJSON *r = tdb_query(&db, "/v1/workloads", NULL, 200);

	assert_jint(r, "count", 3);
	assert_jstr(r, "workloads.#0.namespace", "dev");
	assert_jstr(r, "workloads.#0.name", "web");
	assert_jstr(r, "workloads.#1.name", "billing");
	assert_jstr(r, "workloads.#2.name", "payments");
	assert_jstr(r, "workloads.#2.kind", "Deployment");
	assert_jint(r, "workloads.#2.findings", 5);
	assert_jint(r, "workloads.#2.revisions", 4);
	assert_jint(r, "workloads.#2.by_kind.credential_read", 3);
	assert_jint(r, "workloads.#2.by_kind.storage_write", 2);
	assert_null(jget(r, "workloads.#2.by_kind.privileged_call"));
	assert_jint(r, "workloads.#2.by_severity.high", 5);
	assert_null(jget(r, "workloads.#2.by_severity.info")); /* container starts are not findings */
	assert_jstr(r, "workloads.#2.last_seen", "2026-11-28T20:05:20.000000500Z");
	cJSON_Delete(r);
	r = tdb_query(&db, "/v1/workloads", P("namespace", "prod", "limit", "1"), 200);
	assert_jint(r, "count", 1);
	assert_jstr(r, "workloads.#0.name", "billing");
	cJSON_Delete(r);
	expect_400("/v1/workloads", P("limit", "0"), "limit");
}

/* The kinds' SQL list (schema.h) and their names (query_util.c) are the same list. */
static void test_finding_kinds_agree(void **state)
{
	char sql[512] = "(";

	for (int i = 0; query_finding_kinds[i]; i++)
		snprintf(sql + strlen(sql), sizeof(sql) - strlen(sql), "%s'%s'", i ? "," : "",
			 query_finding_kinds[i]);
	strcat(sql, ")");
	assert_string_equal(sql, QUERY_FINDING_KINDS);
	assert_null(query_finding_kinds[QUERY_NFINDING_KINDS]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_findings_all_newest_first),
	    cmocka_unit_test(test_findings_filters),
	    cmocka_unit_test(test_bad_parameters),
	    cmocka_unit_test(test_container_mount_is_a_finding),
	    cmocka_unit_test(test_exposures_by_fingerprint),
	    cmocka_unit_test(test_not_found),
	    cmocka_unit_test(test_store_missing_is_500),
	    cmocka_unit_test(test_trace_chain_github),
	    cmocka_unit_test(test_trace_gitlab_scp_url),
	    cmocka_unit_test(test_trace_first_revision_has_no_compare),
	    cmocka_unit_test(test_introduced_between_and_reintroduced),
	    cmocka_unit_test(test_introduced_present_since_first),
	    cmocka_unit_test(test_workloads),
	    cmocka_unit_test(test_finding_kinds_agree),
	    cmocka_unit_test(test_origins_by_commit),
	    cmocka_unit_test(test_origins_by_pipeline_and_repository),
	    cmocka_unit_test(test_origins_summary_is_the_grouping),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_gitops.c - the pure parts of the GitOps deploy revision: Argo CD's tracking id, the tie
 * from an applied object's metadata, Flux revisions to a commit, times, Application /
 * Kustomization / HelmRelease JSON into the table, the revision at a time; hostile input.
 */
#include <errno.h>
#include <stdio.h>

#include "unit.h"

#include "gitops_table.h"
#include "gitops_tie.h"

#define SHA_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define SHA_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define NS_S 1000000000LL

static struct gitops_table table; /* large */
static struct gitops_snapshot snap;

static cJSON *json(const char *s)
{
	cJSON *o = cJSON_Parse(s);

	assert_non_null(o);
	return o;
}

static void test_tracking_id(void **state)
{
	struct argo_tracking a;

	assert_true(gitops_parse_tracking_id("shop:apps/Deployment:prod/checkout", &a));
	assert_string_equal(a.app, "shop");
	assert_string_equal(a.app_ns, "");
	assert_string_equal(a.group, "apps");
	assert_string_equal(a.kind, "Deployment");
	assert_string_equal(a.ns, "prod");
	assert_string_equal(a.name, "checkout");
	assert_true(gitops_parse_tracking_id("team-a_shop:/Service:prod/web", &a)); /* core group */
	assert_string_equal(a.app_ns, "team-a");
	assert_string_equal(a.app, "shop");
	assert_string_equal(a.group, "");
	assert_true(gitops_parse_tracking_id("shop:rbac.authorization.k8s.io/ClusterRole:/r", &a));
	assert_string_equal(a.ns, ""); /* cluster-scoped */
	static const char *const bad[] = {
		"", "shop", "shop:apps/Deployment", "shop:apps/Deployment:prod/a:b",
		":apps/Deployment:prod/x", "shop:apps/x/Deployment:prod/x", "shop:Deployment:prod/x",
		"shop:apps/Deployment:prod/", "_shop:apps/Deployment:prod/x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(gitops_parse_tracking_id(bad[i], &a));
	char big[2048];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_false(gitops_parse_tracking_id(big, &a));
	memcpy(big + 300, ":apps/Deployment:prod/x", 24); /* an app name that does not fit */
	assert_false(gitops_parse_tracking_id(big, &a));
	assert_false(gitops_parse_tracking_id(NULL, &a));
}

static void test_tie_from_meta(void **state)
{
	struct gitops_tie t;
	cJSON *m = json("{\"name\":\"checkout\",\"namespace\":\"prod\",\"annotations\":{"
			"\"argocd.argoproj.io/tracking-id\":\"shop:apps/Deployment:prod/checkout\","
			"\"meta.helm.sh/release-name\":\"checkout\","
			"\"meta.helm.sh/release-namespace\":\"prod\"},\"labels\":{"
			"\"kustomize.toolkit.fluxcd.io/name\":\"apps\","
			"\"kustomize.toolkit.fluxcd.io/namespace\":\"flux-system\","
			"\"app.kubernetes.io/instance\":\"shop\"}}");

	gitops_tie_from_meta(&t, "Deployment", m);
	assert_int_equal(t.nref, 3);
	assert_int_equal(t.ref[0].kind, GITOPS_ARGO_APP);
	assert_string_equal(t.ref[0].name, "shop");
	assert_int_equal(t.ref[1].kind, GITOPS_FLUX_KS);
	assert_string_equal(t.ref[1].ns, "flux-system");
	assert_int_equal(t.ref[2].kind, GITOPS_ARGO_APP); /* the instance label: any namespace */
	assert_string_equal(t.ref[2].ns, "");
	assert_string_equal(t.helm_release, "checkout");
	assert_string_equal(t.workload_ns, "prod");
	/* a tracking id copied from another object does not tie this one */
	gitops_tie_from_meta(&t, "StatefulSet", m);
	assert_int_equal(t.ref[0].kind, GITOPS_FLUX_KS);
	cJSON_Delete(m);
	/* wrong types, a HelmRelease label without its namespace, an oversized release name */
	m = json("{\"name\":1,\"annotations\":{\"meta.helm.sh/release-name\":"
		 "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
		 "\"labels\":{\"helm.toolkit.fluxcd.io/name\":\"x\",\"app.kubernetes.io/instance\":7}}");
	gitops_tie_from_meta(&t, "Deployment", m);
	assert_int_equal(t.nref, 0);
	assert_string_equal(t.helm_release, "");
	cJSON_Delete(m);
	gitops_tie_from_meta(&t, "Deployment", NULL);
	assert_int_equal(t.nref, 0);
}

static void test_revision_sha(void **state)
{
	char sha[GITOPS_SHA_MAX];

	assert_true(gitops_revision_sha("main@sha1:" SHA_A, sha));
	assert_string_equal(sha, SHA_A);
	assert_true(gitops_revision_sha("sha1:" SHA_A, sha));
	assert_true(gitops_revision_sha("main/" SHA_B, sha)); /* Flux before v2.0 */
	assert_string_equal(sha, SHA_B);
	assert_true(gitops_revision_sha(SHA_A, sha)); /* Argo CD */
	static const char *const none[] = {
		"latest@sha256:" SHA_A SHA_A, /* an OCI digest is no commit */
		"1.2.3", "main@sha1:" SHA_A "0", "main@sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"mainsha1:" SHA_A, "x" SHA_A, "", NULL,
	};
	for (size_t i = 0; i < ARRAY_SIZE(none); i++) {
		assert_false(gitops_revision_sha(none[i], sha));
		assert_string_equal(sha, "");
	}
}

static void test_time(void **state)
{
	char out[48];

	assert_true(gitops_parse_time("2024-05-01T12:00:00Z") == 1714564800LL * NS_S);
	assert_true(gitops_parse_time("2024-05-01T14:00:00+02:00") == 1714564800LL * NS_S);
	assert_true(gitops_parse_time("2024-05-01T12:00:00.5Z") == 1714564800LL * NS_S + 500000000);
	static const char *const bad[] = {"", "2024-05-01", "2024-05-01T12:00:00",
					  "2024-13-01T12:00:00Z", "2024-05-01T12:00:00Zjunk",
					  "1960-01-01T00:00:00Z", "2024-05-01T12:00:00.Z", NULL};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_true(gitops_parse_time(bad[i]) == -1);
	gitops_format_time(1714564800LL * NS_S, out, sizeof(out));
	assert_string_equal(out, "2024-05-01T12:00:00Z");
	gitops_format_time(1714564800LL * NS_S + 5, out, sizeof(out));
	assert_string_equal(out, "2024-05-01T12:00:00.000000005Z");
}

#define APP                                                                                        \
	"{\"metadata\":{\"name\":\"shop\",\"namespace\":\"argocd\"},\"spec\":{\"source\":{"        \
	"\"repoURL\":\"https://git/x\"},\"destination\":{\"namespace\":\"prod\"}},\"status\":{"   \
	"\"sync\":{\"status\":\"Synced\",\"revision\":\"" SHA_B "\"},\"history\":["             \
	"{\"id\":2,\"revision\":\"" SHA_B "\",\"deployedAt\":\"2024-05-01T12:00:00Z\"},"          \
	"{\"id\":1,\"revision\":\"" SHA_A "\",\"deployedAt\":\"2024-05-01T10:00:00Z\","           \
	"\"source\":{\"repoURL\":\"https://git/old\"}},"                                           \
	"{\"id\":3,\"revision\":7,\"deployedAt\":\"2024-05-01T13:00:00Z\"},"                       \
	"{\"id\":4,\"revision\":\"x\",\"deployedAt\":\"yesterday\"}]}}"

static struct gitops_tie tie_of(uint8_t kind, const char *ns, const char *name)
{
	struct gitops_tie t = {0};

	t.nref = 1;
	t.ref[0].kind = kind;
	snprintf(t.ref[0].ns, sizeof(t.ref[0].ns), "%s", ns);
	snprintf(t.ref[0].name, sizeof(t.ref[0].name), "%s", name);
	snprintf(t.workload_ns, sizeof(t.workload_ns), "prod");
	return t;
}

static void test_argo_history_at_time(void **state)
{
	int64_t t10 = 1714557600LL * NS_S, t12 = 1714564800LL * NS_S;
	struct gitops_tie tie = tie_of(GITOPS_ARGO_APP, "argocd", "shop");
	struct gitops_deploy d;
	cJSON *o = json(APP);

	assert_int_equal(gitops_parse(GITOPS_ARGO_APP, o, &snap), 0);
	assert_int_equal(snap.nhist, 2); /* sorted; a number and a bad time left out */
	assert_string_equal(snap.hist[0].revision, SHA_A);
	assert_string_equal(snap.hist[0].repository, "https://git/old");
	assert_string_equal(snap.hist[1].repository, "https://git/x"); /* the spec's */
	gitops_table_init(&table);
	gitops_table_apply(&table, &snap, t12 + 3600 * NS_S, true);
	assert_false(gitops_table_at(&table, &tie, t10 - 1, &d)); /* older than the history */
	assert_true(gitops_table_at(&table, &tie, t10, &d));
	assert_string_equal(d.commit, SHA_A);
	assert_true(gitops_table_at(&table, &tie, t12 - 1, &d));
	assert_string_equal(d.revision, SHA_A);
	assert_true(gitops_table_at(&table, &tie, t12 + 1, &d));
	assert_string_equal(d.commit, SHA_B);
	assert_string_equal(d.tool, "argocd");
	assert_string_equal(d.kind, "Application");
	assert_string_equal(d.object, "argocd/shop");
	assert_true(d.deployed_at_ns == t12);
	/* by instance label: no namespace, the one deploying into the workload's namespace */
	tie.ref[0].ns[0] = 0;
	assert_true(gitops_table_at(&table, &tie, t12 + 1, &d));
	assert_string_equal(d.object, "argocd/shop");
	/* a name the table does not know, with a Helm release: plain Helm */
	snprintf(tie.ref[0].name, sizeof(tie.ref[0].name), "other");
	snprintf(tie.helm_release, sizeof(tie.helm_release), "rel");
	assert_true(gitops_table_at(&table, &tie, t12, &d));
	assert_string_equal(d.tool, "helm");
	assert_null(d.kind);
	assert_string_equal(d.helm_release, "rel");
	assert_string_equal(d.commit, "");
	cJSON_Delete(o);
}

static void test_kustomization_observed(void **state)
{
	struct gitops_tie tie = tie_of(GITOPS_FLUX_KS, "flux-system", "apps");
	struct gitops_deploy d;
	cJSON *a = json("{\"metadata\":{\"name\":\"apps\",\"namespace\":\"flux-system\"},"
			"\"status\":{\"lastAppliedRevision\":\"main@sha1:" SHA_A "\"}}");
	cJSON *b = json("{\"metadata\":{\"name\":\"apps\",\"namespace\":\"flux-system\"},"
			"\"status\":{\"lastAppliedRevision\":\"main@sha1:" SHA_B "\"}}");

	gitops_table_init(&table);
	assert_int_equal(gitops_parse(GITOPS_FLUX_KS, a, &snap), 0);
	gitops_table_apply(&table, &snap, 1000 * NS_S, true);
	assert_true(gitops_table_at(&table, &tie, 1, &d)); /* in effect since before we looked */
	assert_string_equal(d.commit, SHA_A);
	assert_true(d.deployed_at_ns == 0);
	gitops_table_apply(&table, &snap, 1500 * NS_S, false); /* the same: nothing new */
	assert_int_equal(gitops_parse(GITOPS_FLUX_KS, b, &snap), 0);
	gitops_table_apply(&table, &snap, 2000 * NS_S, false);
	assert_true(gitops_table_at(&table, &tie, 2000 * NS_S - 1, &d));
	assert_string_equal(d.commit, SHA_A); /* a finding before the redeploy keeps the old */
	assert_true(gitops_table_at(&table, &tie, 2000 * NS_S, &d));
	assert_string_equal(d.commit, SHA_B);
	assert_string_equal(d.revision, "main@sha1:" SHA_B);
	assert_string_equal(d.source_prefix, "flux-kustomization");
	assert_true(d.deployed_at_ns == 2000 * NS_S);
	/* bounded: many redeploys keep the newest GITOPS_HISTORY */
	for (int i = 0; i < 3 * GITOPS_HISTORY; i++) {
		snprintf(snap.current.revision, sizeof(snap.current.revision), "main@sha1:%040d", i);
		gitops_table_apply(&table, &snap, (3000 + i) * NS_S, false);
	}
	assert_int_equal(table.obj[0].nhist, GITOPS_HISTORY);
	assert_false(gitops_table_at(&table, &tie, 2500 * NS_S, &d));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* A Kustomization's repository: the spec.url of the GitRepository its sourceRef names (in its
 * own namespace unless the reference says); a GitRepository is never a deploy itself. */
static void test_kustomization_repository(void **state)
{
	struct gitops_tie tie = tie_of(GITOPS_FLUX_KS, "flux-system", "apps");
	struct gitops_tie git = tie_of(GITOPS_FLUX_GIT, "flux-system", "fleet");
	struct gitops_deploy d;
	cJSON *ks = json("{\"metadata\":{\"name\":\"apps\",\"namespace\":\"flux-system\"},"
			 "\"spec\":{\"sourceRef\":{\"kind\":\"GitRepository\",\"name\":\"fleet\"}},"
			 "\"status\":{\"lastAppliedRevision\":\"main@sha1:" SHA_A "\"}}");
	cJSON *repo = json("{\"metadata\":{\"name\":\"fleet\",\"namespace\":\"flux-system\"},"
			   "\"spec\":{\"url\":\"https://git.example/fleet\"},"
			   "\"status\":{\"artifact\":{\"revision\":\"main@sha1:" SHA_A "\"}}}");
	cJSON *other = json("{\"metadata\":{\"name\":\"apps\",\"namespace\":\"flux-system\"},"
			    "\"spec\":{\"sourceRef\":{\"kind\":\"OCIRepository\",\"name\":\"fleet\"}},"
			    "\"status\":{\"lastAppliedRevision\":\"main@sha1:" SHA_A "\"}}");

	gitops_table_init(&table);
	assert_int_equal(gitops_parse(GITOPS_FLUX_KS, ks, &snap), 0);
	assert_string_equal(snap.src_ns, "flux-system");
	assert_string_equal(snap.src_name, "fleet");
	gitops_table_apply(&table, &snap, 1000 * NS_S, true);
	assert_true(gitops_table_at(&table, &tie, 1, &d));
	assert_string_equal(d.repository, ""); /* the GitRepository not seen yet */
	assert_int_equal(gitops_parse(GITOPS_FLUX_GIT, repo, &snap), 0);
	gitops_table_apply(&table, &snap, 1000 * NS_S, true);
	assert_true(gitops_table_at(&table, &tie, 1, &d));
	assert_string_equal(d.repository, "https://git.example/fleet");
	assert_string_equal(d.commit, SHA_A);
	assert_false(gitops_table_at(&table, &git, 1, &d)); /* not a deploy */
	/* another kind of source: no GitRepository is looked for */
	assert_int_equal(gitops_parse(GITOPS_FLUX_KS, other, &snap), 0);
	assert_string_equal(snap.src_name, "");
	cJSON_Delete(ks);
	cJSON_Delete(repo);
	cJSON_Delete(other);
}

static void test_helmrelease(void **state)
{
	struct gitops_tie tie = tie_of(GITOPS_FLUX_HR, "apps", "web");
	struct gitops_deploy d;
	cJSON *o = json("{\"metadata\":{\"name\":\"web\",\"namespace\":\"apps\"},\"status\":{"
			"\"lastAttemptedRevision\":\"1.3.0\",\"history\":["
			"{\"name\":\"web\",\"namespace\":\"apps\",\"version\":3,\"status\":\"failed\","
			"\"chartName\":\"web\",\"chartVersion\":\"1.3.0\","
			"\"lastDeployed\":\"2024-05-01T14:00:00Z\"},"
			"{\"name\":\"web\",\"namespace\":\"apps\",\"version\":2,\"status\":\"deployed\","
			"\"chartName\":\"web\",\"chartVersion\":\"1.2.0\","
			"\"lastDeployed\":\"2024-05-01T12:00:00Z\"}]}}");

	gitops_table_init(&table);
	assert_int_equal(gitops_parse(GITOPS_FLUX_HR, o, &snap), 0);
	assert_int_equal(snap.nhist, 1); /* the failed release was not deployed */
	gitops_table_apply(&table, &snap, 0, true);
	assert_true(gitops_table_at(&table, &tie, 1714564800LL * NS_S, &d));
	assert_string_equal(d.revision, "1.2.0");
	assert_string_equal(d.helm_release, "web");
	assert_int_equal(d.helm_revision, 2);
	assert_string_equal(d.commit, ""); /* a chart version holds no commit */
	assert_string_equal(d.kind, "HelmRelease");
	cJSON_Delete(o);
}

static void test_hostile_objects(void **state)
{
	static char big[8192];
	cJSON *o;

	assert_int_equal(gitops_parse(GITOPS_ARGO_APP, NULL, &snap), -EINVAL);
	o = json("[1,2]");
	assert_int_equal(gitops_parse(GITOPS_ARGO_APP, o, &snap), -EINVAL);
	cJSON_Delete(o);
	o = json("{\"metadata\":{\"namespace\":\"x\"}}"); /* no name */
	assert_int_equal(gitops_parse(GITOPS_FLUX_KS, o, &snap), -EINVAL);
	assert_int_equal(gitops_parse(77, o, &snap), -EINVAL);
	cJSON_Delete(o);
	/* an oversized revision is left out whole, never cut */
	memset(big, 'a', sizeof(big) - 1);
	o = json("{\"metadata\":{\"name\":\"k\",\"namespace\":\"f\"},\"status\":{}}");
	cJSON_AddStringToObject(cJSON_GetObjectItem(o, "status"), "lastAppliedRevision", big);
	assert_int_equal(gitops_parse(GITOPS_FLUX_KS, o, &snap), 0);
	assert_false(snap.has_current);
	cJSON_Delete(o);
	/* a history longer than kept: the newest GITOPS_HISTORY */
	o = json("{\"metadata\":{\"name\":\"a\",\"namespace\":\"argocd\"},\"status\":{\"history\":[]}}");
	for (int i = 0; i < 50; i++) {
		char e[160];

		snprintf(e, sizeof(e), "{\"revision\":\"r%d\",\"deployedAt\":\"2024-05-01T%02d:%02d:00Z\"}",
			 i, i / 60, i % 60);
		cJSON_AddItemToArray(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "status"), "history"),
				     json(e));
	}
	assert_int_equal(gitops_parse(GITOPS_ARGO_APP, o, &snap), 0);
	assert_int_equal(snap.nhist, GITOPS_HISTORY);
	assert_string_equal(snap.hist[GITOPS_HISTORY - 1].revision, "r49");
	assert_string_equal(snap.hist[0].revision, "r40");
	cJSON_Delete(o);
}

/* The table is bounded: the least recently asked-for object goes. */
static void test_table_bounded(void **state)
{
	struct gitops_deploy d;
	struct gitops_tie tie;

	gitops_table_init(&table);
	memset(&snap, 0, sizeof(snap));
	snap.kind = GITOPS_FLUX_KS;
	snap.has_current = true;
	snprintf(snap.ns, sizeof(snap.ns), "f");
	snprintf(snap.current.revision, sizeof(snap.current.revision), "main@sha1:" SHA_A);
	for (int i = 0; i < GITOPS_OBJECTS_MAX + 10; i++) {
		snprintf(snap.name, sizeof(snap.name), "k%d", i);
		gitops_table_apply(&table, &snap, NS_S, true);
		if (i == GITOPS_OBJECTS_MAX - 1) { /* k0 asked for last: kept */
			tie = tie_of(GITOPS_FLUX_KS, "f", "k0");
			assert_true(gitops_table_at(&table, &tie, NS_S, &d));
		}
	}
	assert_true(table.evicted == 10);
	assert_true(gitops_table_at(&table, &tie, NS_S, &d));
	tie = tie_of(GITOPS_FLUX_KS, "f", "k1");
	assert_false(gitops_table_at(&table, &tie, NS_S, &d));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tracking_id),	      cmocka_unit_test(test_tie_from_meta),
		cmocka_unit_test(test_revision_sha),	      cmocka_unit_test(test_time),
		cmocka_unit_test(test_argo_history_at_time), cmocka_unit_test(test_kustomization_observed),
		cmocka_unit_test(test_kustomization_repository),
		cmocka_unit_test(test_helmrelease),	      cmocka_unit_test(test_hostile_objects),
		cmocka_unit_test(test_table_bounded),
	};

	return cmocka_run_group_tests_name("gitops", tests, NULL, NULL);
}

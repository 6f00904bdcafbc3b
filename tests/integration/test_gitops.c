// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_gitops.c - the deployed Git revision of each finding's workload, from GitOps objects,
 * against a stand-in API server (tests/integration/standins/k8s_gitops.py: an Argo CD
 * Application with a sync history, a Flux Kustomization, a plain Helm release, no HelmRelease
 * CRD). Real containers of three pods read their service-account token: each finding carries
 * the deploy of its own workload; after a redeploy (a watch MODIFIED), new findings carry the
 * new revision and the earlier ones kept the old. The missing CRD turns only its source off.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define NS "default"
#define IMAGE "c2d/gitops:rev-a"
#define NODE "c2d-gitops-node"
#define TOKEN "stand-in-token-not-a-secret"
#define UID_PAYMENTS "0b6c1d2e-3f40-4b5c-9d6e-7f8091a2b301"
#define UID_BILLING "0b6c1d2e-3f40-4b5c-9d6e-7f8091a2b302"
#define UID_LEGACY "0b6c1d2e-3f40-4b5c-9d6e-7f8091a2b303"
#define REPO "https://git.example/shop/deploy.git"
#define REV1 "2222222222222222222222222222222222222222"
#define REV2 "3333333333333333333333333333333333333333"
#define KS1 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define KS2 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static char dir[64], port[16];
static pid_t standin;

static bool log_has(const char *needle)
{
	return h_standin_requests(dir, needle) > 0;
}

static int group_setup(void **state)
{
	char cert[96], key[96];
	char *argv[] = {"python3", "tests/integration/standins/k8s_gitops.py", cert, key, TOKEN,
			NODE, dir, UID_PAYMENTS, UID_BILLING, UID_LEGACY, NULL};

	snprintf(dir, sizeof(dir), "/tmp/c2dgitops.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (h_standin_certs(dir, TOKEN) != 0 ||
	    h_sh("tests/integration/images/build_image.sh %s %s", NS, IMAGE) != 0)
		return -1;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	standin = h_standin_start(argv, dir, port, sizeof(port));
	return standin > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	h_standin_stop(standin);
	h_sh("ctr -n %s images rm %s >/dev/null 2>&1", NS, IMAGE);
	h_sh("rm -rf %s", dir);
	return 0;
}

/* A container of pod <name> (the kubelet's labels) reads its token; its finding. The agent
 * keeps this test's containers' events (h_agent_keep). */
static const cJSON *pod_reads_token(struct h_agent *a, const char *name, const char *uid,
				    const char *round)
{
	char id[96];
	const cJSON *ev;

	snprintf(id, sizeof(id), "c2d-gitops-%d-%s-%s", getpid(), name, round);
	assert_int_equal(h_sh("ctr -n %s run --rm --label io.kubernetes.pod.uid=%s "
			      "--label io.kubernetes.pod.name=%s-x2x4q "
			      "--label io.kubernetes.pod.namespace=prod "
			      "--label io.kubernetes.container.name=%s %s %s "
			      "/bin/cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null",
			      NS, uid, name, name, IMAGE, id),
			 0);
	ev = h_agent_wait(a, h_cred_read_of, id, H_EVENT_TIMEOUT_MS);
	if (!ev) {
		h_agent_dump_stderr(a);
		fail_msg("no credential_read from the %s pod", name);
	}
	return ev;
}

static void expect_argo(const cJSON *ev, const char *rev, const char *deployed_at)
{
	h_expect_str(ev, "k8s.workload.name", "payments");
	h_expect_str(ev, "provenance.deploy_commit", rev);
	h_expect_str(ev, "provenance.sources.deploy_commit", "argocd:argocd/payments");
	h_expect_str(ev, "provenance.deploy.tool", "argocd");
	h_expect_str(ev, "provenance.deploy.kind", "Application");
	h_expect_str(ev, "provenance.deploy.object", "argocd/payments");
	h_expect_str(ev, "provenance.deploy.revision", rev);
	h_expect_str(ev, "provenance.deploy.repository", REPO);
	h_expect_str(ev, "provenance.deploy.deployed_at", deployed_at);
	h_expect_absent(ev, "provenance.deploy.helm_release");
}

static void expect_flux(const cJSON *ev, const char *sha)
{
	char rev[64];

	snprintf(rev, sizeof(rev), "main@sha1:%s", sha);
	h_expect_str(ev, "k8s.workload.name", "billing");
	h_expect_str(ev, "provenance.deploy_commit", sha);
	h_expect_str(ev, "provenance.sources.deploy_commit", "flux-kustomization:flux-system/billing");
	h_expect_str(ev, "provenance.deploy.tool", "flux");
	h_expect_str(ev, "provenance.deploy.kind", "Kustomization");
	h_expect_str(ev, "provenance.deploy.object", "flux-system/billing");
	h_expect_str(ev, "provenance.deploy.revision", rev);
	/* the repository: the spec.url of the GitRepository the Kustomization applies from */
	h_expect_str(ev, "provenance.deploy.repository", "https://git.example/shop/fleet");
}

static void read_file(const char *name, char *out, size_t cap)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(out, (int)cap, f));
	fclose(f);
}

static void test_deploy_revision_at_each_finding(void **state)
{
	char api[64], cafile[96], tokfile[96], at[64], keep[48], err[16384];
	const char *args[] = {"--node-name", NODE, "--k8s-api", api, "--k8s-ca", cafile,
			      "--k8s-token-file", tokfile, NULL};
	const cJSON *ev;
	struct h_agent *a;

	snprintf(api, sizeof(api), "https://127.0.0.1:%s", port);
	snprintf(cafile, sizeof(cafile), "%s/cert.pem", dir);
	snprintf(tokfile, sizeof(tokfile), "%s/token", dir);
	a = h_agent_start(args);
	assert_non_null(a);
	snprintf(keep, sizeof(keep), "c2d-gitops-%d-", getpid());
	assert_int_equal(h_agent_keep(a, keep), 0); /* every container of this test */
	/* listed and watching: pods, Applications, Kustomizations; HelmReleases not served */
	for (int i = 0; i < 150 && !(log_has("/applications?watch=1&resourceVersion=500") &&
				     log_has("/kustomizations?watch=1&resourceVersion=600") &&
				     log_has("/gitrepositories?watch=1&resourceVersion=700") &&
				     log_has("/helmreleases?limit=") &&
				     log_has("/api/v1/pods?fieldSelector=spec.nodeName%3D" NODE
					     "&watch=1"));
	     i++)
		h_agent_pump(a, 100);
	assert_true(log_has("/apis/apps/v1/namespaces/prod/deployments/payments auth=ok"));

	ev = pod_reads_token(a, "payments", UID_PAYMENTS, "1");
	expect_argo(ev, REV1, "2024-05-01T12:00:00Z"); /* the newest history entry before it */
	ev = pod_reads_token(a, "billing", UID_BILLING, "1");
	expect_flux(ev, KS1);
	h_expect_absent(ev, "provenance.deploy.deployed_at"); /* in effect since before we looked */
	ev = pod_reads_token(a, "legacy", UID_LEGACY, "1");
	h_expect_str(ev, "provenance.deploy.tool", "helm");
	h_expect_str(ev, "provenance.deploy.helm_release", "legacy");
	h_expect_absent(ev, "provenance.deploy.kind"); /* its instance label names no Application */
	h_expect_absent(ev, "provenance.deploy_commit");

	/* the redeploy: strictly after those findings (deployedAt has whole seconds) */
	usleep(1200000);
	assert_int_equal(h_sh("touch %s/redeploy", dir), 0);
	for (int i = 0; i < 100 && !(log_has("SENT applications") && log_has("SENT kustomizations"));
	     i++)
		h_agent_pump(a, 100);
	assert_true(log_has("SENT applications") && log_has("SENT kustomizations"));
	h_agent_pump(a, 1500); /* the watch events reach the agent */
	read_file("redeployed_at", at, sizeof(at));

	ev = pod_reads_token(a, "payments", UID_PAYMENTS, "2");
	expect_argo(ev, REV2, at);
	ev = pod_reads_token(a, "billing", UID_BILLING, "2");
	expect_flux(ev, KS2);
	assert_non_null(h_str(ev, "provenance.deploy.deployed_at")); /* when the agent saw it */
	/* the findings before the redeploy kept theirs (their events are still held) */
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *e = h_agent_event(a, i);
		const char *cid = h_str(e, "container.id");

		if (cid && strstr(cid, "payments-1") && !strcmp(h_str(e, "kind"), "credential_read"))
			h_expect_str(e, "provenance.deploy_commit", REV1);
	}
	/* the HelmRelease kind is off, said once; the others work (above) */
	h_agent_stderr(a, err, sizeof(err));
	if (!strstr(err, "flux helmreleases not served"))
		fail_msg("no word of the missing HelmRelease CRD in: %s", err);
	assert_false(log_has("auth=bad"));
	assert_int_equal(h_agent_stop(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deploy_revision_at_each_finding),
	};

	return cmocka_run_group_tests_name("gitops", tests, group_setup, group_teardown);
}

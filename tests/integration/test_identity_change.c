// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_identity_change.c - a redeploy that changes a workload's cloud role shows up at the
 * collector as an identity_change, with both roles and the deploy commit that brought it. The
 * real agent ships to a real collector; the stand-in API server
 * (tests/integration/standins/k8s_gitops.py with the checkout uids) serves shop/checkout, a
 * Deployment tracked by the Argo CD Application argocd/checkout, run by ServiceAccount
 * shop/checkout (IRSA role checkout-ro). A container of its pod of revision A (image label
 * org.opencontainers.image.revision = commit A) reads its token under deploy commit R1. Then
 * the redeploy: the Application's history gains R2 (watch MODIFIED), the ServiceAccount's role
 * becomes checkout-admin, and a new pod of revision B (watch ADDED: the agent reads its
 * ServiceAccount again) reads its token. The collector's store holds exactly one
 * identity_change (before ro, after admin, R2 after R1, revision B), and `c2d diff` and
 * `c2d introduced` show it.
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
#include "harness_collector.h"

#define NS "default"
#define IMAGE_A "c2d/idchange:rev-a"
#define IMAGE_B "c2d/idchange:rev-b"
#define NODE "c2d-idchange-node"
#define TOKEN "stand-in-token-not-a-secret"
#define UID_PAYMENTS "1c6d1d2e-3f40-4b5c-9d6e-7f8091a2b301"
#define UID_BILLING "1c6d1d2e-3f40-4b5c-9d6e-7f8091a2b302"
#define UID_LEGACY "1c6d1d2e-3f40-4b5c-9d6e-7f8091a2b303"
#define UID_A "1c6d1d2e-3f40-4b5c-9d6e-7f8091a2b3a1"
#define UID_B "1c6d1d2e-3f40-4b5c-9d6e-7f8091a2b3b2"
#define POD_A "checkout-6b7c8d9f5-x2x4q" /* the stand-in's ReplicaSets, "-x2x4q" */
#define POD_B "checkout-7c8d9e6a4-x2x4q"
#define COMMIT_A "aaaa1111aaaa1111aaaa1111aaaa1111aaaa1111"
#define COMMIT_B "bbbb2222bbbb2222bbbb2222bbbb2222bbbb2222"
#define R1 "c0ffee01c0ffee01c0ffee01c0ffee01c0ffee01" /* the stand-in's CHECKOUT_REV1 */
#define R2 "c0ffee02c0ffee02c0ffee02c0ffee02c0ffee02"
#define ROLE_RO "arn:aws:iam::111122223333:role/checkout-ro"
#define ROLE_ADMIN "arn:aws:iam::111122223333:role/checkout-admin"
#define SA_PATH "/api/v1/namespaces/shop/serviceaccounts/checkout"
#define WAIT_MS 30000
#define CHANGE "FROM events WHERE kind = 'identity_change' AND workload_name = 'checkout'"

static char dir[64], port[16], ctr_a[64], ctr_b[64];
static pid_t standin;
static struct h_collector col;
static struct h_agent *agent; /* stopped in teardown when the test failed with it running */

/* How many lines of the stand-in's request log hold needle. */
static int log_count(const char *needle)
{
	return h_standin_requests(dir, needle);
}

static int start_standin(void)
{
	char cert[96], key[96];
	char *argv[] = {"python3", "tests/integration/standins/k8s_gitops.py", cert, key, TOKEN,
			NODE, dir, UID_PAYMENTS, UID_BILLING, UID_LEGACY, UID_A, UID_B, NULL};

	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	standin = h_standin_start(argv, dir, port, sizeof(port));
	return standin > 0 ? 0 : -1;
}

static int group_setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/c2didchange.XXXXXX");
	snprintf(ctr_a, sizeof(ctr_a), "c2d-idchange-%d-a", getpid());
	snprintf(ctr_b, sizeof(ctr_b), "c2d-idchange-%d-b", getpid());
	if (!mkdtemp(dir))
		return -1;
	if (h_standin_certs(dir, TOKEN) != 0 ||
	    h_sh("tests/integration/images/build_image.sh %s %s "
		 "org.opencontainers.image.revision=" COMMIT_A,
		 NS, IMAGE_A) != 0 ||
	    h_sh("tests/integration/images/build_image.sh %s %s "
		 "org.opencontainers.image.revision=" COMMIT_B,
		 NS, IMAGE_B) != 0)
		return -1;
	if (start_standin() != 0)
		return -1;
	return h_collector_start(&col);
}

static int group_teardown(void **state)
{
	if (agent)
		h_agent_stop(agent);
	h_standin_stop(standin);
	h_collector_free(&col);
	h_sh("ctr -n %s tasks kill -s SIGKILL %s >/dev/null 2>&1; "
	     "ctr -n %s tasks kill -s SIGKILL %s >/dev/null 2>&1; "
	     "ctr -n %s containers rm %s %s >/dev/null 2>&1; true",
	     NS, ctr_a, NS, ctr_b, NS, ctr_a, ctr_b);
	h_sh("ctr -n %s images rm %s %s c2d/idchange:img >/dev/null 2>&1; true", NS, IMAGE_A,
	     IMAGE_B);
	h_sh("rm -rf %s", dir);
	return 0;
}

/* Container `id` of the checkout pod (the kubelet's labels) reads its token: its finding's
 * id into id_out, after checking what the agent put on it. */
static void pod_reads_token(struct h_agent *a, const char *id, const char *pod, const char *uid,
			    const char *image, const char *commit, const char *deploy,
			    const char *role, char *id_out, size_t cap)
{
	const cJSON *ev;

	assert_int_equal(h_sh("ctr -n %s run --rm --label io.kubernetes.pod.uid=%s "
			      "--label io.kubernetes.pod.name=%s "
			      "--label io.kubernetes.pod.namespace=shop "
			      "--label io.kubernetes.container.name=checkout %s %s "
			      "/bin/cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null",
			      NS, uid, pod, image, id),
			 0);
	ev = h_agent_wait(a, h_cred_read_of, id, H_EVENT_TIMEOUT_MS);
	if (!ev) {
		h_agent_dump_stderr(a);
		fail_msg("no credential_read from container %s", id);
	}
	h_expect_str(ev, "k8s.namespace", "shop");
	h_expect_str(ev, "k8s.pod", pod);
	h_expect_str(ev, "k8s.container", "checkout");
	h_expect_str(ev, "k8s.workload.name", "checkout");
	h_expect_str(ev, "k8s.identity.service_account", "checkout");
	h_expect_str(ev, "provenance.commit", commit);
	h_expect_str(ev, "provenance.deploy_commit", deploy);
	h_expect_str(ev, "provenance.deploy.object", "argocd/checkout");
	{
		const cJSON *cloud = h_get(ev, "k8s.identity.cloud");
		const cJSON *c0 = cJSON_GetArrayItem(cloud, 0);

		assert_int_equal(cJSON_GetArraySize(cloud), 1);
		h_expect_str(c0, "provider", "aws");
		h_expect_str(c0, "key", "eks.amazonaws.com/role-arn");
		h_expect_str(c0, "value", role);
	}
	assert_non_null(h_str(ev, "id"));
	snprintf(id_out, cap, "%s", h_str(ev, "id"));
}

/* Wait until the collector stored the event `id`. */
static void wait_stored(struct h_agent *a, const char *id)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE id = '%s'", id);
	for (int w = 0; w < WAIT_MS && h_collector_count(&col, sql) < 1; w += 250)
		h_agent_pump(a, 250);
	if (h_collector_count(&col, sql) != 1)
		fail_msg("event %s never reached the collector", id);
}

/* The identity_change of checkout names, as `field`, a stored event of container ctr (the
 * first the collector saw of it with that identity: not necessarily the token read). */
static void expect_change_names(const char *field, const char *ctr)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events c JOIN events e ON e.id = json_extract(c.body,"
		 " '$.identity_change.%s') WHERE c.kind = 'identity_change' AND"
		 " c.workload_name = 'checkout' AND json_extract(e.body, '$.container.id') = '%s'",
		 field, ctr);
	if (h_collector_count(&col, sql) != 1)
		fail_msg("identity_change.%s does not name an event of %s", field, ctr);
}

/* One identity_change of checkout has field = want (a string). */
static void expect_change_field(const char *path, const char *want)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "SELECT count(*) " CHANGE " AND json_extract(body, '$.%s') = '%s'",
		 path, want);
	if (h_collector_count(&col, sql) != 1)
		fail_msg("identity_change.%s is not %s", path, want);
}

static void expect_store(void)
{
	assert_int_equal(h_collector_count(&col, "SELECT count(*) " CHANGE), 1);
	expect_change_field("k8s.namespace", "shop");
	expect_change_field("rule", "identity-change");
	expect_change_field("severity", "high"); /* another cloud role */
	expect_change_field("identity_change.container", "checkout");
	expect_change_field("identity_change.before.cloud[0].value", ROLE_RO);
	expect_change_field("identity_change.after.cloud[0].value", ROLE_ADMIN);
	expect_change_field("identity_change.revision", COMMIT_B);
	expect_change_field("identity_change.deploy_commit", R2);
	expect_change_names("event_id", ctr_b);
	expect_change_field("identity_change.previous.revision", COMMIT_A);
	expect_change_field("identity_change.previous.deploy_commit", R1);
	expect_change_names("previous.event_id", ctr_a);
	expect_change_field("identity_change.summary", "sa=checkout aws=" ROLE_ADMIN);
	expect_change_field("provenance.deploy_commit", R2);
	assert_int_equal(h_collector_count(&col, "SELECT count(*) " CHANGE " AND EXISTS (SELECT 1"
					   " FROM json_each(body, '$.identity_change.changed')"
					   " WHERE value = 'cloud')"),
			 1);
}

static void expect_cli(void)
{
	char out[16384];

	assert_int_equal(h_cli(&col, out, sizeof(out),
			       (const char *const[]){"diff", "--workload", "shop/checkout", NULL}),
			 0);
	if (!strstr(out, "+ container checkout: sa=checkout aws=" ROLE_ADMIN) ||
	    !strstr(out, "- container checkout: sa=checkout aws=" ROLE_RO) ||
	    !strstr(out, "from aaaa1111aaaa, deploy commit " R1 "\n") ||
	    !strstr(out, "to   bbbb2222bbbb, deploy commit " R2 "\n"))
		fail_msg("c2d diff does not show the change of role:\n%s", out);
	assert_int_equal(h_cli(&col, out, sizeof(out),
			       (const char *const[]){"introduced", "--workload", "shop/checkout",
						     NULL}),
			 0);
	if (!strstr(out, "identity_change identity-change sa=checkout aws=" ROLE_ADMIN
			 ": introduced between aaaa1111aaaa and bbbb2222bbbb"))
		fail_msg("c2d introduced does not list the change of role:\n%s", out);
}

static void test_new_role_at_redeploy(void **state)
{
	char api[64], cafile[96], tokfile[96], sd[96], keep[48], id_a[64], id_b[64];
	const char *args[24];
	struct h_agent *a;

	snprintf(api, sizeof(api), "https://127.0.0.1:%s", port);
	snprintf(cafile, sizeof(cafile), "%s/cert.pem", dir);
	snprintf(tokfile, sizeof(tokfile), "%s/token", dir);
	snprintf(sd, sizeof(sd), "%s/state", dir); /* not the default's spool of other runs */
	h_collector_agent_args(&col, args);
	{
		const char *more[] = {"--node-name", NODE, "--k8s-api", api, "--k8s-ca", cafile,
				      "--k8s-token-file", tokfile, "--batch-age-ms", "200",
				      "--state-dir", sd, NULL};

		for (int i = 0; more[i]; i++)
			args[4 + i] = more[i], args[5 + i] = NULL;
	}
	a = agent = h_agent_start(args);
	assert_non_null(a);
	snprintf(keep, sizeof(keep), "c2d-idchange-%d-", getpid());
	assert_int_equal(h_agent_keep(a, keep), 0);
	/* listed and watching pods and Applications; the ServiceAccount read with the pod */
	for (int i = 0; i < 150 && !(log_count("/applications?watch=1&resourceVersion=500") &&
				     log_count("/api/v1/pods?fieldSelector=spec.nodeName%3D" NODE
					       "&watch=1&resourceVersion=100") &&
				     log_count(SA_PATH " auth=ok"));
	     i++)
		h_agent_pump(a, 100);
	assert_int_equal(log_count(SA_PATH " auth=ok"), 1);

	/* revision A under deploy commit R1, as checkout-ro */
	pod_reads_token(a, ctr_a, POD_A, UID_A, IMAGE_A, COMMIT_A, R1, ROLE_RO, id_a,
			sizeof(id_a));

	/* the redeploy: the ServiceAccount was read more than K8S_SA_MIN_REFRESH_S ago, so the new
	 * pod reads it again; R2's deployedAt (whole seconds) is after revision A's finding */
	usleep(2200000);
	assert_int_equal(h_sh("touch %s/redeploy", dir), 0);
	for (int i = 0; i < 100 && !(log_count("SENT applications") && log_count("SENT pods") &&
				     log_count(SA_PATH " auth=ok") == 2);
	     i++)
		h_agent_pump(a, 100);
	assert_int_equal(log_count("SENT applications"), 1);
	assert_int_equal(log_count("SENT pods"), 1);
	assert_int_equal(log_count(SA_PATH " auth=ok"), 2); /* again, for the new pod */
	h_agent_pump(a, 1500); /* the watch events reach the agent */

	/* revision B under deploy commit R2, as checkout-admin */
	pod_reads_token(a, ctr_b, POD_B, UID_B, IMAGE_B, COMMIT_B, R2, ROLE_ADMIN, id_b,
			sizeof(id_b));

	/* both findings delivered; the collector made its change at ingest */
	wait_stored(a, id_a);
	wait_stored(a, id_b);
	expect_store();
	expect_cli();
	assert_false(log_count("auth=bad"));
	agent = NULL;
	assert_int_equal(h_agent_stop(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_role_at_redeploy),
	};

	return cmocka_run_group_tests_name("identity_change", tests, group_setup, group_teardown);
}

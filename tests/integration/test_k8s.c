// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_k8s.c - pod metadata from the Kubernetes API, against a stand-in API server on
 * loopback (tests/integration/standins/k8s_standin.py: verified TLS, bearer token, list, a watch that
 * drops after ADDED and MODIFIED and is resumed from its resourceVersion, ReplicaSet get).
 * A container of that pod reads its token: the event carries the workload from the owners,
 * the service account, the deploy commit from the pod annotation an operator's provenance key
 * names (no built-in key reads it: GitOps objects do, test_gitops) and the version from the
 * pod label. With a CA the server's certificate does not chain to, nothing of the API is used.
 */
#include <errno.h>
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
#define IMAGE "c2d/k8s:rev-b"
#define STRIPE "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
/* fakes of the right shape in the container's arguments: one the pod spec's args hold (the
 * stand-in's), one it does not (a mutating webhook or the runtime put it there) */
#define ARG_KEY "sk_live_51HArgsFromTheManifest00"
#define ARG_GH "ghp_0123456789abcdefghijklmnopqrstuvwxyz"
#define NODE "c2d-test-node"
#define POD_UID "7c0a1d2e-3f40-4b5c-9d6e-7f8091a2b3c4"
#define TOKEN "stand-in-token-not-a-secret"

static char dir[64], port[16];
static pid_t standin;

static bool log_has(const char *needle)
{
	return h_standin_requests(dir, needle) > 0;
}

static int group_setup(void **state)
{
	char cert[96], key[96], pf[96], log[96];
	char *argv[] = {"python3", "tests/integration/standins/k8s_standin.py", cert, key, TOKEN,
			NODE, POD_UID, pf, log, NULL};

	snprintf(dir, sizeof(dir), "/tmp/c2dk8s.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	if (h_standin_certs(dir, TOKEN) != 0 ||
	    h_sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out "
		 "other.pem -days 1 -subj /CN=other 2>/dev/null && "
		 "printf '%%s' '{\"provenance_keys\": {\"deploy_commit\": "
		 "[\"pod-annotation:cloud2dev.dev/deploy-commit\"]}}' > policy.json",
		 dir) != 0)
		return -1;
	/* a secret baked into the image (a fake of the right shape), as a Dockerfile ENV would */
	if (h_sh("C2D_IMAGE_ENV=STRIPE_KEY=" STRIPE " tests/integration/images/build_image.sh %s %s "
	       "org.opencontainers.image.revision=bbbb2222",
	       NS, IMAGE) != 0)
		return -1;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(pf, sizeof(pf), "%s/port", dir);
	snprintf(log, sizeof(log), "%s/requests.log", dir);
	standin = h_standin_start(argv, dir, port, sizeof(port));
	return standin > 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
	h_standin_stop(standin);
	h_sh("ctr -n %s images rm %s c2d/k8s:img >/dev/null 2>&1", NS, IMAGE);
	h_sh("rm -rf %s", dir);
	return 0;
}

/* One container of the pod reads its token and exits. Its environment is what the kubelet
 * would give it from the stand-in's pod spec: the literal DB_PASSWORD and API_TOKEN from the
 * Secret payments-api (the image adds STRIPE_KEY). */
static int run_cat(const char *id)
{
	return h_sh("ctr -n %s run --rm --env 'DB_PASSWORD=Tr0ub4dor&3-horse' "
		    "--env API_TOKEN=glpat-abcdefghij0123456789 --env LOG_LEVEL=info "
		    "--label io.kubernetes.pod.uid=%s "
		    "--label io.kubernetes.pod.name=payments-7d9f8c6b5-x2x4q "
		    "--label io.kubernetes.pod.namespace=prod "
		    "--label io.kubernetes.container.name=payments %s %s "
		    "/bin/sh -c 'cat /var/run/secrets/kubernetes.io/serviceaccount/token' sh "
		    "--api-key=" ARG_KEY " --gh-token=" ARG_GH " >/dev/null",
		    NS, POD_UID, IMAGE, id);
}

/* Start an agent against the stand-in (CA file given), run a container of the pod. */
static const cJSON *run_pod_container(struct h_agent **out, const char *ca, const char *id)
{
	char api[64], cafile[96], tokfile[96], policy[96];
	const char *args[] = {"--node-name", NODE, "--k8s-api", api, "--k8s-ca", cafile,
			      "--k8s-token-file", tokfile, "--policy", policy, NULL};
	struct h_agent *a;
	const cJSON *ev;

	snprintf(api, sizeof(api), "https://127.0.0.1:%s", port);
	snprintf(cafile, sizeof(cafile), "%s/%s", dir, ca);
	snprintf(tokfile, sizeof(tokfile), "%s/token", dir);
	snprintf(policy, sizeof(policy), "%s/policy.json", dir);
	a = h_agent_start(args);
	assert_non_null(a);
	*out = a;
	assert_int_equal(h_agent_keep(a, id), 0);
	/* with the right CA: wait until the watch was dropped and resumed from rv 102 */
	for (int i = 0; i < 100 && !strcmp(ca, "cert.pem") &&
			!log_has("watch=1&resourceVersion=102");
	     i++)
		h_agent_pump(a, 100);
	assert_int_equal(run_cat(id), 0);
	ev = h_agent_wait(a, h_cred_read_of, id, H_EVENT_TIMEOUT_MS);
	if (!ev)
		h_agent_dump_stderr(a);
	return ev;
}

static bool exposure_of(const cJSON *ev, const void *want)
{
	const char *cid = h_str(ev, "container.id"), *name = h_str(ev, "exposure.name");
	const char *const *w = want;

	return cid && name && !strcmp(cid, w[0]) && !strcmp(name, w[1]);
}

/* The secrets of the container, each traced to where it came from: the image config (its Env
 * has that NAME=VALUE, read from containerd's content store; not in the pod spec), the manifest
 * (a literal), the Secret the spec names; and two arguments: one the pod spec's args hold (the
 * manifest), one in neither the pod spec nor the image (runtime). */
static void expect_exposure_origins(struct h_agent *a, const char *id)
{
	static const char *const want[][4] = {
		{"STRIPE_KEY", "stripe-secret-key", "image", NULL},
		{"DB_PASSWORD", "named-secret", "manifest", NULL},
		{"API_TOKEN", "gitlab-token", "k8s-secret", "payments-api"},
		{"--api-key", "stripe-secret-key", "manifest", NULL},
		{"--gh-token", "github-token", "runtime", NULL},
	};
	const char *key[2] = {id, NULL};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const cJSON *ev;

		key[1] = want[i][0];
		ev = h_agent_wait(a, exposure_of, key, H_EVENT_TIMEOUT_MS);
		if (!ev)
			fail_msg("no secret_exposure for %s", want[i][0]);
		h_expect_str(ev, "kind", "secret_exposure");
		h_expect_str(ev, "exposure.detector", want[i][1]);
		h_expect_str(ev, "exposure.origin", want[i][2]);
		h_expect_str(ev, "exposure.origin_ref", want[i][3]);
		h_expect_str(ev, "k8s.workload.name", "payments");
	}
	key[1] = "LOG_LEVEL";
	assert_null(h_agent_wait(a, exposure_of, key, 0)); /* not a secret */
}

/* What the stand-in's pod spec and ServiceAccount say the container runs as, exactly (the
 * collector's validate accepts this shape: tests/unit/collector/ingest/test_validate.c). */
static void expect_identity(const cJSON *ev)
{
	static const char want[] =
		"{\"service_account\":\"payments-sa\",\"cloud\":[{\"provider\":\"aws\","
		"\"key\":\"eks.amazonaws.com/role-arn\","
		"\"value\":\"arn:aws:iam::111122223333:role/payments-ro\"}],"
		"\"automount_token\":true,\"token_audiences\":[\"sts.amazonaws.com\"],"
		"\"privileged\":true,\"allow_privilege_escalation\":true,"
		"\"capabilities_added\":[\"NET_ADMIN\"],"
		"\"host_paths\":[\"/var/run/containerd/containerd.sock\"]}";
	char *got = cJSON_PrintUnformatted(h_get(ev, "k8s.identity"));

	if (!got || strcmp(got, want) != 0)
		fail_msg("k8s.identity: want %s, got %s", want, got ? got : "(none)");
	cJSON_free(got);
}

static void test_pod_from_api(void **state)
{
	struct h_agent *a;
	char id[64];
	const cJSON *ev;

	snprintf(id, sizeof(id), "c2d-k8s-%d", getpid());
	ev = run_pod_container(&a, "cert.pem", id);
	assert_non_null(ev);
	assert_true(log_has("watch=1&resourceVersion=100&allowWatchBookmarks=true auth=ok"));
	assert_true(log_has("watch=1&resourceVersion=102&allowWatchBookmarks=true auth=ok"));
	assert_true(log_has("/replicasets/payments-7d9f8c6b5 auth=ok"));
	assert_true(log_has("GET /api/v1/namespaces/prod/serviceaccounts/payments-sa auth=ok"));
	assert_false(log_has("auth=bad"));
	h_expect_str(ev, "k8s.pod_uid", POD_UID);
	h_expect_str(ev, "k8s.service_account", "payments-sa");
	h_expect_str(ev, "k8s.workload.kind", "Deployment");
	h_expect_str(ev, "k8s.workload.name", "payments");
	h_expect_absent(ev, "k8s.workload.derived"); /* from the owners, not guessed */
	h_expect_str(ev, "provenance.deploy_commit", "9a8b7c6d");
	h_expect_str(ev, "provenance.sources.deploy_commit",
		     "pod-annotation:cloud2dev.dev/deploy-commit");
	h_expect_str(ev, "provenance.version", "1.4.2");
	h_expect_str(ev, "provenance.sources.version", "pod-label:app.kubernetes.io/version");
	h_expect_str(ev, "provenance.commit", "bbbb2222");
	expect_identity(ev);
	expect_exposure_origins(a, id);
	assert_int_equal(h_agent_stop(a), 0);
}

static void test_untrusted_server_is_not_used(void **state)
{
	struct h_agent *a;
	char id[64];
	const cJSON *ev;

	snprintf(id, sizeof(id), "c2d-k8s-ca-%d", getpid());
	ev = run_pod_container(&a, "other.pem", id); /* a CA that did not sign the server */
	assert_non_null(ev);
	h_expect_absent(ev, "k8s.service_account");
	h_expect_absent(ev, "k8s.identity"); /* no pod spec: no identity */
	h_expect_absent(ev, "provenance.deploy_commit");
	h_expect_str(ev, "k8s.workload.kind", "Deployment"); /* the name guess still works */
	h_expect_str(ev, "k8s.workload.name", "payments");
	assert_int_equal(h_agent_stop(a), 0);
}

/* A kubeconfig for the stand-in: CA inline (base64), token inline; `user` is the user entry's
 * body, to vary it. */
static void write_kubeconfig(const char *path, const char *user)
{
	assert_int_equal(h_sh("cd %s && { printf 'apiVersion: v1\nkind: Config\n"
			    "current-context: standin\nclusters:\n- name: c1\n  cluster:\n"
			    "    server: https://127.0.0.1:%s\n    certificate-authority-data: ';"
			    " base64 -w0 cert.pem; printf '\ncontexts:\n- name: standin\n"
			    "  context:\n    cluster: c1\n    user: u1\nusers:\n- name: u1\n"
			    "  user:\n    %s\n'; } > %s",
			    dir, port, user, path),
			 0);
}

/* --kubeconfig instead of the in-cluster options: the same pod metadata. */
static void test_pod_from_kubeconfig(void **state)
{
	char kc[96], id[64], policy[96];
	const char *args[] = {"--node-name", NODE, "--kubeconfig", kc, "--policy", policy, NULL};
	struct h_agent *a;
	const cJSON *ev;

	snprintf(kc, sizeof(kc), "%s/kubeconfig", dir);
	write_kubeconfig(kc, "token: " TOKEN);
	snprintf(policy, sizeof(policy), "%s/policy.json", dir);
	snprintf(id, sizeof(id), "c2d-k8s-kc-%d", getpid());
	a = h_agent_start(args);
	assert_non_null(a);
	assert_int_equal(h_agent_keep(a, id), 0);
	for (int i = 0; i < 100 && !log_has("watch=1&resourceVersion=102"); i++)
		h_agent_pump(a, 100);
	assert_int_equal(run_cat(id), 0);
	ev = h_agent_wait(a, h_cred_read_of, id, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	assert_false(log_has("auth=bad"));
	h_expect_str(ev, "k8s.service_account", "payments-sa");
	h_expect_str(ev, "k8s.workload.kind", "Deployment");
	h_expect_str(ev, "k8s.workload.name", "payments");
	h_expect_absent(ev, "k8s.workload.derived"); /* from the owners, not guessed */
	h_expect_str(ev, "provenance.deploy_commit", "9a8b7c6d");
	assert_int_equal(h_agent_stop(a), 0);
}

/* A kubeconfig the client cannot use: exit 2, naming the file and the field, never a value. */
static void expect_refused(const char *user, const char *field)
{
	const char *agent = getenv("C2D_AGENT") ? getenv("C2D_AGENT") : "build/c2d-agent-san";
	char kc[96], out[256], err[1024];
	char *argv[] = {(char *)agent, "--stdout", "--kubeconfig", kc, NULL};
	int status;

	snprintf(kc, sizeof(kc), "%s/bad-kubeconfig", dir);
	write_kubeconfig(kc, user);
	assert_int_equal(h_run_capture(argv, &status, out, sizeof(out), err, sizeof(err)), 0);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 2);
	if (!strstr(err, kc) || !strstr(err, field))
		fail_msg("want \"%s\" and \"%s\" in: %s", kc, field, err);
	assert_null(strstr(err, "s3cr3t"));
}

static void test_bad_kubeconfig(void **state)
{
	expect_refused("client-key-data: s3cr3t", "users[u1].user.client-key-data");
	expect_refused("exec: {command: s3cr3t}", "users[u1].user.exec");
	expect_refused("username: s3cr3t", "users[u1].user.username");
	expect_refused("tokenFile: ''", "users[u1].user");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pod_from_api),
		cmocka_unit_test(test_untrusted_server_is_not_used),
		cmocka_unit_test(test_pod_from_kubeconfig),
		cmocka_unit_test(test_bad_kubeconfig),
	};

	return cmocka_run_group_tests_name("k8s", tests, group_setup, group_teardown);
}

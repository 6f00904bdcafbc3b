// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_containerd.c - the container record and the provenance from a real containerd: an
 * image built offline with provenance labels, a container created with the labels CRI sets,
 * read back through our gRPC client (HTTP/2 on the unix socket) and protobuf decoder.
 */
#include <errno.h>
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
#include "provenance.h"
#include "runtime_containerd.h"

#define NS "default" /* ctr puts containers in /<namespace>/<id>: one the agent knows */
#define IMAGE "c2d/provenance:rev-b"
#define POD_UID "2b6f0e3c-9d41-4a7e-8c55-1f2e3d4c5b6a"

static char ctr_id[64];
static struct grpc_client *client;

static int group_setup(void **state)
{
	snprintf(ctr_id, sizeof(ctr_id), "c2d-ctrd-%d", getpid());
	if (h_sh("tests/integration/images/build_image.sh %s %s "
	       "org.opencontainers.image.revision=bbbb2222 "
	       "org.opencontainers.image.source=https://git.example/acme/payments "
	       "org.opencontainers.image.version=1.4.2 "
	       "org.opencontainers.image.created=2026-11-27T09:12:00Z "
	       "dev.cloud2dev.pipeline.id=101 "
	       "dev.cloud2dev.pipeline.url=https://ci.example/acme/payments/-/pipelines/101",
	       NS, IMAGE) != 0)
		return -1;
	if (h_sh("ctr -n %s containers create --label io.kubernetes.pod.name=payments-7d9f8c6b5-x2x4q "
	       "--label io.kubernetes.pod.namespace=prod --label io.kubernetes.pod.uid=%s "
	       "--label io.kubernetes.container.name=payments %s %s /bin/sh >/dev/null",
	       NS, POD_UID, IMAGE, ctr_id) != 0)
		return -1;
	client = grpc_client_new(CONTAINERD_SOCKET, 5000);
	return client ? 0 : -1;
}

static int group_teardown(void **state)
{
	grpc_client_free(client);
	h_sh("ctr -n %s containers rm %s >/dev/null 2>&1", NS, ctr_id);
	h_sh("ctr -n %s images rm %s c2d/provenance:img >/dev/null 2>&1", NS, IMAGE);
	return 0;
}

static void test_container_record(void **state)
{
	static struct container_record rec;

	assert_int_equal(containerd_get(client, NS, ctr_id, &rec), 0);
	assert_string_equal(rec.id, ctr_id);
	assert_string_equal(rec.ns, NS);
	assert_string_equal(rec.image, IMAGE);
	assert_string_equal(rec.runtime, "io.containerd.runc.v2");
	assert_int_equal(strncmp(rec.image_digest, "sha256:", 7), 0);
	assert_int_equal(strlen(rec.image_digest), 7 + 64);
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.pod.name"),
			    "payments-7d9f8c6b5-x2x4q");
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.pod.namespace"), "prod");
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.pod.uid"), POD_UID);
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.container.name"), "payments");
	assert_string_equal(labels_get(&rec.labels, "org.opencontainers.image.revision"),
			    "bbbb2222");
	assert_int_equal(rec.labels.dropped, 0);
}

static void test_provenance_from_record(void **state)
{
	static struct container_record rec;
	struct provenance p;

	assert_int_equal(containerd_get(client, NS, ctr_id, &rec), 0);
	provenance_resolve(&rec.labels, NULL, NULL, &p);
	assert_string_equal(p.value[PROV_COMMIT], "bbbb2222");
	assert_string_equal(p.source[PROV_COMMIT], "image-label:org.opencontainers.image.revision");
	assert_string_equal(p.value[PROV_REPOSITORY], "https://git.example/acme/payments");
	assert_string_equal(p.value[PROV_VERSION], "1.4.2");
	assert_string_equal(p.value[PROV_BUILD_TIME], "2026-11-27T09:12:00Z");
	assert_string_equal(p.value[PROV_PIPELINE_ID], "101");
	assert_string_equal(p.source[PROV_PIPELINE_ID], "image-label:dev.cloud2dev.pipeline.id");
	assert_string_equal(p.value[PROV_PIPELINE_URL],
			    "https://ci.example/acme/payments/-/pipelines/101");
	assert_string_equal(p.value[PROV_DEPLOY_COMMIT], ""); /* no pod annotations here */
}

static void test_not_found_and_no_socket(void **state)
{
	static struct container_record rec;
	struct grpc_client *none;

	assert_int_equal(containerd_get(client, NS, "no-such-container", &rec),
			 GRPC_ERR(GRPC_NOT_FOUND));
	/* the same client still works after an error */
	assert_int_equal(containerd_get(client, NS, ctr_id, &rec), 0);
	none = grpc_client_new("/tmp/c2d-no-such.sock", 1000);
	assert_non_null(none);
	assert_true(containerd_get(none, NS, ctr_id, &rec) < 0);
	grpc_client_free(none);
}

/* ---- the agent, end to end ---------------------------------------------------------- */

static bool in_container(const cJSON *ev, const void *arg)
{
	const char *const *want = arg; /* {container id, rule} */

	return h_str(ev, "container.id") && !strcmp(h_str(ev, "container.id"), want[0]) &&
	       h_str(ev, "rule") && !strcmp(h_str(ev, "rule"), want[1]);
}

static bool started(const cJSON *ev, const void *id)
{
	return h_str(ev, "container.id") && !strcmp(h_str(ev, "container.id"), id) &&
	       !strcmp(h_str(ev, "kind"), "container_start");
}

static void expect_attributed(const cJSON *ev, const char *id)
{
	h_expect_str(ev, "container.id", id);
	h_expect_str(ev, "container.runtime", "containerd");
	h_expect_str(ev, "container.name", "payments");
	h_expect_str(ev, "container.image.name", IMAGE);
	assert_int_equal(strncmp(h_str(ev, "container.image.digest"), "sha256:", 7), 0);
	h_expect_str(ev, "k8s.namespace", "prod");
	h_expect_str(ev, "k8s.pod", "payments-7d9f8c6b5-x2x4q");
	h_expect_str(ev, "k8s.pod_uid", POD_UID);
	h_expect_str(ev, "k8s.container", "payments");
	h_expect_str(ev, "k8s.workload.kind", "Deployment");
	h_expect_str(ev, "k8s.workload.name", "payments");
	h_expect_str(ev, "provenance.commit", "bbbb2222");
	h_expect_str(ev, "provenance.sources.commit", "image-label:org.opencontainers.image.revision");
	h_expect_str(ev, "provenance.repository", "https://git.example/acme/payments");
	h_expect_str(ev, "provenance.sources.repository", "image-label:org.opencontainers.image.source");
	h_expect_str(ev, "provenance.version", "1.4.2");
	h_expect_str(ev, "provenance.build_time", "2026-11-27T09:12:00Z");
	h_expect_str(ev, "provenance.pipeline_id", "101");
	h_expect_str(ev, "provenance.sources.pipeline_id", "image-label:dev.cloud2dev.pipeline.id");
	h_expect_str(ev, "provenance.pipeline_url",
		     "https://ci.example/acme/payments/-/pipelines/101");
}

/*
 * A short-lived container (`--rm`: removed as soon as it exits) reads its service-account
 * token and creates a user namespace; both findings carry the container, the pod and the
 * provenance. A host process next to it carries none of them.
 */
static void test_agent_attributes_short_lived_container(void **state)
{
	static const char *const host_argv[] = {"open_file", "/etc/shadow", NULL};
	const char *tok[2], *ns[2];
	struct h_agent *a = h_agent_start(NULL);
	char id[64];
	const cJSON *ev;
	struct h_proc p;

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-short-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(
		h_sh("ctr -n %s run --rm --label io.kubernetes.pod.name=payments-7d9f8c6b5-x2x4q "
		   "--label io.kubernetes.pod.namespace=prod --label io.kubernetes.pod.uid=%s "
		   "--label io.kubernetes.container.name=payments %s %s /bin/sh -c "
		   "'cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null; "
		   "unshare -U true' >/dev/null",
		   NS, POD_UID, IMAGE, id),
		0);
	tok[0] = ns[0] = id;
	tok[1] = "k8s-serviceaccount-token";
	ns[1] = "namespace-create";
	ev = h_agent_wait(a, in_container, tok, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "file.path", "/var/run/secrets/kubernetes.io/serviceaccount/token");
	expect_attributed(ev, id);
	ev = h_agent_wait(a, in_container, ns, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	expect_attributed(ev, id);
	/* the container's start was announced once, with everything its findings carry, before
	 * them (the collector learns the revision ran even if it never produces a finding) */
	ev = h_agent_find(a, started, id);
	assert_non_null(ev);
	expect_attributed(ev, id);
	h_expect_str(ev, "severity", "info");
	h_expect_absent(ev, "rule");
	h_expect_absent(ev, "process");
	{
		size_t first = SIZE_MAX, nstart = 0;

		for (size_t i = 0; i < h_agent_nevents(a); i++) {
			const cJSON *e = h_agent_event(a, i);

			nstart += started(e, id);
			if (e == ev)
				first = i;
			else if (in_container(e, tok) || in_container(e, ns))
				assert_true(first != SIZE_MAX); /* the start came first */
		}
		assert_int_equal(nstart, 1);
	}

	{
		char *argv[] = {(char *)h_trigger("open_file"), (char *)host_argv[1], NULL};

		assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	}
	ev = h_expect_event(a, &p, "credential_read", "etc-shadow", NULL);
	h_expect_absent(ev, "container");
	h_expect_absent(ev, "k8s");
	h_expect_absent(ev, "provenance");
	assert_int_equal(h_agent_stop(a), 0);
}

/*
 * The container's cgroup is gone before the agent reads its finding: the agent is stopped
 * (SIGSTOP) while a container reads its token, exits, and has its task (and so its cgroup)
 * deleted; the container record stays (no --rm). Resumed, the agent can no longer open the
 * cgroup by its id, and /proc has no such process: only the names the kernel sent with the
 * container's first exec tie the finding to the container, which is then fully attributed.
 * (On a loaded node this is the reader running late for a container living a few ms.)
 */
static void test_agent_attributes_after_cgroup_removed(void **state)
{
	const char *tok[2];
	struct h_agent *a = h_agent_start(NULL);
	char id[64], cg[160];
	const cJSON *ev;

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-gone-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(kill(h_agent_pid(a), SIGSTOP), 0);
	assert_int_equal(
		h_sh("ctr -n %s run --label io.kubernetes.pod.name=payments-7d9f8c6b5-x2x4q "
		   "--label io.kubernetes.pod.namespace=prod --label io.kubernetes.pod.uid=%s "
		   "--label io.kubernetes.container.name=payments %s %s "
		   "cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null",
		   NS, POD_UID, IMAGE, id),
		0);
	snprintf(cg, sizeof(cg), "/sys/fs/cgroup/%s/%s", NS, id);
	assert_int_equal(access(cg, F_OK), -1); /* the premise: its cgroup is gone */
	assert_int_equal(kill(h_agent_pid(a), SIGCONT), 0);
	tok[0] = id;
	tok[1] = "k8s-serviceaccount-token";
	ev = h_agent_wait(a, in_container, tok, H_EVENT_TIMEOUT_MS);
	if (!ev)
		h_agent_dump_stderr(a);
	assert_non_null(ev);
	expect_attributed(ev, id);
	assert_int_equal(h_agent_stop(a), 0);
	h_sh("ctr -n %s containers rm %s >/dev/null 2>&1", NS, id);
}

/*
 * Provenance from the allowlisted environment of the container's first process, when the
 * image has no revision label; a canary in another variable never appears in any event.
 */
static void test_agent_env_provenance_without_canary(void **state)
{
	static const char canary[] = "c2d-canary-7f3a9e";
	const char *want[2];
	struct h_agent *a = h_agent_start(NULL);
	char id[64], *text;
	const cJSON *ev;

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-env-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(h_sh("tests/integration/images/build_image.sh %s c2d/noref:v1 "
			    "org.opencontainers.image.source=https://git.example/acme/noref",
			    NS),
			 0);
	assert_int_equal(h_sh("ctr -n %s run --rm --env GIT_COMMIT=feedface1234 --env API_TOKEN=%s "
			    "c2d/noref:v1 %s /bin/sh -c 'cat %s >/dev/null; sleep 1' >/dev/null",
			    NS, canary, id, "/var/run/secrets/kubernetes.io/serviceaccount/token"),
			 0);
	want[0] = id;
	want[1] = "k8s-serviceaccount-token";
	ev = h_agent_wait(a, in_container, want, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "provenance.commit", "feedface1234");
	h_expect_str(ev, "provenance.sources.commit", "env:GIT_COMMIT");
	h_expect_str(ev, "provenance.repository", "https://git.example/acme/noref");
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		text = cJSON_PrintUnformatted(h_agent_event(a, i));
		assert_non_null(text);
		if (strstr(text, canary))
			fail_msg("the canary leaked into an event: %s", text);
		free(text);
	}
	assert_int_equal(h_agent_stop(a), 0);
	h_sh("ctr -n %s images rm c2d/noref:v1 c2d/noref:img >/dev/null 2>&1", NS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_record),
		cmocka_unit_test(test_provenance_from_record),
		cmocka_unit_test(test_not_found_and_no_socket),
		cmocka_unit_test(test_agent_attributes_short_lived_container),
		cmocka_unit_test(test_agent_attributes_after_cgroup_removed),
		cmocka_unit_test(test_agent_env_provenance_without_canary),
	};

	return cmocka_run_group_tests_name("containerd", tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cri.c - container records through CRI (runtime.v1) from the real containerd, as a
 * kubelet would make them: a pod sandbox (host network, a cgroup parent under /kubepods) from
 * a locally built sandbox image, a container from an image with provenance labels that reads
 * its service-account token. The agent runs with --cri-socket only (--containerd-socket none):
 * the event must carry the container, the runtime CRI names, the image and its digest, the
 * pod from the kubelet's labels and every provenance field with its source (image config
 * labels, which only ImageStatus gives on CRI-O). The pod is removed even when a check fails.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "cri_client.h"
#include "harness.h"
#include "runtime_cri.h"

#define CRI_NS "k8s.io"
#define IMAGE "docker.io/c2dtest/cri-app:rev-c"
#define POD_NAME "payments-7d9f8c6b5-x2x4q"
#define POD_NS "prod"
#define POD_UID "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define CGROUP_PARENT "/kubepods/besteffort/pod" POD_UID
#define TOKEN "/var/run/secrets/kubernetes.io/serviceaccount/token"
/*
 * A containerd of the test's own, with the CRI plugin, next to the shared one (which is never
 * restarted): containerd 1.6 starts every sandbox at oom_score_adj -998, which a node without
 * CAP_SYS_RESOURCE (a container runner) cannot set unless restrict_oom_score_adj is on.
 */
#define CTRD_DIR "/var/lib/c2d-cri-test"
#define CTRD_RUN "/run/c2d-cri-test"
#define CRI_SOCK CTRD_RUN "/containerd.sock"
#define SANDBOX_IMAGE "registry.k8s.io/pause:3.6"
/* the kubelet's directory of this (made-up) pod uid: the test's own, removed in cleanup() */
#define KUBELET_POD "/var/lib/kubelet/pods/" POD_UID
#define TOKEN_VOL KUBELET_POD "/volumes/kubernetes.io~projected/kube-api-access-c2d"

static struct grpc_client *client;
static struct crit_pod pod = {POD_NAME, POD_UID, POD_NS, CGROUP_PARENT, ""};
static pid_t ctrd;

static int start_containerd(void)
{
	FILE *f;

	if (h_sh("mkdir -p %s/cni %s", CTRD_DIR, CTRD_RUN) != 0 ||
	    !(f = fopen(CTRD_DIR "/config.toml", "w")))
		return -1;
	fprintf(f, "version = 2\nroot = \"%s/root\"\nstate = \"%s/state\"\n"
		   "[grpc]\n  address = \"%s\"\n[ttrpc]\n  address = \"%s.ttrpc\"\n"
		   "[plugins.\"io.containerd.grpc.v1.cri\"]\n  restrict_oom_score_adj = true\n"
		   "  sandbox_image = \"%s\"\n"
		   "[plugins.\"io.containerd.grpc.v1.cri\".cni]\n  conf_dir = \"%s/cni\"\n",
		CTRD_DIR, CTRD_RUN, CRI_SOCK, CRI_SOCK, SANDBOX_IMAGE, CTRD_DIR);
	fclose(f);
	ctrd = fork();
	if (ctrd == 0) {
		freopen(CTRD_DIR "/containerd.log", "w", stderr);
		freopen("/dev/null", "w", stdout);
		execlp("containerd", "containerd", "--config", CTRD_DIR "/config.toml", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 100 && access(CRI_SOCK, W_OK) != 0; i++)
		usleep(100000);
	setenv("CONTAINERD_ADDRESS", CRI_SOCK, 1); /* for ctr in build_image.sh */
	return ctrd > 0 && access(CRI_SOCK, W_OK) == 0 ? 0 : -1;
}

/* The sandbox image, built locally (the node may be offline), once. */
static int sandbox_image(void)
{
	if (h_sh("ctr -n %s images ls -q | grep -qxF '%s'", CRI_NS, SANDBOX_IMAGE) == 0)
		return 0;
	return h_sh("C2D_IMAGE_CMD='/bin/sleep 86400' tests/integration/images/build_image.sh %s %s",
		  CRI_NS, SANDBOX_IMAGE);
}

static void cleanup(void)
{
	if (client && pod.id[0]) {
		crit_stop_pod(client, pod.id);
		if (crit_remove_pod(client, pod.id) != 0)
			fprintf(stderr, "pod sandbox %s not removed\n", pod.id);
	}
	pod.id[0] = 0;
	grpc_client_free(client);
	client = NULL;
	if (ctrd > 0) {
		h_sh("ctr -n %s images rm %s docker.io/c2dtest/cri-app:img >/dev/null 2>&1", CRI_NS,
		   IMAGE);
		kill(ctrd, SIGTERM);
		waitpid(ctrd, NULL, 0);
		ctrd = 0;
	}
	h_sh("rm -rf '%s'", KUBELET_POD);
	/* cgroupfs: runc leaves the pod's parent directories behind */
	h_sh("for c in /sys/fs/cgroup/*%s /sys/fs/cgroup%s; do [ -d \"$c\" ] && rmdir \"$c\"; done "
	   ">/dev/null 2>&1; true",
	   CGROUP_PARENT, CGROUP_PARENT);
}

static int group_setup(void **state)
{
	int rc = -1;

	if (start_containerd() != 0 || sandbox_image() != 0 ||
	    h_sh("tests/integration/images/build_image.sh %s %s "
	       "org.opencontainers.image.revision=cccc3333 "
	       "org.opencontainers.image.source=https://git.example/acme/payments "
	       "org.opencontainers.image.version=1.5.0 "
	       "org.opencontainers.image.created=2026-11-28T10:00:00Z "
	       "dev.cloud2dev.pipeline.id=202 "
	       "dev.cloud2dev.pipeline.url=https://ci.example/acme/payments/-/pipelines/202",
	       CRI_NS, IMAGE) != 0 ||
	    /* one tag only: containerd names a container's image by the image's first tag */
	    h_sh("ctr -n %s images rm docker.io/c2dtest/cri-app:img >/dev/null", CRI_NS) != 0)
		goto fail;
	client = grpc_client_new(CRI_SOCK, 60000); /* a sandbox start takes seconds */
	if (!client || (rc = crit_run_pod(client, &pod)) != 0) {
		fprintf(stderr, "RunPodSandbox failed (%d)\n", rc);
		goto fail;
	}
	return 0;
fail:
	cleanup();
	return -1;
}

static int group_teardown(void **state)
{
	cleanup();
	return 0;
}

/* A container of the pod, created (not started) with the kubelet's labels. */
static void create(const char *name, const char *const *cmd, char *id, size_t cap)
{
	const char *labels[] = {"io.kubernetes.pod.name",	POD_NAME, "io.kubernetes.pod.namespace",
				POD_NS,				"io.kubernetes.pod.uid", POD_UID,
				"io.kubernetes.container.name", name,	  NULL};

	assert_int_equal(crit_create_container(client, &pod, name, IMAGE, cmd, labels, id, cap), 0);
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

static void test_version(void **state)
{
	char name[32], ver[64];

	assert_int_equal(cri_version(client, name, sizeof(name), ver, sizeof(ver)), 0);
	assert_string_equal(name, "containerd");
	assert_true(ver[0] != 0);
}

/* What the digest must be: the repo digest when the image has one, else its id. */
static void expected_digest(char *out, size_t cap)
{
	static struct cri_image img;
	const char *at;

	assert_int_equal(cri_image_status(client, IMAGE, &img), 0);
	at = strrchr(img.repo_digest, '@');
	snprintf(out, cap, "%s", at ? at + 1 : img.id);
	assert_int_equal(strncmp(out, "sha256:", 7), 0);
	assert_int_equal(strlen(out), 71);
}

static void test_image_status(void **state)
{
	static struct cri_image img;

	assert_int_equal(cri_image_status(client, IMAGE, &img), 0);
	assert_int_equal(strncmp(img.id, "sha256:", 7), 0);
	assert_string_equal(img.repo_tag, IMAGE);
	assert_string_equal(labels_get(&img.labels, "org.opencontainers.image.revision"),
			    "cccc3333");
	assert_string_equal(labels_get(&img.labels, "dev.cloud2dev.pipeline.id"), "202");
	assert_int_equal(img.labels.dropped, 0);
	assert_int_equal(cri_image_status(client, "docker.io/c2dtest/none:x", &img), -ENOENT);
}

/* The merged record of a created container, and what one ContainerStatus + ImageStatus
 * costs (printed, not asserted: tests never assert on time). */
static void test_record(void **state)
{
	static const char *const cmd[] = {"/bin/sleep", "1", NULL};
	static struct container_record rec;
	char id[129], digest[80];
	struct timespec t0;

	create("probe", cmd, id, sizeof(id));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cri_get(client, id, &rec), 0);
	printf("# cri_get (ContainerStatus+ImageStatus, verbose): %.2f ms\n", ms_since(&t0));
	expected_digest(digest, sizeof(digest));
	assert_string_equal(rec.id, id);
	assert_string_equal(rec.image, IMAGE);
	assert_string_equal(rec.image_digest, digest);
	assert_string_equal(rec.runtime, "io.containerd.runc.v2");
	assert_string_equal(rec.sandbox, pod.id);
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.pod.name"), POD_NAME);
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.pod.uid"), POD_UID);
	assert_string_equal(labels_get(&rec.labels, "io.kubernetes.container.name"), "probe");
	assert_string_equal(labels_get(&rec.labels, "org.opencontainers.image.revision"),
			    "cccc3333");
	assert_int_equal(rec.labels.dropped, 0);
	assert_int_equal(cri_get(client, "0123456789abcdef0123456789abcdef0123456789abcdef"
					 "0123456789abcdef",
				 &rec),
			 GRPC_ERR(GRPC_NOT_FOUND));
}

static void test_agent_attributes_through_cri(void **state)
{
	static const char *const cmd[] = {"/bin/sh", "-c", "cat " TOKEN " >/dev/null; sleep 1",
					  NULL};
	const char *args[] = {"--cri-socket", CRI_SOCK, "--containerd-socket", "none",
			      NULL};
	char id[129], digest[80];
	struct h_agent *a;
	const cJSON *ev;

	expected_digest(digest, sizeof(digest));
	a = h_agent_start(args);
	assert_non_null(a);
	create("payments", cmd, id, sizeof(id));
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(crit_start_container(client, id), 0);
	ev = h_agent_wait(a, h_cred_read_of, id, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "file.path", TOKEN);
	h_expect_str(ev, "container.id", id);
	h_expect_str(ev, "container.runtime", "containerd");
	h_expect_str(ev, "container.name", "payments");
	h_expect_str(ev, "container.image.name", IMAGE);
	h_expect_str(ev, "container.image.digest", digest);
	h_expect_str(ev, "k8s.namespace", POD_NS);
	h_expect_str(ev, "k8s.pod", POD_NAME);
	h_expect_str(ev, "k8s.pod_uid", POD_UID);
	h_expect_str(ev, "k8s.container", "payments");
	h_expect_str(ev, "k8s.workload.kind", "Deployment"); /* from the pod name */
	h_expect_str(ev, "k8s.workload.name", "payments");
	h_expect_str(ev, "provenance.commit", "cccc3333");
	h_expect_str(ev, "provenance.sources.commit", "image-label:org.opencontainers.image.revision");
	h_expect_str(ev, "provenance.repository", "https://git.example/acme/payments");
	h_expect_str(ev, "provenance.sources.repository", "image-label:org.opencontainers.image.source");
	h_expect_str(ev, "provenance.version", "1.5.0");
	h_expect_str(ev, "provenance.sources.version", "image-label:org.opencontainers.image.version");
	h_expect_str(ev, "provenance.build_time", "2026-11-28T10:00:00Z");
	h_expect_str(ev, "provenance.sources.build_time",
		     "image-label:org.opencontainers.image.created");
	h_expect_str(ev, "provenance.pipeline_id", "202");
	h_expect_str(ev, "provenance.sources.pipeline_id", "image-label:dev.cloud2dev.pipeline.id");
	h_expect_str(ev, "provenance.pipeline_url",
		     "https://ci.example/acme/payments/-/pipelines/202");
	h_expect_str(ev, "provenance.sources.pipeline_url",
		     "image-label:dev.cloud2dev.pipeline.url");
	assert_int_equal(h_agent_stop(a), 0);
}

static bool mount_of(const cJSON *ev, const void *id)
{
	const char *cid = h_str(ev, "container.id");

	return cid && !strcmp(cid, id) && !strcmp(h_str(ev, "kind"), "container_mount");
}


/*
 * A pod with a hostPath volume of the host's root (read-only), made as the kubelet makes it:
 * its token from the pod's projected volume, its /etc/hosts from the pod's directory, and
 * containerd's own /etc/hostname, /etc/resolv.conf and /dev/shm from the sandbox. One
 * container_mount (source /, with the pod's fields), none of the pod's own mounts.
 */
static void test_host_root_mount_through_cri(void **state)
{
	static const char *const cmd[] = {"/bin/sh", "-c", "ls /host-root >/dev/null; sleep 1",
					  NULL};
	static const struct crit_mount mounts[] = {
		{"/host-root", "/", true},
		{"/var/run/secrets/kubernetes.io/serviceaccount", TOKEN_VOL, true},
		{"/etc/hosts", KUBELET_POD "/etc-hosts", false},
	};
	const char *labels[] = {"io.kubernetes.pod.name",	POD_NAME, "io.kubernetes.pod.namespace",
				POD_NS,				"io.kubernetes.pod.uid", POD_UID,
				"io.kubernetes.container.name", "rooted",	  NULL};
	const char *args[] = {"--cri-socket", CRI_SOCK, "--containerd-socket", "none", NULL};
	char id[129];
	struct h_agent *a;
	const cJSON *ev;
	int n = 0;

	assert_int_equal(h_sh("mkdir -p '%s' && echo x >'%s/token' && echo '127.0.0.1 localhost' "
			      ">'%s/etc-hosts'",
			      TOKEN_VOL, TOKEN_VOL, KUBELET_POD),
			 0);
	a = h_agent_start(args);
	assert_non_null(a);
	assert_int_equal(crit_create_container_mounts(client, &pod, "rooted", IMAGE, cmd, labels,
						      mounts, 3, id, sizeof(id)),
			 0);
	assert_int_equal(h_agent_keep(a, id), 0);
	/* the premise: containerd added its sandbox's hostname and resolv.conf binds */
	assert_int_equal(h_sh("ctr -n %s containers info %s | grep -q "
			      "'\"destination\": \"/etc/resolv.conf\"'", CRI_NS, id), 0);
	assert_int_equal(crit_start_container(client, id), 0);
	ev = h_agent_wait(a, mount_of, id, H_EVENT_TIMEOUT_MS);
	if (!ev)
		h_agent_dump_stderr(a);
	assert_non_null(ev);
	h_expect_str(ev, "rule", "host-path-mount");
	h_expect_str(ev, "mount.source", "/");
	h_expect_str(ev, "mount.destination", "/host-root");
	assert_true(cJSON_IsTrue(h_get(ev, "mount.read_only")));
	h_expect_str(ev, "k8s.pod", POD_NAME);
	h_expect_str(ev, "k8s.namespace", POD_NS);
	h_expect_str(ev, "k8s.container", "rooted");
	h_expect_str(ev, "provenance.commit", "cccc3333");
	h_agent_pump(a, H_QUIET_MS);
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *e = h_agent_event(a, i);

		if (!mount_of(e, id))
			continue;
		if (n++) /* say which */
			fprintf(stderr, "# also reported: %s at %s\n", h_str(e, "mount.source"),
				h_str(e, "mount.destination"));
	}
	assert_int_equal(n, 1);
	assert_int_equal(h_agent_stop(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_image_status),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_agent_attributes_through_cri),
		cmocka_unit_test(test_host_root_mount_through_cri),
	};

	return cmocka_run_group_tests_name("cri", tests, group_setup, group_teardown);
}

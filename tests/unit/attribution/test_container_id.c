// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_container_id.c - the cgroup-path table against a corpus of real paths, one or more
 * per runtime and driver (INTEGRATION.md §3.2), and host paths that must not match.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "container_id.h"

#define ID64 "4f2c1b9e8d7a6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a3928170605f4e3"
#define UID "2b6f0e3c-9d41-4a7e-8c55-1f2e3d4c5b6a"
#define UID_ "2b6f0e3c_9d41_4a7e_8c55_1f2e3d4c5b6a"

struct case_ {
	const char *path;
	int rc;
	const char *id;
	const char *runtime;
	const char *pod_uid;
};

static const struct case_ corpus[] = {
	/* containerd + kubelet, systemd driver (v2 and v1 look the same) */
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	 ".slice/cri-containerd-" ID64 ".scope",
	 0, ID64, "containerd", UID},
	{"/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID64 ".scope", 0, ID64,
	 "containerd", UID},
	{"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	 ".slice/cri-containerd-" ID64 ".scope/nested/child",
	 0, ID64, "containerd", UID},
	/* containerd + kubelet, cgroupfs */
	{"/kubepods/burstable/pod" UID "/" ID64, 0, ID64, "containerd", UID},
	{"/kubepods/pod" UID "/" ID64, 0, ID64, "containerd", UID},
	/* systemd kubelet with a cgroupfs containerd */
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	 ".slice:cri-containerd:" ID64,
	 0, ID64, "containerd", ""},
	/* CRI-O */
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID64
	 ".scope",
	 0, ID64, "cri-o", UID},
	{"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_ ".slice/crio-" ID64
	 ".scope/container",
	 0, ID64, "cri-o", UID},
	{"/kubepods/besteffort/pod" UID "/crio-" ID64, 0, ID64, "cri-o", UID},
	{"/kubepods.slice/kubepods-pod" UID_ ".slice/crio-conmon-" ID64 ".scope", -ENOENT, NULL, NULL,
	 NULL},
	/* Docker */
	{"/system.slice/docker-" ID64 ".scope", 0, ID64, "docker", ""},
	{"/docker/" ID64, 0, ID64, "docker", ""},
	{"/kubepods.slice/kubepods-pod" UID_ ".slice/docker-" ID64 ".scope", 0, ID64, "docker", UID},
	/* podman */
	{"/machine.slice/libpod-" ID64 ".scope", 0, ID64, "podman", ""},
	{"/machine.slice/libpod-" ID64 ".scope/container", 0, ID64, "podman", ""},
	{"/libpod_parent/libpod-" ID64, 0, ID64, "podman", ""},
	{"/machine.slice/libpod-conmon-" ID64 ".scope", -ENOENT, NULL, NULL, NULL},
	/* ctr and nerdctl */
	{"/default/c2d-test-1", 0, "c2d-test-1", "containerd", ""},
	{"/k8s.io/" ID64, 0, ID64, "containerd", ""},
	{"/default/c2d-test-1/sub", 0, "c2d-test-1", "containerd", ""},
	{"/system.slice/nerdctl-" ID64 ".scope", 0, ID64, "containerd", ""},
	/* found by fuzz_cgroup: a pod component failing half-way must not leave a partial uid */
	{"/pod0000000x-0000-0000-0000-000000000000/docker-" ID64 ".scope", 0, ID64, "docker", ""},
	/* host cgroups */
	{"/", -ENOENT, NULL, NULL, NULL},
	{"/system.slice/containerd.service", -ENOENT, NULL, NULL, NULL},
	{"/user.slice/user-0.slice/session-3.scope", -ENOENT, NULL, NULL, NULL},
	{"/kubepods.slice/kubepods-burstable.slice", -ENOENT, NULL, NULL, NULL},
	{"/system.slice/docker-" ID64 ".service", -ENOENT, NULL, NULL, NULL},
	{"/system.slice/cri-containerd-" ID64 "0.scope", -ENOENT, NULL, NULL, NULL}, /* 65 hex */
	{"/system.slice/cri-containerd-4F2C1B9E8D7A6C5B4A39281706F5E4D3C2B1A09F8E7D6C5B4A3928170605F4E3.scope",
	 -ENOENT, NULL, NULL, NULL}, /* runtimes write lower-case ids */
	{"/process_api/6c2ec996295a49b6b038c8e35bf0f5b1", -ENOENT, NULL, NULL, NULL},
	/* malformed */
	{"relative/path", -EINVAL, NULL, NULL, NULL},
	{"", -EINVAL, NULL, NULL, NULL},
};

static void test_corpus(void **state)
{
	for (size_t i = 0; i < sizeof(corpus) / sizeof(corpus[0]); i++) {
		const struct case_ *c = &corpus[i];
		struct container_ref ref;
		int rc = container_id_from_path(c->path, &ref);

		if (rc != c->rc)
			fail_msg("%s: rc %d, want %d", c->path, rc, c->rc);
		if (rc != 0)
			continue;
		assert_string_equal(ref.id, c->id);
		assert_string_equal(ref.runtime, c->runtime);
		assert_string_equal(ref.pod_uid, c->pod_uid);
	}
}

static void test_null_and_deep(void **state)
{
	char deep[4096] = "";
	struct container_ref ref;

	assert_int_equal(container_id_from_path(NULL, &ref), -EINVAL);
	for (int i = 0; i < 40; i++)
		strcat(deep, "/a");
	assert_int_equal(container_id_from_path(deep, &ref), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_null_and_deep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_runtime_mounts.c - which host paths bound into a container are reported: the OCI spec's
 * mounts[] as containerd (a spec Any in Containers/Get) and CRI (info.runtimeSpec) give them,
 * a CRI pod's own mounts (token, etc-hosts, resolv.conf, shm) left out, a hostPath of `/` or
 * `/etc` kept, with its read-only option.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

#include "pb.h"
#include "runtime_containerd.h"
#include "runtime_cri.h"
#include "runtime_mounts.h"

#define POD "/var/lib/kubelet/pods/5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
#define SBX "io.containerd.grpc.v1.cri/sandboxes/0123abcd"

/* What containerd's CRI makes of a pod with a hostPath of / (read-only) and of /etc. */
static const char spec_json[] =
	"{\"ociVersion\":\"1.0.2-dev\",\"process\":{},\"mounts\":["
	"{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
	"{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\"},"
	"{\"destination\":\"/sys/fs/cgroup\",\"type\":\"cgroup\",\"source\":\"cgroup\"},"
	"{\"destination\":\"/host\",\"type\":\"bind\",\"source\":\"/\",\"options\":[\"rbind\",\"rprivate\",\"ro\"]},"
	"{\"destination\":\"/host/etc\",\"type\":\"bind\",\"source\":\"/etc\",\"options\":[\"rbind\",\"rprivate\",\"rw\"]},"
	"{\"destination\":\"/etc/hosts\",\"type\":\"bind\",\"source\":\"" POD "/etc-hosts\",\"options\":[\"rbind\",\"rw\"]},"
	"{\"destination\":\"/dev/termination-log\",\"type\":\"bind\",\"source\":\"" POD "/containers/app/1a2b\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/etc/hostname\",\"type\":\"bind\",\"source\":\"/var/lib/containerd/" SBX "/hostname\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/etc/resolv.conf\",\"type\":\"bind\",\"source\":\"/var/lib/containerd/" SBX "/resolv.conf\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/dev/shm\",\"type\":\"bind\",\"source\":\"/run/containerd/" SBX "/shm\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/var/run/secrets/kubernetes.io/serviceaccount\",\"type\":\"bind\","
	"\"source\":\"" POD "/volumes/kubernetes.io~projected/kube-api-access-x\",\"options\":[\"rbind\",\"ro\"]},"
	"{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"" POD "/volumes/kubernetes.io~csi/pvc-1/mount\",\"options\":[\"rbind\"]},"
	"{\"destination\":\"/sock\",\"source\":\"/run/containerd/containerd.sock\",\"options\":[\"bind\"]},"
	"{\"destination\":\"/var/run/docker.sock\",\"source\":\"/var/run/docker.sock\",\"options\":[\"bind\"]}"
	"]}";

static void expect(const struct runtime_mount *m, const char *src, const char *dst, bool ro)
{
	assert_string_equal(m->source, src);
	assert_string_equal(m->destination, dst);
	assert_int_equal(m->read_only, ro);
}

static void expect_spec_mounts(const struct runtime_mounts *ms)
{
	assert_int_equal(ms->n, 3);
	assert_int_equal(ms->dropped, 0);
	expect(&ms->m[0], "/", "/host", true);
	expect(&ms->m[1], "/etc", "/host/etc", false);
	/* a bind by option only (no type), outside every runtime directory */
	expect(&ms->m[2], "/var/run/docker.sock", "/var/run/docker.sock", false);
}

static void test_from_spec(void **state)
{
	struct runtime_mounts ms;

	assert_int_equal(runtime_mounts_from_spec(spec_json, strlen(spec_json), &ms), 0);
	expect_spec_mounts(&ms);
	assert_int_equal(runtime_mounts_from_spec("[]", 2, &ms), -EINVAL);
	assert_int_equal(runtime_mounts_from_spec("{\"mounts\":{}}", 13, &ms), -EINVAL);
	assert_int_equal(runtime_mounts_from_spec("{", 1, &ms), -EINVAL);
	assert_int_equal(runtime_mounts_from_spec("{}", 2, &ms), 0);
	assert_int_equal(ms.n, 0);
}

static void test_matters(void **state)
{
	assert_true(runtime_mount_matters("/", "/host"));
	assert_true(runtime_mount_matters("/etc", "/host/etc"));
	assert_true(runtime_mount_matters("/var/lib/kubelet", "/kubelet"));
	assert_true(runtime_mount_matters("/var/lib/kubelet/pods", "/pods")); /* every pod's */
	assert_true(runtime_mount_matters("/var/lib/containerd", "/ctrd"));
	assert_true(runtime_mount_matters("/var/lib/kubelet/pods/../../../etc", "/x"));
	assert_true(runtime_mount_matters("/etc/shadow", "/etc/hosts")); /* not the same name */
	assert_true(runtime_mount_matters("/dev/shm", "/shm"));
	assert_false(runtime_mount_matters(POD "/etc-hosts", "/etc/hosts"));
	assert_false(runtime_mount_matters("/etc/hosts", "/etc/hosts")); /* host network */
	assert_false(runtime_mount_matters("/run/systemd/resolve/stub-resolv.conf",
					   "/etc/resolv.conf"));
	assert_false(runtime_mount_matters("/dev/shm", "/dev/shm"));
	assert_false(runtime_mount_matters("/var/lib/docker/containers/abc/hosts", "/etc/hosts"));
	assert_false(runtime_mount_matters("volume-name", "/data"));
	/* containerd's sandbox files under another root (k3s), and nothing else there */
	assert_false(runtime_mount_matters("/var/lib/rancher/k3s/agent/containerd/"
					   "io.containerd.grpc.v1.cri/sandboxes/ab12/resolv.conf",
					   "/etc/resolv.conf"));
	assert_false(runtime_mount_matters("/run/k3s/containerd/io.containerd.grpc.v1.cri/"
					   "sandboxes/ab12/shm", "/dev/shm"));
	assert_true(runtime_mount_matters("/data/io.containerd.grpc.v1.cri/sandboxes/ab12/x",
					  "/x"));
	assert_true(runtime_mount_matters("/data/io.containerd.grpc.v1.cri/sandboxes//hosts",
					  "/etc/hosts"));
	assert_true(runtime_mount_matters("/data/io.containerd.grpc.v1.cri/sandboxes/a/b/hosts",
					  "/etc/hosts"));
}

/* More than fit: counted, never overflowing. */
static void test_bounded(void **state)
{
	char json[8192];
	size_t n = (size_t)snprintf(json, sizeof(json), "{\"mounts\":[");
	struct runtime_mounts ms;

	for (int i = 0; i < RUNTIME_MOUNTS_MAX + 3; i++)
		n += (size_t)snprintf(json + n, sizeof(json) - n,
				      "%s{\"destination\":\"/d%d\",\"type\":\"bind\",\"source\":\"/s%d\"}",
				      i ? "," : "", i, i);
	n += (size_t)snprintf(json + n, sizeof(json) - n, "]}");
	assert_int_equal(runtime_mounts_from_spec(json, n, &ms), 0);
	assert_int_equal(ms.n, RUNTIME_MOUNTS_MAX);
	assert_int_equal(ms.dropped, 3);
}

/* Containers/Get: Container { id = 1, spec = 5: Any { type_url = 1, value = 2 } }. */
static void test_containerd_record_spec(void **state)
{
	static uint8_t any[8192], ctr[8192], resp[8192];
	struct pb_writer wa, wc, wr;
	struct container_record rec;

	pb_writer_init(&wa, any, sizeof(any));
	pb_put_str_field(&wa, 1, "types.containerd.io/opencontainers/runtime-spec/1/Spec");
	pb_put_bytes_field(&wa, 2, spec_json, strlen(spec_json));
	pb_writer_init(&wc, ctr, sizeof(ctr));
	pb_put_str_field(&wc, 1, "c1");
	pb_put_bytes_field(&wc, 5, any, wa.len);
	pb_writer_init(&wr, resp, sizeof(resp));
	pb_put_bytes_field(&wr, 1, ctr, wc.len);
	assert_false(wa.overflow || wc.overflow || wr.overflow);
	memset(&rec, 0xa5, sizeof(rec));
	assert_int_equal(containerd_decode_container(resp, wr.len, &rec), 0);
	assert_string_equal(rec.id, "c1");
	expect_spec_mounts(&rec.mounts);
}

/* CRI: the verbose info's runtimeSpec. */
static void test_cri_info_spec(void **state)
{
	static char info[8192];
	static struct cri_container cc;
	int n = snprintf(info, sizeof(info), "{\"sandboxID\":\"s1\",\"runtimeSpec\":%s}", spec_json);

	memset(&cc, 0, sizeof(cc));
	assert_int_equal(cri_parse_container_info(info, (size_t)n, &cc), 0);
	assert_string_equal(cc.sandbox_id, "s1");
	expect_spec_mounts(&cc.mounts);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_spec),	   cmocka_unit_test(test_matters),
		cmocka_unit_test(test_bounded),		   cmocka_unit_test(test_containerd_record_spec),
		cmocka_unit_test(test_cri_info_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

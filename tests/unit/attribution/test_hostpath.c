// SPDX-License-Identifier: BSD-2-Clause
/* test_hostpath.c - agent/attribution/hostpath.c: mountinfo → host path, the kernel's device
 * encoding, pod volumes. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "hostpath.h"
#include "unit.h"

/* A node's host mountinfo: the root fs, a bind of a subdirectory of it, an escaped space, a
 * container's overlay, a kubelet volume on tmpfs and a CSI volume on another disk. */
static const char mountinfo[] =
	"27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"60 27 254:0 /srv/prod /mnt/prod-bind rw,relatime - ext4 /dev/vda rw\n"
	"61 27 254:0 /data\\040dir /mnt/with\\040space rw - ext4 /dev/vda rw\n"
	"70 27 0:52 / /run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs rw - "
	"overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w\n"
	"80 27 0:60 / /var/lib/kubelet/pods/1f2e/volumes/kubernetes.io~empty-dir/cache rw - "
	"tmpfs tmpfs rw\n"
	"90 27 259:3 /vol1 /var/lib/kubelet/pods/9a/volumes/kubernetes.io~csi/pvc-1/mount rw - "
	"ext4 /dev/nvme0n1p3 rw\n"
	"bad line\n"
	"91 27 8:1 relative /x rw - ext4 /dev/sda1 rw\n";

static struct hostpath_table t;

static int setup(void **state)
{
	return hostpath_parse(&t, mountinfo);
}

static int teardown(void **state)
{
	hostpath_table_free(&t);
	return 0;
}

static void expect(uint32_t dev, const char *fs, const char *want)
{
	char out[4096];
	int rc = hostpath_resolve(&t, dev, fs, out, sizeof(out));

	if (!want) {
		assert_int_equal(rc, -ENOENT);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(out, want);
}

static void test_parse_skips_malformed(void **state)
{
	assert_int_equal(t.n, 7); /* "bad line" and the relative root are not mounts */
	assert_string_equal(t.m[3].root, "/data dir"); /* \040 unescaped */
	assert_string_equal(t.m[3].mpoint, "/mnt/with space");
	assert_int_equal(t.m[0].dev, (254u << 20) | 0);
}

static void test_dev_encoding(void **state)
{
	struct stat st;

	assert_int_equal(hostpath_kdev(254, 0), 266338304u);
	assert_int_equal(hostpath_kdev(8, 1), (8u << 20) | 1);
	assert_int_equal(hostpath_kdev_major(hostpath_kdev(259, 70000)), 259);
	assert_int_equal(hostpath_kdev_minor(hostpath_kdev(259, 70000)), 70000);
	/* a big minor keeps its 20 bits, never spills into the major */
	assert_int_equal(hostpath_kdev_major(hostpath_kdev(1, 0xfffff)), 1);
	/* the user-space dev_t of a real file, converted, is what the kernel's s_dev says */
	assert_int_equal(stat("/", &st), 0);
	assert_int_equal(hostpath_kdev_major(hostpath_kdev(major(st.st_dev), minor(st.st_dev))),
			 major(st.st_dev));
}

static void test_resolve(void **state)
{
	const uint32_t root = hostpath_kdev(254, 0);

	/* the whole filesystem's mount wins over a bind of a subdirectory */
	expect(root, "/etc/shadow", "/etc/shadow");
	expect(root, "/srv/prod/x", "/srv/prod/x");
	expect(root, "/", "/");
	/* a container's overlay: where the host mounts the rootfs */
	expect(hostpath_kdev(0, 52), "/etc/passwd",
	       "/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs/etc/passwd");
	expect(hostpath_kdev(0, 52), "/", "/run/containerd/io.containerd.runtime.v2.task/k8s.io/abc/rootfs");
	/* only a bind of a subdirectory shows it: the deepest root that is a prefix */
	expect(hostpath_kdev(259, 3), "/vol1/db/file",
	       "/var/lib/kubelet/pods/9a/volumes/kubernetes.io~csi/pvc-1/mount/db/file");
	expect(hostpath_kdev(259, 3), "/vol1", "/var/lib/kubelet/pods/9a/volumes/kubernetes.io~csi/pvc-1/mount");
	/* whole components: /vol10 is not below /vol1 */
	expect(hostpath_kdev(259, 3), "/vol10/x", NULL);
	/* a device the host does not mount, or a relative path */
	expect(hostpath_kdev(9, 9), "/x", NULL);
	expect(root, "x", NULL);
	expect(root, NULL, NULL);
}

static void test_resolve_too_long(void **state)
{
	char out[8];

	assert_int_equal(hostpath_resolve(&t, hostpath_kdev(0, 52), "/etc", out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_int_equal(out[7], 0); /* cut, terminated */
	/* on the root mount: "/etc/ab" and its NUL fill 8 bytes exactly, one more does not fit */
	assert_int_equal(hostpath_resolve(&t, hostpath_kdev(254, 0), "/etc/ab", out, sizeof(out)), 0);
	assert_string_equal(out, "/etc/ab");
	assert_int_equal(hostpath_resolve(&t, hostpath_kdev(254, 0), "/etc/abc", out, sizeof(out)),
			 -ENAMETOOLONG);
	assert_string_equal(out, "/etc/ab");
}

static void test_volume(void **state)
{
	struct hostpath_volume v;

	assert_int_equal(
		hostpath_volume("/var/lib/kubelet/pods/1f2e/volumes/kubernetes.io~empty-dir/cache/a/b",
				&v),
		0);
	assert_string_equal(v.pod_uid, "1f2e");
	assert_string_equal(v.plugin, "kubernetes.io~empty-dir");
	assert_string_equal(v.name, "cache");
	assert_string_equal(v.host_path,
			    "/var/lib/kubelet/pods/1f2e/volumes/kubernetes.io~empty-dir/cache");
	assert_int_equal(hostpath_volume("/var/lib/kubelet/pods/1f2e/volumes/kubernetes.io~csi/"
					 "pvc-1/mount/db", &v), 0);
	assert_string_equal(v.name, "pvc-1");
	/* not a volume: the pod's other directories, other places */
	assert_int_equal(hostpath_volume("/var/lib/kubelet/pods/1f2e/etc-hosts", &v), -ENOENT);
	assert_int_equal(hostpath_volume("/var/lib/kubelet/pods/1f2e/volumes/x", &v), -ENOENT);
	assert_int_equal(hostpath_volume("/srv/prod/x", &v), -ENOENT);
	assert_int_equal(hostpath_volume("/var/lib/kubelet/pods//volumes/p/n", &v), -ENOENT);
}

static void test_cache_reloads_on_generation(void **state)
{
	char path[] = "/tmp/c2d-mountinfo.XXXXXX", out[256];
	int fd = mkstemp(path);
	atomic_uint gen = 0;
	struct hostpath_cache c = {.mountinfo = path, .gen = &gen};
	FILE *f;

	assert_true(fd >= 0);
	close(fd);
	f = fopen(path, "w");
	fputs("1 0 8:1 / / rw - ext4 /dev/sda1 rw\n", f);
	fclose(f);
	assert_int_equal(hostpath_lookup(&c, hostpath_kdev(8, 1), "/a", out, sizeof(out)), 0);
	assert_string_equal(out, "/a");
	f = fopen(path, "w");
	fputs("1 0 8:1 / /mnt rw - ext4 /dev/sda1 rw\n", f);
	fclose(f);
	assert_int_equal(hostpath_lookup(&c, hostpath_kdev(8, 1), "/a", out, sizeof(out)), 0);
	assert_string_equal(out, "/a"); /* cached: no change announced */
	atomic_fetch_add(&gen, 1);
	assert_int_equal(hostpath_lookup(&c, hostpath_kdev(8, 1), "/a", out, sizeof(out)), 0);
	assert_string_equal(out, "/mnt/a");
	assert_int_equal(c.reloads, 2);
	hostpath_cache_free(&c);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_skips_malformed),
		cmocka_unit_test(test_dev_encoding),
		cmocka_unit_test(test_resolve),
		cmocka_unit_test(test_resolve_too_long),
		cmocka_unit_test(test_volume),
		cmocka_unit_test(test_cache_reloads_on_generation),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_runtime_ids.c - the runtime's binaries by identity: names that are a runtime's (and
 * names that only look like one), the kernel's device encoding, and a search of a host tree
 * (a fake <proc>/1/root): a runtime found by (dev, ino) whatever it is called elsewhere, a
 * symlink counted once, a directory or a non-runtime name never taken.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "unit.h"

#include "runtime_ids.h"

static void test_names(void **state)
{
	static const char *const yes[] = {"runc", "crun", "containerd", "containerd-shim",
					  "containerd-shim-runc-v2", "conmon", "crio", "dockerd",
					  "kubelet", "k3s", "youki", "conmonrs"};
	static const char *const no[] = {"runc:[2:INIT]", "runc.amd64", "ctr", "crictl", "docker",
					 "kubectl", "containerd-stress", "sh", "", "kubelet2"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(runtime_ids_name_is_runtime(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (runtime_ids_name_is_runtime(no[i]))
			fail_msg("\"%s\" taken for a runtime", no[i]);
}

static void test_kdev(void **state)
{
	assert_int_equal(runtime_ids_kdev(makedev(254, 0)), 254u << 20);
	assert_int_equal(runtime_ids_kdev(makedev(8, 17)), (8u << 20) | 17);
	assert_int_equal(runtime_ids_kdev(makedev(0, 300)), 300);
}

static void touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);

	assert_true(fd >= 0);
	close(fd);
}

static struct c2d_file_id id_of(const char *path)
{
	struct c2d_file_id id = {0};
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	id.ino = st.st_ino;
	id.dev = runtime_ids_kdev(st.st_dev);
	return id;
}

/* <tmp>/1/root/{usr/sbin/runc, usr/bin/runc -> ../sbin/runc, usr/bin/kubelet/ (a directory),
 * usr/bin/runc-helper, usr/local/bin/containerd-shim-runc-v2} */
static void test_find_in_host_tree(void **state)
{
	char root[64] = "/tmp/c2d-rtids-XXXXXX", p[256], q[256];
	static struct runtime_ids ids;
	const char *const mk[] = {"/1", "/1/root", "/1/root/usr", "/1/root/usr/sbin",
				  "/1/root/usr/bin", "/1/root/usr/local", "/1/root/usr/local/bin",
				  "/1/root/usr/bin/kubelet"};
	char *path_env = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	assert_non_null(mkdtemp(root));
	for (size_t i = 0; i < sizeof(mk) / sizeof(mk[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", root, mk[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	snprintf(p, sizeof(p), "%s/1/root/usr/sbin/runc", root);
	touch(p);
	snprintf(q, sizeof(q), "%s/1/root/usr/bin/runc", root);
	assert_int_equal(symlink("../sbin/runc", q), 0);
	snprintf(q, sizeof(q), "%s/1/root/usr/bin/runc-helper", root);
	touch(q);
	snprintf(q, sizeof(q), "%s/1/root/usr/local/bin/containerd-shim-runc-v2", root);
	touch(q);
	setenv("PATH", "/usr/bin", 1); /* the agent's own PATH: looked up in the host tree too */
	assert_int_equal(runtime_ids_find(&ids, root), 2);
	if (path_env)
		setenv("PATH", path_env, 1);
	free(path_env);
	{
		struct c2d_file_id runc = id_of(p), shim = id_of(q), helper;

		snprintf(q, sizeof(q), "%s/1/root/usr/bin/runc-helper", root);
		helper = id_of(q);
		assert_true(runtime_ids_has(&ids, &runc));
		assert_true(runtime_ids_has(&ids, &shim));
		assert_false(runtime_ids_has(&ids, &helper));
	}
	assert_true(runtime_ids_equal(&ids, &ids));
	{
		static struct runtime_ids fewer;

		fewer = ids;
		fewer.n--;
		assert_false(runtime_ids_equal(&ids, &fewer));
	}
	snprintf(p, sizeof(p), "rm -rf %s", root);
	assert_int_equal(system(p), 0);
}

static int count_put(void *arg, uint32_t tgid, uint64_t start_ns)
{
	uint64_t *found = arg;

	if (tgid == (uint32_t)getpid() && start_ns > 0)
		(*found)++;
	return 0;
}

/* This very process, whose executable is made the only "runtime": found running, with a
 * start time (the kernel compares it to the tick). */
static void test_running(void **state)
{
	static struct runtime_ids ids;
	uint64_t found = 0;

	ids.n = 1;
	ids.v[0].id = id_of("/proc/self/exe");
	assert_true(runtime_ids_running(&ids, "/proc", count_put, &found) >= 1);
	assert_int_equal(found, 1);
	ids.n = 0;
	found = 0;
	assert_int_equal(runtime_ids_running(&ids, "/proc", count_put, &found), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_kdev),
		cmocka_unit_test(test_find_in_host_tree),
		cmocka_unit_test(test_running),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

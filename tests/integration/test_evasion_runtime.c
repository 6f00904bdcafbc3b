// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_evasion_runtime.c - the container runtime is recognised by what it runs, never by what
 * it is called, and its bind mounts of host paths are reported (issue 11, property 4):
 *
 * - a process that names itself "runc:[2:INIT]" (prctl) has its ptrace attach, setresuid,
 *   unshare and mount in a user namespace reported, under the spoofed comm;
 * - a container whose image installs its tool as /usr/bin/runc and /usr/bin/kubelet has the
 *   tool's unshare reported (a file of the image is not the host's runc);
 * - runc's own mounts and pivot_root setting that container up are not reported, and are
 *   (process.runtime: true) with --report-runtime-calls: the filter is by identity;
 * - the kernel's mark follows fork, ends at exec, survives runc's memfd re-exec and not a file
 *   that is only named "memfd:…" (runtime binaries of the test's own on the agent's PATH);
 * - a container started with the host's /etc bound at /host/etc gives one container_mount
 *   (source /etc, destination /host/etc, read-only), and not its /etc/hosts and
 *   /etc/resolv.conf binds of the host's files (host network).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

#define NS "default"
#define IMAGE "c2d/rt-impostor:v1"

static bool eq(const cJSON *ev, const char *path, const char *want)
{
	const char *v = h_str(ev, path);

	return v && !strcmp(v, want);
}

/* The agent identified runtime binaries on this host: else nothing is filtered at all and a
 * "reported" below would prove nothing. */
static void expect_runtime_found(const struct h_agent *a)
{
	static char err[65536];
	const char *at;
	int n = 0;

	h_agent_stderr(a, err, sizeof(err));
	at = strstr(err, "runtime binaries found: ");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "runtime binaries found: %d", &n), 1);
	assert_true(n >= 1);
}

struct want {
	long long pid;
	const char *rule, *syscall;
};

static bool is_call(const cJSON *ev, const void *arg)
{
	const struct want *w = arg;
	long long pid;

	return eq(ev, "kind", "privileged_call") && eq(ev, "rule", w->rule) &&
	       eq(ev, "syscall.name", w->syscall) && h_int(ev, "process.pid", &pid) &&
	       pid == w->pid;
}

/* prctl(PR_SET_NAME, "runc:[2:INIT]"): every privileged call still reported, comm as set. */
static void test_spoofed_comm_reported(void **state)
{
	static const struct {
		const char *rule, *syscall;
	} calls[] = {{"ptrace-attach", "ptrace"},
		     {"setuid-family", "setresuid"},
		     {"namespace-create", "unshare"},
		     {"mount", "mount"}};
	struct h_agent *a = h_agent_start(NULL);
	char *tmp = h_mkdtemp(), pidfile[4096], mnt[4096];
	struct h_proc p;

	assert_non_null(a);
	assert_non_null(tmp);
	expect_runtime_found(a);
	snprintf(pidfile, sizeof(pidfile), "%s/pid", tmp);
	snprintf(mnt, sizeof(mnt), "%s/mnt", tmp);
	assert_int_equal(h_sh("mkdir -p %s", mnt), 0);
	{
		char *argv[] = {(char *)h_trigger("runc_spoof"), pidfile, mnt, NULL};

		assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	}
	for (size_t i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		struct want w = {p.pid, calls[i].rule, calls[i].syscall};
		const cJSON *ev = h_agent_wait(a, is_call, &w, H_EVENT_TIMEOUT_MS);

		if (!ev)
			fail_msg("%s (%s) of the process named runc:[2:INIT] not reported",
				 calls[i].syscall, calls[i].rule);
		h_expect_str(ev, "process.comm", "runc:[2:INIT]");
		h_expect_str(ev, "process.executable", p.exe);
		h_expect_absent(ev, "process.runtime");
	}
	assert_int_equal(h_agent_stop(a), 0);
	h_rm_rf(tmp);
	free(tmp);
}

struct in_ctr {
	const char *id;
	const char *rule, *syscall; /* NULL: any */
	const char *executable;	    /* NULL: any */
};

static bool in_container(const cJSON *ev, const void *arg)
{
	const struct in_ctr *w = arg;

	return eq(ev, "container.id", w->id) && eq(ev, "kind", "privileged_call") &&
	       (!w->rule || eq(ev, "rule", w->rule)) &&
	       (!w->syscall || eq(ev, "syscall.name", w->syscall)) &&
	       (!w->executable || eq(ev, "process.executable", w->executable));
}

static int run_impostor(const char *id)
{
	/* the image's /usr/bin/runc and /usr/bin/kubelet are busybox: run as `unshare` through a
	 * symlink, the process executes the image's runc (or kubelet) file itself. The sleep keeps
	 * the cgroup while the agent reads runc's calls, which precede the container's first exec
	 * (the one that names its cgroup) */
	return h_sh("ctr -n %s run --rm %s %s /bin/sh -c "
		    "'ln -s /usr/bin/runc /tmp/unshare && /tmp/unshare -U true; "
		    "ln -sf /usr/bin/kubelet /tmp/unshare && /tmp/unshare -U true; sleep 3' "
		    ">/dev/null",
		    NS, IMAGE, id);
}

/* An image's /usr/bin/runc is not the host's runc: its unshare is reported. runc's own
 * pivot_root and mounts for that container are not (they are with --report-runtime-calls). */
static void test_image_runc_reported_real_runc_filtered(void **state)
{
	static const char *const report[] = {"--report-runtime-calls", NULL};
	struct h_agent *a = h_agent_start(NULL);
	struct in_ctr w = {0};
	const cJSON *ev;
	char id[64];

	assert_non_null(a);
	expect_runtime_found(a);
	assert_int_equal(h_sh("C2D_IMAGE_EXTRA='/bin/busybox:usr/bin/runc "
			      "/bin/busybox:usr/bin/kubelet' tests/integration/images/build_image.sh "
			      "%s %s",
			      NS, IMAGE),
			 0);
	snprintf(id, sizeof(id), "c2d-rt-impostor-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(run_impostor(id), 0);
	w.id = id;
	w.rule = "namespace-create";
	w.syscall = "unshare";
	w.executable = "/usr/bin/runc";
	ev = h_agent_wait(a, in_container, &w, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "process.comm", "unshare");
	h_expect_absent(ev, "process.runtime");
	w.executable = "/usr/bin/kubelet";
	assert_non_null(h_agent_wait(a, in_container, &w, H_EVENT_TIMEOUT_MS));
	/* runc set this container up in its cgroup (pivot_root, mounts): none of it reported */
	h_agent_pump(a, H_QUIET_MS);
	{
		struct in_ctr root = {id, "root-change", "pivot_root", NULL};
		struct in_ctr mnt = {id, "mount", "mount", NULL};

		if (h_agent_find(a, in_container, &root) || h_agent_find(a, in_container, &mnt))
			fail_msg("runc's own pivot_root/mount of container %s was reported", id);
	}
	assert_int_equal(h_agent_stop(a), 0);

	/* the same start with --report-runtime-calls: there they are, marked as the runtime's */
	a = h_agent_start(report);
	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-rt-report-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(run_impostor(id), 0);
	w.id = id;
	w.rule = "root-change";
	w.syscall = "pivot_root";
	w.executable = NULL;
	ev = h_agent_wait(a, in_container, &w, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "process.comm", "runc:[2:INIT]");
	assert_true(cJSON_IsTrue(h_get(ev, "process.runtime")));
	/* and the impostor's are still not the runtime's */
	w.rule = "namespace-create";
	w.syscall = "unshare";
	w.executable = "/usr/bin/runc";
	ev = h_agent_wait(a, in_container, &w, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_absent(ev, "process.runtime");
	assert_int_equal(h_agent_stop(a), 0);
	h_sh("ctr -n %s images rm %s c2d/rt-impostor:img >/dev/null 2>&1", NS, IMAGE);
}

static bool is_mount_of(const cJSON *ev, const void *id)
{
	return eq(ev, "kind", "container_mount") && eq(ev, "container.id", id);
}

/* The host's /etc bound at /host/etc (read-only), host network: one container_mount. */
static void test_host_etc_mount_reported(void **state)
{
	struct h_agent *a = h_agent_start(NULL);
	const cJSON *ev;
	char id[64];
	int n = 0;

	assert_non_null(a);
	assert_int_equal(h_sh("tests/integration/images/build_image.sh %s c2d/rt-mount:v1", NS), 0);
	snprintf(id, sizeof(id), "c2d-rt-mount-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(h_sh("ctr -n %s containers create --net-host --mount "
			      "type=bind,src=/etc,dst=/host/etc,options=rbind:ro c2d/rt-mount:v1 %s "
			      "-- /bin/sh -c 'cat /host/etc/hostname >/dev/null; sleep 1' >/dev/null",
			      NS, id),
			 0);
	/* the premise: the spec also binds the host's /etc/hosts and /etc/resolv.conf */
	assert_int_equal(h_sh("ctr -n %s containers info %s | grep -q "
			      "'\"destination\": \"/etc/resolv.conf\"'", NS, id), 0);
	assert_int_equal(h_sh("ctr -n %s containers info %s | grep -q "
			      "'\"destination\": \"/etc/hosts\"'", NS, id), 0);
	assert_int_equal(h_sh("ctr -n %s task start %s >/dev/null", NS, id), 0);
	ev = h_agent_wait(a, is_mount_of, id, H_EVENT_TIMEOUT_MS);
	if (!ev)
		h_agent_dump_stderr(a);
	assert_non_null(ev);
	h_expect_str(ev, "rule", "host-path-mount");
	h_expect_str(ev, "severity", "high");
	h_expect_str(ev, "mount.source", "/etc");
	h_expect_str(ev, "mount.destination", "/host/etc");
	h_expect_str(ev, "mount.type", "bind");
	assert_true(cJSON_IsTrue(h_get(ev, "mount.read_only")));
	h_expect_str(ev, "container.image.name", "c2d/rt-mount:v1");
	h_expect_str(ev, "node.name", h_agent_node_name(a));
	h_agent_pump(a, H_QUIET_MS);
	for (size_t i = 0; i < h_agent_nevents(a); i++)
		n += is_mount_of(h_agent_event(a, i), id);
	assert_int_equal(n, 1); /* not /etc/hosts, not /etc/resolv.conf */
	assert_int_equal(h_agent_stop(a), 0);
	h_sh("ctr -n %s containers rm %s >/dev/null 2>&1", NS, id);
	h_sh("ctr -n %s images rm c2d/rt-mount:v1 c2d/rt-mount:img >/dev/null 2>&1", NS);
}

static bool ns_create_by(const cJSON *ev, const void *pid)
{
	long long v;

	return eq(ev, "rule", "namespace-create") && h_int(ev, "process.pid", &v) &&
	       v == *(const pid_t *)pid;
}

static size_t count(const struct h_agent *a, h_pred pred, const void *arg, bool *runtime)
{
	size_t n = 0;

	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *e = h_agent_event(a, i);

		if (!pred(e, arg))
			continue;
		n++;
		if (runtime && cJSON_IsTrue(h_get(e, "process.runtime")))
			*runtime = true;
	}
	return n;
}

/* One run of <tmp>/bin/crun (rt_chain) under an agent whose PATH has <tmp>/bin; the parent's
 * and the child's pids. */
static struct h_agent *run_chain(const char *tmp, bool report, pid_t *parent, pid_t *child)
{
	const char *const args[] = {"--report-runtime-calls", NULL};
	char path[8192], crun[4096], pidfile[4096];
	const char *old = getenv("PATH");
	struct h_agent *a;
	struct h_proc p;
	FILE *f;

	snprintf(path, sizeof(path), "%s/bin:%s", tmp, old ? old : "/usr/bin:/bin");
	snprintf(crun, sizeof(crun), "%s/bin/crun", tmp);
	snprintf(pidfile, sizeof(pidfile), "%s/child", tmp);
	setenv("PATH", path, 1);
	a = h_agent_start(report ? args : NULL);
	setenv("PATH", old ? old : "/usr/bin:/bin", 1);
	assert_non_null(a);
	/* the grandchild's events name crun, as its executable or its parent's */
	assert_int_equal(h_agent_keep(a, crun), 0);
	{
		static char err[65536];

		h_agent_stderr(a, err, sizeof(err));
		assert_non_null(strstr(err, crun)); /* it is one of the runtime's, by identity */
	}
	{
		char *argv[] = {crun, pidfile, (char *)h_trigger("unshare_user"), NULL};

		assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	}
	f = fopen(pidfile, "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", child), 1);
	fclose(f);
	*parent = p.pid;
	/* the child's call after its exec is reported in either case: wait for it */
	assert_non_null(h_agent_wait(a, ns_create_by, child, H_EVENT_TIMEOUT_MS));
	h_agent_pump(a, H_QUIET_MS);
	return a;
}

/*
 * The kernel's tracking through fork and exec, with a runtime binary of the test's own (a
 * `crun` on the agent's PATH): the runtime's unshare and its forked child's are its own
 * (filtered; shown as process.runtime with --report-runtime-calls); the child's after it
 * execs another program is reported as the workload's.
 */
static void test_mark_through_fork_cleared_by_exec(void **state)
{
	char *tmp = h_mkdtemp();
	struct h_agent *a;
	pid_t parent, child;
	bool rt = false;

	assert_non_null(tmp);
	assert_int_equal(h_sh("mkdir -p %s/bin && cp %s %s/bin/crun", tmp, h_trigger("rt_chain"),
			      tmp),
			 0);
	a = run_chain(tmp, false, &parent, &child);
	assert_int_equal(count(a, ns_create_by, &parent, NULL), 0);
	assert_int_equal(count(a, ns_create_by, &child, &rt), 1); /* only after its exec */
	assert_false(rt);
	{
		const cJSON *ev = h_agent_find(a, ns_create_by, &child);

		h_expect_str(ev, "process.executable", h_trigger("unshare_user"));
	}
	assert_int_equal(h_agent_stop(a), 0);

	a = run_chain(tmp, true, &parent, &child);
	rt = false;
	assert_int_equal(count(a, ns_create_by, &parent, &rt), 1);
	assert_true(rt);
	assert_int_equal(count(a, ns_create_by, &child, NULL), 2); /* before and after exec */
	{
		size_t marked = 0;

		for (size_t i = 0; i < h_agent_nevents(a); i++) {
			const cJSON *e = h_agent_event(a, i);

			marked += ns_create_by(e, &child) &&
				  cJSON_IsTrue(h_get(e, "process.runtime"));
		}
		assert_int_equal(marked, 1); /* the one before the exec */
	}
	assert_int_equal(h_agent_stop(a), 0);
	h_rm_rf(tmp);
	free(tmp);
}

static bool ns_create_in(const cJSON *ev, const void *id)
{
	return eq(ev, "rule", "namespace-create") && eq(ev, "container.id", id);
}

/*
 * A container that can reach a host runtime binary (here the test's own `crun`, bound in
 * read-only, as a hostPath of / would bring the host's runc) and runs it is not the runtime:
 * the kernel marks an exec of a runtime binary in the host's mount namespace only.
 */
static void test_host_runtime_run_in_container_reported(void **state)
{
	char *tmp = h_mkdtemp(), path[8192], crun[4096], id[64];
	const char *old = getenv("PATH");
	struct h_agent *a;
	size_t n = 0;

	assert_non_null(tmp);
	assert_int_equal(h_sh("mkdir -p %s/bin && cp %s %s/bin/crun", tmp, h_trigger("rt_chain"),
			      tmp),
			 0);
	assert_int_equal(h_sh("tests/integration/images/build_image.sh %s c2d/rt-host:v1", NS), 0);
	snprintf(path, sizeof(path), "%s/bin:%s", tmp, old ? old : "/usr/bin:/bin");
	snprintf(crun, sizeof(crun), "%s/bin/crun", tmp);
	setenv("PATH", path, 1);
	a = h_agent_start(NULL);
	setenv("PATH", old ? old : "/usr/bin:/bin", 1);
	assert_non_null(a);
	{
		static char err[65536];

		h_agent_stderr(a, err, sizeof(err));
		assert_non_null(strstr(err, crun)); /* the host's runtime binary, by identity */
	}
	snprintf(id, sizeof(id), "c2d-rt-host-%d", getpid());
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(h_sh("ctr -n %s run --rm --mount type=bind,src=%s/bin,dst=/rt,options=rbind:ro "
			      "c2d/rt-host:v1 %s /rt/crun /tmp/pid /bin/true user >/dev/null",
			      NS, tmp, id),
			 0);
	/* its own unshare and its child's before the exec: both the workload's */
	assert_non_null(h_agent_wait(a, ns_create_in, id, H_EVENT_TIMEOUT_MS));
	h_agent_pump(a, H_QUIET_MS);
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *e = h_agent_event(a, i);

		if (!ns_create_in(e, id))
			continue;
		n++;
		/* comm as the kernel had it at the call (the executable is the cache's at rendering
		 * time: the child may have exec'd /bin/true by then) */
		h_expect_str(e, "process.comm", "crun");
	}
	assert_int_equal(n, 2);
	assert_int_equal(h_agent_stop(a), 0);
	h_sh("ctr -n %s images rm c2d/rt-host:v1 c2d/rt-host:img >/dev/null 2>&1", NS);
	h_rm_rf(tmp);
	free(tmp);
}

static bool ns_create_comm(const cJSON *ev, const void *comm)
{
	return eq(ev, "rule", "namespace-create") && eq(ev, "process.comm", comm);
}

/*
 * runc's re-exec of its memfd copy keeps the mark (a file of the kernel's internal shmem
 * mount); a copy that is an ordinary file named "memfd:fake" does not. A runtime binary of the
 * test's own (rt_memfd as <tmp>/bin/crun), with --report-runtime-calls to see both.
 */
static void test_memfd_reexec_kept_name_alone_not(void **state)
{
	const char *const args[] = {"--report-runtime-calls", NULL};
	char *tmp = h_mkdtemp(), path[8192], crun[4096];
	const char *old = getenv("PATH");
	struct h_agent *a;
	const cJSON *ev;
	struct h_proc p;

	assert_non_null(tmp);
	assert_int_equal(h_sh("mkdir -p %s/bin && cp %s %s/bin/crun", tmp, h_trigger("rt_memfd"),
			      tmp),
			 0);
	snprintf(path, sizeof(path), "%s/bin:%s", tmp, old ? old : "/usr/bin:/bin");
	snprintf(crun, sizeof(crun), "%s/bin/crun", tmp);
	setenv("PATH", path, 1);
	a = h_agent_start(args);
	setenv("PATH", old ? old : "/usr/bin:/bin", 1);
	assert_non_null(a);
	{
		char *argv[] = {crun, tmp, NULL};

		assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	}
	ev = h_agent_wait(a, ns_create_comm, "memfd:runc_clon", H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_int(ev, "process.pid", p.pid);
	assert_true(cJSON_IsTrue(h_get(ev, "process.runtime")));
	ev = h_agent_wait(a, ns_create_comm, "memfd:fake", H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_int(ev, "process.pid", p.pid);
	h_expect_absent(ev, "process.runtime");
	assert_int_equal(h_agent_stop(a), 0);
	h_rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spoofed_comm_reported),
		cmocka_unit_test(test_image_runc_reported_real_runc_filtered),
		cmocka_unit_test(test_host_etc_mount_reported),
		cmocka_unit_test(test_mark_through_fork_cleared_by_exec),
		cmocka_unit_test(test_memfd_reexec_kept_name_alone_not),
		cmocka_unit_test(test_host_runtime_run_in_container_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_privileged.c - privileged calls end to end: setuid drop, capset, a new user namespace,
 * a tmpfs mount and its unmount, ptrace attach. One agent for the file; each trigger makes
 * the call for real and the finding is checked field by field, syscall.args included.
 */
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

static struct h_suite suite;
#define agent (suite.agent)
#define tmp (suite.tmp)

H_SUITE_GROUP(suite)

/* Run a trigger without arguments other than `arg` (may be NULL). */
static void run_trigger(struct h_exec *r, const char *name, const char *arg)
{
	assert_int_equal(h_exec(r, agent, H_KEEP_ID, name, (const char *const[]){arg, NULL}), 0);
}

static const cJSON *expect_priv(struct h_exec *r, const char *rule, const char *severity,
				const char *syscall)
{
	const cJSON *ev = h_expect_event(agent, &r->p, "privileged_call", rule, syscall);

	h_check_event(agent, ev, &r->p,
		      &(struct h_expect){.kind = "privileged_call", .rule = rule,
					 .severity = severity, .syscall = syscall, .ret = 0,
					 .has_args = true});
	return ev;
}

static void test_setuid_drop(void **state)
{
	struct h_exec r;
	const cJSON *ev;

	run_trigger(&r, "setuid_drop", NULL);
	/*
	 * The credentials are read when the call returns, so the event shows the process as the
	 * call left it (uid 65534) and args.target_id says what it asked for.
	 */
	r.p.uid = r.p.euid = H_NOBODY;
	ev = expect_priv(&r, "setuid-family", "medium", "setuid");
	h_expect_int(ev, "syscall.args.target_id", H_NOBODY);
}

static void test_capset(void **state)
{
	struct h_exec r;
	const cJSON *ev;

	run_trigger(&r, "capset_drop", NULL);
	ev = expect_priv(&r, "capset", "medium", "capset");
	h_expect_int(ev, "syscall.args.target_pid", r.p.pid);
	h_expect_int(ev, "syscall.args.effective", 0x2001); /* CAP_CHOWN | CAP_NET_RAW */
	h_expect_int(ev, "syscall.args.permitted", 0x2001);
	/* what the kernel held: root's full set before, the two capabilities after */
	h_expect_int(ev, "syscall.args.after.effective", 0x2001);
	h_expect_int(ev, "syscall.args.after.permitted", 0x2001);
	assert_non_null(h_get(ev, "syscall.args.before.effective"));
}

static void test_unshare_user(void **state)
{
	static const char *const ns[] = {"CLONE_NEWUSER", NULL};
	struct h_exec r;
	const cJSON *ev;

	run_trigger(&r, "unshare_user", NULL);
	ev = expect_priv(&r, "namespace-create", "high", "unshare");
	h_expect_int(ev, "syscall.args.flags", CLONE_NEWUSER);
	h_expect_strs(ev, "syscall.args.namespaces", ns);
	/* what the kernel did: the caller's namespaces before and after */
	h_expect_strs(ev, "syscall.args.created", ns);
}

static bool setns_of(const cJSON *ev, const void *arg)
{
	const char *name = h_str(ev, "syscall.name");
	long long pid;

	return name && strcmp(name, "setns") == 0 && h_int(ev, "process.pid", &pid) &&
	       pid == *(const pid_t *)arg;
}

/* setns(fd, 0): which namespace was joined comes from the caller's namespaces before and after
 * the call; joining the namespace it is already in (fd 3) changes nothing and is not reported */
static void test_setns_uts(void **state)
{
	static const char *const joined[] = {"CLONE_NEWUTS", NULL};
	static const char *const none[] = {NULL};
	char pidfile[PATH_MAX];
	struct h_exec r;
	const cJSON *ev;
	size_t n = 0;

	snprintf(pidfile, sizeof(pidfile), "%s/setns.pid", tmp);
	run_trigger(&r, "setns_uts", pidfile);
	ev = h_expect_event(agent, &r.p, "privileged_call", "namespace-join", "setns");
	h_check_event(agent, ev, &r.p,
		      &(struct h_expect){.kind = "privileged_call", .rule = "namespace-join",
					 .severity = "medium", .syscall = "setns", .ret = 0,
					 .has_args = true});
	h_expect_int(ev, "syscall.args.fd", 4);
	h_expect_int(ev, "syscall.args.nstype", 0);
	h_expect_strs(ev, "syscall.args.namespaces", none);
	h_expect_strs(ev, "syscall.args.joined", joined);
	h_agent_pump(agent, H_QUIET_MS);
	for (size_t i = 0; i < h_agent_nevents(agent); i++)
		n += setns_of(h_agent_event(agent, i), &r.p.pid);
	assert_int_equal(n, 1);
}

/* clone is judged on the child at fork: the namespaces it really got, and its pid */
static void test_clone_user(void **state)
{
	static const char *const ns[] = {"CLONE_NEWUSER", NULL};
	char pidfile[PATH_MAX];
	struct h_exec r;
	const cJSON *ev;
	int child = 0;
	FILE *f;

	snprintf(pidfile, sizeof(pidfile), "%s/clone.pid", tmp);
	run_trigger(&r, "clone_user", pidfile);
	f = fopen(pidfile, "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &child), 1);
	fclose(f);
	ev = h_expect_event(agent, &r.p, "privileged_call", "namespace-create", "clone");
	h_check_event(agent, ev, &r.p,
		      &(struct h_expect){.kind = "privileged_call", .rule = "namespace-create",
					 .severity = "high", .syscall = "clone", .ret = child,
					 .has_args = true});
	h_expect_int(ev, "syscall.args.flags", CLONE_NEWUSER);
	h_expect_strs(ev, "syscall.args.namespaces", ns);
	h_expect_int(ev, "syscall.args.child_pid", child);
}

static void test_mount_tmpfs(void **state)
{
	char dir[PATH_MAX];
	struct h_exec r;
	const cJSON *ev;

	snprintf(dir, sizeof(dir), "%s/mnt", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	run_trigger(&r, "mount_tmpfs", dir);
	ev = expect_priv(&r, "mount", "high", "mount");
	h_expect_str(ev, "syscall.args.source", "c2d-integ");
	h_expect_str(ev, "syscall.args.target", dir);
	h_expect_str(ev, "syscall.args.fstype", "tmpfs");
	h_expect_int(ev, "syscall.args.flags", MS_NOSUID | MS_NODEV);
	/* the unmount is reported by the same rule */
	ev = expect_priv(&r, "mount", "high", "umount2");
	h_expect_str(ev, "syscall.args.target", dir);
	h_expect_int(ev, "syscall.args.flags", 0);
}

static int mount_teardown(void **state)
{
	char dir[PATH_MAX];
	struct stat d, parent;

	/* only if the trigger failed half-way: never leave a mount in the shared namespace */
	snprintf(dir, sizeof(dir), "%s/mnt", tmp);
	if (stat(dir, &d) == 0 && stat(tmp, &parent) == 0 && d.st_dev != parent.st_dev)
		umount2(dir, MNT_DETACH);
	return 0;
}

static void test_ptrace_attach(void **state)
{
	char pidfile[PATH_MAX];
	struct h_exec r;
	const cJSON *ev;
	int target = 0;
	FILE *f;

	snprintf(pidfile, sizeof(pidfile), "%s/ptrace.pid", tmp);
	run_trigger(&r, "ptrace_attach", pidfile);
	f = fopen(pidfile, "re");
	assert_non_null(f);
	assert_int_equal(fscanf(f, "%d", &target), 1);
	fclose(f);
	ev = expect_priv(&r, "ptrace-attach", "high", "ptrace");
	h_expect_str(ev, "syscall.args.request", "PTRACE_ATTACH");
	h_expect_int(ev, "syscall.args.target_pid", target);
}

static void test_ids_unique(void **state)
{
	h_expect_unique_ids(agent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_setuid_drop),
		cmocka_unit_test(test_capset),
		cmocka_unit_test(test_unshare_user),
		cmocka_unit_test(test_clone_user),
		cmocka_unit_test(test_setns_uts),
		cmocka_unit_test_teardown(test_mount_tmpfs, mount_teardown),
		cmocka_unit_test(test_ptrace_attach),
		cmocka_unit_test(test_ids_unique),
	};

	return cmocka_run_group_tests_name("privileged", tests, group_setup, group_teardown);
}

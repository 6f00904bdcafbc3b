// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_evasion_compat.c - 32-bit syscalls (int $0x80 from a 64-bit process, x86-64): the per-
 * syscall tracepoints never see them. This test pins both halves of that: without
 * --watch-compat-syscalls a real read of /etc/shadow made this way gives no credential_read
 * (the residual limit the README lists, with the start-up warning that says so); with it, the
 * process is reported once as `compat-syscall` (privileged_call, the i386 number of its first
 * 32-bit call), however many such calls it makes.
 */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static bool compat_of(const cJSON *ev, const void *pid)
{
	struct h_match m = {.pid = *(const pid_t *)pid, .kind = "privileged_call",
			    .rule = "compat-syscall"};

	return h_match_event(ev, &m);
}

static int run_int80(struct h_agent *a, struct h_proc *p)
{
	char *argv[] = {(char *)h_trigger("int80_open"), "/etc/shadow", NULL};

	return h_run(p, a, argv, H_KEEP_ID, H_KEEP_ID);
}

static void test_unwatched_is_a_known_blind_spot(void **state)
{
	struct h_agent *a = h_agent_start(NULL);
	char err[16384];
	struct h_proc p;
	int rc;

	assert_non_null(a);
	rc = run_int80(a, &p);
	if (WIFEXITED(p.status) && WEXITSTATUS(p.status) == 77) {
		h_agent_stop(a);
		skip(); /* not x86-64 */
	}
	assert_int_equal(rc, 0);
	h_agent_pump(a, H_QUIET_MS);
	{
		struct h_match m = {.pid = p.pid, .kind = "credential_read"};

		assert_null(h_agent_find(a, h_match_event, &m)); /* the limit, measured */
	}
	h_agent_stderr(a, err, sizeof(err));
	assert_non_null(strstr(err, "32-bit syscalls: not watched; this kernel takes them"));
	assert_int_equal(h_agent_stop(a), 0);
}

static void test_watched_process_is_reported_once(void **state)
{
	static const char *const args[] = {"--watch-compat-syscalls", NULL};
	struct h_agent *a = h_agent_start(args);
	const cJSON *ev;
	struct h_proc p;
	long long nr;
	size_t n = 0;

	assert_non_null(a);
	assert_int_equal(run_int80(a, &p), 0);
	ev = h_agent_wait(a, compat_of, &p.pid, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "syscall.name", "compat_syscall");
	assert_true(h_int(ev, "syscall.args.number", &nr));
	assert_int_equal(nr, 5); /* i386 open: the first 32-bit call */
	h_agent_pump(a, H_QUIET_MS);
	for (size_t i = 0; i < h_agent_nevents(a); i++)
		n += compat_of(h_agent_event(a, i), &p.pid);
	assert_int_equal(n, 1); /* open, read, close: one report for the process */
	assert_int_equal(h_agent_stop(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unwatched_is_a_known_blind_spot),
	    cmocka_unit_test(test_watched_process_is_reported_once),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pid_reuse.c - a process is (pid, start time): a real pid reuse under the agent.
 *
 * A, a copy of open_file under a name of its own with its own arguments, reads /etc/shadow and
 * exits (the agent's cache learns its executable and arguments). Then ns_last_pid is set to
 * A's pid - 1 and we fork until a child gets A's pid (other processes on the machine fork
 * too: a few dozen attempts). That child, B, does not exec: it runs this program's image with
 * our arguments, and reads /etc/shadow. B's finding must carry B's identity — our executable
 * and arguments, a later start time — and nothing of A's.
 *
 * Needs root in the initial pid namespace (ns_last_pid is per namespace; the agent reports
 * global pids). Without /proc/sys/kernel/ns_last_pid the test is skipped; a reuse that
 * cannot be forced within the attempts is a failure, never a silent pass.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#define NS_LAST_PID "/proc/sys/kernel/ns_last_pid"
#define REUSE_ATTEMPTS 64

static struct h_suite suite;
#define agent (suite.agent)
static char **self_argv; /* main's: what B's process.args must be */

H_SUITE_GROUP(suite)

static const char *const rdonly[] = {"O_RDONLY", NULL};

static const struct h_expect shadow_read = {
	.kind = "credential_read", .rule = "etc-shadow", .severity = "high",
	.syscall = "openat", .ret = 3, .flags = rdonly, .path = "/etc/shadow"};

/* The event of pid `pid` whose id is not `not_id`: the second holder's. */
struct other_of_pid {
	pid_t pid;
	const char *not_id;
};

static bool is_other_of_pid(const cJSON *ev, const void *arg)
{
	const struct other_of_pid *o = arg;
	const struct h_match m = {.pid = o->pid, .kind = "credential_read", .rule = "etc-shadow"};
	const char *id = h_str(ev, "id");

	return h_match_event(ev, &m) && id && strcmp(id, o->not_id) != 0;
}

static bool is_of_pid(const cJSON *ev, const void *arg)
{
	const struct h_match m = {.pid = *(const pid_t *)arg};

	return h_match_event(ev, &m);
}

static int write_last_pid(pid_t last)
{
	char buf[32];
	int fd = open(NS_LAST_PID, O_WRONLY | O_CLOEXEC);
	int n = snprintf(buf, sizeof(buf), "%d", (int)last);
	ssize_t w;

	if (fd < 0)
		return -errno;
	w = write(fd, buf, (size_t)n);
	close(fd);
	return w == n ? 0 : -EIO;
}

/*
 * Fork until a child gets pid `want` (it then reads /etc/shadow and exits 0; every other child
 * exits at once). B's identity goes into b. 0, or -1 when the pid could not be had.
 */
static int fork_as(pid_t want, struct h_proc *b)
{
	for (int i = 0; i < REUSE_ATTEMPTS; i++) {
		int status, rc;
		pid_t child;

		rc = write_last_pid(want - 1);
		if (rc < 0)
			fail_msg("write %s: %s", NS_LAST_PID, strerror(-rc));
		clock_gettime(CLOCK_REALTIME, &b->started);
		child = fork();
		if (child < 0)
			fail_msg("fork: %s", strerror(errno));
		if (child == 0) {
			if (getpid() != want)
				_exit(1);
			/* as a trigger would: no descriptor above 2, so the open returns 3 */
			syscall(SYS_close_range, 3, ~0u, 0);
			_exit(syscall(SYS_openat, AT_FDCWD, "/etc/shadow", O_RDONLY) == 3 ? 0 : 2);
		}
		if (child != want) {
			waitpid(child, &status, 0);
			continue;
		}
		b->pid = child;
		if (h_wait(b, agent, H_RUN_TIMEOUT_MS) != 0)
			fail_msg("B (pid %d) failed: wait status %#x", (int)child, b->status);
		return i;
	}
	return -1;
}

/* What A's finding said, kept past the harness's next read. */
struct seen {
	char id[64], start[64], exe[PATH_MAX];
};

/* A: a copy of open_file under a name of its own, so that nothing of it can pass for B's. */
static void run_previous_holder(struct h_proc *a, struct seen *s)
{
	static char holder[PATH_MAX]; /* a->argv must outlive the checks */
	static char *argv[] = {holder, "-m", "openat", "-f", "O_RDONLY", "/etc/shadow", NULL};
	const cJSON *ev;

	snprintf(holder, sizeof(holder), "%s/previous-holder", suite.tmp);
	assert_int_equal(h_sh("cp %s %s && chmod 755 %s", h_trigger("open_file"), holder, holder),
			 0);
	assert_int_equal(h_run(a, agent, argv, H_KEEP_ID, H_KEEP_ID), 0);
	ev = h_expect_event(agent, a, "credential_read", "etc-shadow", "openat");
	h_check_event(agent, ev, a, &shadow_read);
	snprintf(s->id, sizeof(s->id), "%s", h_str(ev, "id"));
	snprintf(s->start, sizeof(s->start), "%s", h_str(ev, "process.start_time"));
	snprintf(s->exe, sizeof(s->exe), "%s", h_str(ev, "process.executable"));
}

/* B's finding: B's identity in full (h_check_event), and none of A's. */
static void expect_only_b(const cJSON *ev, const struct h_proc *b, const struct seen *a)
{
	const char *start = h_str(ev, "process.start_time");
	struct timespec ta, tb;

	h_check_event(agent, ev, b, &shadow_read); /* our executable, our args, our start */
	if (!strcmp(h_str(ev, "process.executable"), a->exe))
		fail_msg("B's finding carries A's executable %s", a->exe);
	assert_true(h_parse_time(a->start, &ta));
	assert_true(h_parse_time(start, &tb));
	if (tb.tv_sec < ta.tv_sec || (tb.tv_sec == ta.tv_sec && tb.tv_nsec <= ta.tv_nsec))
		fail_msg("B's start time %s is not after A's %s", start, a->start);
}

static void test_reused_pid_is_a_new_process(void **state)
{
	struct h_proc a, b = {.argv = self_argv};
	struct other_of_pid other;
	const cJSON *ev;
	struct seen sa;
	size_t n = 0;
	int tries;

	if (access(NS_LAST_PID, F_OK) < 0)
		skip(); /* cannot force a pid: nothing to test here */
	run_previous_holder(&a, &sa);

	/* B: A's pid again, our image */
	assert_non_null(realpath("/proc/self/exe", b.exe));
	b.uid = getuid();
	b.euid = geteuid();
	b.gid = getgid();
	tries = fork_as(a.pid, &b);
	if (tries < 0)
		fail_msg("pid %d could not be reused in %d forks (ns_last_pid): other processes "
			 "took it first", (int)a.pid, REUSE_ATTEMPTS);
	print_message("pid %d reused after %d failed forks\n", (int)a.pid, tries);

	other = (struct other_of_pid){.pid = b.pid, .not_id = sa.id};
	ev = h_agent_wait(agent, is_other_of_pid, &other, H_EVENT_TIMEOUT_MS);
	if (!ev)
		fail_msg("no finding of B (pid %d, reused) within %d ms", (int)b.pid,
			 H_EVENT_TIMEOUT_MS);
	expect_only_b(ev, &b, &sa);

	/* exactly A's and B's findings for that pid: nothing else of either */
	h_agent_pump(agent, H_QUIET_MS);
	for (size_t i = 0; i < h_agent_nevents(agent); i++)
		n += is_of_pid(h_agent_event(agent, i), &b.pid);
	assert_int_equal(n, 2);
}

int main(int argc, char **argv)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_pid_is_a_new_process),
	};

	self_argv = argv;
	return cmocka_run_group_tests_name("pid_reuse", tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_kernel_reads.c - both ways the BPF programs read kernel objects (--kernel-reads btf:
 * plain loads through BTF types; --kernel-reads probe: a helper call per read) give the same
 * findings in a real agent. One group per mode, each with its own agent: the start-up log names
 * the mode, a read of /etc/shadow is one finding with the file's inode and device, a read
 * through a bind mount reports the path through the mount (the walk crosses mounts), and a file
 * no rule matches, read 50 times, is no finding at all, and no program takes 90 % or more of
 * the verifier's instruction limit. A last group checks that an unknown mode is refused.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#define LOG_BTF "kernel reads: plain loads through BTF types (bpf_rdonly_cast)"
#define LOG_PROBE "kernel reads: a helper call per read (--kernel-reads probe)"
#define CRED_FILE ".aws/credentials" /* below tmp/home: rule aws-credentials */
#define OUT_MAX 65536

struct mode {
	const char *arg;  /* the value of --kernel-reads */
	const char *log;  /* the start-up line it must give */
	const char *not;  /* the other mode's line, which must not be there */
	const char *fold; /* --fold-window: "0" (the harness's) where a test reads a file twice */
};

static const struct mode btf = {"btf", LOG_BTF, LOG_PROBE, "0"};
static const struct mode probe = {"probe", LOG_PROBE, LOG_BTF, "0"};
/* the agent's defaults (folding on, the budget on): what the verifier walks furthest */
static const struct mode btf_defaults = {"btf", LOG_BTF, LOG_PROBE, "1"};

/* The group's mode and agent; one group runs at a time. */
static const struct mode *mode;
static struct h_suite suite;
#define agent (suite.agent)
#define tmp (suite.tmp)

static char out[OUT_MAX], err[OUT_MAX]; /* static: a failed assertion must not leak them */

/* ---- fixture: h_suite_setup with --kernel-reads <mode> ----------------------------------- */

static int start(const struct mode *m)
{
	const char *args[] = {"--storage-path", suite.storage, "--kernel-reads", m->arg,
			      "--fold-window", m->fold, NULL};
	char path[PATH_MAX];

	mode = m;
	tmp = h_mkdtemp();
	if (!tmp)
		return -1;
	snprintf(suite.storage, sizeof(suite.storage), "%s/storage", tmp);
	snprintf(path, sizeof(path), "%s/home/%s", tmp, CRED_FILE);
	if (mkdir(suite.storage, 0755) < 0 || h_write_file(path, 0600) < 0) {
		fprintf(stderr, "set-up in %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	agent = h_agent_start(args);
	return agent ? 0 : -1;
}

static int setup_btf(void **state) { return start(&btf); }
static int setup_probe(void **state) { return start(&probe); }
static int setup_btf_defaults(void **state) { return start(&btf_defaults); }

static int teardown(void **state)
{
	int rc = h_suite_teardown(&suite); /* stops the agent, removes tmp */

	agent = NULL;
	tmp = NULL;
	return rc;
}

/* ---- helpers ------------------------------------------------------------------------------- */

static void run(struct h_proc *p, char **argv)
{
	assert_int_equal(h_run(p, agent, argv, H_KEEP_ID, H_KEEP_ID), 0);
}

/* Exactly one event of pid so far (a second finding for one open would be a bug). */
static void expect_one_event(const struct h_agent *a, pid_t pid)
{
	const struct h_match m = {.pid = pid};
	size_t n = 0;

	for (size_t i = 0; i < h_agent_nevents(a); i++)
		n += h_match_event(h_agent_event(a, i), &m);
	if (n != 1)
		fail_msg("--kernel-reads %s: %zu events of pid %d, want 1", mode->arg, n, (int)pid);
}

/* A read of /etc/shadow that must be reported: proves everything before it was delivered. */
static void marker(struct h_proc *p, char **argv)
{
	argv[0] = (char *)h_trigger("open_file");
	argv[1] = "/etc/shadow";
	argv[2] = NULL;
	run(p, argv);
	h_expect_event(agent, p, "credential_read", "etc-shadow", "openat");
}

/* ---- the tests of one mode ---------------------------------------------------------------- */

static void test_startup_log(void **state)
{
	static char log[OUT_MAX];

	h_agent_stderr(agent, log, sizeof(log));
	if (!strstr(log, mode->log) || strstr(log, mode->not))
		fail_msg("--kernel-reads %s: the log must say `%s` (and not `%s`):\n%s", mode->arg,
			 mode->log, mode->not, log);
}

static void test_shadow(void **state)
{
	static const char *const flags[] = {"O_RDONLY", NULL};
	char *argv[] = {(char *)h_trigger("open_file"), "/etc/shadow", NULL};
	const cJSON *ev;
	struct h_proc p, m;
	char *margv[3];

	run(&p, argv);
	ev = h_expect_event(agent, &p, "credential_read", "etc-shadow", "openat");
	h_check_event(agent, ev, &p,
		      &(struct h_expect){.kind = "credential_read", .rule = "etc-shadow",
					 .severity = "high", .syscall = "openat", .ret = 3,
					 .flags = flags, .path = "/etc/shadow"});
	h_expect_str(ev, "file.host_path", "/etc/shadow");
	h_expect_file_identity(ev, "/etc/shadow");
	marker(&m, margv); /* everything of p has been delivered by now */
	expect_one_event(agent, p.pid);
}

/*
 * tmp/home bind-mounted at tmp/bind in a private mount namespace (gone with the process, so
 * nothing to unmount even if the test dies), then tmp/bind/.aws/credentials read: the path is
 * the one through the mount, the host path and identity those of the file in tmp/home.
 */
static void test_through_bind_mount(void **state)
{
	static const char *const flags[] = {"O_RDONLY", NULL};
	static char cmd[4 * PATH_MAX];
	static char *argv[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", cmd, NULL};
	char src[PATH_MAX], dst[PATH_MAX], file[PATH_MAX + 32], real[PATH_MAX + 32];
	const cJSON *ev;
	struct h_proc p;

	snprintf(src, sizeof(src), "%s/home", tmp);
	snprintf(dst, sizeof(dst), "%s/bind", tmp);
	snprintf(real, sizeof(real), "%s/%s", src, CRED_FILE);
	snprintf(file, sizeof(file), "%s/%s", dst, CRED_FILE);
	assert_int_equal(mkdir(dst, 0755), 0);
	/* exec keeps the pid: the finding is the trigger's, and p is that process */
	snprintf(cmd, sizeof(cmd), "mount --make-rprivate / && mount --bind %s %s && exec %s %s",
		 src, dst, h_trigger("open_file"), file);
	run(&p, argv);
	ev = h_expect_event(agent, &p, "credential_read", "aws-credentials", "openat");
	h_expect_str(ev, "file.path", file);
	h_expect_str(ev, "file.host_path", real);
	h_expect_str(ev, "severity", "high");
	h_expect_str(ev, "process.executable", h_trigger("open_file"));
	h_expect_strs(ev, "syscall.flags", flags);
	h_expect_file_identity(ev, real);
	assert_int_equal(rmdir(dst), 0); /* empty again: the mount died with its namespace */
}

static void test_no_event_for_unmatched_file(void **state)
{
	char *argv[] = {(char *)h_trigger("many_opens"), "-n", "50", "/etc/hostname", NULL};
	struct h_proc quiet, m;
	char *margv[3];

	assert_int_equal(access("/etc/hostname", R_OK), 0); /* ENOENT would prove nothing */
	run(&quiet, argv);
	h_agent_pump(agent, H_QUIET_MS);
	marker(&m, margv);
	h_expect_none(agent, &(struct h_match){.pid = quiet.pid}, "an event for /etc/hostname");
}

static void test_ids_unique(void **state)
{
	h_expect_unique_ids(agent);
}

/* ---- an unknown mode ---------------------------------------------------------------------- */

/*
 * Room left under the verifier's limit (1 M instructions processed per program): the agent's
 * programs each below 90 % of it, in each mode and in the default configuration (folding and
 * the budget on: 984 k before the fold hash's loop was mended, 794 k before the path walk kept
 * its loop state in scratch, 173 k after).
 * Another kernel's verifier may walk a program further; a program past the limit does not load.
 * The programs are the agent's own: the ones its open fds name (/proc/PID/fdinfo: prog_id).
 */
#define VERIFIER_LIMIT 1000000u
static void test_verifier_headroom(void **state)
{
	char path[300], line[128], top[BPF_OBJ_NAME_LEN] = "";
	uint32_t most = 0;
	unsigned seen[256];
	int nprogs = 0;
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo", (int)h_agent_pid(agent));
	d = opendir(path);
	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		FILE *f;
		unsigned id = 0;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/fdinfo/%s", (int)h_agent_pid(agent), e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "prog_id: %u", &id) == 1)
				break;
		fclose(f);
		for (int i = 0; id && i < nprogs; i++)
			if (seen[i] == id)
				id = 0; /* the program's fd and its link's both name it */
		if (id && nprogs < (int)(sizeof(seen) / sizeof(seen[0]))) {
			struct bpf_prog_info info = {0};
			uint32_t len = sizeof(info);
			int fd = bpf_prog_get_fd_by_id(id);

			assert_true(fd >= 0);
			assert_int_equal(bpf_obj_get_info_by_fd(fd, &info, &len), 0);
			close(fd);
			seen[nprogs++] = id;
			if (info.verified_insns > most) {
				most = info.verified_insns;
				snprintf(top, sizeof(top), "%s", info.name);
			}
		}
	}
	closedir(d);
	assert_true(nprogs >= 20); /* the exit programs at least: the agent's fds were found */
	fprintf(stderr, "--kernel-reads %s, --fold-window %s: %d programs, the largest %s at %u "
			"instructions verified (%.0f %% of the limit)\n",
		mode->arg, mode->fold, nprogs, top, most, 100.0 * most / VERIFIER_LIMIT);
	if (most >= VERIFIER_LIMIT / 10 * 9)
		fail_msg("--kernel-reads %s: %s took %u of the verifier's %u instructions (90 %% "
			 "or more): little room left for another kernel's verifier",
			 mode->arg, top, most, VERIFIER_LIMIT);
}

static void test_bogus_refused(void **state)
{
	const char *path = getenv("C2D_AGENT") ? getenv("C2D_AGENT") : "build/c2d-agent-san";
	char *argv[] = {(char *)path, "--stdout", "--kernel-reads", "bogus", NULL};
	int status;

	assert_int_equal(h_run_capture(argv, &status, out, OUT_MAX, err, OUT_MAX), 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
		fail_msg("want exit status 2, wait status 0x%x; stderr:\n%s", status, err);
	assert_string_equal(out, "");
	if (!strstr(err, "--kernel-reads") || !strstr(err, "\"bogus\"") ||
	    !strstr(err, "auto, btf or probe"))
		fail_msg("stderr must name the option, the value and auto, btf or probe:\n%s",
			 err);
	assert_null(strstr(err, " ready")); /* refused before anything was loaded */
}

/* The same tests under each mode's name, so a failure says which mode it was. */
#define MODE_TEST(m, f) {.name = m ": " #f, .test_func = f}
#define PER_MODE(m)                                                                                \
	{MODE_TEST(m, test_startup_log), MODE_TEST(m, test_shadow),                                \
	 MODE_TEST(m, test_through_bind_mount), MODE_TEST(m, test_no_event_for_unmatched_file),   \
	 MODE_TEST(m, test_ids_unique), MODE_TEST(m, test_verifier_headroom)}

int main(void)
{
	const struct CMUnitTest with_btf[] = PER_MODE("btf"), with_probe[] = PER_MODE("probe");
	const struct CMUnitTest defaults[] = {
		MODE_TEST("btf, defaults", test_startup_log),
		MODE_TEST("btf, defaults", test_verifier_headroom),
	};
	const struct CMUnitTest refused[] = {
		cmocka_unit_test(test_bogus_refused),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("kernel-reads btf", with_btf, setup_btf, teardown);
	failed += cmocka_run_group_tests_name("kernel-reads probe", with_probe, setup_probe,
					      teardown);
	failed += cmocka_run_group_tests_name("kernel-reads btf, defaults", defaults,
					      setup_btf_defaults, teardown);
	failed += cmocka_run_group_tests_name("kernel-reads bogus", refused, NULL, NULL);
	return failed ? 1 : 0;
}

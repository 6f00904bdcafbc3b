// SPDX-License-Identifier: BSD-2-Clause
/*
 * tp_floor.c - the "tracepoint floor" arm of tests/bench/run.sh.
 *
 *   tp_floor [TRACEPOINT...]      attaches an empty BPF program (r0 = 0; exit) to each
 *                                 syscalls/TRACEPOINT (default: sys_exit_openat), prints
 *                                 "attached" and waits for SIGTERM or SIGINT (exit 0)
 *
 * What it measures is the price of the hook itself: the perf-event tracepoint dispatch and the
 * BPF program run, with no work in the program. Any tool on the classic syscall tracepoints pays
 * it before doing anything; the agent's cost above it is what the agent adds.
 *
 * Raw bpf(2) and perf_event_open(2), no libbpf: nothing here needs relocation or BTF, and the
 * binary builds with the plain bench rule. Exit status 1 (with a message) when tracefs is not
 * mounted, a tracepoint does not exist, or the load or an attach fails; 2 on bad usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DEFAULT_TP  "sys_exit_openat"
#define MAX_TPS	    64	 /* attached tracepoints, one perf event fd each */
#define MAX_NAME    64	 /* longest syscalls tracepoint name is ~30 characters */
#define VLOG_SIZE   4096 /* the verifier log of a two-instruction program is short */

/* tracefs where run.sh mounts it, then the debugfs path of older setups */
static const char *const tracefs_roots[] = {
	"/sys/kernel/tracing",
	"/sys/kernel/debug/tracing",
};

static const char *tracefs_events(void)
{
	static char dir[128];

	for (size_t i = 0; i < sizeof(tracefs_roots) / sizeof(tracefs_roots[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/events/syscalls", tracefs_roots[i]);
		if (access(dir, R_OK | X_OK) == 0)
			return dir;
	}
	return NULL;
}

/* A tracepoint name goes into a path: letters, digits and '_' only, bounded. */
static int valid_name(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n >= MAX_NAME)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!(name[i] == '_' || (name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return 0;
	return 1;
}

/* The tracepoint's id from tracefs, or -errno. */
static int tracepoint_id(const char *events, const char *name)
{
	char path[256];
	FILE *f;
	int id, err = 0;

	snprintf(path, sizeof(path), "%s/%s/id", events, name);
	f = fopen(path, "re");
	if (!f) {
		err = -errno;
		fprintf(stderr, "tp_floor: %s: %s\n", path, strerror(errno));
		return err;
	}
	if (fscanf(f, "%d", &id) != 1 || id < 0) {
		fprintf(stderr, "tp_floor: %s: not a tracepoint id\n", path);
		err = -EINVAL;
	}
	fclose(f);
	return err ? err : id;
}

/*
 * The empty program: r0 = 0; exit. For a tracepoint program the return value only decides
 * whether the perf event also records a sample (0: no), so nothing is written anywhere.
 */
static int load_empty_prog(void)
{
	static char vlog[VLOG_SIZE];
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	union bpf_attr attr;
	int fd;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_TRACEPOINT;
	attr.insns = (uint64_t)(uintptr_t)insns;
	attr.insn_cnt = sizeof(insns) / sizeof(insns[0]);
	attr.license = (uint64_t)(uintptr_t)"GPL";
	attr.log_buf = (uint64_t)(uintptr_t)vlog;
	attr.log_size = sizeof(vlog);
	attr.log_level = 1;
	strncpy(attr.prog_name, "c2d_tp_floor", sizeof(attr.prog_name) - 1);
	fd = (int)syscall(__NR_bpf, BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "tp_floor: loading the empty tracepoint program: %s%s\n",
			strerror(err), err == EPERM ? " (needs root or CAP_BPF+CAP_PERFMON)" : "");
		if (vlog[0])
			fprintf(stderr, "tp_floor: verifier log:\n%s\n", vlog);
		return -err;
	}
	return fd;
}

/*
 * One perf event on tracepoint ID (all processes, opened on cpu 0), the program set on it and
 * enabled; returns its fd or -errno. One event is enough for every CPU: the program goes into the
 * tracepoint's own program array, which the kernel runs on each hit wherever it happens (as bcc
 * and libbpf attach tracepoints).
 */
static int attach(const char *name, int id, int prog_fd)
{
	struct perf_event_attr pa;
	int fd, err;

	memset(&pa, 0, sizeof(pa));
	pa.type = PERF_TYPE_TRACEPOINT;
	pa.size = sizeof(pa);
	pa.config = (uint64_t)id;
	pa.sample_period = 1;
	pa.wakeup_events = 1;
	fd = (int)syscall(__NR_perf_event_open, &pa, -1 /* pid: all */, 0 /* cpu */, -1 /* group */,
			  PERF_FLAG_FD_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		fprintf(stderr, "tp_floor: perf_event_open on syscalls/%s: %s\n", name,
			strerror(errno));
		return err;
	}
	if (ioctl(fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0 ||
	    ioctl(fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		err = -errno;
		fprintf(stderr, "tp_floor: attaching to syscalls/%s: %s\n", name, strerror(errno));
		close(fd);
		return err;
	}
	return fd;
}

/* Returns when SIGTERM or SIGINT arrives; main() blocks both before attaching anything, so one
 * that arrives early is still pending here. */
static void wait_for_stop(const sigset_t *set)
{
	int sig;

	while (sigwait(set, &sig) != 0)
		;
}

int main(int argc, char **argv)
{
	static const char *const default_tps[] = {DEFAULT_TP};
	const char *const *tps = argc > 1 ? (const char *const *)argv + 1 : default_tps;
	int ntp = argc > 1 ? argc - 1 : 1;
	const char *events;
	sigset_t set;
	int prog_fd;

	if (ntp > MAX_TPS) {
		fprintf(stderr, "tp_floor: at most %d tracepoints\n", MAX_TPS);
		return 2;
	}
	for (int i = 0; i < ntp; i++) {
		if (!valid_name(tps[i])) {
			fprintf(stderr, "usage: tp_floor [TRACEPOINT...] (syscalls tracepoint names, "
					"e.g. %s); \"%s\" is not one\n",
				DEFAULT_TP, tps[i]);
			return 2;
		}
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);

	events = tracefs_events();
	if (!events) {
		fprintf(stderr, "tp_floor: tracefs is not mounted (no %s/events/syscalls nor "
				"%s/events/syscalls): mount -t tracefs tracefs %s\n",
			tracefs_roots[0], tracefs_roots[1], tracefs_roots[0]);
		return 1;
	}
	prog_fd = load_empty_prog();
	if (prog_fd < 0)
		return 1;
	/* the perf event fds stay open until exit: closing them (the kernel does) detaches */
	for (int i = 0; i < ntp; i++) {
		int id = tracepoint_id(events, tps[i]);

		if (id < 0 || attach(tps[i], id, prog_fd) < 0)
			return 1;
	}
	printf("attached\n");
	fflush(stdout);
	wait_for_stop(&set);
	return 0;
}

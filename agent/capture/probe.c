// SPDX-License-Identifier: BSD-2-Clause
/* probe.c - see probe.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "log.h"
#include "probe.h"
#include "syscalls.h"

#define BTF_PATH "/sys/kernel/btf/vmlinux"

static const char *const events_dirs[] = {"/sys/kernel/tracing/events",
					  "/sys/kernel/debug/tracing/events"};

static int find_events_dir(struct c2d_hook_plan *plan)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		for (size_t i = 0; i < sizeof(events_dirs) / sizeof(events_dirs[0]); i++) {
			char p[96];

			snprintf(p, sizeof(p), "%s/syscalls", events_dirs[i]);
			if (access(p, R_OK) == 0) {
				snprintf(plan->events_dir, sizeof(plan->events_dir), "%s",
					 events_dirs[i]);
				return 0;
			}
		}
		/* not mounted yet (a fresh node, a container): mount tracefs ourselves */
		if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) < 0 && errno != EBUSY)
			break;
	}
	return -ENOENT;
}

static bool tp_btf_available(const struct btf *btf, const char *tp)
{
	char name[96];

	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	return btf && btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF) > 0;
}

/*
 * Can a tracepoint program cast a kernel pointer to its BTF type (the bpf_rdonly_cast kfunc,
 * 6.2+) and load a field through it? Asked of the kernel with the smallest such program:
 * r0 = bpf_rdonly_cast(NULL, <struct dentry>); r0 = d_flags (a u32 at offset 0 on every
 * kernel); exit — what the walk in bpf/path.bpf.c does at every level.
 */
static bool btf_loads_available(const struct btf *btf)
{
	int fn, dentry, fd;

	if (!btf)
		return false;
	fn = btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC);
	dentry = btf__find_by_name_kind(btf, "dentry", BTF_KIND_STRUCT);
	if (fn <= 0 || dentry <= 0)
		return false;
	struct bpf_insn insns[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_1, .imm = 0},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_2, .imm = dentry},
		{.code = BPF_JMP | BPF_CALL, .src_reg = BPF_PSEUDO_KFUNC_CALL, .imm = fn},
		{.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = BPF_REG_0, .src_reg = BPF_REG_0},
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "c2d_probe_cast", "GPL", insns,
			   sizeof(insns) / sizeof(insns[0]), NULL);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Does this kernel take 32-bit syscalls? On x86-64 /proc/sys/abi/vsyscall32 exists with IA32
 * emulation built in, and `ia32_emulation=0` on the command line turns it off (6.7+). */
static bool compat_possible(void)
{
#if defined(__x86_64__)
	char cmdline[4096] = "";
	FILE *f;

	if (access("/proc/sys/abi/vsyscall32", F_OK) < 0)
		return false;
	f = fopen("/proc/cmdline", "r");
	if (f) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		fclose(f);
	}
	return !strstr(cmdline, "ia32_emulation=0");
#else
	return false; /* arm64's 32-bit tasks: not watched (a residual limit, README) */
#endif
}

/* The capabilities the agent needs, from /proc/self/status CapEff (CAP_SYS_ADMIN stands in
 * for BPF and PERFMON on kernels before 5.8). Without BPF or PERFMON libbpf's probes fail with
 * EPERM, which would read as "this kernel has no ring buffer": true, with every missing one
 * named in err. The others only degrade (exe and environ of other users' processes, cgroup
 * paths): warned about. CAP_SYS_RESOURCE only matters before 5.11 (memlock), where libbpf's
 * own error names it. */
static bool missing_caps(char *err, size_t errlen)
{
	static const struct {
		int bit;
		const char *name;
		bool required;
	} need[] = {{39, "CAP_BPF", true},	     {38, "CAP_PERFMON", true},
		    {19, "CAP_SYS_PTRACE", false},   {2, "CAP_DAC_READ_SEARCH", false}};
	unsigned long long eff = 0;
	char line[128], list[160] = "";
	bool admin, fatal = false;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return false; /* cannot tell: the probes will */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	admin = eff & (1ull << 21);
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++) {
		bool have = eff & (1ull << need[i].bit);

		if (!have && admin && need[i].bit >= 38)
			have = true; /* CAP_SYS_ADMIN covers BPF and PERFMON */
		if (have)
			continue;
		fatal |= need[i].required;
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 list[0] ? ", " : "", need[i].name);
	}
	if (!list[0])
		return false;
	if (!fatal) {
		log_warn("missing capabilities: %s: other users' processes' executables and "
			 "cgroup paths may not be readable", list);
		return false;
	}
	snprintf(err, errlen,
		 "missing capabilities: %s (run as root, or grant them: the chart's "
		 "agent.capabilities); --check-policy needs none",
		 list);
	return true;
}

/* What the kernel's BTF (parsed once: ~5 MiB) says of the hooks: tp_btf on the scheduler,
 * io_uring and socket-state tracepoints, and loads through BTF types. -1 with err set when the
 * scheduler tracepoints cannot be attached (the agent cannot run without them). */
static int probe_btf_hooks(struct c2d_hook_plan *plan, char *err, size_t errlen)
{
	struct btf *btf = btf__load_vmlinux_btf();
	int rc = 0;

	if (!tp_btf_available(btf, "sched_process_exec") ||
	    !tp_btf_available(btf, "sched_process_fork") ||
	    !tp_btf_available(btf, "sched_process_exit")) {
		snprintf(err, errlen, "this kernel cannot attach tp_btf programs to the sched_process "
				      "tracepoints (needs 5.5 or later with BTF)");
		rc = -1;
		goto out;
	}
	/* io_uring operations pass no syscall tracepoint: without these hooks they go unseen,
	 * which the start-up log says; the agent still runs */
	plan->uring_available = tp_btf_available(btf, "io_uring_submit_req") &&
				tp_btf_available(btf, "io_uring_complete") &&
				tp_btf_available(btf, "io_uring_cqe_overflow");
	/* tp_btf rather than the classic sock/inet_sock_set_state: no trace record is built,
	 * the struct sock comes typed; every kernel that passes the checks above has both */
	plan->tcp_state = tp_btf_available(btf, "inet_sock_set_state");
	plan->btf_loads = btf_loads_available(btf);
out:
	btf__free(btf);
	return rc;
}

int probe_kernel(struct c2d_hook_plan *plan, char *err, size_t errlen)
{
	int rc;

	size_t mlen = 0;

	memset(plan, 0, sizeof(*plan));
	if (access(BTF_PATH, R_OK) < 0) {
		snprintf(err, errlen,
			 "kernel BTF not found at %s: cloud2dev needs a kernel built with "
			 "CONFIG_DEBUG_INFO_BTF=y (5.15 or later)",
			 BTF_PATH);
		return -ENOENT;
	}
	if (missing_caps(err, errlen))
		return -EPERM;
	if ((rc = libbpf_probe_bpf_map_type(BPF_MAP_TYPE_RINGBUF, NULL)) != 1) {
		if (rc == -EPERM || rc == -EACCES)
			snprintf(err, errlen, "the kernel refused bpf() (%s): a seccomp profile or an "
					      "LSM denies it; the agent needs bpf() and perf_event_open()",
				 strerror(-rc));
		else
			snprintf(err, errlen, "this kernel has no BPF ring buffer (needs 5.8 or later)");
		return -EOPNOTSUPP;
	}
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_TRACEPOINT, BPF_FUNC_task_pt_regs, NULL) != 1) {
		snprintf(err, errlen, "this kernel lacks bpf_task_pt_regs (needs 5.15 or later)");
		return -EOPNOTSUPP;
	}
	if (probe_btf_hooks(plan, err, errlen) < 0)
		return -EOPNOTSUPP;
	plan->compat_possible = compat_possible();
	if (find_events_dir(plan) < 0) {
		snprintf(err, errlen,
			 "no syscall tracepoints: tracefs is not mounted at /sys/kernel/tracing "
			 "and could not be (mount -t tracefs tracefs /sys/kernel/tracing), or the "
			 "kernel lacks CONFIG_FTRACE_SYSCALLS");
		return -ENOENT;
	}
	for (int s = 0; s < C2D_SYS_MAX; s++) {
		const struct c2d_sysinfo *si = sys_info((unsigned)s);
		char p[160];

		if (!si->tracepoint)
			continue; /* reported by another hook (io_uring, socket state, fork) */
		snprintf(p, sizeof(p), "%s/syscalls/sys_exit_%s/id", plan->events_dir, si->tracepoint);
		if (access(p, R_OK) == 0) {
			plan->sys_available[s] = true;
			plan->n_available++;
		} else if (mlen < sizeof(plan->missing) - 32) {
			mlen += (size_t)snprintf(plan->missing + mlen, sizeof(plan->missing) - mlen,
						 "%s%s", mlen ? "," : "", si->name);
		}
	}
	return 0;
}

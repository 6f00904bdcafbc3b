/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * base.bpf.h - the lowest helper layer: counters, scratch, self-exclusion, emit,
 * the common event header and the syscall arguments of the current task.
 */
#ifndef C2D_BASE_BPF_H
#define C2D_BASE_BPF_H

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "maps.bpf.h"

/* libbpf (1.1, Debian 12) has CO-RE accessors for five syscall arguments; the sixth here. */
#ifndef PT_REGS_PARM6_CORE_SYSCALL
#if defined(bpf_target_x86)
#define C2D_PT_PARM6_REG r9
#elif defined(bpf_target_arm64)
#define C2D_PT_PARM6_REG regs[5]
#endif
#ifdef C2D_PT_PARM6_REG
#define PT_REGS_PARM6_CORE_SYSCALL(x) BPF_CORE_READ(__PT_REGS_CAST(x), C2D_PT_PARM6_REG)
#else
#define PT_REGS_PARM6_CORE_SYSCALL(x) 0
#endif
#endif

/* Hide what the compiler knows of v so that a bounding mask after a clamp is really emitted
 * on the register the verifier checks (clang otherwise folds `if (n > M) n = M; n &= M;`). */
#define c2d_barrier_var(v) asm volatile("" : "+r"(v))

#define C2D_STAT_INC(field)                                                                       \
	do {                                                                                      \
		__u32 __k = 0;                                                                    \
		struct c2d_stats *__s = bpf_map_lookup_elem(&stats, &__k);                        \
		if (__s)                                                                          \
			__s->field++;                                                             \
	} while (0)

static __always_inline struct c2d_scratch *scratch__get(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&scratch, &k);
}

/* The agent never reports on itself (its own /proc scans, spool writes…). */
static __always_inline bool self__is_agent(void)
{
	return (__u32)(bpf_get_current_pid_tgid() >> 32) == c2d_agent_tgid;
}

/*
 * Send `size` bytes of `data`. A wakeup per event costs an IPI (ratio 3.4 vs 1.4 on
 * open+close, PERFORMANCE.md), so records go without one and the agent drains on a short
 * timer; a CPU wakes the reader early once it has sent c2d_wakeup_bytes (the agent sets it
 * to an eighth of the ring divided among the CPUs) since it last did, so the ring is drained
 * before a burst from every CPU can fill it. The count is this CPU's own: asking the ring how
 * much is unread (bpf_ringbuf_query) reads the reader's position, a cache line the reader
 * writes on every drain, which cost the matching open ~60 ns when the reader was busy.
 */
static __always_inline int emit__output_flags(void *data, __u64 size, bool wake)
{
	__u32 k = 0;
	__u64 *sent = bpf_map_lookup_elem(&rb_unwoken, &k);
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (sent) {
		*sent += size;
		if (*sent >= c2d_wakeup_bytes)
			wake = true;
		if (wake)
			*sent = 0;
	}
	if (wake)
		flags = BPF_RB_FORCE_WAKEUP;
	return bpf_ringbuf_output(&events, data, size, flags);
}

static __always_inline int emit__output(void *data, __u64 size)
{
	return emit__output_flags(data, size, false);
}

/* Fill the common header from the current task (direct BTF loads, no probe_read chains). */
static __always_inline void hdr__fill(struct c2d_event_hdr *h, struct task_struct *task, __u16 type)
{
	const struct cred *cred = task->real_cred;

	h->type = type;
	h->flags = 0;
	h->ktime_ns = bpf_ktime_get_boot_ns();
	h->pid = task->pid;
	h->tgid = task->tgid;
	h->ppid = task->real_parent->tgid;
	h->uid = cred->uid.val;
	h->euid = cred->euid.val;
	h->gid = cred->gid.val;
	/* what bpf_get_current_cgroup_id() returns (the task's cgroup v2 id), by loads */
	h->cgroup_id = task->cgroups->dfl_cgrp->kn->id;
	h->start_ns = task->group_leader->start_boottime;
	/* task->comm as two loads through the BTF pointer (every caller's task is current):
	 * the same NUL-padded 16 bytes as bpf_get_current_comm(), without the helper call */
	*(__u64 *)&h->comm[0] = *(__u64 *)&task->comm[0];
	*(__u64 *)&h->comm[8] = *(__u64 *)&task->comm[8];
}

/*
 * Syscall arguments of the current call, from the user registers saved at entry: x86_64
 * di/si/dx/r10/r8/r9, arm64 orig_x0 (x0 holds the return value by the time the exit tracepoint
 * runs) then x1…x5. They are unchanged at syscall exit for every call hooked here, which lets
 * one exit program see both the arguments and the result. Registers cannot be raced by another
 * thread; what they point to can.
 *
 * bpf_task_pt_regs() returns a BTF pointer: on the two architectures the registers are plain
 * loads (CO-RE relocated), not six bpf_probe_read_kernel calls (~35 ns each here, on every
 * hooked syscall). Elsewhere, libbpf's CO-RE accessors.
 */
struct c2d_sysargs {
	__u64 a[6];
};

static __always_inline void sysargs__read(struct task_struct *task, struct c2d_sysargs *args)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

#if defined(bpf_target_x86)
	args->a[0] = regs->di;
	args->a[1] = regs->si;
	args->a[2] = regs->dx;
	args->a[3] = regs->r10;
	args->a[4] = regs->r8;
	args->a[5] = regs->r9;
#elif defined(bpf_target_arm64)
	args->a[0] = regs->orig_x0; /* constant indexes: a BTF pointer takes no variable offset */
	args->a[1] = regs->regs[1];
	args->a[2] = regs->regs[2];
	args->a[3] = regs->regs[3];
	args->a[4] = regs->regs[4];
	args->a[5] = regs->regs[5];
#else
	args->a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	args->a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	args->a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	args->a[3] = PT_REGS_PARM4_CORE_SYSCALL(regs);
	args->a[4] = PT_REGS_PARM5_CORE_SYSCALL(regs);
	args->a[5] = PT_REGS_PARM6_CORE_SYSCALL(regs);
#endif
}

/* pt_regs of the two architectures, for the syscall number (CO-RE picks the one that exists). */
struct pt_regs___c2d_x86 {
	unsigned long orig_ax;
} __attribute__((preserve_access_index));
struct pt_regs___c2d_arm64 {
	__s32 syscallno;
} __attribute__((preserve_access_index));

/* The number of the syscall the task is in (the architecture's numbering), or -1. */
static __always_inline long sysargs__nr(struct task_struct *task)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	if (bpf_core_field_exists(struct pt_regs___c2d_x86, orig_ax))
		return (long)BPF_CORE_READ((struct pt_regs___c2d_x86 *)regs, orig_ax);
	if (bpf_core_field_exists(struct pt_regs___c2d_arm64, syscallno))
		return BPF_CORE_READ((struct pt_regs___c2d_arm64 *)regs, syscallno);
	return -1;
}

/* Per-syscall exit tracepoint context (syscalls/sys_exit_<name>/format). */
struct c2d_sys_exit_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__s64 ret;
};

#endif /* C2D_BASE_BPF_H */

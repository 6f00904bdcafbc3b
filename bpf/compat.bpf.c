// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * compat.bpf.c - 32-bit syscalls, which the per-syscall tracepoints never see.
 *
 * On x86-64 a 64-bit process can enter the kernel through `int $0x80` with i386 numbers (and a
 * 32-bit binary does nothing else): the kernel's syscall trace events ignore compat calls, so
 * an open of /etc/shadow made that way passes every exit program of file.bpf.c. This program
 * sits on the raw sys_enter tracepoint, which compat calls do pass, and reports the first
 * compat syscall of each process: the process has stepped outside what the agent can judge
 * call by call. It runs on every syscall of the node (~50–80 ns each, PERFORMANCE.md), so it
 * is opt-in (--watch-compat-syscalls); without it the agent warns at start when the kernel
 * accepts compat calls. TCP connects made this way are still seen on the socket (net.bpf.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"

#define C2D_TS_COMPAT 0x0002 /* x86 thread_info.status: a 32-bit syscall is running */

/* tgid -> the process's start time: reported once per process (a reused tgid is a new one). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u64);
} compat_seen SEC(".maps");

static __always_inline bool compat__first(struct task_struct *task)
{
	__u32 tgid = task->tgid;
	__u64 start = task->group_leader->start_boottime, *seen;

	seen = bpf_map_lookup_elem(&compat_seen, &tgid);
	if (seen && *seen == start)
		return false;
	bpf_map_update_elem(&compat_seen, &tgid, &start, BPF_ANY);
	return true;
}

/* sys_enter(struct pt_regs *regs, long id) */
SEC("tp_btf/sys_enter")
int BPF_PROG(c2d_compat_enter, struct pt_regs *regs, long id)
{
#ifdef __TARGET_ARCH_x86
	struct task_struct *task = bpf_get_current_task_btf();
	struct c2d_sysargs a = {};
	struct c2d_rule_val rv = {};
	struct c2d_sys_rule *r;
	struct c2d_scratch *s;
	__u32 key = C2D_SYS_COMPAT;

	/* cheapest first: nearly every call is a 64-bit one */
	if (!(task->thread_info.status & C2D_TS_COMPAT) || self__is_agent())
		return 0;
	r = bpf_map_lookup_elem(&sys_rules, &key);
	if (!r || !r->enabled || !compat__first(task))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	a.a[0] = (__u64)id;
	sysev__begin(s, task, C2D_SYS_COMPAT, 0, &a);
	rv.rule_id = r->rule_id;
	return sysev__send(s, &rv, C2D_KIND_PRIVILEGED_CALL);
#else
	return 0;
#endif
}

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * emit.bpf.h - assemble a c2d_syscall_event in scratch and send it.
 */
#ifndef C2D_EMIT_BPF_H
#define C2D_EMIT_BPF_H

#include "policy.bpf.h"

#define C2D_DATA_MASK (C2D_DATA_MAX - 1)

/* Start a new event in scratch: no strings, no flags yet. */
static __always_inline void sysev__reset(struct c2d_scratch *s)
{
	s->ev.nstr = 0;
	s->ev.str_len[0] = s->ev.str_len[1] = s->ev.str_len[2] = s->ev.str_len[3] = 0;
	s->ev.str_role[0] = s->ev.str_role[1] = s->ev.str_role[2] = s->ev.str_role[3] = 0;
	s->ev.ino = 0;
	s->ev.dev = 0;
	s->ev.count = 1;
	s->ev.first_ns = 0;
	s->flags = 0;
	s->fh.file = 0;
	s->gate_ok = 0;
}

/*
 * A /proc seed (agent/capture/runtime_ids.c) knows a start time to the clock tick only (10 ms at
 * USER_HZ 100, floored); the kernel's own entries are exact. A tgid reused within a tick of
 * the marked process's start is not possible: the old one must exit and the pid space wrap.
 */
#define C2D_RUNTIME_START_SLACK_NS 10000000ull

/* Is this process (tgid, group leader start) one runtime_tasks marks? A clear gate bit says
 * no without the lookup. */
static __always_inline bool runtime__marked(__u32 tgid, __u64 start_ns)
{
	__u64 *v;

	if (!(c2d_rt_gate[c2d_rt_gate_word(tgid)] & c2d_rt_gate_bit(tgid)))
		return false;
	v = bpf_map_lookup_elem(&runtime_tasks, &tgid);

	return v && start_ns >= *v && start_ns - *v < C2D_RUNTIME_START_SLACK_NS;
}

/* Mark the process (tgid, group leader start) as the runtime's: its gate bit first, then
 * its runtime_tasks entry. */
static __always_inline void runtime__mark(__u32 tgid, __u64 start_ns)
{
	__sync_fetch_and_or(&c2d_rt_gate[c2d_rt_gate_word(tgid)], c2d_rt_gate_bit(tgid));
	if (bpf_map_update_elem(&runtime_tasks, &tgid, &start_ns, BPF_ANY) < 0)
		C2D_STAT_INC(map_full);
}

/* C2D_F_RUNTIME for a finding of a container-runtime process; one lookup, and only when the
 * agent found runtime binaries (C2D_POL_RUNTIME). */
static __always_inline __u16 runtime__flag(struct task_struct *task)
{
	if (!(c2d_policy_flags & C2D_POL_RUNTIME))
		return 0;
	return runtime__marked(task->tgid, task->group_leader->start_boottime) ? C2D_F_RUNTIME
									       : 0;
}

static __always_inline void sysev__begin(struct c2d_scratch *s, struct task_struct *task, __u16 sys,
					 long ret, struct c2d_sysargs *args)
{
	hdr__fill(&s->ev.hdr, task, C2D_EV_SYSCALL);
	s->ev.hdr.flags = s->flags | runtime__flag(task);
	s->ev.hdr.sys = sys;
	s->ev.ret = ret;
	for (int i = 0; i < 6; i++)
		s->ev.args[i] = args->a[i];
}

static __always_inline __u32 sysev__used(struct c2d_scratch *s)
{
	return s->ev.str_len[0] + s->ev.str_len[1] + s->ev.str_len[2] + s->ev.str_len[3];
}

/* Append pbuf[off, end] (NUL included) as the next string, at most C2D_PATH_MAX - 1 bytes,
 * with its role (enum c2d_str_role). */
static __always_inline void sysev__add_path_as(struct c2d_scratch *s, int off, __u8 role)
{
	__u32 pos = sysev__used(s);
	__u32 n = s->end - off + 1;
	__u32 i = s->ev.nstr;

	if (i >= C2D_MAX_STRS || pos >= C2D_DATA_MAX - C2D_PATH_MAX || n == 0)
		return;
	if (n > C2D_PATH_MAX - 1) { /* a joined path can be longer than one walk */
		n = C2D_PATH_MAX - 1;
		s->ev.hdr.flags |= C2D_F_PATH_TRUNCATED;
	}
	c2d_barrier_var(n);
	n &= C2D_PATH_MAX - 1; /* verifier: the size register itself is bounded */
	pos &= C2D_DATA_MASK;
	if (bpf_probe_read_kernel(&s->data[pos], n, &s->pbuf[off & C2D_PBUF_MASK]) < 0)
		return;
	s->data[(pos + n - 1) & C2D_DATA_MASK] = 0;
	s->ev.str_len[i & 3] = n;
	s->ev.str_role[i & 3] = role;
	s->ev.nstr = i + 1;
}

static __always_inline void sysev__add_path(struct c2d_scratch *s, int off)
{
	sysev__add_path_as(s, off, s->ev.nstr == 0 ? C2D_STR_PATH : C2D_STR_NEW_PATH);
}

/* Append a user-space string (at most C2D_STR_MAX bytes). */
static __always_inline void sysev__add_ustr(struct c2d_scratch *s, const void *uptr)
{
	__u32 pos = sysev__used(s);
	__u32 i = s->ev.nstr;
	long n;

	if (i >= C2D_MAX_STRS || pos >= C2D_DATA_MAX - C2D_STR_MAX)
		return;
	n = bpf_probe_read_user_str(&s->data[pos & C2D_DATA_MASK], C2D_STR_MAX, uptr);
	if (n <= 0) {
		if (uptr) /* NULL is an argument left out (mount's fstype), not a failed read */
			C2D_STAT_INC(read_errors);
		s->data[pos & C2D_DATA_MASK] = 0;
		n = 1;
	} else if (n == C2D_STR_MAX) {
		s->ev.hdr.flags |= C2D_F_STR_TRUNCATED;
		C2D_STAT_INC(str_truncated);
	}
	s->ev.str_len[i & 3] = n;
	s->ev.nstr = i + 1;
}

static __always_inline void stats__event(__u8 kind)
{
	__u32 k = 0;
	struct c2d_stats *st = bpf_map_lookup_elem(&stats, &k);

	if (st && kind < C2D_KIND_MAX)
		st->events[kind]++;
}

/* May this cgroup send one more finding now? `charge` 0: ask without spending (budget.bpf.c) */
int c2d_budget_take(__u64 cgid, int charge);
/* Fold identical findings (fold.bpf.c): take says folded (0), send a distinct finding
 * (C2D_FOLD_SEND_NEW), or send one of a key that already has an event out
 * (C2D_FOLD_SEND_AGAIN: its window closed; it carries the folded count); settle says whether
 * the event went out, and returns 1 when a refused one was parked instead of lost. Both read
 * the event from this CPU's scratch: sysev__send is only ever given scratch__get(). */
#define C2D_FOLD_SEND_NEW 1
#define C2D_FOLD_SEND_AGAIN 2
int c2d_fold_take(void);
int c2d_fold_settle(int sent);

/* Folding and the budget are fixed at load: off (the knob 0), their calls are not made. */
static __always_inline int fold__take(void)
{
	return c2d_fold_window_ns ? c2d_fold_take() : C2D_FOLD_SEND_NEW;
}

static __always_inline int fold__settle(int sent)
{
	return c2d_fold_window_ns ? c2d_fold_settle(sent) : 0;
}

static __always_inline int budget__take(__u64 cgid, int charge)
{
	return c2d_cg_interval_ns ? c2d_budget_take(cgid, charge) : 1;
}

static __always_inline int sysev__send(struct c2d_scratch *s, struct c2d_rule_val *rule, __u8 kind)
{
	__u32 size = sizeof(s->ev) + sysev__used(s);
	int take;

	/* before the call: across it the compiler may test a value correlated with rule instead
	 * of rule itself, a correlation the verifier cannot follow */
	s->ev.rule_id = rule ? rule->rule_id : 0xffff;
	s->ev.kind = kind;
	if (size > sizeof(s->ev) + C2D_DATA_MAX)
		return 0;
	/* identical findings are counted, not sent: only distinct ones spend the budget */
	take = fold__take();
	if (!take)
		return 0;
	if (!budget__take(s->ev.hdr.cgroup_id, take == C2D_FOLD_SEND_NEW)) {
		if (!fold__settle(0))
			C2D_STAT_INC(rate_limited);
		return 0;
	}
	s->ev.hdr.size = size;
	if (emit__output(&s->ev, size) < 0) {
		if (!fold__settle(0))
			C2D_STAT_INC(drop_ringbuf);
		return 0;
	}
	fold__settle(1);
	if (kind == C2D_KIND_NONE)
		C2D_STAT_INC(unresolved);
	else
		stats__event(kind);
	return 0;
}

#endif /* C2D_EMIT_BPF_H */

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fold.bpf.c - identical findings are folded into one event's count, so that a flood of one
 * finding neither costs its container's budget nor hides a different finding.
 *
 * Key (struct c2d_fold_key): cgroup, the executable (inode and device of mm->exe_file), the
 * target, rule and syscall. The first finding of a key goes out (count 1) and opens a window
 * of c2d_fold_window_ns; identical findings within it only add to the entry's `pending`; the
 * first one after the window goes out carrying pending + 1 (first_ns: the first of them) and
 * opens the next window. The sweep (c2d_fold_sweep, run by the agent every second through
 * BPF_PROG_TEST_RUN) sends what is pending on keys idle for a window as a C2D_EV_FOLD record.
 * Only events that go out are charged to the cgroup's budget (sysev__send).
 *
 * Counts: `pending` only ever moves by atomic add and exchange, and only in the kernel
 * (programs and sweep alike): two CPUs racing on one entry never lose or double a finding.
 * A finding whose event is refused (budget, full ring) after its key already went out is
 * parked in `pending` (folded, not lost) and leaves with the key's next event or sweep; one
 * whose key never went out is lost and counted (rate_limited, drop_ringbuf) as before.
 * Global functions: verified once, not inlined into every program.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/emit.bpf.h"

enum c2d_fold_state {
	C2D_FOLD_OFF = 0,  /* folding off: the event is sent as it is */
	C2D_FOLD_NEW = 1,  /* no entry: the first of its key */
	C2D_FOLD_HAVE = 2, /* the entry exists; its window had closed */
};

#define C2D_FOLD_MUL 0x9e3779b97f4a7c15ull

static __always_inline __u64 fold__mix(__u64 h, __u64 w)
{
	h ^= w;
	h *= C2D_FOLD_MUL;
	return h ^ (h >> 29);
}

/* Words hashed at each end of the strings: the verifier walks every iteration of a bounded
 * loop in every program that sends a finding, so the whole 16 KiB (2048 words) cost seconds
 * of start-up; a path's start and its leaf-most end are what tell findings apart. */
#define C2D_FOLD_SPAN 64

/* The words [start, start + 8 * SPAN) of the strings (n bytes), masked past n. */
static __always_inline __u64 fold__hash_span(struct c2d_scratch *s, __u32 start, __u32 n, __u64 h)
{
	for (__u32 i = 0; i < C2D_FOLD_SPAN; i++) {
		__u32 off = start + i * 8;
		__u64 w;

		if (off >= n)
			break;
		/* verifier: an 8-aligned offset inside data[] */
		w = *(__u64 *)&s->data[off & (C2D_DATA_MAX - 8)];
		if (n - off < 8) { /* the last word: leave now, so that the verifier does not go
				    * on through the remaining iterations from here as well */
			w &= (1ull << ((n - off) * 8)) - 1;
			h = fold__mix(h, w);
			break;
		}
		h = fold__mix(h, w);
	}
	return h;
}

/* Every string of the event (paths, mount arguments, entry copies), keyed by the seed: their
 * first and last 512 bytes and their length. (Two sets of strings alike in both and in length
 * but different in between fold together: README, residual limits.) The bytes after the last
 * NUL are the previous event's: masked off. */
static __always_inline __u64 fold__hash_strings(struct c2d_scratch *s, __u64 h)
{
	__u32 n = sysev__used(s);

	if (n > C2D_DATA_MAX)
		n = C2D_DATA_MAX;
	h = fold__hash_span(s, 0, n, h);
	if (n > 8 * C2D_FOLD_SPAN)
		h = fold__hash_span(s, (n - 8 * C2D_FOLD_SPAN) & ~7u, n, h);
	return fold__mix(h, n);
}

/* Privileged calls: the decoded arguments that say what was done; those that differ on every
 * call of one loop (stack, thread ids, peek/poke addresses) are left out. */
static __always_inline __u64 fold__priv_args(const struct c2d_syscall_event *ev, __u64 h)
{
	switch (ev->hdr.sys) {
	case C2D_SYS_CLONE: /* flags; not the stack, tids or tls */
		return fold__mix(h, ev->args[0]);
	case C2D_SYS_CLONE3: /* the flags decoded from struct clone_args */
		return fold__mix(h, ev->args[1]);
	case C2D_SYS_PTRACE: /* request and target pid; not the address */
		return fold__mix(fold__mix(h, ev->args[0]), ev->args[1]);
	case C2D_SYS_PROCESS_VM_READV:
	case C2D_SYS_PROCESS_VM_WRITEV: /* target pid; not the iovecs */
		return fold__mix(h, ev->args[0]);
	}
	for (int i = 0; i < 6; i++)
		h = fold__mix(h, ev->args[i]);
	return h;
}

/* What the finding is about: the file by identity when known (every name of it is one
 * target), else its strings; the address for metadata access (net.bpf.c: args 1..4 are
 * family, port, address); the decoded arguments for privileged calls. The outcome (error
 * or not) and the user are part of it: a denied read and a successful one, or the same read
 * by two users, are different findings. The process is not: a loop of `cat token` forks a
 * new one each time, and must fold like one process's loop. */
static __always_inline __u64 fold__target(struct c2d_scratch *s)
{
	const struct c2d_syscall_event *ev = &s->ev;
	__u64 h = fold__mix(c2d_fold_seed, ev->ret < 0 ? (__u64)ev->ret : 0);

	h = fold__mix(h, (__u64)ev->hdr.uid << 32 | ev->hdr.euid);

	if (ev->ino)
		return fold__mix(fold__mix(h, ev->ino), ev->dev);
	if (ev->kind == C2D_KIND_METADATA_ACCESS) {
		for (int i = 1; i < 5; i++)
			h = fold__mix(h, ev->args[i]);
	} else if (ev->kind == C2D_KIND_PRIVILEGED_CALL) {
		h = fold__priv_args(ev, h);
	}
	return fold__hash_strings(s, h);
}

static __always_inline void fold__key(struct c2d_scratch *s, struct c2d_fold_key *k)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct mm_struct *mm = task->mm; /* plain loads down a BTF pointer's chain, no helpers */
	struct file *exe = mm ? mm->exe_file : NULL;
	struct inode *inode = exe ? exe->f_inode : NULL;
	struct super_block *sb = inode ? inode->i_sb : NULL;

	k->cgroup_id = s->ev.hdr.cgroup_id;
	k->exe_ino = inode ? inode->i_ino : 0;
	k->exe_dev = sb ? sb->s_dev : 0;
	k->target = fold__target(s);
	k->rule_id = s->ev.rule_id;
	k->sys = s->ev.hdr.sys;
}

/* Signed: another CPU may have stamped the entry with a time later than ours. */
static __always_inline bool fold__within(__u64 now, __u64 since)
{
	return (__s64)(now - since) < (__s64)c2d_fold_window_ns;
}

/*
 * The finding in scratch (rule_id, kind, strings set): C2D_FOLD_SEND_NEW (folding off, or its
 * key's first) or C2D_FOLD_SEND_AGAIN (its key's window closed) if its event is to be sent
 * (with count and first_ns of what it carries), 0 if it was folded into its key's pending count.
 * Always followed by c2d_fold_settle() when it returns 1.
 */
__noinline int c2d_fold_take(void)
{
	struct c2d_scratch *s = scratch__get();
	struct c2d_fold_val *v;
	__u64 now;
	__u32 taken;

	if (!s)
		return 1;
	s->fold_state = C2D_FOLD_OFF;
	s->fold_taken = 0;
	if (!(c2d_policy_flags & C2D_POL_FOLD) || !c2d_fold_window_ns)
		return 1;
	fold__key(s, &s->fold_key);
	now = s->ev.hdr.ktime_ns;
	v = bpf_map_lookup_elem(&fold, &s->fold_key);
	if (!v) {
		s->fold_state = C2D_FOLD_NEW;
		return 1;
	}
	s->fold_state = C2D_FOLD_HAVE;
	if (fold__within(now, v->window_ns)) {
		if (__sync_fetch_and_add(&v->pending, 1) == 0)
			v->first_ns = now;
		if (now > v->last_ns)
			v->last_ns = now;
		C2D_STAT_INC(folded);
		return 0;
	}
	taken = __sync_lock_test_and_set(&v->pending, 0);
	s->fold_taken = taken;
	if (taken) {
		s->ev.count = taken + 1;
		s->ev.first_ns = v->first_ns;
	}
	return C2D_FOLD_SEND_AGAIN;
}

/*
 * After c2d_fold_take() said send: `sent` says whether the event went out. Sent, it opens
 * its key's next window. Refused, the finding and what it carried are parked in the pending
 * count when its key has an event out (returns 1: folded, not lost); else returns 0 and the
 * caller counts the loss.
 */
__noinline int c2d_fold_settle(int sent)
{
	struct c2d_scratch *s = scratch__get();
	struct c2d_fold_val nv = {}, *v;
	__u64 now;
	__u32 add;

	if (!s || s->fold_state == C2D_FOLD_OFF)
		return 0;
	now = s->ev.hdr.ktime_ns;
	if (!sent && s->fold_state == C2D_FOLD_NEW)
		return 0;
	v = bpf_map_lookup_elem(&fold, &s->fold_key);
	if (sent && v) {
		v->window_ns = now;
		if (now > v->last_ns)
			v->last_ns = now;
		return 0;
	}
	if (!v) { /* new key, or the entry was evicted since the take */
		nv.first_ns = now;
		nv.last_ns = now;
		nv.window_ns = sent ? now : 1; /* not sent: no record to render it as */
		nv.pending = sent ? 0 : s->fold_taken + 1;
		/* EEXIST: another CPU's event of the same key went out at the same time */
		bpf_map_update_elem(&fold, &s->fold_key, &nv, BPF_NOEXIST);
		if (!sent)
			C2D_STAT_INC(folded);
		return !sent;
	}
	add = s->fold_taken + 1;
	if (__sync_fetch_and_add(&v->pending, add) == 0)
		v->first_ns = s->fold_taken ? s->ev.first_ns : now;
	if (now > v->last_ns)
		v->last_ns = now;
	C2D_STAT_INC(folded);
	return 1;
}

/* anchors the record type in the object's BTF (tests/unit/capture/test_abi.c checks its layout) */
const struct c2d_fold_event *c2d_btf_fold_event __attribute__((unused));

struct fold_sweep_ctx {
	__u64 now;
	__u64 all; /* at the agent's stop: every pending count, window or not */
	__u32 flushed;
	__u32 full;
};

/* One entry: pending findings of a key idle for a window go out as a C2D_EV_FOLD record. */
static long fold__sweep_one(struct bpf_map *map, struct c2d_fold_key *k, struct c2d_fold_val *v,
			    struct fold_sweep_ctx *c)
{
	struct c2d_fold_event e = {};
	__u32 n;

	if (!v->pending)
		return 0;
	if (!c->all && (fold__within(c->now, v->last_ns) || fold__within(c->now, v->window_ns)))
		return 0;
	/* times first: a finding parked after the exchange below belongs to the next flush */
	e.first_ns = v->first_ns;
	e.last_ns = v->last_ns;
	e.window_ns = v->window_ns;
	n = __sync_lock_test_and_set(&v->pending, 0);
	if (!n)
		return 0;
	e.hdr.type = C2D_EV_FOLD;
	e.hdr.size = sizeof(e);
	e.hdr.sys = k->sys;
	e.hdr.ktime_ns = c->now;
	e.hdr.cgroup_id = k->cgroup_id;
	e.key = *k;
	e.count = n;
	if (emit__output(&e, sizeof(e)) < 0) {
		__sync_fetch_and_add(&v->pending, n); /* ring full: kept for the next sweep */
		c->full++;
		return 1;
	}
	c->flushed++;
	return 0;
}

/* Run by the agent (BPF_PROG_TEST_RUN, never attached; ctx[0]: flush all): returns the
 * records sent. */
SEC("raw_tp")
int c2d_fold_sweep(__u64 *ctx)
{
	struct fold_sweep_ctx c = {.now = bpf_ktime_get_boot_ns(), .all = ctx[0]};

	if (!c2d_fold_window_ns)
		return 0;
	bpf_for_each_map_elem(&fold, fold__sweep_one, &c, 0);
	return c.flushed;
}

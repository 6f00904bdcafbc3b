/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * names.bpf.h - name-based calls: the only place where user memory is the truth
 * (implementation: names.bpf.c).
 *
 * unlink, rmdir, rename, truncate, link, symlink and name_to_handle_at take a path the kernel
 * copies from user memory at entry; the exit program can only read that memory again, and
 * another thread may have rewritten it in between (hiding a write under production storage,
 * or forging what is reported). So a sys_enter program copies each name argument (the first
 * C2D_ENTRY_STR_MAX - 1 bytes and its whole length) and the directory it resolves against
 * into the thread's entry_args slot; the exit program reads the name again, matches the rules on what it
 * reads, and compares it with the entry copy. When they differ (or the directory changed:
 * another thread's dup2/chdir), the event is C2D_F_TAMPERED, the entry copies are joined and
 * matched too, and sent as C2D_STR_ENTRY_* strings: a match on either version reports.
 *
 * What this cannot see: a change made after the entry copy and undone before the exit read
 * (the kernel's own copy happens between the two); a change past the first
 * C2D_ENTRY_STR_MAX - 1 bytes of a name that keeps its length. A name unreadable at entry (a
 * page not mapped yet: this program cannot fault it in) counts as changed: the event is
 * tampered without an entry version, rather than a hiding place.
 *
 * The copy lives in the thread's task storage (entry_args). Every exit marks it used; every
 * entry program overwrites it; it is only used by an exit of the same syscall, so a stale copy
 * would need an entry program that ran without its exit program, which the loader rules out
 * by attaching the exit programs first.
 */
#ifndef C2D_NAMES_BPF_H
#define C2D_NAMES_BPF_H

#include "emit.bpf.h"

/* What a name is matched against, and how it is read (the `kinds` arguments below). */
#define C2D_NAME_CRED (1u << 0)	    /* credential rules (the old name of a link) */
#define C2D_NAME_STOR (1u << 1)	    /* production-storage rules */
#define C2D_NAME_EMPTY_OK (1u << 2) /* AT_EMPTY_PATH: "" names the dirfd's file itself */
#define C2D_NAME_TARGET (1u << 3)   /* a symlink's target: relative to the new link's directory */

#define C2D_AT_EMPTY_PATH 0x1000

/* Per-syscall enter tracepoint context (syscalls/sys_enter_<name>/format). */
struct c2d_sys_enter_ctx {
	__u64 common;
	__s32 nr;
	__s32 pad;
	__u64 args[6];
};

/* Entry: copy names u0 (resolved against dirfd d0) and u1 (0: none) into the thread's slot. */
int c2d_entry_save(__u32 sys, __u64 u0, long d0, __u64 u1, long d1);

/* Exit: copy this thread's entry copy into s->entry (s->entry_ok: it is this call's) and mark
 * it used. */
int c2d_entry_take(struct c2d_scratch *s, __u32 sys);

/* Exit: argument i (0: path, 1: new path) read now at uptr, resolved against dirfd: joined,
 * matched (kinds), added as a string, compared with its entry copy (s->differs). */
int c2d_name_exit(struct c2d_scratch *s, __u32 i, long dirfd, __u64 uptr, __u32 kinds);

/* Exit: a symlink's target (argument 0) read now, resolved against the directory of the new
 * link `ulink` (itself relative to dirfd). */
int c2d_name_target_exit(struct c2d_scratch *s, long dirfd, __u64 ulink, __u64 utarget,
			 __u32 kinds);

/* Exit, tampered calls: argument i as copied at entry, joined against the entry directory,
 * matched and added as C2D_STR_ENTRY_PATH / C2D_STR_ENTRY_NEW_PATH. */
int c2d_name_entry(struct c2d_scratch *s, __u32 i, __u32 kinds);

static __always_inline void names__reset(struct c2d_scratch *s)
{
	sysev__reset(s);
	s->hit_kind = C2D_KIND_NONE;
	s->differs = 0;
	s->entry_ok = 0;
}

/* Enter programs and exit programs share this gate, so that an entry is saved exactly for
 * the calls whose exit looks at it. */
static __always_inline bool names__watched(bool storage_only)
{
	return !self__is_agent() && (!storage_only || (c2d_policy_flags & C2D_POL_STORAGE));
}

/*
 * After the exit reads: a tampered call also has its entry versions judged and sent; the event
 * goes out when any version matched a rule (or needs user-space normalisation). A tampered
 * call whose versions match nothing is only counted (stats.tampered).
 */
static __always_inline int names__finish(struct c2d_scratch *s, struct task_struct *task,
					 __u16 sys, long ret, struct c2d_sysargs *a, int nargs,
					 __u32 kinds0, __u32 kinds1)
{
	if (s->differs) {
		s->flags |= C2D_F_TAMPERED;
		C2D_STAT_INC(tampered);
		c2d_name_entry(s, 0, kinds0);
		if (nargs > 1)
			c2d_name_entry(s, 1, kinds1);
	}
	if (s->hit_kind == C2D_KIND_NONE && !(s->flags & C2D_F_UNRESOLVED))
		return 0;
	sysev__begin(s, task, sys, ret, a);
	return sysev__send(s, s->hit_kind != C2D_KIND_NONE ? &s->hit : NULL, s->hit_kind);
}

#endif /* C2D_NAMES_BPF_H */

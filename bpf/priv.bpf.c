// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * priv.bpf.c - privileged calls: identity changes, capabilities, ptrace, mounts, namespaces,
 * kernel modules, bpf, perf, kexec, keys, personality.
 *
 * One exit program per syscall; the arguments come from the saved user registers
 * (base.bpf.h), so the event carries both what was asked and what the kernel answered.
 * sys_rules[sys] says whether the call is watched and which rule reports it; the per-syscall
 * filters below drop the harmless forms in the kernel (unshare without namespace flags, ptrace
 * requests that neither attach nor touch memory, bpf commands other than program load,
 * personality queries). Where the kernel holds the outcome it is read from the kernel: the
 * credentials before (sys_enter snapshot) and after the setuid family and capset; clone and
 * clone3 are judged on the child's namespaces at fork (proc.bpf.c).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"
#include "lib/ns.bpf.h"

#define C2D_PTRACE_TRACEME 0
#define C2D_PTRACE_PEEKTEXT 1
#define C2D_PTRACE_PEEKDATA 2
#define C2D_PTRACE_PEEKUSR 3
#define C2D_PTRACE_POKETEXT 4
#define C2D_PTRACE_POKEDATA 5
#define C2D_PTRACE_POKEUSER 6
#define C2D_PTRACE_GETREGS 12 /* x86; arm64 has only the regset requests */
#define C2D_PTRACE_SETREGS 13
#define C2D_PTRACE_GETFPREGS 14
#define C2D_PTRACE_SETFPREGS 15
#define C2D_PTRACE_ATTACH 16
#define C2D_PTRACE_GETREGSET 0x4204
#define C2D_PTRACE_SETREGSET 0x4205
#define C2D_PTRACE_SEIZE 0x4206
#define C2D_BPF_PROG_LOAD 5
#define C2D_BPF_ATTR_PROG_NAME 48 /* offsetof(union bpf_attr, prog_name) for BPF_PROG_LOAD */

/*
 * Which rule a ptrace request answers to, as the enum c2d_sys whose sys_rules slot holds it:
 * attaching (ATTACH, SEIZE, TRACEME) is ptrace's own rule (ptrace-attach); reading another
 * process (PEEK*, GET*REGS*) is process_vm_readv's (process-memory-read); writing it (POKE*,
 * SET*REGS*) process_vm_writev's (process-memory-write). -1: not watched (CONT, DETACH, …).
 */
static __always_inline int ptrace__rule_sys(__u64 req)
{
	switch (req) {
	case C2D_PTRACE_TRACEME:
	case C2D_PTRACE_ATTACH:
	case C2D_PTRACE_SEIZE:
		return C2D_SYS_PTRACE;
	case C2D_PTRACE_PEEKTEXT:
	case C2D_PTRACE_PEEKDATA:
	case C2D_PTRACE_PEEKUSR:
	case C2D_PTRACE_GETREGS:
	case C2D_PTRACE_GETFPREGS:
	case C2D_PTRACE_GETREGSET:
		return C2D_SYS_PROCESS_VM_READV;
	case C2D_PTRACE_POKETEXT:
	case C2D_PTRACE_POKEDATA:
	case C2D_PTRACE_POKEUSER:
	case C2D_PTRACE_SETREGS:
	case C2D_PTRACE_SETFPREGS:
	case C2D_PTRACE_SETREGSET:
		return C2D_SYS_PROCESS_VM_WRITEV;
	}
	return -1;
}

/* The sys_rules slot of this call (-1: not watched), and whether it is worth reporting. `sys`
 * is a constant in every caller, so each program keeps only its own branch after inlining. */
static __always_inline int priv__rule_sys(__u16 sys, struct c2d_sysargs *a, long ret)
{
	switch (sys) {
	case C2D_SYS_PTRACE: {
		int rs = ptrace__rule_sys(a->a[0]);

		/* a failed read or write moved nothing; a failed attach is still an attempt */
		if (rs != C2D_SYS_PTRACE && ret < 0)
			return -1;
		return rs;
	}
	case C2D_SYS_BPF:
		return a->a[0] == C2D_BPF_PROG_LOAD ? sys : -1;
	case C2D_SYS_PERSONALITY:
		return (__u32)a->a[0] != 0xffffffff ? sys : -1;
	}
	return sys;
}

/* unshare(flags): the flags are a register (the kernel's own copy); only namespace flags the
 * rule asks for are reported. */
static __always_inline bool priv__filter(__u16 sys, struct c2d_sys_rule *r, struct c2d_sysargs *a)
{
	if (sys == C2D_SYS_UNSHARE)
		return (a->a[0] & r->only_mask) != 0;
	return true;
}

/* ---- namespaces before and after (unshare, setns) -------------------------------------- */

/* sys_enter: remember the caller's namespaces (per thread). */
static __always_inline int ns__enter(__u16 sys)
{
	struct c2d_ns_before nb = {.sys = sys};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (self__is_agent())
		return 0;
	ns__snap(bpf_get_current_task_btf(), &nb.ns);
	if (bpf_map_update_elem(&ns_before, &tid, &nb, BPF_ANY) < 0)
		C2D_STAT_INC(map_full);
	return 0;
}

/*
 * sys_exit: a[2] = the CLONE_NEW* flags of the namespaces that really changed, a[3] = 1 when the
 * namespaces before the call are known. Returns false for a setns that changed nothing (joining
 * the namespace the caller is already in); never without a known `before`, never for a failed
 * call (an attempt is a finding).
 */
static __always_inline bool ns__exit(__u16 sys, struct task_struct *task, struct c2d_sysargs *a,
				     long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct c2d_ns_before *nb = bpf_map_lookup_elem(&ns_before, &tid);
	struct c2d_ns_snap after = {};

	a->a[2] = a->a[3] = 0;
	if (!nb)
		return true;
	if (nb->sys == sys) {
		ns__snap(task, &after);
		a->a[2] = ns__changed(&nb->ns, &after);
		a->a[3] = 1;
	}
	bpf_map_delete_elem(&ns_before, &tid);
	return !(sys == C2D_SYS_SETNS && ret == 0 && a->a[3] && !a->a[2]);
}

/* ---- credentials before and after (setuid family, capset) ----------------------------- */

/* Named one by one: nothing depends on the enum's order (c2d_abi.h may grow anywhere). */
static __always_inline bool cred__watched(__u16 sys)
{
	switch (sys) {
	case C2D_SYS_SETUID:
	case C2D_SYS_SETGID:
	case C2D_SYS_SETREUID:
	case C2D_SYS_SETREGID:
	case C2D_SYS_SETRESUID:
	case C2D_SYS_SETRESGID:
	case C2D_SYS_SETFSUID:
	case C2D_SYS_SETFSGID:
	case C2D_SYS_CAPSET:
		return true;
	default:
		return false;
	}
}

static __always_inline bool cred__is_gid(__u16 sys)
{
	return sys == C2D_SYS_SETGID || sys == C2D_SYS_SETREGID || sys == C2D_SYS_SETRESGID ||
	       sys == C2D_SYS_SETFSGID;
}

/* The task's ids (uid | euid << 32, suid | fsuid << 32; gid family alike) or capabilities. */
static __always_inline void cred__read(__u16 sys, struct task_struct *task, __u64 v[2])
{
	const struct cred *c = task->real_cred;

	if (sys == C2D_SYS_CAPSET) {
		/* kernel_cap_t is one u64 since 6.3, u32[2] before: 8 bytes either way */
		bpf_probe_read_kernel(&v[0], sizeof(v[0]), &c->cap_effective);
		bpf_probe_read_kernel(&v[1], sizeof(v[1]), &c->cap_permitted);
	} else if (cred__is_gid(sys)) {
		v[0] = c->gid.val | (__u64)c->egid.val << 32;
		v[1] = c->sgid.val | (__u64)c->fsgid.val << 32;
	} else {
		v[0] = c->uid.val | (__u64)c->euid.val << 32;
		v[1] = c->suid.val | (__u64)c->fsuid.val << 32;
	}
}

/* sys_enter: remember the caller's credentials (per thread). */
static __always_inline int cred__enter(__u16 sys)
{
	struct c2d_cred_snap snap = {.sys = sys};
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	if (self__is_agent())
		return 0;
	cred__read(sys, bpf_get_current_task_btf(), snap.v);
	if (bpf_map_update_elem(&cred_before, &tid, &snap, BPF_ANY) < 0)
		C2D_STAT_INC(map_full);
	return 0;
}

/*
 * sys_exit: args become {requested…, before[2], after[2]}. Setuid family: a[0] = first id asked
 * | second << 32, a[1] = third | 1 << 32 when `before` is known; capset: a[0] = effective |
 * permitted asked (low 32 capabilities, from user memory), a[1] = target pid | 1 << 32 when
 * known. a[2..3] before, a[4..5] after (as cred__read), both from the kernel's cred.
 */
static __always_inline void cred__exit(__u16 sys, struct task_struct *task, struct c2d_sysargs *a)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct c2d_cred_snap *snap = bpf_map_lookup_elem(&cred_before, &tid);
	__u64 known = 0, after[2];

	if (sys == C2D_SYS_CAPSET) {
		a->a[1] = a->a[2] & 0xffffffff; /* target pid (priv__decode) */
		a->a[0] = (a->a[3] & 0xffffffff) | a->a[4] << 32;
	} else {
		a->a[0] = (a->a[0] & 0xffffffff) | a->a[1] << 32;
		a->a[1] = a->a[2] & 0xffffffff;
	}
	a->a[2] = a->a[3] = 0;
	if (snap && snap->sys == sys) {
		a->a[2] = snap->v[0];
		a->a[3] = snap->v[1];
		known = 1ull << 32;
	}
	if (snap)
		bpf_map_delete_elem(&cred_before, &tid);
	a->a[1] |= known;
	cred__read(sys, task, after);
	a->a[4] = after[0];
	a->a[5] = after[1];
}

/* Decode the pointed-to arguments that matter into args[] and the string area. */
static __always_inline void priv__decode(__u16 sys, struct c2d_scratch *s, struct task_struct *task,
					 struct c2d_sysargs *a)
{
	__u32 v[2] = {};
	int off;

	switch (sys) {
	case C2D_SYS_MOUNT: /* source, target, fstype; never `data` (may hold credentials) */
		sysev__add_ustr(s, (void *)a->a[0]);
		sysev__add_ustr(s, (void *)a->a[1]);
		sysev__add_ustr(s, (void *)a->a[2]);
		break;
	case C2D_SYS_UMOUNT2:
	case C2D_SYS_CHROOT:
	case C2D_SYS_DELETE_MODULE:
		sysev__add_ustr(s, (void *)a->a[0]);
		break;
	case C2D_SYS_PIVOT_ROOT:
	case C2D_SYS_ADD_KEY: /* key type and description; never the payload */
		sysev__add_ustr(s, (void *)a->a[0]);
		sysev__add_ustr(s, (void *)a->a[1]);
		break;
	case C2D_SYS_MOVE_MOUNT:
		sysev__add_ustr(s, (void *)a->a[1]);
		sysev__add_ustr(s, (void *)a->a[3]);
		break;
	case C2D_SYS_FINIT_MODULE: {
		struct file *f = path__fd_file(task, a->a[0]);

		if (f) {
			off = path__from_file(s, NULL, f); /* NULL: the current task */
			if (off >= 0)
				sysev__add_path(s, off);
		}
		break;
	}
	case C2D_SYS_CAPSET: /* header {u32 version; int pid}, data[0] {effective, permitted, …} */
		bpf_probe_read_user(v, sizeof(v), (void *)a->a[0]);
		a->a[2] = v[1]; /* target pid */
		bpf_probe_read_user(v, sizeof(v), (void *)a->a[1]);
		a->a[3] = v[0]; /* effective (low 32 capabilities) */
		a->a[4] = v[1]; /* permitted */
		break;
	case C2D_SYS_PTRACE: /* TRACEME names no pid: its tracer-to-be is the parent */
		if (a->a[0] == C2D_PTRACE_TRACEME)
			a->a[1] = task->real_parent->tgid;
		break;
	case C2D_SYS_BPF: /* union bpf_attr: prog_type at 0, prog_name[16] */
		bpf_probe_read_user(v, sizeof(v[0]), (void *)a->a[1]);
		a->a[3] = v[0];
		sysev__add_ustr(s, (void *)(a->a[1] + C2D_BPF_ATTR_PROG_NAME));
		break;
	}
}

static __always_inline int priv__exit(struct c2d_sys_exit_ctx *ctx, __u16 sys)
{
	struct c2d_rule_val rv = {};
	struct task_struct *task;
	struct c2d_sys_rule *r;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	__u32 key;
	int rs;

	if (self__is_agent())
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	/* first: the entry snapshot is consumed whatever the policy then decides */
	if ((sys == C2D_SYS_UNSHARE || sys == C2D_SYS_SETNS) && !ns__exit(sys, task, &a, ctx->ret))
		return 0;
	rs = priv__rule_sys(sys, &a, ctx->ret);
	if (rs < 0)
		return 0;
	key = rs;
	r = bpf_map_lookup_elem(&sys_rules, &key);
	if (!r || !r->enabled || !priv__filter(sys, r, &a))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	priv__decode(sys, s, task, &a);
	if (cred__watched(sys))
		cred__exit(sys, task, &a);
	sysev__begin(s, task, sys, ctx->ret, &a);
	rv.rule_id = r->rule_id;
	return sysev__send(s, &rv, C2D_KIND_PRIVILEGED_CALL);
}

#define C2D_PRIV_PROG(name, SYS)                                                                  \
	SEC("tracepoint/syscalls/sys_exit_" #name)                                                \
	int c2d_exit_##name(struct c2d_sys_exit_ctx *ctx)                                         \
	{                                                                                         \
		return priv__exit(ctx, SYS);                                                      \
	}

/* The credential calls also snapshot the caller at entry (c2d_enter_<name>); the loader
 * attaches an enter program only with its exit program. */
#define C2D_CRED_PROG(name, SYS)                                                                  \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                               \
	int c2d_enter_##name(void *ctx)                                                           \
	{                                                                                         \
		return cred__enter(SYS);                                                          \
	}                                                                                         \
	C2D_PRIV_PROG(name, SYS)

C2D_CRED_PROG(setuid, C2D_SYS_SETUID)
C2D_CRED_PROG(setgid, C2D_SYS_SETGID)
C2D_CRED_PROG(setreuid, C2D_SYS_SETREUID)
C2D_CRED_PROG(setregid, C2D_SYS_SETREGID)
C2D_CRED_PROG(setresuid, C2D_SYS_SETRESUID)
C2D_CRED_PROG(setresgid, C2D_SYS_SETRESGID)
C2D_CRED_PROG(setfsuid, C2D_SYS_SETFSUID)
C2D_CRED_PROG(setfsgid, C2D_SYS_SETFSGID)
C2D_CRED_PROG(capset, C2D_SYS_CAPSET)
C2D_PRIV_PROG(ptrace, C2D_SYS_PTRACE)
C2D_PRIV_PROG(process_vm_readv, C2D_SYS_PROCESS_VM_READV)
C2D_PRIV_PROG(process_vm_writev, C2D_SYS_PROCESS_VM_WRITEV)
C2D_PRIV_PROG(mount, C2D_SYS_MOUNT)
C2D_PRIV_PROG(umount, C2D_SYS_UMOUNT2) /* the tracepoint of umount2 is named sys_exit_umount */
C2D_PRIV_PROG(move_mount, C2D_SYS_MOVE_MOUNT)
C2D_PRIV_PROG(fsmount, C2D_SYS_FSMOUNT)
C2D_PRIV_PROG(pivot_root, C2D_SYS_PIVOT_ROOT)
C2D_PRIV_PROG(chroot, C2D_SYS_CHROOT)
/* unshare and setns also snapshot the caller's namespaces at entry */
#define C2D_NS_PROG(name, SYS)                                                                    \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                               \
	int c2d_enter_##name(void *ctx)                                                           \
	{                                                                                         \
		return ns__enter(SYS);                                                            \
	}                                                                                         \
	C2D_PRIV_PROG(name, SYS)

C2D_NS_PROG(unshare, C2D_SYS_UNSHARE)
C2D_NS_PROG(setns, C2D_SYS_SETNS)
/* clone and clone3 are judged on the child at fork (proc.bpf.c), not on their arguments. */
C2D_PRIV_PROG(init_module, C2D_SYS_INIT_MODULE)
C2D_PRIV_PROG(finit_module, C2D_SYS_FINIT_MODULE)
C2D_PRIV_PROG(delete_module, C2D_SYS_DELETE_MODULE)
C2D_PRIV_PROG(bpf, C2D_SYS_BPF)
C2D_PRIV_PROG(perf_event_open, C2D_SYS_PERF_EVENT_OPEN)
C2D_PRIV_PROG(kexec_load, C2D_SYS_KEXEC_LOAD)
C2D_PRIV_PROG(kexec_file_load, C2D_SYS_KEXEC_FILE_LOAD)
C2D_PRIV_PROG(keyctl, C2D_SYS_KEYCTL)
C2D_PRIV_PROG(add_key, C2D_SYS_ADD_KEY)
C2D_PRIV_PROG(personality, C2D_SYS_PERSONALITY)

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * priv.bpf.c - privileged calls: identity changes, capabilities, ptrace, mounts, namespaces,
 * kernel modules, bpf, perf, kexec, keys, personality.
 *
 * One exit program per syscall; the arguments come from the saved user registers
 * (base.bpf.h), so the event carries both what was asked and what the kernel answered.
 * sys_rules[sys] says whether the call is watched and which rule reports it; the per-syscall
 * filters below drop the harmless forms in the kernel (clone without namespace flags, ptrace
 * peeks, bpf commands other than program load, personality queries).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"

#define C2D_PTRACE_POKETEXT 4
#define C2D_PTRACE_POKEDATA 5
#define C2D_PTRACE_POKEUSER 6
#define C2D_PTRACE_SETREGS 13
#define C2D_PTRACE_SETFPREGS 15
#define C2D_PTRACE_ATTACH 16
#define C2D_PTRACE_SETREGSET 0x4205
#define C2D_PTRACE_SEIZE 0x4206
#define C2D_BPF_PROG_LOAD 5
#define C2D_BPF_ATTR_PROG_NAME 48 /* offsetof(union bpf_attr, prog_name) for BPF_PROG_LOAD */

static __always_inline bool ptrace__interesting(__u64 req)
{
	switch (req) {
	case C2D_PTRACE_POKETEXT:
	case C2D_PTRACE_POKEDATA:
	case C2D_PTRACE_POKEUSER:
	case C2D_PTRACE_SETREGS:
	case C2D_PTRACE_SETFPREGS:
	case C2D_PTRACE_ATTACH:
	case C2D_PTRACE_SETREGSET:
	case C2D_PTRACE_SEIZE:
		return true;
	}
	return false;
}

/* Returns false when this call is not worth reporting. `sys` is a constant in every caller,
 * so each program keeps only its own branch after inlining. */
static __always_inline bool priv__filter(__u16 sys, struct c2d_sys_rule *r, struct c2d_sysargs *a,
					 long ret)
{
	__u64 flags = 0;

	switch (sys) {
	case C2D_SYS_CLONE:
		if (ret == 0) /* the child's return */
			return false;
		return (a->a[0] & r->only_mask) != 0;
	case C2D_SYS_CLONE3: /* struct clone_args { u64 flags; … } */
		if (ret == 0 || bpf_probe_read_user(&flags, sizeof(flags), (void *)a->a[0]) < 0)
			return false;
		a->a[1] = flags; /* decoded flags next to the struct pointer */
		return (flags & r->only_mask) != 0;
	case C2D_SYS_UNSHARE:
		return (a->a[0] & r->only_mask) != 0;
	case C2D_SYS_PTRACE:
		return ptrace__interesting(a->a[0]);
	case C2D_SYS_BPF:
		return a->a[0] == C2D_BPF_PROG_LOAD;
	case C2D_SYS_PERSONALITY:
		return (__u32)a->a[0] != 0xffffffff;
	}
	return true;
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
			off = path__from_file(s, task, f);
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
	case C2D_SYS_BPF: /* union bpf_attr: prog_type at 0, prog_name[16] */
		bpf_probe_read_user(v, sizeof(v[0]), (void *)a->a[1]);
		a->a[3] = v[0];
		sysev__add_ustr(s, (void *)(a->a[1] + C2D_BPF_ATTR_PROG_NAME));
		break;
	}
}

static __always_inline int priv__exit(struct c2d_sys_exit_ctx *ctx, __u16 sys)
{
	__u32 key = sys;
	struct c2d_rule_val rv = {};
	struct task_struct *task;
	struct c2d_sys_rule *r;
	struct c2d_scratch *s;
	struct c2d_sysargs a;

	if (self__is_agent())
		return 0;
	r = bpf_map_lookup_elem(&sys_rules, &key);
	if (!r || !r->enabled)
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	if (!priv__filter(sys, r, &a, ctx->ret))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	priv__decode(sys, s, task, &a);
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

C2D_PRIV_PROG(setuid, C2D_SYS_SETUID)
C2D_PRIV_PROG(setgid, C2D_SYS_SETGID)
C2D_PRIV_PROG(setreuid, C2D_SYS_SETREUID)
C2D_PRIV_PROG(setregid, C2D_SYS_SETREGID)
C2D_PRIV_PROG(setresuid, C2D_SYS_SETRESUID)
C2D_PRIV_PROG(setresgid, C2D_SYS_SETRESGID)
C2D_PRIV_PROG(setfsuid, C2D_SYS_SETFSUID)
C2D_PRIV_PROG(setfsgid, C2D_SYS_SETFSGID)
C2D_PRIV_PROG(capset, C2D_SYS_CAPSET)
C2D_PRIV_PROG(ptrace, C2D_SYS_PTRACE)
C2D_PRIV_PROG(process_vm_writev, C2D_SYS_PROCESS_VM_WRITEV)
C2D_PRIV_PROG(mount, C2D_SYS_MOUNT)
C2D_PRIV_PROG(umount, C2D_SYS_UMOUNT2) /* the tracepoint of umount2 is named sys_exit_umount */
C2D_PRIV_PROG(move_mount, C2D_SYS_MOVE_MOUNT)
C2D_PRIV_PROG(fsmount, C2D_SYS_FSMOUNT)
C2D_PRIV_PROG(pivot_root, C2D_SYS_PIVOT_ROOT)
C2D_PRIV_PROG(chroot, C2D_SYS_CHROOT)
C2D_PRIV_PROG(unshare, C2D_SYS_UNSHARE)
C2D_PRIV_PROG(setns, C2D_SYS_SETNS)
C2D_PRIV_PROG(clone, C2D_SYS_CLONE)
C2D_PRIV_PROG(clone3, C2D_SYS_CLONE3)
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

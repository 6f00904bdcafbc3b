/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ns.bpf.h - a task's namespaces as the kernel holds them, and which of them differ between two
 * moments or two tasks, as CLONE_NEW* flags. Used by the fork hook (clone, clone3) and by
 * unshare/setns (sys_enter snapshot against sys_exit). Only pointers are compared: nothing is
 * dereferenced after the snapshot, so a namespace freed in between is never read.
 */
#ifndef C2D_NS_BPF_H
#define C2D_NS_BPF_H

#include "base.bpf.h"

#define C2D_CLONE_NEWTIME 0x00000080
#define C2D_CLONE_NEWNS 0x00020000
#define C2D_CLONE_NEWCGROUP 0x02000000
#define C2D_CLONE_NEWUTS 0x04000000
#define C2D_CLONE_NEWIPC 0x08000000
#define C2D_CLONE_NEWUSER 0x10000000
#define C2D_CLONE_NEWPID 0x20000000
#define C2D_CLONE_NEWNET 0x40000000

/* The task's namespaces (user, then nsproxy's; pid and time: those its children get, which is
 * what clone, unshare and setns change). */
static __always_inline void ns__snap(struct task_struct *t, struct c2d_ns_snap *n)
{
	struct nsproxy *p = t->nsproxy;

	n->p[0] = (__u64)t->real_cred->user_ns;
	if (!p)
		return;
	n->p[1] = (__u64)p->uts_ns;
	n->p[2] = (__u64)p->ipc_ns;
	n->p[3] = (__u64)p->mnt_ns;
	n->p[4] = (__u64)p->pid_ns_for_children;
	n->p[5] = (__u64)p->net_ns;
	if (bpf_core_field_exists(p->time_ns_for_children))
		n->p[6] = (__u64)p->time_ns_for_children;
	n->p[7] = (__u64)p->cgroup_ns;
}

static __always_inline __u32 ns__changed(const struct c2d_ns_snap *a, const struct c2d_ns_snap *b)
{
	static const __u32 flag[8] = {C2D_CLONE_NEWUSER, C2D_CLONE_NEWUTS,  C2D_CLONE_NEWIPC,
				      C2D_CLONE_NEWNS,	 C2D_CLONE_NEWPID,  C2D_CLONE_NEWNET,
				      C2D_CLONE_NEWTIME, C2D_CLONE_NEWCGROUP};
	__u32 fl = 0;

	for (int i = 0; i < 8; i++)
		if (a->p[i] != b->p[i])
			fl |= flag[i];
	return fl;
}

#endif /* C2D_NS_BPF_H */

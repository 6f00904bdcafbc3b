// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * proc.bpf.c - exec, fork and exit: what the agent's process cache is kept with.
 *
 * tp_btf programs get the task pointers typed (direct loads). Threads are skipped: the cache
 * is per process (tgid). Exit is reported when the last thread of the group leaves.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"
#include "lib/ns.bpf.h"

static __always_inline struct c2d_proc_scratch *proc__scratch(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&proc_scratch, &k);
}

static __always_inline int proc__output_flags(void *ev, __u32 size, bool wake)
{
	if (emit__output_flags(ev, size, wake) < 0) {
		C2D_STAT_INC(drop_proc_ringbuf);
		return 0;
	}
	C2D_STAT_INC(proc_events);
	return 0;
}

static __always_inline int proc__output(void *ev, __u32 size)
{
	return proc__output_flags(ev, size, false);
}

/* The first exec seen in this cgroup (maps.bpf.h: exec_cgroups): wake the reader now. */
static __always_inline bool proc__new_cgroup(__u64 cgid)
{
	__u8 one = 1;

	if (bpf_map_lookup_elem(&exec_cgroups, &cgid))
		return false;
	bpf_map_update_elem(&exec_cgroups, &cgid, &one, BPF_ANY);
	return true;
}

/* kernfs_node's parent is `__parent` since 6.15 (RCU), `parent` before. */
struct kernfs_node___new {
	struct kernfs_node *__parent;
} __attribute__((preserve_access_index));
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *proc__kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(struct kernfs_node___new, __parent))
		return BPF_CORE_READ((struct kernfs_node___new *)kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

/* One kernfs name into dst (at most C2D_CG_NAME_MAX bytes with its NUL); bytes written. */
static __always_inline __u32 proc__kn_name(char *dst, struct kernfs_node *kn)
{
	long r = bpf_probe_read_kernel_str(dst, C2D_CG_NAME_MAX, BPF_CORE_READ(kn, name));

	if (r <= 0) {
		dst[0] = 0;
		r = 1;
	}
	return (__u32)r & C2D_CG_NAME_MAX;
}

/* The names of the task's cgroup and its ancestors, leaf first, below the root, at dst
 * (C2D_CG_DEPTH * (C2D_CG_NAME_MAX + 1) bytes at most); bytes written. */
static __always_inline __u32 proc__cgroup_names(char *dst, struct task_struct *task)
{
	struct kernfs_node *kn = BPF_CORE_READ(task, cgroups, dfl_cgrp, kn);
	__u32 at = 0;

	for (int i = 0; i < C2D_CG_DEPTH; i++) {
		if (!kn || !proc__kn_parent(kn)) /* the root has no name worth sending */
			break;
		at += proc__kn_name(dst + at, kn);
		kn = proc__kn_parent(kn);
	}
	return at;
}

/*
 * The container runtime by what it runs (runtime_ids: runc, shims, containerd, kubelet …,
 * identified by the agent on the host as (dev, ino)), tracked per process in runtime_tasks:
 * set at an exec of a runtime binary, inherited at fork, kept across runc's re-exec of its
 * memfd copy ("memfd:runc_cloned:/proc/self/exe") or of itself (/proc/self/exe), cleared at
 * any other exec (the container's own program starting) and at exit. Set and kept only in
 * the host's mount namespace (c2d_host_mntns). Comm and paths never
 * decide: a workload names itself anything, and installs anything at /usr/bin/runc.
 */
static __always_inline void proc__file_id(struct file *f, struct c2d_file_id *id)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);

	id->ino = BPF_CORE_READ(ino, i_ino);
	id->dev = BPF_CORE_READ(ino, i_sb, s_dev);
	id->pad = 0;
}

#define C2D_MNT_NS_INTERNAL ((__u64)-22) /* kern_mount()'s ERR_PTR(-EINVAL) (fs/mount.h) */

/*
 * A memfd: a file of the kernel's internal shmem (or hugetlbfs) mount, which no namespace can
 * reach, whose name memfd_create() prefixed with "memfd:". The mount is checked as well as the
 * name: an image can ship a file called "memfd:x", never one on the internal mount.
 */
static __always_inline bool proc__is_memfd(struct file *f)
{
	struct mount *m = container_of(BPF_CORE_READ(f, f_path.mnt), struct mount, mnt);
	char name[6];

	if ((__u64)BPF_CORE_READ(m, mnt_ns) != C2D_MNT_NS_INTERNAL)
		return false;
	if (bpf_probe_read_kernel(name, sizeof(name), BPF_CORE_READ(f, f_path.dentry, d_name.name)))
		return false;
	return name[0] == 'm' && name[1] == 'e' && name[2] == 'm' && name[3] == 'f' &&
	       name[4] == 'd' && name[5] == ':';
}

static __always_inline bool proc__in_host_mntns(struct task_struct *task)
{
	__u32 host = c2d_host_mntns;

	return !host || BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum) == host;
}

static __always_inline void proc__runtime_exec(struct task_struct *task, struct linux_binprm *bprm)
{
	struct file *f = BPF_CORE_READ(bprm, file);
	__u64 start = task->group_leader->start_boottime;
	__u32 tgid = task->tgid;
	struct c2d_file_id id;
	bool is_rt, host;

	if (!(c2d_policy_flags & C2D_POL_RUNTIME) || !f)
		return;
	proc__file_id(f, &id);
	is_rt = bpf_map_lookup_elem(&runtime_ids, &id) != NULL;
	/* Only in the host's mount namespace: runc clones itself before it enters any namespace;
	 * once in the container's, whatever it execs is the container's program — even a runtime
	 * binary a hostPath brings in, or runc's own memfd through /proc/self/exe. */
	host = proc__in_host_mntns(task);
	if (runtime__marked(tgid, start)) {
		if (!host || (!is_rt && !proc__is_memfd(f)))
			bpf_map_delete_elem(&runtime_tasks, &tgid);
		return;
	}
	if (is_rt && host)
		runtime__mark(tgid, start);
}

/* A new process (not a thread) of a runtime process is the runtime until it execs. */
static __always_inline void proc__runtime_fork(struct task_struct *parent,
					       struct task_struct *child)
{
	__u64 start = child->start_boottime;
	__u32 tgid = child->tgid;

	if (!(c2d_policy_flags & C2D_POL_RUNTIME) ||
	    !runtime__marked(parent->tgid, parent->group_leader->start_boottime))
		return;
	runtime__mark(tgid, start);
}

/* sched_process_exec(struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm) */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(c2d_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct c2d_proc_scratch *ps = proc__scratch();
	struct c2d_scratch *s = scratch__get();
	struct mm_struct *mm = task->mm;
	unsigned long astart, aend;
	bool wake;
	__u16 fl;
	__u32 n, alen;
	int off;

	if (!ps || !s || !mm || self__is_agent())
		return 0;
	proc__runtime_exec(task, bprm);
	hdr__fill(&ps->ev.hdr, task, C2D_EV_EXEC);
	/* The executable as the kernel opened it (/bin/cat -> /bin/busybox). */
	s->flags = 0;
	off = c2d_path_walk(s, (__u64)BPF_CORE_READ(mm, exe_file, f_path.dentry),
			    (__u64)BPF_CORE_READ(mm, exe_file, f_path.mnt),
			    (__u64)BPF_CORE_READ(task, fs, root.dentry),
			    (__u64)BPF_CORE_READ(task, fs, root.mnt));
	if (off < 0)
		return 0;
	fl = s->flags;
	n = (s->end - off + 1) & (C2D_PATH_MAX - 1); /* a walk yields at most 4095 bytes */
	if (n == 0)
		return 0;
	bpf_probe_read_kernel(ps->data, n, &s->pbuf[off & C2D_PBUF_MASK]);
	ps->ev.exe_len = n;
	/* argv, bounded; environment is never read. */
	astart = mm->arg_start;
	aend = mm->arg_end;
	alen = aend > astart ? aend - astart : 0;
	if (alen > C2D_ARGS_MAX - 1) {
		alen = C2D_ARGS_MAX - 1;
		fl |= C2D_F_ARGS_TRUNCATED;
	}
	c2d_barrier_var(alen);
	alen &= C2D_ARGS_MAX - 1;
	if (bpf_probe_read_user(&ps->data[n], alen, (void *)astart) < 0) {
		C2D_STAT_INC(read_errors); /* the exec is reported without its argv */
		alen = 0;
	}
	ps->ev.args_len = alen;
	ps->ev.hdr.flags = fl;
	/* the first exec in a cgroup names it, and wakes the reader at once */
	wake = proc__new_cgroup(ps->ev.hdr.cgroup_id);
	ps->ev.cg_len = 0;
	if (wake) {
		__u32 at = n + alen; /* <= 4095 + 1023: room for the names is reserved */

		ps->ev.cg_len = proc__cgroup_names(&ps->data[at], task);
		alen += ps->ev.cg_len;
	}
	n = sizeof(ps->ev) + n + alen;
	if (n > sizeof(*ps))
		return 0;
	ps->ev.hdr.size = n;
	return proc__output_flags(&ps->ev, n, wake);
}

/*
 * The namespaces a fork created, as CLONE_NEW* flags, from the kernel's objects: the child's
 * nsproxy members against the parent's (pid and time: the parent's *_for_children, which a
 * plain fork inherits) and the child's user namespace against the parent's. What the caller
 * wrote in clone3's clone_args is never read. The common case costs two loads and a compare.
 */
static __always_inline __u32 proc__ns_created(struct task_struct *parent, struct task_struct *child)
{
	struct nsproxy *pn = parent->nsproxy, *cn = child->nsproxy;
	__u32 fl = 0;

	if (parent->real_cred->user_ns != child->real_cred->user_ns)
		fl |= C2D_CLONE_NEWUSER;
	if (pn == cn || !pn || !cn)
		return fl;
	if (pn->uts_ns != cn->uts_ns)
		fl |= C2D_CLONE_NEWUTS;
	if (pn->ipc_ns != cn->ipc_ns)
		fl |= C2D_CLONE_NEWIPC;
	if (pn->mnt_ns != cn->mnt_ns)
		fl |= C2D_CLONE_NEWNS;
	if (pn->pid_ns_for_children != cn->pid_ns_for_children)
		fl |= C2D_CLONE_NEWPID;
	if (pn->net_ns != cn->net_ns)
		fl |= C2D_CLONE_NEWNET;
	if (pn->cgroup_ns != cn->cgroup_ns)
		fl |= C2D_CLONE_NEWCGROUP;
	if (bpf_core_field_exists(pn->time_ns_for_children) &&
	    pn->time_ns_for_children != cn->time_ns_for_children)
		fl |= C2D_CLONE_NEWTIME;
	return fl;
}

/* Syscall numbers of clone and clone3 on this architecture (fork/vfork create no namespace). */
#if defined(bpf_target_arm64)
#define C2D_NR_CLONE 220
#elif defined(bpf_target_x86)
#define C2D_NR_CLONE 56
#else
#define C2D_NR_CLONE -2
#endif
#define C2D_NR_CLONE3 435

/* Which call made the child: clone, clone3, or (unknown number: a compat call…) FORK_NS,
 * which is reported under clone's rule. */
static __always_inline __u16 proc__fork_sys(struct task_struct *task)
{
	long nr = sysargs__nr(task);

	if (nr == C2D_NR_CLONE)
		return C2D_SYS_CLONE;
	if (nr == C2D_NR_CLONE3)
		return C2D_SYS_CLONE3;
	return C2D_SYS_FORK_NS;
}

/* A fork that created namespaces: a privileged_call of the parent (the caller), args[0] the
 * CLONE_NEW* flags derived above, args[1] the child's pid, ret the child's pid. */
static __always_inline int proc__fork_ns(struct task_struct *parent, struct task_struct *child)
{
	__u32 fl = proc__ns_created(parent, child), key;
	struct task_struct *task;
	struct c2d_rule_val rv = {};
	struct c2d_sysargs a = {};
	struct c2d_sys_rule *r;
	struct c2d_scratch *s;
	__u16 sys;

	if (!fl)
		return 0;
	task = bpf_get_current_task_btf();
	sys = proc__fork_sys(task);
	key = sys == C2D_SYS_FORK_NS ? C2D_SYS_CLONE : sys;
	r = bpf_map_lookup_elem(&sys_rules, &key);
	if (!r || !r->enabled || !(fl & r->only_mask))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	a.a[0] = fl;
	a.a[1] = child->tgid;
	sysev__begin(s, task, sys, child->tgid, &a);
	rv.rule_id = r->rule_id;
	return sysev__send(s, &rv, C2D_KIND_PRIVILEGED_CALL);
}

/* sched_process_fork(struct task_struct *parent, struct task_struct *child): runs in the
 * parent (current), within its clone/clone3/fork/vfork. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(c2d_fork, struct task_struct *parent, struct task_struct *child)
{
	struct c2d_fork_event ev = {};

	if (self__is_agent())
		return 0;
	/* threads too: CLONE_THREAD | CLONE_NEWNET (uts, ipc, cgroup) is allowed */
	proc__fork_ns(parent, child);
	if (child->pid != child->tgid)
		return 0; /* a new thread, not a new process */
	proc__runtime_fork(parent, child);
	hdr__fill(&ev.hdr, bpf_get_current_task_btf(), C2D_EV_FORK);
	ev.hdr.pid = child->pid;
	ev.hdr.tgid = child->tgid;
	ev.hdr.ppid = parent->tgid;
	ev.hdr.start_ns = child->start_boottime;
	ev.parent_pid = parent->pid;
	ev.parent_tgid = parent->tgid;
	ev.hdr.size = sizeof(ev);
	return proc__output(&ev, sizeof(ev));
}

/* sched_process_exit(struct task_struct *p): p is current */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(c2d_exit, struct task_struct *p)
{
	struct c2d_exit_event ev = {};

	if (p->signal->live.counter != 0 || self__is_agent())
		return 0; /* other threads of the group still run */
	if (c2d_policy_flags & C2D_POL_RUNTIME) {
		__u32 tgid = p->tgid;

		bpf_map_delete_elem(&runtime_tasks, &tgid);
	}
	hdr__fill(&ev.hdr, p, C2D_EV_EXIT);
	ev.exit_code = p->exit_code;
	ev.hdr.size = sizeof(ev);
	return proc__output(&ev, sizeof(ev));
}

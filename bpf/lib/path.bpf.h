/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * path.bpf.h - rebuild absolute paths as the kernel resolved them (implementation: path.bpf.c).
 *
 * bpf_d_path() is not allowed in tracepoint programs, so the walk is done by hand, like d_path():
 * from the file's dentry up to the task's root, crossing mount points through struct mount,
 * writing each component right to left into scratch->pbuf[0, C2D_PATH_MAX). Symlinks, `..` and
 * relative dirfds are already resolved in the dentry chain, so what comes out is the real path
 * relative to the process's root (a container sees its own `/`).
 *
 * The walk and the join are global (non-inlined) functions: the verifier checks each once,
 * instead of once per calling program and per exit state of the loops before them.
 * Kernel pointers cross them as u64 and are only ever read with BPF_CORE_READ (probe reads).
 *
 * Limits: C2D_MAX_DEPTH iterations (components plus mount crossings) and C2D_PATH_MAX bytes;
 * beyond either the result is flagged C2D_F_PATH_TRUNCATED and counted.
 */
#ifndef C2D_PATH_BPF_H
#define C2D_PATH_BPF_H

#include "base.bpf.h"

#define C2D_PATH_MASK (C2D_PATH_MAX - 1)
#define C2D_NAME_MASK (C2D_NAME_MAX - 1)
#define C2D_PBUF_MASK (2 * C2D_PATH_MAX - 1)
#define C2D_AT_FDCWD -100

/* Walk (dentry, vfsmount) up to (root_dentry, root_mnt). Returns the offset in s->pbuf where
 * the path starts (it ends at s->end = C2D_PATH_MAX - 1) or -1; ORs C2D_F_* into s->flags. */
int c2d_path_walk(struct c2d_scratch *s, __u64 dentry, __u64 vfsmnt, __u64 root_dentry,
		  __u64 root_mnt);

/* Path of a name given by the caller (unlink, rename, truncate, a denied open): absolute as
 * given, or dirfd's path + "/" + name. Symlinks in the caller's string are not resolved;
 * `.`/`..` are left for user space (C2D_F_UNRESOLVED). Returns the start offset in pbuf. */
int c2d_path_join(struct c2d_scratch *s, long dirfd, __u64 upath); /* for the current task */

/* Same for a name the kernel already copied (a struct filename's `name`, io_uring's prep):
 * what is judged is what the kernel will use, whatever user memory holds by then. */
int c2d_path_join_kstr(struct c2d_scratch *s, long dirfd, __u64 kname);
/* The name at pbuf[PATH_MAX] (n bytes with its NUL, put there by the caller) resolved against
 * the directory (dentry, vfsmount); an empty name is the directory itself. */
int c2d_path_join_at(struct c2d_scratch *s, __u64 dir_dentry, __u64 dir_mnt, __u32 n);

/* Read a caller's string into pbuf[PATH_MAX]; its length with the NUL, or <= 0. */
int c2d_path_read_user(struct c2d_scratch *s, __u64 upath);

/* Helpers of c2d_path_join, global so that each loop is verified once. */
int c2d_path_scan_tail(struct c2d_scratch *s, __u32 len);
int c2d_path_comps_joined(struct c2d_scratch *s, __u32 len, __u32 relative);

/* The file behind slot fd of an fd array of max_fds slots, or NULL. */
static __always_inline struct file *path__fd_slot(struct file **fdarr, unsigned int max_fds, long fd)
{
	struct file *f = NULL;

	if (!fdarr || fd < 0 || fd >= max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fdarr[fd]);
	return f;
}

/* The address of slot fd in the table of `task`, a BTF pointer (bpf_get_current_task_btf()):
 * the chain down to the fd array is plain loads. 0 if there is no such slot. */
static __always_inline __u64 path__fd_slot_addr(struct task_struct *task, long fd)
{
	struct files_struct *files = task->files;
	struct fdtable *fdt = files ? files->fdt : NULL;
	struct file **arr;

	if (!fdt || fd < 0 || fd >= fdt->max_fds)
		return 0;
	arr = fdt->fd;
	return arr ? (__u64)&arr[fd] : 0;
}

/* The file behind `fd` in the task `task`, a BTF pointer: only the slot is read with a helper
 * (path.bpf.c reads it with a load). NULL if none. */
static __always_inline struct file *path__fd_file(struct task_struct *task, long fd)
{
	__u64 slot = path__fd_slot_addr(task, fd);
	struct file *f = NULL;

	if (slot)
		bpf_probe_read_kernel(&f, sizeof(f), (void *)slot);
	return f;
}

/* The same for a task pointer known only as a number (read from a kernel object). */
static __always_inline struct file *path__fd_file_of(struct task_struct *task, long fd)
{
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);

	return fdt ? path__fd_slot(BPF_CORE_READ(fdt, fd), BPF_CORE_READ(fdt, max_fds), fd) : NULL;
}

/* The directory a name given with dirfd resolves against: dirfd's file (also what an empty
 * name means with AT_EMPTY_PATH), or the cwd for AT_FDCWD. 0, or -1 for a bad dirfd. */
static __always_inline int path__dir(struct task_struct *task, long dirfd, __u64 *dentry,
				     __u64 *mnt)
{
	struct file *f;

	if ((int)dirfd == C2D_AT_FDCWD) {
		*dentry = (__u64)BPF_CORE_READ(task, fs, pwd.dentry);
		*mnt = (__u64)BPF_CORE_READ(task, fs, pwd.mnt);
		return 0;
	}
	f = path__fd_file(task, dirfd);
	if (!f)
		return -1;
	*dentry = (__u64)BPF_CORE_READ(f, f_path.dentry);
	*mnt = (__u64)BPF_CORE_READ(f, f_path.mnt);
	return 0;
}

/* What the judgement of an opened file needs of its struct file (f_path, f_inode, f_mode,
 * f_flags), into s->fh (path.bpf.c: loads through BTF, or one helper call for the head of the
 * struct). Read once per event, kept for the same file until sysev__reset() clears it: only
 * the judgement of an opened file (open.bpf.h), whose every caller resets first, uses it. */
int c2d_file_head_read(struct c2d_scratch *s, __u64 file);
/* An inode's identity into the event: inode number and its superblock's device, in the
 * kernel's encoding (MKDEV: major << 20 | minor), as the agent keys file_ids and dir_ids. */
int c2d_inode_id_read(struct c2d_scratch *s, __u64 inode);

static __always_inline struct c2d_file_head *path__fhead(struct c2d_scratch *s, struct file *f)
{
	struct c2d_file_head *h = &s->fh;

	if (h->file != (__u64)f && c2d_file_head_read(s, (__u64)f) < 0)
		h->file = 0;
	return h;
}

/* The opened file's identity into the event. */
static __always_inline void path__file_id(struct c2d_scratch *s, struct file *f)
{
	__u64 inode = path__fhead(s, f)->inode;

	if (inode)
		c2d_inode_id_read(s, inode);
}

/* The file's path from the root of its own filesystem (no mount crossed: a NULL vfsmount has
 * no mount root to stop at, so the walk ends at the superblock's root, whose d_parent is
 * itself). The agent turns (dev, this) into the host's path. Returns the offset in pbuf. */
static __always_inline int path__fs_path(struct c2d_scratch *s, struct file *f)
{
	return c2d_path_walk(s, path__fhead(s, f)->dentry, 0, 0, 0); /* f_path: read with the head */
}

/* Do the first two components the walk noted (top_off/top_len) lie where the path pbuf[off, …]
 * has them, each ended by '/' or the NUL? Then the exact/prefix gates may judge by them. */
static __always_inline __u8 path__tops_ok(struct c2d_scratch *s, int off)
{
	__u32 a = s->top_off[0], la = s->top_len[0], b, c;

	if (s->ntop == 0 || a != (__u32)off + 1)
		return 0;
	c = s->pbuf[(a + la) & C2D_PBUF_MASK];
	if (c != '/' && c != 0)
		return 0;
	if (s->ntop < 2)
		return 1;
	b = s->top_off[1];
	if (b != a + la + 1)
		return 0;
	c = s->pbuf[(b + s->top_len[1]) & C2D_PBUF_MASK];
	return c == '/' || c == 0;
}

/* After a walk of a file that returned off: the exact/prefix gates may judge pbuf by the
 * components the walk noted (a whole path, not truncated, laid out as noted). */
static __always_inline void path__gate_walked(struct c2d_scratch *s, int off)
{
	s->gate_ok = off >= 0 && !(s->flags & C2D_F_PATH_TRUNCATED) && path__tops_ok(s, off);
}

/* The path of an opened file as `task` sees it: from f_path up to the task's root
 * (path.bpf.c). task: NULL for the current task (the syscall programs: its BTF pointer is
 * taken inside, a global function cannot be handed one), or a task known only as a number
 * (io_uring's submitter). Returns the offset in pbuf, or -1. */
int c2d_path_of_file(struct c2d_scratch *s, __u64 task, __u64 file);

/*
 * Decide before walking (the open syscalls through c2d_open_prefilter_fd, io_uring's opens
 * through open.bpf.h open__may_match): can any rule match this opened file?
 * The prewalk goes up the same dentries and mount crossings as the walk to the task's root
 * (task: 0 for the current one, as c2d_path_of_file), without copying a name; the gates
 * (gates.bpf.h) judge the four components they read, leaf, parent and the path's first two,
 * read as c2d_gate_hash() takes them; then the identity gate judges the file and, on a device
 * with a directory rule, its ancestors. Returns 0 when no rule can match (the walk and every
 * matcher would find nothing), 1 when the walk must judge: the path is deeper or longer than
 * the walk goes, outside the task's root, on a pseudo filesystem, or a gate is open. Reads the
 * file's head into s->fh and leaves the components found in s->pre_got.
 */
int c2d_open_prefilter(struct c2d_scratch *s, __u64 task, __u64 file);
/* The same for the file a syscall of the current task just opened as fd, found in its table
 * here (0 too when there is none, or the task is the agent): a non-matching open costs one
 * helper call and this one call. The file is left in s->fh.file. */
int c2d_open_prefilter_fd(struct c2d_scratch *s, long fd);
/* The same to a given root (the kernel test's chroot). */
int c2d_open_prefilter_at(struct c2d_scratch *s, __u64 file, __u64 root_dentry, __u64 root_mnt);
/* The ancestors of a dentry in its filesystem, up to the superblock's root, against the
 * identity gate (c2d_id_gate, device dev): 1 when one may be a directory rule's (dir_ids
 * must be looked in) or the chain is deeper than C2D_MAX_DEPTH, 0 when none is. */
int c2d_path_pre_ids(struct c2d_scratch *s, __u64 dentry, __u32 dev);

static __always_inline int path__from_file(struct c2d_scratch *s, struct task_struct *task,
					   struct file *f)
{
	s->flags |= C2D_F_FROM_FD;
	return c2d_path_of_file(s, (__u64)task, (__u64)f);
}

#endif /* C2D_PATH_BPF_H */

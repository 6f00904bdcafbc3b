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

/* The file behind `fd` in `task`, or NULL. */
static __always_inline struct file *path__fd_file(struct task_struct *task, long fd)
{
	struct files_struct *files = BPF_CORE_READ(task, files);
	struct fdtable *fdt;
	struct file **fdarr;
	struct file *f = NULL;

	if (!files || fd < 0)
		return NULL;
	fdt = BPF_CORE_READ(files, fdt);
	if (fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fdarr = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fdarr[fd]);
	return f;
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

/* The opened file's identity into the event: inode number and its superblock's device, in the
 * kernel's encoding (MKDEV: major << 20 | minor), as the agent keys file_ids and dir_ids. */
static __always_inline void path__file_id(struct c2d_scratch *s, struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	s->ev.ino = BPF_CORE_READ(inode, i_ino);
	s->ev.dev = BPF_CORE_READ(inode, i_sb, s_dev);
}

/* The file's path from the root of its own filesystem (no mount crossed: a NULL vfsmount has
 * no mount root to stop at, so the walk ends at the superblock's root, whose d_parent is
 * itself). The agent turns (dev, this) into the host's path. Returns the offset in pbuf. */
static __always_inline int path__fs_path(struct c2d_scratch *s, struct file *f)
{
	return c2d_path_walk(s, (__u64)BPF_CORE_READ(f, f_path.dentry), 0, 0, 0);
}

static __always_inline int path__from_file(struct c2d_scratch *s, struct task_struct *task,
					   struct file *f)
{
	s->flags |= C2D_F_FROM_FD;
	return c2d_path_walk(s, (__u64)BPF_CORE_READ(f, f_path.dentry),
			     (__u64)BPF_CORE_READ(f, f_path.mnt),
			     (__u64)BPF_CORE_READ(task, fs, root.dentry),
			     (__u64)BPF_CORE_READ(task, fs, root.mnt));
}

#endif /* C2D_PATH_BPF_H */

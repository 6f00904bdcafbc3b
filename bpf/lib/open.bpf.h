/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * open.bpf.h - the judgement of an open, shared by every way a file is opened (the open
 * syscalls in file.bpf.c, io_uring's OPENAT/OPENAT2 in uring.bpf.c): one rule set, one order.
 */
#ifndef C2D_OPEN_BPF_H
#define C2D_OPEN_BPF_H

#include "emit.bpf.h"
#include "gates.bpf.h"

#define C2D_O_ACCMODE 03
#define C2D_O_WRONLY 01
#define C2D_O_RDWR 02
#define C2D_O_CREAT 0100
#define C2D_O_EXCL 0200
#define C2D_O_NOCTTY 0400
#define C2D_O_TRUNC 01000
#define C2D_O_PATH 010000000
#define C2D_O_CLOEXEC 02000000

/* struct file f_mode bits (include/linux/fs.h, stable since 2.6/4.x) */
#define C2D_FMODE_READ (1u << 0)
#define C2D_FMODE_WRITE (1u << 1)
#define C2D_FMODE_PATH (1u << 14)
#define C2D_FMODE_CREATED (1u << 20)

/* Open flags the kernel does not keep in f_flags (do_dentry_open clears them, O_CLOEXEC is the
 * descriptor's): they come from the caller. */
#define C2D_O_NOT_KEPT (C2D_O_TRUNC | C2D_O_EXCL | C2D_O_NOCTTY | C2D_O_CLOEXEC)

/*
 * The flags of an open as the kernel applied them, from the opened file: f_flags (O_APPEND,
 * O_NOFOLLOW…), the access mode from FMODE_READ/WRITE, O_PATH from FMODE_PATH and O_CREAT from
 * FMODE_CREATED (this open created the file). A thread rewriting openat2's `struct open_how`
 * after the kernel copied it changes none of these. Only the bits the kernel drops come from
 * the caller: of them O_TRUNC decides a storage write (the file keeps no trace of a
 * truncation), so it can add a write, never hide a read.
 */
static __always_inline __u64 file__open_mode(struct c2d_scratch *s, struct file *f, __u64 caller)
{
	struct c2d_file_head *h = path__fhead(s, f);
	__u32 mode = h->mode;
	__u64 fl = h->flags;

	fl &= ~(__u64)(C2D_O_ACCMODE | C2D_O_PATH | C2D_O_CREAT | C2D_O_NOT_KEPT);
	if (mode & C2D_FMODE_PATH)
		fl |= C2D_O_PATH;
	else if ((mode & C2D_FMODE_WRITE) && (mode & C2D_FMODE_READ))
		fl |= C2D_O_RDWR;
	else if (mode & C2D_FMODE_WRITE)
		fl |= C2D_O_WRONLY;
	if (mode & C2D_FMODE_CREATED)
		fl |= C2D_O_CREAT;
	return fl | (caller & C2D_O_NOT_KEPT);
}

static __always_inline bool open__is_write(__u64 f)
{
	return (f & C2D_O_ACCMODE) != 0 || (f & (C2D_O_CREAT | C2D_O_TRUNC)) != 0;
}

#define C2D_EACCES 13
#define C2D_EPERM 1

/* Denied opens are findings too (outcome: failure); other errors (ENOENT…) are not. */
static __always_inline bool open__report_failure(long ret)
{
	return (c2d_policy_flags & C2D_POL_FAILURES) && (ret == -C2D_EACCES || ret == -C2D_EPERM);
}

/* The path pbuf[off, end] of a file opened with `oflags`: a credential rule first (any access
 * mode reads or can read), then the storage rules when the open can change the file. Returns
 * 1 with *kind set and the rule in s->rule, or 0. */
static __always_inline int open__judge(struct c2d_scratch *s, int off, __u64 oflags, __u8 *kind)
{
	if (c2d_match_credential(s, off)) {
		*kind = C2D_KIND_CREDENTIAL_READ;
		return 1;
	}
	if (open__is_write(oflags) && c2d_match_storage(s, off)) {
		*kind = C2D_KIND_STORAGE_WRITE;
		return 1;
	}
	return 0;
}

#define C2D_KBIT(k) (1u << (k))

/* The rules that may judge a file by identity: credential rules always, storage rules when
 * the opened file can be written (its f_mode, the kernel's own record, not user memory; or
 * O_TRUNC asked, which truncates without FMODE_WRITE). */
static __always_inline __u32 open__id_kinds(struct c2d_scratch *s, struct file *f, __u64 oflags)
{
	__u32 kinds = C2D_KBIT(C2D_KIND_CREDENTIAL_READ);

	if ((path__fhead(s, f)->mode & C2D_FMODE_WRITE) || (oflags & C2D_O_TRUNC))
		kinds |= C2D_KBIT(C2D_KIND_STORAGE_WRITE);
	return kinds;
}

/* Identity matching, only when the agent filled an identity map: a policy without one costs
 * no read of the inode on a non-matching open. */
static __always_inline bool file__ids_on(void)
{
	return c2d_policy_flags & (C2D_POL_FILE_IDS | C2D_POL_DIR_IDS | C2D_POL_DIR_IDS_CRED);
}

/* The path walk of an opened file, with its ancestors' identity checked on the way (returns
 * the path's offset; s->id_* say what it found). */
static __always_inline int file__walk(struct c2d_scratch *s, struct task_struct *task,
				      struct file *f, __u32 kinds)
{
	int off;

	s->id_kinds = 0;
	if (kinds) {
		path__file_id(s, f);
		/* a clear marker bit spares the marker's lookup (and the call that makes it) */
		if (ids__dev_marked(s->ev.dev))
			s->id_kinds = c2d_ids_walk_kinds(s, kinds);
	}
	off = path__from_file(s, task, f);
	s->id_kinds = 0; /* other walks (dirfd, exec, fs path) look nothing up */
	path__gate_walked(s, off);
	return off;
}

/* A finding about an opened file: its identity (if the match did not read it already) and its
 * path from its filesystem's root, after the path as the process sees it. When the walk of
 * the file found its mount to be the process's root mount and to mount its filesystem's root
 * (a host process on the root file system, a container's process in its rootfs), that path
 * is file.path itself: a flag says so instead of a second walk (a matching open's most
 * expensive part after the first one). */
static __always_inline void file__add_fs_path(struct c2d_scratch *s, struct file *f)
{
	int off;

	if (!s->ev.ino)
		path__file_id(s, f);
	if (s->fs_whole == (__u64)f && !(s->flags & C2D_F_PATH_TRUNCATED)) {
		s->flags |= C2D_F_FS_IS_PATH;
		return;
	}
	off = path__fs_path(s, f);
	if (off >= 0)
		sysev__add_path_as(s, off, C2D_STR_FS_PATH);
}

/* Decide before walking (path.bpf.h c2d_open_prefilter): false proves no rule matches the
 * opened file, whatever the flags of its open; true: the walk judges it. */
static __always_inline bool open__may_match(struct c2d_scratch *s, struct task_struct *task,
					    struct file *f)
{
	return c2d_open_prefilter(s, (__u64)task, (__u64)f) != 0;
}

/*
 * The whole judgement of an opened file (open family, io_uring's OPENAT/OPENAT2): its path
 * walked (identities checked on the way), the path rules, then the file's identity (another
 * name of a rule's file: a hard link, a bind mount, a hostPath volume). Returns 1 with *kind and
 * s->rule, or 0; *offp is the path's offset either way (< 0: no path).
 */
static __always_inline int open__judge_file(struct c2d_scratch *s, struct task_struct *task,
					    struct file *f, __u64 oflags, __u8 *kind, int *offp)
{
	__u32 idk = file__ids_on() ? open__id_kinds(s, f, oflags) : 0;
	int off = file__walk(s, task, f, idk);

	*offp = off;
	if (off < 0)
		return 0;
	if (open__judge(s, off, oflags, kind))
		return 1;
	if (!idk || !c2d_match_ids(s, idk))
		return 0;
	/* constants, not the map's byte: the verifier bounds the stats index by them */
	*kind = s->rule.kind == C2D_KIND_STORAGE_WRITE ? C2D_KIND_STORAGE_WRITE
						       : C2D_KIND_CREDENTIAL_READ;
	return 1;
}

#endif /* C2D_OPEN_BPF_H */

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * file.bpf.c - credential reads and production-storage writes.
 *
 * One program per syscall, on its own exit tracepoint (syscalls/sys_exit_<name>): a
 * per-syscall tracepoint costs the other syscalls ~28 ns where a global raw sys_exit costs
 * ~80 ns (PERFORMANCE.md). At exit the result is known and, for a successful open, the path is
 * rebuilt from the file the kernel actually opened: symlinks, `..` and dirfds are resolved.
 *
 * Order of checks, cheapest first: self → result → path walk → prefix trie → suffix tries →
 * storage trie (writes only) → identity (file_ids, then dir_ids up the dentries: every other
 * name of a rule's file, and the same file seen through another mount) → emit. Nothing is
 * reserved in the ring buffer before a match. A finding about an opened file carries its
 * (ino, dev) and its path from its filesystem's root (the agent makes the host path of it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"

#define C2D_EACCES 13
#define C2D_EPERM 1
#define C2D_O_ACCMODE 03
#define C2D_O_WRONLY 01
#define C2D_O_CREAT 0100
#define C2D_O_TRUNC 01000
#define C2D_O_PATH 010000000
#define C2D_FMODE_WRITE 0x2 /* struct file.f_mode: opened for writing (include/linux/fs.h) */
#define C2D_KBIT(k) (1u << (k))

/* The rules that may judge a file by identity: credential rules always, storage rules when
 * the opened file can be written (its f_mode, the kernel's own record, not user memory; or
 * O_TRUNC asked, which truncates without FMODE_WRITE). */
static __always_inline __u32 open__id_kinds(struct file *f, __u64 oflags)
{
	__u32 kinds = C2D_KBIT(C2D_KIND_CREDENTIAL_READ);

	if ((BPF_CORE_READ(f, f_mode) & C2D_FMODE_WRITE) || (oflags & C2D_O_TRUNC))
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
		s->id_kinds = c2d_ids_walk_kinds(s, kinds);
	}
	off = path__from_file(s, task, f);
	s->id_kinds = 0; /* other walks (dirfd, exec, fs path) look nothing up */
	return off;
}

/* A finding about an opened file: its identity (if the match did not read it already) and its
 * path from its filesystem's root, after the path as the process sees it. */
static __always_inline void file__add_fs_path(struct c2d_scratch *s, struct file *f)
{
	int off;

	if (!s->ev.ino)
		path__file_id(s, f);
	off = path__fs_path(s, f);

	if (off >= 0)
		sysev__add_path_as(s, off, C2D_STR_FS_PATH);
}

static __always_inline bool open__is_write(__u64 f)
{
	return (f & C2D_O_ACCMODE) != 0 || (f & (C2D_O_CREAT | C2D_O_TRUNC)) != 0;
}

/* Denied opens are findings too (outcome: failure); other errors (ENOENT…) are not. */
static __always_inline bool open__report_failure(long ret)
{
	return (c2d_policy_flags & C2D_POL_FAILURES) && (ret == -C2D_EACCES || ret == -C2D_EPERM);
}

static __always_inline int file__open(struct c2d_sys_exit_ctx *ctx, __u16 sys)
{
	long ret = ctx->ret;
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	struct file *f = NULL;
	__u32 idk = 0; /* rule kinds identity may match (0: no identity map filled) */
	long dirfd = C2D_AT_FDCWD;
	const char *upath;
	__u8 kind = C2D_KIND_CREDENTIAL_READ;
	__u64 oflags = 0;
	int off, hit;

	if (self__is_agent() || (ret < 0 && !open__report_failure(ret)))
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	/* O_PATH opens only name the file: nothing can be read or written through them */
	if (sys != C2D_SYS_OPENAT2 && sys != C2D_SYS_CREAT &&
	    (a.a[sys == C2D_SYS_OPEN ? 1 : 2] & C2D_O_PATH))
		return 0;
	if (sys == C2D_SYS_OPENAT || sys == C2D_SYS_OPENAT2) {
		dirfd = a.a[0];
		upath = (const char *)a.a[1];
		oflags = a.a[2];
		if (sys == C2D_SYS_OPENAT2) { /* struct open_how { u64 flags; … } */
			bpf_probe_read_user(&oflags, sizeof(oflags), (void *)a.a[2]);
			if (oflags & C2D_O_PATH)
				return 0;
		}
	} else if (sys == C2D_SYS_CREAT) {
		upath = (const char *)a.a[0];
		oflags = C2D_O_CREAT | C2D_O_WRONLY | C2D_O_TRUNC;
	} else {
		upath = (const char *)a.a[0];
		oflags = a.a[1];
	}
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	if (ret >= 0) {
		f = path__fd_file(task, ret);
		if (!f)
			return 0;
		if (file__ids_on())
			idk = open__id_kinds(f, oflags);
		off = file__walk(s, task, f, idk);
	} else {
		off = c2d_path_join(s, dirfd, (__u64)upath);
	}
	if (off < 0)
		return 0;
	hit = c2d_match_credential(s, off);
	if (!hit && open__is_write(oflags)) {
		hit = c2d_match_storage(s, off);
		kind = C2D_KIND_STORAGE_WRITE;
	}
	if (!hit && idk && c2d_match_ids(s, idk)) {
		hit = 1;
		/* constants, not the map's byte: the verifier bounds the stats index by them */
		kind = s->rule.kind == C2D_KIND_STORAGE_WRITE ? C2D_KIND_STORAGE_WRITE
							      : C2D_KIND_CREDENTIAL_READ;
	}
	if (!hit) {
		if (!(s->flags & C2D_F_UNRESOLVED))
			return 0;
		kind = C2D_KIND_NONE; /* user space normalises and re-checks */
	}
	a.a[0] = oflags;
	a.a[1] = dirfd;
	a.a[2] = 0;
	sysev__add_path(s, off);
	if (f)
		file__add_fs_path(s, f);
	sysev__begin(s, task, sys, ret, &a);
	return sysev__send(s, hit ? &s->rule : NULL, kind);
}

/* Name-based writes: truncate, unlink, unlinkat, rmdir. */
static __always_inline int file__write_name(struct c2d_sys_exit_ctx *ctx, __u16 sys, int dirfd_arg,
					    int path_arg)
{
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long dirfd = C2D_AT_FDCWD;
	int off, hit;

	if (self__is_agent() || !(c2d_policy_flags & C2D_POL_STORAGE))
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	if (dirfd_arg >= 0)
		dirfd = a.a[dirfd_arg & 7];
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	off = c2d_path_join(s, dirfd, a.a[path_arg & 7]);
	if (off < 0)
		return 0;
	hit = c2d_match_storage(s, off);
	if (!hit && !(s->flags & C2D_F_UNRESOLVED))
		return 0;
	sysev__add_path(s, off);
	sysev__begin(s, task, sys, ctx->ret, &a);
	return sysev__send(s, hit ? &s->rule : NULL, hit ? C2D_KIND_STORAGE_WRITE : C2D_KIND_NONE);
}

/* rename family: old and new path are both checked; either under storage is a finding. */
static __always_inline int file__rename(struct c2d_sys_exit_ctx *ctx, __u16 sys, int odir, int oname,
					int ndir, int nname)
{
	struct c2d_rule_val rule = {};
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long od = C2D_AT_FDCWD, nd = C2D_AT_FDCWD;
	int off, hit;

	if (self__is_agent() || !(c2d_policy_flags & C2D_POL_STORAGE))
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	if (odir >= 0) {
		od = a.a[odir & 7];
		nd = a.a[ndir & 7];
	}
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	off = c2d_path_join(s, od, a.a[oname & 7]);
	if (off < 0)
		return 0;
	hit = c2d_match_storage(s, off);
	if (hit)
		rule = s->rule;
	sysev__add_path(s, off);
	off = c2d_path_join(s, nd, a.a[nname & 7]);
	if (off < 0)
		return 0;
	if (!hit && c2d_match_storage(s, off)) {
		hit = 1;
		rule = s->rule;
	}
	sysev__add_path(s, off);
	if (!hit && !(s->flags & C2D_F_UNRESOLVED))
		return 0;
	sysev__begin(s, task, sys, ctx->ret, &a);
	return sysev__send(s, hit ? &rule : NULL, hit ? C2D_KIND_STORAGE_WRITE : C2D_KIND_NONE);
}

/* ftruncate(fd, len): the path comes from the file. */
SEC("tracepoint/syscalls/sys_exit_ftruncate")
int c2d_exit_ftruncate(struct c2d_sys_exit_ctx *ctx)
{
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	struct file *f;
	__u32 idk;
	int off;

	if (self__is_agent() || !(c2d_policy_flags & C2D_POL_STORAGE))
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	s = scratch__get();
	f = path__fd_file(task, a.a[0]);
	if (!s || !f)
		return 0;
	sysev__reset(s);
	idk = file__ids_on() ? C2D_KBIT(C2D_KIND_STORAGE_WRITE) : 0;
	off = file__walk(s, task, f, idk);
	if (off < 0)
		return 0;
	if (!c2d_match_storage(s, off) && !(idk && c2d_match_ids(s, idk)))
		return 0;
	sysev__add_path(s, off);
	file__add_fs_path(s, f);
	sysev__begin(s, task, C2D_SYS_FTRUNCATE, ctx->ret, &a);
	return sysev__send(s, &s->rule, C2D_KIND_STORAGE_WRITE);
}

/* sys_exit_open(int __syscall_nr, long ret): open(filename, flags, mode) */
SEC("tracepoint/syscalls/sys_exit_open")
int c2d_exit_open(struct c2d_sys_exit_ctx *ctx)
{
	return file__open(ctx, C2D_SYS_OPEN);
}

/* openat(dfd, filename, flags, mode) */
SEC("tracepoint/syscalls/sys_exit_openat")
int c2d_exit_openat(struct c2d_sys_exit_ctx *ctx)
{
	return file__open(ctx, C2D_SYS_OPENAT);
}

/* openat2(dfd, filename, struct open_how *how, size) */
SEC("tracepoint/syscalls/sys_exit_openat2")
int c2d_exit_openat2(struct c2d_sys_exit_ctx *ctx)
{
	return file__open(ctx, C2D_SYS_OPENAT2);
}

/* creat(pathname, mode) */
SEC("tracepoint/syscalls/sys_exit_creat")
int c2d_exit_creat(struct c2d_sys_exit_ctx *ctx)
{
	return file__open(ctx, C2D_SYS_CREAT);
}

/* truncate(path, length) */
SEC("tracepoint/syscalls/sys_exit_truncate")
int c2d_exit_truncate(struct c2d_sys_exit_ctx *ctx)
{
	return file__write_name(ctx, C2D_SYS_TRUNCATE, -1, 0);
}

/* unlink(pathname) */
SEC("tracepoint/syscalls/sys_exit_unlink")
int c2d_exit_unlink(struct c2d_sys_exit_ctx *ctx)
{
	return file__write_name(ctx, C2D_SYS_UNLINK, -1, 0);
}

/* unlinkat(dfd, pathname, flag) */
SEC("tracepoint/syscalls/sys_exit_unlinkat")
int c2d_exit_unlinkat(struct c2d_sys_exit_ctx *ctx)
{
	return file__write_name(ctx, C2D_SYS_UNLINKAT, 0, 1);
}

/* rmdir(pathname) */
SEC("tracepoint/syscalls/sys_exit_rmdir")
int c2d_exit_rmdir(struct c2d_sys_exit_ctx *ctx)
{
	return file__write_name(ctx, C2D_SYS_RMDIR, -1, 0);
}

/* rename(oldname, newname) */
SEC("tracepoint/syscalls/sys_exit_rename")
int c2d_exit_rename(struct c2d_sys_exit_ctx *ctx)
{
	return file__rename(ctx, C2D_SYS_RENAME, -1, 0, -1, 1);
}

/* renameat(olddfd, oldname, newdfd, newname) */
SEC("tracepoint/syscalls/sys_exit_renameat")
int c2d_exit_renameat(struct c2d_sys_exit_ctx *ctx)
{
	return file__rename(ctx, C2D_SYS_RENAMEAT, 0, 1, 2, 3);
}

/* renameat2(olddfd, oldname, newdfd, newname, flags) */
SEC("tracepoint/syscalls/sys_exit_renameat2")
int c2d_exit_renameat2(struct c2d_sys_exit_ctx *ctx)
{
	return file__rename(ctx, C2D_SYS_RENAMEAT2, 0, 1, 2, 3);
}

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * file.bpf.c - credential reads and production-storage writes.
 *
 * One program per syscall, on its own exit tracepoint (syscalls/sys_exit_<name>): a
 * per-syscall tracepoint costs the other syscalls ~28 ns where a global raw sys_exit costs
 * ~80 ns (PERFORMANCE.md). At exit the result is known and, for a successful open, the path is
 * rebuilt from the file the kernel actually opened: symlinks, `..` and dirfds are resolved.
 *
 * Order of checks, cheapest first: result → the prefilter, one call (path.bpf.h
 * c2d_open_prefilter_fd: the agent's own opens, then a prewalk of the file's dentries with no
 * name copied, the gates and the identity gate; most opens end there) → path walk → prefix
 * trie → suffix tries → storage trie (writes only) → identity (file_ids, then dir_ids up the
 * dentries: every other name of a rule's file, and the same file seen through another mount)
 * → emit. Nothing is reserved in the ring buffer before a match. A finding about an opened
 * file carries its (ino, dev) and its path from its filesystem's root (the agent makes the
 * host path of it).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"
#include "lib/open.bpf.h"
#include "lib/names.bpf.h"


static __always_inline int file__open(struct c2d_sys_exit_ctx *ctx, __u16 sys)
{
	long ret = ctx->ret;
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long dirfd = C2D_AT_FDCWD;
	const char *upath;
	__u8 kind = C2D_KIND_NONE;
	__u64 oflags = 0;
	struct file *f = NULL;
	int off, hit;

	if (ret < 0 && !open__report_failure(ret))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	/* Most opens end here, in one call, before an argument is read or the scratch reset: no
	 * rule can match the opened file. Its head, read there, serves the judgement below. */
	if (ret >= 0) {
		if (!c2d_open_prefilter_fd(s, ret))
			return 0;
		f = (struct file *)s->fh.file;
	}
	sysev__reset(s);
	s->fh.file = (__u64)f; /* the head read above is this run's */
	task = bpf_get_current_task_btf();
	if (task->tgid == c2d_agent_tgid) /* self__is_agent(), without a helper call */
		return 0;
	sysargs__read(task, &a);
	/* the caller's flags: registers, except openat2's struct open_how { u64 flags; … } in
	 * user memory. A successful open takes from them only the bits the kernel drops
	 * (file__open_mode); a failed one has no file, so its flags are the caller's (residual:
	 * raceable for openat2). */
	if (sys == C2D_SYS_OPENAT || sys == C2D_SYS_OPENAT2) {
		dirfd = a.a[0];
		upath = (const char *)a.a[1];
		oflags = a.a[2];
		if (sys == C2D_SYS_OPENAT2 &&
		    bpf_probe_read_user(&oflags, sizeof(oflags), (void *)a.a[2]) < 0) {
			C2D_STAT_INC(read_errors); /* the opened file's own flags still judge */
			oflags = 0;
		}
	} else if (sys == C2D_SYS_CREAT) {
		upath = (const char *)a.a[0];
		oflags = C2D_O_CREAT | C2D_O_WRONLY | C2D_O_TRUNC;
	} else if (sys == C2D_SYS_OPEN_BY_HANDLE_AT) {
		if (ret < 0) /* no name to report: a handle is opaque */
			return 0;
		dirfd = a.a[0];
		upath = NULL;
		oflags = a.a[2];
	} else {
		upath = (const char *)a.a[0];
		oflags = a.a[1];
	}
	if (f)
		oflags = file__open_mode(s, f, oflags);
	/* O_PATH opens only name the file: nothing can be read or written through them. A failed
	 * openat2 has only user memory to say so, which a thread can rewrite: it is reported. */
	if ((oflags & C2D_O_PATH) && (f || sys != C2D_SYS_OPENAT2))
		return 0;
	if (f) {
		hit = open__judge_file(s, NULL, f, oflags, &kind, &off); /* NULL: current */
	} else {
		off = c2d_path_join(s, dirfd, (__u64)upath);
		hit = off >= 0 && open__judge(s, off, oflags, &kind);
	}
	if (off < 0)
		return 0;
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

/*
 * Name-based writes: truncate, unlink, unlinkat, rmdir. The name is read again here and
 * compared with its entry copy (names.bpf.c): a name another thread rewrote while the call ran
 * is judged in both versions and reported as tampered.
 */
static __always_inline int file__write_name(struct c2d_sys_exit_ctx *ctx, __u16 sys, int dirfd_arg,
					    int path_arg)
{
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long dirfd = C2D_AT_FDCWD;

	if (!names__watched(true))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	names__reset(s);
	c2d_entry_take(s, sys);
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	if (dirfd_arg >= 0)
		dirfd = a.a[dirfd_arg & 7];
	c2d_name_exit(s, 0, dirfd, a.a[path_arg & 7], C2D_NAME_STOR);
	return names__finish(s, task, sys, ctx->ret, &a, 1, C2D_NAME_STOR, 0);
}

/* rename family: old and new path are both checked; either under storage is a finding. */
static __always_inline int file__rename(struct c2d_sys_exit_ctx *ctx, __u16 sys, int odir, int oname,
					int ndir, int nname)
{
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long od = C2D_AT_FDCWD, nd = C2D_AT_FDCWD;

	if (!names__watched(true))
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	names__reset(s);
	c2d_entry_take(s, sys);
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	if (odir >= 0) {
		od = a.a[odir & 7];
		nd = a.a[ndir & 7];
	}
	/* each name on its own: one unreadable name never hides the other */
	c2d_name_exit(s, 0, od, a.a[oname & 7], C2D_NAME_STOR);
	c2d_name_exit(s, 1, nd, a.a[nname & 7], C2D_NAME_STOR);
	return names__finish(s, task, sys, ctx->ret, &a, 2, C2D_NAME_STOR, C2D_NAME_STOR);
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
	off = file__walk(s, NULL, f, idk); /* NULL: the current task */
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

/* open_by_handle_at(mount_fd, struct file_handle *handle, flags): no name is given, the file
 * the kernel opened says what it is */
SEC("tracepoint/syscalls/sys_exit_open_by_handle_at")
int c2d_exit_open_by_handle_at(struct c2d_sys_exit_ctx *ctx)
{
	return file__open(ctx, C2D_SYS_OPEN_BY_HANDLE_AT);
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

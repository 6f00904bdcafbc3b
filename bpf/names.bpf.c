// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * names.bpf.c - name arguments copied at entry and again at exit (see lib/names.bpf.h), and
 * the calls that make a new name for a file: link, linkat, symlink, symlinkat, and
 * name_to_handle_at (a handle is a name: open_by_handle_at opens it later without any path).
 *
 * The loops are global functions, verified once; everything they carry sits in scratch (the
 * 512-byte stack holds none of the buffers).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/names.bpf.h"

#define C2D_TARGET_MAX (C2D_PATH_MAX - C2D_ENTRY_STR_MAX) /* a symlink target, NUL included */
/* c2d_target_join's last argument: target length, kinds and string role in one scalar (a BPF
 * function takes five arguments at most) */
#define C2D_TJ(t, kinds, role) ((t) | (kinds) << 16 | (__u32)(role) << 24)

int c2d_name_differs(struct c2d_scratch *s, __u32 i, __u32 base, __u32 n);
int c2d_target_join(struct c2d_scratch *s, __u64 ulink, __u64 dd, __u64 dm, __u32 spec);
int c2d_proc_fd(struct c2d_scratch *s, __u32 n);

/* Bytes of an entry slot to copy for a name of n bytes: at most C2D_ENTRY_STR_MAX. The mask
 * only informs the verifier (scratch has entry_slack after the entry copy). */
static __always_inline __u32 entry__bytes(__u32 n)
{
	if (n > C2D_ENTRY_STR_MAX)
		n = C2D_ENTRY_STR_MAX;
	c2d_barrier_var(n);
	return n & (2 * C2D_ENTRY_STR_MAX - 1);
}

/* ---- entry ---------------------------------------------------------------------------- */

/* Copy one name into slot i of e: its first C2D_ENTRY_STR_MAX - 1 bytes, its whole length
 * (read again into scratch only for a longer name), and the directory it resolves against. */
static __always_inline void entry__copy(struct c2d_entry_args *e, __u32 i, __u64 u,
					struct task_struct *task, long dirfd)
{
	struct c2d_scratch *s;
	__u64 dd = 0, dm = 0;
	int n;

	e->len[i] = 0;
	e->str[i][0] = 0;
	e->dir[i][0] = e->dir[i][1] = 0;
	if (!u)
		return;
	n = bpf_probe_read_user_str(e->str[i], C2D_ENTRY_STR_MAX, (const char *)u);
	if (n <= 0)
		return; /* unreadable now: len 0, which differs from anything read at exit */
	if (n == C2D_ENTRY_STR_MAX && (s = scratch__get()) != NULL) /* maybe cut: how long? */
		n = bpf_probe_read_user_str(&s->pbuf[C2D_PATH_MAX], C2D_PATH_MAX, (const char *)u);
	e->len[i] = n > 0 ? n : C2D_ENTRY_STR_MAX;
	if (e->str[i][0] != '/' && path__dir(task, dirfd, &dd, &dm) == 0) {
		e->dir[i][0] = dd;
		e->dir[i][1] = dm;
	}
}

__noinline int c2d_entry_save(__u32 sys, __u64 u0, long d0, __u64 u1, long d1)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct c2d_entry_args *e;

	e = bpf_task_storage_get(&entry_args, task, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!e) {
		C2D_STAT_INC(map_full);
		return 0;
	}
	e->sys = C2D_SYS_MAX; /* not valid until complete */
	e->pad = 0;
	entry__copy(e, 0, u0, task, d0);
	entry__copy(e, 1, u1, task, d1);
	e->ktime_ns = bpf_ktime_get_boot_ns();
	e->sys = sys;
	return 0;
}

__noinline int c2d_entry_take(struct c2d_scratch *s, __u32 sys)
{
	struct c2d_entry_args *e;

	if (!s)
		return 0;
	s->entry_ok = 0;
	e = bpf_task_storage_get(&entry_args, bpf_get_current_task_btf(), 0, 0);
	if (!e)
		return 0;
	if (e->sys == sys && e->ktime_ns <= bpf_ktime_get_boot_ns() &&
	    bpf_probe_read_kernel(&s->entry, sizeof(s->entry), e) == 0)
		s->entry_ok = s->entry.sys == sys;
	e->sys = C2D_SYS_MAX; /* used: a later call without its own entry copy finds none */
	return 0;
}

/* ---- exit ----------------------------------------------------------------------------- */

/*
 * Does the name read at exit (pbuf[base, base + n), NUL included; base 8-aligned) differ from
 * entry slot i? Compared 8 bytes at a time, the bytes past the name masked out.
 */
__noinline int c2d_name_differs(struct c2d_scratch *s, __u32 i, __u32 base, __u32 n)
{
	__u32 len, words;

	if (!s)
		return 0;
	i &= 1;
	if (s->entry.len[i] != n)
		return 1;
	len = n < C2D_ENTRY_STR_MAX ? n : C2D_ENTRY_STR_MAX - 1; /* a cut copy: its first bytes */
	words = (len + 7) / 8;
	/* compared from memory: the exit test refines no live register (see path.bpf.c) */
	s->scan_len = words;
	for (__u32 k = 0; k < C2D_ENTRY_STR_MAX / 8; k++) {
		__u64 a, b, mask = ~0ULL;

		if (k >= *(volatile __u32 *)&s->scan_len)
			break;
		a = *(__u64 *)&s->entry.str[i][k * 8];
		b = *(__u64 *)&s->pbuf[(base + k * 8) & C2D_PBUF_MASK];
		if (k == words - 1 && (len & 7))
			mask = (1ULL << ((len & 7) * 8)) - 1; /* little endian: the low bytes */
		if ((a ^ b) & mask)
			return 1;
	}
	return 0;
}

/* Keep the best rule over all versions of a call's names: credential before storage. */
static __always_inline void name__match(struct c2d_scratch *s, int off, __u32 kinds)
{
	if ((kinds & C2D_NAME_CRED) && s->hit_kind != C2D_KIND_CREDENTIAL_READ &&
	    c2d_match_credential(s, off)) {
		s->hit = s->rule;
		s->hit_kind = C2D_KIND_CREDENTIAL_READ;
	} else if ((kinds & C2D_NAME_STOR) && s->hit_kind == C2D_KIND_NONE &&
		   c2d_match_storage(s, off)) {
		s->hit = s->rule;
		s->hit_kind = C2D_KIND_STORAGE_WRITE;
	}
}

/* Does pbuf[PATH_MAX + at, …) start with the n bytes of lit? (n a constant: unrolled) */
static __always_inline bool name__has(struct c2d_scratch *s, __u32 at, const char *lit, __u32 n)
{
	for (__u32 k = 0; k < n; k++)
		if (s->pbuf[(C2D_PATH_MAX + at + k) & C2D_PBUF_MASK] != lit[k])
			return false;
	return true;
}

/* Decimal digits at pbuf[PATH_MAX + *at, …) up to `end`: the value, or -1 (none, too many). */
static __always_inline long name__number(struct c2d_scratch *s, __u32 *at, char end)
{
	long v = 0;
	__u32 k;

	for (k = 0; k < 10; k++) {
		char c = s->pbuf[(C2D_PATH_MAX + *at + k) & C2D_PBUF_MASK];

		if (c == end)
			break;
		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (c - '0');
	}
	if (k == 0 || k == 10)
		return -1;
	*at += k + 1;
	return v;
}

/*
 * "/proc/self/fd/N", "/proc/thread-self/fd/N" or "/proc/<own pid>/fd/N" at pbuf[PATH_MAX]
 * (n bytes with the NUL): N, or -1. The kernel follows such a name to the open file itself
 * (linkat with AT_SYMLINK_FOLLOW): an O_PATH descriptor of a credential file, whose open is no
 * finding, would otherwise get a new name under a harmless-looking one.
 */
__noinline int c2d_proc_fd(struct c2d_scratch *s, __u32 n)
{
	__u32 at = 6;
	long v;

	if (!s || n < 16 || n > 64 || !name__has(s, 0, "/proc/", 6))
		return -1;
	if (name__has(s, 6, "self/", 5)) {
		at = 11;
	} else if (name__has(s, 6, "thread-self/", 12)) {
		at = 18;
	} else {
		v = name__number(s, &at, '/');
		if (v != (long)(bpf_get_current_pid_tgid() >> 32))
			return -1; /* another process's descriptors: not resolved here */
	}
	if (at > 40 || !name__has(s, at, "fd/", 3))
		return -1;
	at += 3;
	v = name__number(s, &at, 0);
	return v >= 0 && at == n ? (int)v : -1;
}

/* The name at pbuf[PATH_MAX] (n bytes) against (dd, dm): match it and add it with role. */
static __always_inline int name__judge(struct c2d_scratch *s, __u64 dd, __u64 dm, __u32 n,
				       __u32 kinds, __u8 role)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file *f;
	int off, fd;

	if (n == 1 && !(kinds & C2D_NAME_EMPTY_OK))
		return -1; /* "" without AT_EMPTY_PATH: ENOENT, nothing was named */
	/* a link's old name through /proc/self/fd: the open file's own path */
	if ((kinds & C2D_NAME_CRED) && (fd = c2d_proc_fd(s, n)) >= 0 &&
	    (f = path__fd_file(task, fd)) != NULL)
		off = path__from_file(s, NULL, f); /* NULL: the current task */
	else
		off = c2d_path_join_at(s, dd, dm, n);
	if (off < 0)
		return -1;
	name__match(s, off, kinds);
	sysev__add_path_as(s, off, role);
	return 0;
}

__noinline int c2d_name_exit(struct c2d_scratch *s, __u32 i, long dirfd, __u64 uptr, __u32 kinds)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 dd = 0, dm = 0;
	int n;

	if (!s)
		return -1;
	i &= 1;
	n = c2d_path_read_user(s, uptr);
	if (n <= 0) { /* unmapped since the kernel's copy: only the entry copy is left */
		if (s->entry_ok && s->entry.len[i])
			s->differs |= 1 << i;
		return -1;
	}
	if (s->pbuf[C2D_PATH_MAX] != '/' && path__dir(task, dirfd, &dd, &dm) < 0)
		dd = dm = 0;
	if (s->entry_ok && (c2d_name_differs(s, i, C2D_PATH_MAX, n) ||
			    (s->pbuf[C2D_PATH_MAX] != '/' && s->entry.dir[i][0] != dd)))
		s->differs |= 1 << i;
	return name__judge(s, dd, dm, n, kinds, i ? C2D_STR_NEW_PATH : C2D_STR_PATH);
}

/*
 * A relative symlink target resolves against the new link's directory: the link's name goes
 * to pbuf[PATH_MAX] (read from user memory at ulink, or from entry slot 1 when ulink is 0),
 * the target (already at pbuf[0]) is copied after the link's last '/', and the whole is joined
 * with (dd, dm). spec: C2D_TJ(target bytes with the NUL, kinds, role).
 */
__noinline int c2d_target_join(struct c2d_scratch *s, __u64 ulink, __u64 dd, __u64 dm, __u32 spec)
{
	__u32 t = spec & 0xffff, kinds = (spec >> 16) & 0xff;
	__u8 role = spec >> 24;
	__u32 pos = 0;
	__u16 flags;
	int n;

	if (!s || t == 0 || t > C2D_TARGET_MAX)
		return -1;
	if (s->pbuf[0] == '/') { /* absolute: the target alone */
		bpf_probe_read_kernel(&s->pbuf[C2D_PATH_MAX], t & (C2D_PATH_MAX - 1), &s->pbuf[0]);
		return name__judge(s, 0, 0, t, kinds, role);
	}
	if (ulink) {
		n = c2d_path_read_user(s, ulink);
	} else {
		n = s->entry.len[1];
		bpf_probe_read_kernel(&s->pbuf[C2D_PATH_MAX], entry__bytes(n), s->entry.str[1]);
		if (n > C2D_ENTRY_STR_MAX)
			n = C2D_ENTRY_STR_MAX;
	}
	if (n <= 1)
		return -1;
	flags = s->flags; /* the link's own leaf (".x") is not part of the target's path */
	c2d_path_scan_tail(s, n - 1);
	s->flags = flags;
	if (n - 1 > 255)
		s->flags |= C2D_F_STR_TRUNCATED; /* slashes past the scan are not seen */
	if (s->nslash)
		pos = (s->slash[(s->nslash - 1) & 3] + 1) & 255;
	if (s->pbuf[C2D_PATH_MAX] == '/')
		dd = dm = 0;
	bpf_probe_read_kernel(&s->pbuf[C2D_PATH_MAX + pos], t & (C2D_PATH_MAX - 1), &s->pbuf[0]);
	return name__judge(s, dd, dm, pos + t, kinds, role);
}

__noinline int c2d_name_target_exit(struct c2d_scratch *s, long dirfd, __u64 ulink,
				    __u64 utarget, __u32 kinds)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 dd = 0, dm = 0;
	int t;

	if (!s)
		return -1;
	t = bpf_probe_read_user_str(&s->pbuf[0], C2D_TARGET_MAX, (const char *)utarget);
	if (t <= 0) {
		if (s->entry_ok && s->entry.len[0])
			s->differs |= 1;
		return -1;
	}
	if (s->entry_ok && c2d_name_differs(s, 0, 0, t))
		s->differs |= 1;
	if (path__dir(task, dirfd, &dd, &dm) < 0)
		dd = dm = 0;
	if (!ulink)
		return -1; /* EFAULT: no link was made */
	return c2d_target_join(s, ulink, dd, dm, C2D_TJ(t, kinds, C2D_STR_PATH));
}

__noinline int c2d_name_entry(struct c2d_scratch *s, __u32 i, __u32 kinds)
{
	__u8 role;
	__u32 n;

	if (!s || !s->entry_ok)
		return -1;
	i &= 1;
	role = i ? C2D_STR_ENTRY_NEW_PATH : C2D_STR_ENTRY_PATH;
	n = s->entry.len[i];
	if (n == 0)
		return -1;
	if (n > C2D_ENTRY_STR_MAX) {
		s->flags |= C2D_F_STR_TRUNCATED; /* judged on its first bytes */
		n = C2D_ENTRY_STR_MAX;
	}
	if (kinds & C2D_NAME_TARGET) {
		bpf_probe_read_kernel(&s->pbuf[0], entry__bytes(n), s->entry.str[0]);
		return c2d_target_join(s, 0, s->entry.dir[1][0], s->entry.dir[1][1],
				       C2D_TJ(n, kinds, role));
	}
	bpf_probe_read_kernel(&s->pbuf[C2D_PATH_MAX], entry__bytes(n), s->entry.str[i]);
	return name__judge(s, s->entry.dir[i][0], s->entry.dir[i][1], n, kinds, role);
}

/* ---- programs: entry copies --------------------------------------------------------------- */

#define C2D_ENTER(name, sys, storage_only, u0, d0, u1, d1)                                       \
	SEC("tracepoint/syscalls/sys_enter_" #name)                                              \
	int c2d_enter_##name(struct c2d_sys_enter_ctx *ctx)                                      \
	{                                                                                        \
		if (names__watched(storage_only))                                                \
			c2d_entry_save(sys, u0, d0, u1, d1);                                     \
		return 0;                                                                        \
	}

#define A(i) (ctx->args[i])
#define CWD C2D_AT_FDCWD

/* unlink(pathname), unlinkat(dfd, pathname, flag), rmdir(pathname), truncate(path, length) */
C2D_ENTER(unlink, C2D_SYS_UNLINK, true, A(0), CWD, 0, CWD)
C2D_ENTER(unlinkat, C2D_SYS_UNLINKAT, true, A(1), A(0), 0, CWD)
C2D_ENTER(rmdir, C2D_SYS_RMDIR, true, A(0), CWD, 0, CWD)
C2D_ENTER(truncate, C2D_SYS_TRUNCATE, true, A(0), CWD, 0, CWD)
/* rename(old, new), renameat(od, old, nd, new), renameat2(od, old, nd, new, flags) */
C2D_ENTER(rename, C2D_SYS_RENAME, true, A(0), CWD, A(1), CWD)
C2D_ENTER(renameat, C2D_SYS_RENAMEAT, true, A(1), A(0), A(3), A(2))
C2D_ENTER(renameat2, C2D_SYS_RENAMEAT2, true, A(1), A(0), A(3), A(2))
/* link(old, new), linkat(od, old, nd, new, flags) */
C2D_ENTER(link, C2D_SYS_LINK, false, A(0), CWD, A(1), CWD)
C2D_ENTER(linkat, C2D_SYS_LINKAT, false, A(1), A(0), A(3), A(2))
/* symlink(target, linkpath), symlinkat(target, newdfd, linkpath): the target is relative to
 * the link's directory */
C2D_ENTER(symlink, C2D_SYS_SYMLINK, false, A(0), CWD, A(1), CWD)
C2D_ENTER(symlinkat, C2D_SYS_SYMLINKAT, false, A(0), A(1), A(2), A(1))
/* name_to_handle_at(dfd, name, handle, mnt_id, flag) */
C2D_ENTER(name_to_handle_at, C2D_SYS_NAME_TO_HANDLE_AT, false, A(1), A(0), 0, CWD)

/* ---- programs: new names for files -------------------------------------------------------- */

static __always_inline struct c2d_scratch *names__begin(__u16 sys, struct task_struct **task,
							struct c2d_sysargs *a)
{
	struct c2d_scratch *s;

	if (self__is_agent())
		return NULL;
	s = scratch__get();
	if (!s)
		return NULL;
	names__reset(s);
	c2d_entry_take(s, sys);
	*task = bpf_get_current_task_btf();
	sysargs__read(*task, a);
	return s;
}

/*
 * A hard link: a new name for the old file. The old name under a credential rule is a
 * credential_read (the new name reads it later without matching any rule by name); either
 * name under production storage is a storage_write.
 */
static __always_inline int names__link(struct c2d_sys_exit_ctx *ctx, __u16 sys, int od, int on,
				       int nd, int nn, int flags)
{
	__u32 k0 = C2D_NAME_CRED | C2D_NAME_STOR;
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long odir = C2D_AT_FDCWD, ndir = C2D_AT_FDCWD;

	s = names__begin(sys, &task, &a);
	if (!s)
		return 0;
	if (od >= 0) {
		odir = a.a[od & 7];
		ndir = a.a[nd & 7];
	}
	if (flags >= 0 && (a.a[flags & 7] & C2D_AT_EMPTY_PATH))
		k0 |= C2D_NAME_EMPTY_OK; /* linkat(fd, "", …): a new name for an open file */
	c2d_name_exit(s, 0, odir, a.a[on & 7], k0);
	c2d_name_exit(s, 1, ndir, a.a[nn & 7], C2D_NAME_STOR);
	return names__finish(s, task, sys, ctx->ret, &a, 2, k0, C2D_NAME_STOR);
}

/* A symlink: its target is only a string, resolved (when relative) from the link's directory. */
static __always_inline int names__symlink(struct c2d_sys_exit_ctx *ctx, __u16 sys, int target,
					  int nd, int nn)
{
	__u32 k0 = C2D_NAME_CRED | C2D_NAME_STOR | C2D_NAME_TARGET;
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long ndir = C2D_AT_FDCWD;

	s = names__begin(sys, &task, &a);
	if (!s)
		return 0;
	if (nd >= 0)
		ndir = a.a[nd & 7];
	c2d_name_target_exit(s, ndir, a.a[nn & 7], a.a[target & 7], k0);
	c2d_name_exit(s, 1, ndir, a.a[nn & 7], C2D_NAME_STOR);
	return names__finish(s, task, sys, ctx->ret, &a, 2, k0, C2D_NAME_STOR);
}

/* link(oldname, newname) */
SEC("tracepoint/syscalls/sys_exit_link")
int c2d_exit_link(struct c2d_sys_exit_ctx *ctx)
{
	return names__link(ctx, C2D_SYS_LINK, -1, 0, -1, 1, -1);
}

/* linkat(olddfd, oldname, newdfd, newname, flags) */
SEC("tracepoint/syscalls/sys_exit_linkat")
int c2d_exit_linkat(struct c2d_sys_exit_ctx *ctx)
{
	return names__link(ctx, C2D_SYS_LINKAT, 0, 1, 2, 3, 4);
}

/* symlink(oldname, newname): oldname is the target string */
SEC("tracepoint/syscalls/sys_exit_symlink")
int c2d_exit_symlink(struct c2d_sys_exit_ctx *ctx)
{
	return names__symlink(ctx, C2D_SYS_SYMLINK, 0, -1, 1);
}

/* symlinkat(oldname, newdfd, newname) */
SEC("tracepoint/syscalls/sys_exit_symlinkat")
int c2d_exit_symlinkat(struct c2d_sys_exit_ctx *ctx)
{
	return names__symlink(ctx, C2D_SYS_SYMLINKAT, 0, 1, 2);
}

/* name_to_handle_at(dfd, name, handle, mnt_id, flag): a handle to a credential file lets
 * open_by_handle_at open it later with no name at all. */
SEC("tracepoint/syscalls/sys_exit_name_to_handle_at")
int c2d_exit_name_to_handle_at(struct c2d_sys_exit_ctx *ctx)
{
	__u32 k = C2D_NAME_CRED;
	struct task_struct *task;
	struct c2d_scratch *s;
	struct c2d_sysargs a;

	s = names__begin(C2D_SYS_NAME_TO_HANDLE_AT, &task, &a);
	if (!s)
		return 0;
	if (a.a[4] & C2D_AT_EMPTY_PATH)
		k |= C2D_NAME_EMPTY_OK;
	c2d_name_exit(s, 0, a.a[0], a.a[1], k);
	a.a[1] = a.a[0]; /* as for opens: args[0] the open flags (none), args[1] the dirfd */
	a.a[0] = 0;
	return names__finish(s, task, C2D_SYS_NAME_TO_HANDLE_AT, ctx->ret, &a, 1, k, 0);
}

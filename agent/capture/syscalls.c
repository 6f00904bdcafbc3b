// SPDX-License-Identifier: BSD-2-Clause
/*
 * syscalls.c - one table row per hooked syscall: its name, its exit tracepoint, its BPF
 * program, and the decoder that turns the raw arguments of a privileged call into
 * `syscall.args` (EVENTS.md). Arguments are what the caller asked; never memory contents
 * beyond the names and paths listed (mount data, key payloads are never read).
 */
#include <fcntl.h>
#include <stddef.h>
#include <string.h>

#include "syscalls.h"

static void r_none(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
}

/*
 * The setuid family (bpf/priv.bpf.c cred__exit): a[0] = first id asked | second << 32, a[1] =
 * third | 1 << 32 when the ids before the call are known, a[2..3] before, a[4..5] after, as
 * real | effective << 32, saved | fs << 32, read from the kernel's credentials.
 */
static void ids_obj(struct jw *w, const char *key, uint64_t re, uint64_t sf)
{
	jw_dkey(w, key);
	jw_obj_begin(w);
	jw_kv_u64(w, "real", re & 0xffffffffu);
	jw_kv_u64(w, "effective", re >> 32);
	jw_kv_u64(w, "saved", sf & 0xffffffffu);
	jw_kv_u64(w, "fs", sf >> 32);
	jw_obj_end(w);
}

static void ids_before_after(struct jw *w, const uint64_t *a)
{
	if ((a[1] >> 32) & 1)
		ids_obj(w, "before", a[2], a[3]);
	ids_obj(w, "after", a[4], a[5]);
}

static void r_uid1(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_i64(w, "target_id", (int32_t)a[0]);
	ids_before_after(w, a);
}

static void r_uid2(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_i64(w, "real_id", (int32_t)a[0]);
	jw_kv_i64(w, "effective_id", (int32_t)(a[0] >> 32));
}

static void r_setre(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	r_uid2(w, a, s, n);
	ids_before_after(w, a);
}

static void r_uid3(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	r_uid2(w, a, s, n);
	jw_kv_i64(w, "saved_id", (int32_t)a[1]);
	ids_before_after(w, a);
}

static void caps_obj(struct jw *w, const char *key, uint64_t eff, uint64_t perm)
{
	jw_dkey(w, key);
	jw_obj_begin(w);
	jw_kv_u64(w, "effective", eff);
	jw_kv_u64(w, "permitted", perm);
	jw_obj_end(w);
}

/* capset: a[0] = effective | permitted << 32 asked (low 32 capabilities, the caller's memory),
 * a[1] = target pid | 1 << 32 when `before` is known, a[2..3] before, a[4..5] after (kernel). */
static void r_capset(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_i64(w, "target_pid", (int32_t)a[1]);
	jw_kv_u64(w, "effective", a[0] & 0xffffffffu);
	jw_kv_u64(w, "permitted", a[0] >> 32);
	if ((a[1] >> 32) & 1)
		caps_obj(w, "before", a[2], a[3]);
	caps_obj(w, "after", a[4], a[5]);
}

static const struct {
	uint64_t v;
	const char *name;
} ptrace_reqs[] = {
	{0, "PTRACE_TRACEME"},	      {1, "PTRACE_PEEKTEXT"},	{2, "PTRACE_PEEKDATA"},
	{3, "PTRACE_PEEKUSER"},	      {4, "PTRACE_POKETEXT"},	{5, "PTRACE_POKEDATA"},
	{6, "PTRACE_POKEUSER"},	      {12, "PTRACE_GETREGS"},	{13, "PTRACE_SETREGS"},
	{14, "PTRACE_GETFPREGS"},     {15, "PTRACE_SETFPREGS"}, {16, "PTRACE_ATTACH"},
	{0x4204, "PTRACE_GETREGSET"}, {0x4205, "PTRACE_SETREGSET"}, {0x4206, "PTRACE_SEIZE"},
};

/* ptrace: a[0] request, a[1] target pid (TRACEME: the parent, its tracer-to-be). */
static void r_ptrace(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	const char *name = NULL;

	for (size_t i = 0; i < sizeof(ptrace_reqs) / sizeof(ptrace_reqs[0]); i++)
		if (ptrace_reqs[i].v == a[0])
			name = ptrace_reqs[i].name;
	if (name)
		jw_kv_str(w, "request", name);
	else
		jw_kv_u64(w, "request", a[0]);
	jw_dkv_i64(w, a[0] == 0 ? "tracer_pid" : "target_pid", (int32_t)a[1]);
}

static void r_vm(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_i64(w, "target_pid", (int32_t)a[0]);
}

static void str_arg(struct jw *w, const char *key, const char *const *s, int n, int i)
{
	if (i < n && s[i])
		jw_dkv_str(w, key, s[i]);
}

static void r_mount(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "source", s, n, 0);
	str_arg(w, "target", s, n, 1);
	str_arg(w, "fstype", s, n, 2);
	jw_kv_u64(w, "flags", a[3]);
}

static void r_umount(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "target", s, n, 0);
	jw_kv_u64(w, "flags", a[1]);
}

static void r_move_mount(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "from", s, n, 0);
	str_arg(w, "to", s, n, 1);
}

static void r_path1(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "path", s, n, 0);
}

static void r_pivot(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "new_root", s, n, 0);
	str_arg(w, "put_old", s, n, 1);
}

static const struct {
	uint64_t bit;
	const char *name;
} ns_flags[] = {
	{0x00020000, "CLONE_NEWNS"},	 {0x02000000, "CLONE_NEWCGROUP"}, {0x04000000, "CLONE_NEWUTS"},
	{0x08000000, "CLONE_NEWIPC"},	 {0x10000000, "CLONE_NEWUSER"},	  {0x20000000, "CLONE_NEWPID"},
	{0x40000000, "CLONE_NEWNET"},	 {0x00000080, "CLONE_NEWTIME"},
};

static void ns_list_as(struct jw *w, const char *key, uint64_t flags)
{
	jw_dkey(w, key);
	jw_arr_begin(w);
	for (size_t i = 0; i < sizeof(ns_flags) / sizeof(ns_flags[0]); i++)
		if (flags & ns_flags[i].bit)
			jw_str(w, ns_flags[i].name);
	jw_arr_end(w);
}

static void ns_list(struct jw *w, uint64_t flags)
{
	ns_list_as(w, "namespaces", flags);
}

/* unshare, setns: a[2] the namespaces that really changed (sys_enter snapshot against exit),
 * a[3] 1 when that snapshot existed (bpf/priv.bpf.c ns__exit). */
static void r_unshare(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_u64(w, "flags", a[0]);
	ns_list(w, a[0]);
	if (a[3] == 1)
		ns_list_as(w, "created", a[2]);
}

/* clone, clone3: judged at fork (bpf/proc.bpf.c), a[0] the CLONE_NEW* flags of the namespaces
 * the child really got, a[1] the child's pid. */
static void r_fork_ns(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_u64(w, "flags", a[0]);
	ns_list(w, a[0]);
	jw_kv_i64(w, "child_pid", (int32_t)a[1]);
}

static void r_setns(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_i64(w, "fd", (int32_t)a[0]);
	jw_kv_u64(w, "nstype", a[1]);
	ns_list(w, a[1]);
	if (a[3] == 1)
		ns_list_as(w, "joined", a[2]);
}

static void r_module(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "module", s, n, 0);
}

static void r_bpf(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_str(w, "command", "BPF_PROG_LOAD");
	jw_kv_u64(w, "prog_type", a[3]);
	str_arg(w, "prog_name", s, n, 0);
}

static void r_perf(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_i64(w, "target_pid", (int32_t)a[1]);
	jw_kv_i64(w, "cpu", (int32_t)a[2]);
}

static void r_keyctl(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_u64(w, "operation", a[0]);
}

static void r_add_key(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	str_arg(w, "key_type", s, n, 0);
	str_arg(w, "description", s, n, 1);
}

static const struct {
	uint64_t bit;
	const char *name;
} uring_setup_flags[] = {
	{1u << 0, "IORING_SETUP_IOPOLL"},	 {1u << 1, "IORING_SETUP_SQPOLL"},
	{1u << 2, "IORING_SETUP_SQ_AFF"},	 {1u << 3, "IORING_SETUP_CQSIZE"},
	{1u << 4, "IORING_SETUP_CLAMP"},	 {1u << 5, "IORING_SETUP_ATTACH_WQ"},
	{1u << 6, "IORING_SETUP_R_DISABLED"},	 {1u << 7, "IORING_SETUP_SUBMIT_ALL"},
	{1u << 8, "IORING_SETUP_COOP_TASKRUN"}, {1u << 9, "IORING_SETUP_TASKRUN_FLAG"},
	{1u << 10, "IORING_SETUP_SQE128"},	 {1u << 11, "IORING_SETUP_CQE32"},
	{1u << 12, "IORING_SETUP_SINGLE_ISSUER"}, {1u << 13, "IORING_SETUP_DEFER_TASKRUN"},
	{1u << 14, "IORING_SETUP_NO_MMAP"},	 {1u << 15, "IORING_SETUP_REGISTERED_FD_ONLY"},
	{1u << 16, "IORING_SETUP_NO_SQARRAY"},	 {1u << 17, "IORING_SETUP_HYBRID_IOPOLL"},
};

/* args: [0] entries asked, [2] the ring's flags (struct io_ring_ctx, not the caller's params),
 * [3] SQPOLL idle ms, [4] 1 when [2] was read from a ring (0: the call failed). */
static void r_uring_setup(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_u64(w, "entries", a[0] & 0xffffffffu);
	if (!a[4])
		return;
	jw_kv_u64(w, "flags", a[2]);
	jw_key(w, "setup_flags");
	jw_arr_begin(w);
	for (size_t i = 0; i < sizeof(uring_setup_flags) / sizeof(uring_setup_flags[0]); i++)
		if (a[2] & uring_setup_flags[i].bit)
			jw_str(w, uring_setup_flags[i].name);
	jw_arr_end(w);
	if (a[2] & 2)
		jw_kv_u64(w, "sq_thread_idle_ms", a[3]);
}

static void r_compat(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_u64(w, "number", a[0]); /* the 32-bit ABI's number (i386 on x86-64) */
	jw_kv_str(w, "abi", "i386");
}

static void r_personality(struct jw *w, const uint64_t *a, const char *const *s, int n)
{
	jw_kv_u64(w, "persona", a[0] & 0xffffffffu);
}

#define ROW(sys, nm, tp, fam, fn) [sys] = {nm, tp, "c2d_exit_" tp, fam, fn}
/* an operation without a tracepoint of its own (io_uring, socket state, fork) */
#define HOOKED(sys, nm, fam, fn) [sys] = {nm, NULL, NULL, fam, fn}

static const struct c2d_sysinfo table[C2D_SYS_MAX] = {
	ROW(C2D_SYS_OPEN, "open", "open", SYSF_OPEN, r_none),
	ROW(C2D_SYS_OPENAT, "openat", "openat", SYSF_OPEN, r_none),
	ROW(C2D_SYS_OPENAT2, "openat2", "openat2", SYSF_OPEN, r_none),
	ROW(C2D_SYS_CREAT, "creat", "creat", SYSF_OPEN, r_none),
	ROW(C2D_SYS_TRUNCATE, "truncate", "truncate", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_FTRUNCATE, "ftruncate", "ftruncate", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_UNLINK, "unlink", "unlink", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_UNLINKAT, "unlinkat", "unlinkat", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_RMDIR, "rmdir", "rmdir", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_RENAME, "rename", "rename", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_RENAMEAT, "renameat", "renameat", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_RENAMEAT2, "renameat2", "renameat2", SYSF_WRITE_NAME, r_none),
	ROW(C2D_SYS_CONNECT, "connect", "connect", SYSF_NET, r_none),
	ROW(C2D_SYS_SETUID, "setuid", "setuid", SYSF_PRIV, r_uid1),
	ROW(C2D_SYS_SETGID, "setgid", "setgid", SYSF_PRIV, r_uid1),
	ROW(C2D_SYS_SETREUID, "setreuid", "setreuid", SYSF_PRIV, r_setre),
	ROW(C2D_SYS_SETREGID, "setregid", "setregid", SYSF_PRIV, r_setre),
	ROW(C2D_SYS_SETRESUID, "setresuid", "setresuid", SYSF_PRIV, r_uid3),
	ROW(C2D_SYS_SETRESGID, "setresgid", "setresgid", SYSF_PRIV, r_uid3),
	ROW(C2D_SYS_SETFSUID, "setfsuid", "setfsuid", SYSF_PRIV, r_uid1),
	ROW(C2D_SYS_SETFSGID, "setfsgid", "setfsgid", SYSF_PRIV, r_uid1),
	ROW(C2D_SYS_CAPSET, "capset", "capset", SYSF_PRIV, r_capset),
	ROW(C2D_SYS_PTRACE, "ptrace", "ptrace", SYSF_PRIV, r_ptrace),
	ROW(C2D_SYS_PROCESS_VM_WRITEV, "process_vm_writev", "process_vm_writev", SYSF_PRIV, r_vm),
	ROW(C2D_SYS_MOUNT, "mount", "mount", SYSF_PRIV, r_mount),
	ROW(C2D_SYS_UMOUNT2, "umount2", "umount", SYSF_PRIV, r_umount),
	ROW(C2D_SYS_MOVE_MOUNT, "move_mount", "move_mount", SYSF_PRIV, r_move_mount),
	ROW(C2D_SYS_FSMOUNT, "fsmount", "fsmount", SYSF_PRIV, r_none),
	ROW(C2D_SYS_PIVOT_ROOT, "pivot_root", "pivot_root", SYSF_PRIV, r_pivot),
	ROW(C2D_SYS_CHROOT, "chroot", "chroot", SYSF_PRIV, r_path1),
	ROW(C2D_SYS_UNSHARE, "unshare", "unshare", SYSF_PRIV, r_unshare),
	ROW(C2D_SYS_SETNS, "setns", "setns", SYSF_PRIV, r_setns),
	HOOKED(C2D_SYS_CLONE, "clone", SYSF_PRIV, r_fork_ns),   /* tp_btf/sched_process_fork */
	HOOKED(C2D_SYS_CLONE3, "clone3", SYSF_PRIV, r_fork_ns), /* same */
	ROW(C2D_SYS_INIT_MODULE, "init_module", "init_module", SYSF_PRIV, r_none),
	ROW(C2D_SYS_FINIT_MODULE, "finit_module", "finit_module", SYSF_PRIV, r_module),
	ROW(C2D_SYS_DELETE_MODULE, "delete_module", "delete_module", SYSF_PRIV, r_module),
	ROW(C2D_SYS_BPF, "bpf", "bpf", SYSF_PRIV, r_bpf),
	ROW(C2D_SYS_PERF_EVENT_OPEN, "perf_event_open", "perf_event_open", SYSF_PRIV, r_perf),
	ROW(C2D_SYS_KEXEC_LOAD, "kexec_load", "kexec_load", SYSF_PRIV, r_none),
	ROW(C2D_SYS_KEXEC_FILE_LOAD, "kexec_file_load", "kexec_file_load", SYSF_PRIV, r_none),
	ROW(C2D_SYS_KEYCTL, "keyctl", "keyctl", SYSF_PRIV, r_keyctl),
	ROW(C2D_SYS_ADD_KEY, "add_key", "add_key", SYSF_PRIV, r_add_key),
	ROW(C2D_SYS_PERSONALITY, "personality", "personality", SYSF_PRIV, r_personality),
	ROW(C2D_SYS_PROCESS_VM_READV, "process_vm_readv", "process_vm_readv", SYSF_PRIV, r_vm),
	ROW(C2D_SYS_OPEN_BY_HANDLE_AT, "open_by_handle_at", "open_by_handle_at", SYSF_OPEN, r_none),
	ROW(C2D_SYS_NAME_TO_HANDLE_AT, "name_to_handle_at", "name_to_handle_at", SYSF_OPEN, r_none),
	ROW(C2D_SYS_LINK, "link", "link", SYSF_LINK, r_none),
	ROW(C2D_SYS_LINKAT, "linkat", "linkat", SYSF_LINK, r_none),
	ROW(C2D_SYS_SYMLINK, "symlink", "symlink", SYSF_LINK, r_none),
	ROW(C2D_SYS_SYMLINKAT, "symlinkat", "symlinkat", SYSF_LINK, r_none),
	HOOKED(C2D_SYS_SENDTO, "sendto", SYSF_NET, r_none),
	HOOKED(C2D_SYS_SENDMSG, "sendmsg", SYSF_NET, r_none),
	HOOKED(C2D_SYS_SENDMMSG, "sendmmsg", SYSF_NET, r_none),
	ROW(C2D_SYS_IO_URING_SETUP, "io_uring_setup", "io_uring_setup", SYSF_PRIV, r_uring_setup),
	HOOKED(C2D_SYS_URING_OPENAT, "io_uring:openat", SYSF_OPEN, r_none),
	HOOKED(C2D_SYS_URING_OPENAT2, "io_uring:openat2", SYSF_OPEN, r_none),
	HOOKED(C2D_SYS_URING_RENAMEAT, "io_uring:renameat", SYSF_WRITE_NAME, r_none),
	HOOKED(C2D_SYS_URING_UNLINKAT, "io_uring:unlinkat", SYSF_WRITE_NAME, r_none),
	HOOKED(C2D_SYS_URING_FTRUNCATE, "io_uring:ftruncate", SYSF_WRITE_NAME, r_none),
	HOOKED(C2D_SYS_URING_CONNECT, "io_uring:connect", SYSF_NET, r_none),
	HOOKED(C2D_SYS_URING_LINKAT, "io_uring:linkat", SYSF_LINK, r_none),
	HOOKED(C2D_SYS_URING_SYMLINKAT, "io_uring:symlinkat", SYSF_LINK, r_none),
	HOOKED(C2D_SYS_TCP_CONNECT, "connect", SYSF_NET, r_none),
	HOOKED(C2D_SYS_FORK_NS, "clone", SYSF_PRIV, r_fork_ns),
	HOOKED(C2D_SYS_COMPAT, "compat_syscall", SYSF_PRIV, r_compat),
};

const struct c2d_sysinfo *sys_info(unsigned sys)
{
	if (sys >= C2D_SYS_MAX || !table[sys].name)
		return NULL;
	return &table[sys];
}

int sys_by_name(const char *name)
{
	for (int i = 0; i < C2D_SYS_MAX; i++) /* the first row of a name: its own syscall */
		if (table[i].name && strcmp(table[i].name, name) == 0)
			return i;
	return -1;
}

bool sys_is(unsigned sys, enum sys_family fam)
{
	const struct c2d_sysinfo *si = sys_info(sys);

	return si && si->family == fam;
}

static const struct {
	uint64_t bit;
	const char *name;
} open_flags[] = {
	{O_CREAT, "O_CREAT"},	    {O_EXCL, "O_EXCL"},		{O_NOCTTY, "O_NOCTTY"},
	{O_TRUNC, "O_TRUNC"},	    {O_APPEND, "O_APPEND"},	{O_NONBLOCK, "O_NONBLOCK"},
	{O_DSYNC, "O_DSYNC"},	    {O_DIRECT, "O_DIRECT"},	{O_LARGEFILE, "O_LARGEFILE"},
	{O_DIRECTORY, "O_DIRECTORY"}, {O_NOFOLLOW, "O_NOFOLLOW"}, {O_NOATIME, "O_NOATIME"},
	{O_CLOEXEC, "O_CLOEXEC"},   {O_PATH, "O_PATH"},		{O_TMPFILE & ~O_DIRECTORY, "O_TMPFILE"},
};

void sys_render_open_flags(struct jw *w, uint64_t flags)
{
	static const char *const acc[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};

	jw_arr_begin(w);
	jw_str(w, acc[flags & O_ACCMODE]);
	for (size_t i = 0; i < sizeof(open_flags) / sizeof(open_flags[0]); i++)
		if (flags & open_flags[i].bit)
			jw_str(w, open_flags[i].name);
	jw_arr_end(w);
}

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * c2d_abi.h - the one contract between the eBPF programs and user space.
 *
 * Every struct that crosses the ring buffer or sits in a map shared with the agent is defined
 * here, laid out by hand: fixed-width fields, explicit padding, sizes pinned by _Static_assert.
 * Bump C2D_ABI_VERSION on any change; tests/unit/capture/test_abi.c checks the layout the BPF
 * object was compiled with (its BTF) against this header.
 */
#ifndef C2D_ABI_H
#define C2D_ABI_H

#ifdef __BPF__
/* vmlinux.h already provides __u8 … __u64 and __s64. */
#else
#include <linux/types.h>
#endif

#define C2D_ABI_VERSION 6 /* 3: struct c2d_gates, C2D_POL_GATES; 4: c2d_id_gate; 5: dir_ids in it; 6: c2d_rt_gate */

#define C2D_COMM_LEN 16
#define C2D_PATH_MAX 4096	/* a rebuilt path, NUL included */
#define C2D_NAME_MAX 256	/* one path component, NUL included */
#define C2D_MAX_DEPTH 64	/* dentry levels walked, mount crossings included */
#define C2D_ARGS_MAX 1024	/* bytes of argv copied at exec */
#define C2D_STR_MAX 256		/* other user strings (mount source, module name, …) */
#define C2D_DATA_MAX (4 * C2D_PATH_MAX) /* variable part of a syscall event */
#define C2D_LPM_MAX 256		/* LPM trie key data (kernel limit: 256 bytes) */
#define C2D_COMP_MAX 64		/* bytes of one component used in suffix keys */
#define C2D_LEAF_GLOB_MAX 16	/* leaf prefix of a `<any>/dir/prefix*` rule */
#define C2D_MAX_STRS 4
#define C2D_ENTRY_STR_MAX 256	/* bytes of a name-based argument copied at syscall entry */

/* Ring-buffer record types. */
enum c2d_event_type {
	C2D_EV_EXEC = 1,
	C2D_EV_FORK = 2,
	C2D_EV_EXIT = 3,
	C2D_EV_SYSCALL = 4, /* a policy match: credential read, privileged call, … */
	C2D_EV_FOLD = 5,    /* identical findings folded after the last event of their key went
			     * out, flushed by the sweep (struct c2d_fold_event) */
};

/* Finding kinds, as in EVENTS.md. */
enum c2d_kind {
	C2D_KIND_NONE = 0,
	C2D_KIND_CREDENTIAL_READ = 1,
	C2D_KIND_PRIVILEGED_CALL = 2,
	C2D_KIND_STORAGE_WRITE = 3,
	C2D_KIND_METADATA_ACCESS = 4,
	C2D_KIND_MAX = 5,
};

/* The syscalls the programs hook, numbered by us (not the arch's numbers). */
enum c2d_sys {
	C2D_SYS_OPEN = 0,
	C2D_SYS_OPENAT,
	C2D_SYS_OPENAT2,
	C2D_SYS_CREAT,
	C2D_SYS_TRUNCATE,
	C2D_SYS_FTRUNCATE,
	C2D_SYS_UNLINK,
	C2D_SYS_UNLINKAT,
	C2D_SYS_RMDIR,
	C2D_SYS_RENAME,
	C2D_SYS_RENAMEAT,
	C2D_SYS_RENAMEAT2,
	C2D_SYS_CONNECT,
	C2D_SYS_SETUID,
	C2D_SYS_SETGID,
	C2D_SYS_SETREUID,
	C2D_SYS_SETREGID,
	C2D_SYS_SETRESUID,
	C2D_SYS_SETRESGID,
	C2D_SYS_SETFSUID,
	C2D_SYS_SETFSGID,
	C2D_SYS_CAPSET,
	C2D_SYS_PTRACE,
	C2D_SYS_PROCESS_VM_WRITEV,
	C2D_SYS_MOUNT,
	C2D_SYS_UMOUNT2,
	C2D_SYS_MOVE_MOUNT,
	C2D_SYS_FSMOUNT,
	C2D_SYS_PIVOT_ROOT,
	C2D_SYS_CHROOT,
	C2D_SYS_UNSHARE,
	C2D_SYS_SETNS,
	C2D_SYS_CLONE,
	C2D_SYS_CLONE3,
	C2D_SYS_INIT_MODULE,
	C2D_SYS_FINIT_MODULE,
	C2D_SYS_DELETE_MODULE,
	C2D_SYS_BPF,
	C2D_SYS_PERF_EVENT_OPEN,
	C2D_SYS_KEXEC_LOAD,
	C2D_SYS_KEXEC_FILE_LOAD,
	C2D_SYS_KEYCTL,
	C2D_SYS_ADD_KEY,
	C2D_SYS_PERSONALITY,
	/* ABI 2: other entry points (issue 11) */
	C2D_SYS_PROCESS_VM_READV,
	C2D_SYS_OPEN_BY_HANDLE_AT,
	C2D_SYS_NAME_TO_HANDLE_AT,
	C2D_SYS_LINK,
	C2D_SYS_LINKAT,
	C2D_SYS_SYMLINK,
	C2D_SYS_SYMLINKAT,
	C2D_SYS_SENDTO,
	C2D_SYS_SENDMSG,
	C2D_SYS_SENDMMSG,
	C2D_SYS_IO_URING_SETUP,
	/* io_uring operations: no tracepoint of their own, reported by the io_uring hooks
	 * (syscall.name "io_uring:<op>") */
	C2D_SYS_URING_OPENAT,
	C2D_SYS_URING_OPENAT2,
	C2D_SYS_URING_RENAMEAT,
	C2D_SYS_URING_UNLINKAT,
	C2D_SYS_URING_FTRUNCATE,
	C2D_SYS_URING_CONNECT,
	C2D_SYS_URING_LINKAT,
	C2D_SYS_URING_SYMLINKAT,
	/* a TCP active open seen on the socket (connect, TCP Fast Open through sendto/sendmsg,
	 * io_uring connect), whatever syscall or worker started it */
	C2D_SYS_TCP_CONNECT,
	/* namespaces created by clone/clone3, seen on the child at fork */
	C2D_SYS_FORK_NS,
	/* a 32-bit (compat) syscall, which no per-syscall tracepoint sees: reported once per
	 * process when --watch-compat-syscalls is on (compat.bpf.c) */
	C2D_SYS_COMPAT,
	C2D_SYS_MAX,
};

/* c2d_event_hdr.flags */
#define C2D_F_PATH_TRUNCATED (1u << 0) /* a path hit C2D_MAX_DEPTH or C2D_PATH_MAX */
#define C2D_F_STR_TRUNCATED (1u << 1)  /* a user string was longer than its buffer */
#define C2D_F_UNRESOLVED (1u << 2)     /* path joined from user input, may hold `.`/`..`:
					* user space normalises it and re-checks the policy */
#define C2D_F_ARGS_TRUNCATED (1u << 3)
#define C2D_F_FROM_FD (1u << 4)	       /* path rebuilt from the opened file (exact) */
#define C2D_F_TAMPERED (1u << 5)       /* an argument in user memory changed while the call ran:
					* the entry copy travels as C2D_STR_ENTRY_* strings */
#define C2D_F_RUNTIME (1u << 6)	       /* the task runs a container-runtime binary (identified
					* by inode on the host, inherited through fork) */
#define C2D_F_FS_IS_PATH (1u << 7)     /* the file's path from its filesystem's root is file.path
					* itself (its mount is the process's root mount and
					* mounts the filesystem's root): no C2D_STR_FS_PATH sent */

/* What a string of a c2d_syscall_event is (str_role[i]). Strings without a path role keep
 * their position's meaning per syscall (mount source, target, fstype, …). */
enum c2d_str_role {
	C2D_STR_ARG = 0,	    /* per-syscall positional argument */
	C2D_STR_PATH = 1,	    /* file.path: as the process sees it */
	C2D_STR_NEW_PATH = 2,	    /* file.new_path (rename, link) */
	C2D_STR_FS_PATH = 3,	    /* the file's path from its filesystem's root (host path = where
				     * the host mounts that filesystem + this) */
	C2D_STR_ENTRY_PATH = 4,	    /* the path argument as read at syscall entry (tampered) */
	C2D_STR_ENTRY_NEW_PATH = 5, /* the second path argument at entry (tampered) */
	C2D_STR_ROLE_MAX = 6,
};

/* Common header of every ring-buffer record: 72 bytes. */
struct c2d_event_hdr {
	__u16 type;	 /* enum c2d_event_type */
	__u16 size;	 /* whole record, header included */
	__u16 sys;	 /* enum c2d_sys (C2D_EV_SYSCALL) */
	__u16 flags;	 /* C2D_F_* */
	__u64 ktime_ns;	 /* bpf_ktime_get_boot_ns() */
	__u32 pid;	 /* thread id */
	__u32 tgid;	 /* process id */
	__u32 ppid;	 /* real parent's tgid */
	__u32 uid;
	__u32 euid;
	__u32 gid;
	__u64 cgroup_id; /* cgroup v2 id of the task */
	__u64 start_ns;	 /* process (group leader) start, boot-time ns */
	char comm[C2D_COMM_LEN];
};

/*
 * A policy match. `args` holds the decoded raw arguments (meaning per syscall, see
 * agent/capture/syscalls.c); `data` holds `nstr` NUL-terminated strings back to back, each
 * `str_len[i]` bytes long (NUL included): paths, mount source/target/type, names.
 */
struct c2d_syscall_event {
	struct c2d_event_hdr hdr;
	__s64 ret;
	__u64 args[6];
	__u64 ino;	/* the file's inode, when the finding is about an opened file (0: none) */
	__u64 first_ns; /* folded findings: time of the first one this event stands for */
	__u32 dev;	/* the file's superblock device (kernel encoding: major << 20 | minor) */
	__u32 count;	/* identical findings this event stands for (>= 1) */
	__u16 rule_id;	/* index into the agent's rule table */
	__u8 kind;	/* enum c2d_kind */
	__u8 nstr;
	__u16 str_len[C2D_MAX_STRS];
	__u8 str_role[C2D_MAX_STRS]; /* enum c2d_str_role */
	char data[];
};

/*
 * cg_len: on the first exec seen in a cgroup, the names of the cgroup and of its ancestors,
 * leaf first, up to C2D_CG_DEPTH of them (each NUL-terminated, at most C2D_CG_NAME_MAX bytes
 * with its NUL): "<id>" "default"; "cri-containerd-<id>.scope" "kubepods-…-pod<uid>.slice" …;
 * "<id>" "pod<uid>" "burstable" "kubepods". A container that exits within milliseconds has its
 * cgroup removed before the agent can look the id up; these names still say whose it was. 0 on
 * every other exec.
 */
#define C2D_CG_DEPTH 4
#define C2D_CG_NAME_MAX 127

struct c2d_exec_event {
	struct c2d_event_hdr hdr;
	__u16 exe_len;	/* resolved executable path, NUL included */
	__u16 args_len; /* argv bytes (NUL separated) */
	__u16 cg_len;	/* cgroup names after argv, leaf first, NULs included (0: none) */
	__u16 pad;
	char data[]; /* exe path, then argv, then the cgroup names */
};

struct c2d_fork_event {
	struct c2d_event_hdr hdr; /* describes the child */
	__u32 parent_pid;
	__u32 parent_tgid;
};

struct c2d_exit_event {
	struct c2d_event_hdr hdr;
	__s32 exit_code;
	__u32 pad;
};

/* Policy maps. */
struct c2d_lpm_key {
	__u32 prefixlen; /* in bits */
	__u8 data[C2D_LPM_MAX];
};

struct c2d_rule_val {
	__u16 rule_id;
	__u8 kind;	     /* enum c2d_kind */
	__u8 leaf_glob_len;  /* dir rules: leaf must start with leaf_glob[0..len) */
	char leaf_glob[C2D_LEAF_GLOB_MAX];
};

/* Per privileged syscall: enabled or not, and which rule reports it. */
struct c2d_sys_rule {
	__u16 rule_id;
	__u8 enabled;
	__u8 pad;
	__u32 only_mask; /* syscall-specific filter (namespace flags for unshare/clone…) */
};

/* A file by what it is, not by name: (device, inode). Keys of file_ids, dir_ids, runtime_ids. */
struct c2d_file_id {
	__u64 ino;
	__u32 dev; /* kernel encoding, as in super_block.s_dev */
	__u32 pad;
};

/* Folding of identical findings (fold map): same cgroup, rule, executable and target. */
struct c2d_fold_key {
	__u64 cgroup_id;
	__u64 exe_ino;
	__u64 target;	/* file inode, address, or a hash of the target string */
	__u32 exe_dev;
	__u16 rule_id;
	__u16 sys;
};

struct c2d_fold_val {
	__u64 first_ns;	 /* first of the findings now pending */
	__u64 last_ns;	 /* latest finding */
	__u64 window_ns; /* start of the current window: hdr.ktime_ns of the key's last event that
			  * went out (the agent finds that record again by it) */
	__u32 pending;	 /* folded since the last event that went out (atomic) */
	__u32 pad;
};

/*
 * C2D_EV_FOLD: `count` findings of `key` folded since its event of time `window_ns` went out,
 * with no later one to carry them; the agent renders them as that event again, with count and
 * first/last time. hdr: type, size, ktime_ns (the sweep's time), cgroup_id, sys; rest zero.
 */
struct c2d_fold_event {
	struct c2d_event_hdr hdr;
	struct c2d_fold_key key;
	__u64 first_ns;
	__u64 last_ns;
	__u64 window_ns;
	__u32 count;
	__u32 pad;
};

/* Name-based arguments copied at syscall entry (entry_args map, key: thread id). */
struct c2d_entry_args {
	__u64 ktime_ns;
	__u16 sys;
	__u16 len[2];	/* the argument's whole length at entry, NUL included (0: none); str keeps
			 * its first C2D_ENTRY_STR_MAX - 1 bytes */
	__u16 pad;
	char str[2][C2D_ENTRY_STR_MAX];
	__u64 dir[2][2]; /* per argument: (dentry, vfsmount) a relative name resolves against at
			  * entry (dirfd's file or the cwd): another thread may dup2/chdir after */
};

/* Cloud metadata endpoints: key of the `meta_addrs` hash. */
struct c2d_addr_key {
	__u16 family; /* AF_INET / AF_INET6 */
	__u16 pad;
	__u8 addr[16];
};

/* Per-CPU counters (`stats` map): every loss point has one. */
struct c2d_stats {
	__u64 events[C2D_KIND_MAX]; /* findings emitted, by kind */
	__u64 proc_events;	    /* exec/fork/exit records emitted */
	__u64 drop_ringbuf;	    /* bpf_ringbuf_output() failed: ring full */
	__u64 drop_proc_ringbuf;    /* same, for exec/fork/exit */
	__u64 path_truncated;	    /* path deeper/longer than the walk allows */
	__u64 str_truncated;	    /* a user string did not fit */
	__u64 map_full;		    /* a map update failed */
	__u64 read_errors;	    /* a kernel/user read failed */
	__u64 unresolved;	    /* candidates sent for user-space normalisation */
	__u64 rate_limited;	    /* findings over their cgroup's budget (--container-rate) */
	__u64 folded;		    /* identical findings folded into an earlier event's count */
	__u64 tampered;		    /* calls whose user-memory argument changed during the call */
};

/* Policy switches written by the agent after load (.bss). */
#define C2D_POL_SUFFIX (1u << 0)   /* suffix_trie has entries */
#define C2D_POL_DIR (1u << 1)	   /* dir_trie has entries */
#define C2D_POL_STORAGE (1u << 2)  /* storage_trie has entries */
#define C2D_POL_FAILURES (1u << 3) /* report EACCES/EPERM opens */
#define C2D_POL_FILE_IDS (1u << 4) /* file_ids has entries */
#define C2D_POL_DIR_IDS (1u << 5)  /* dir_ids has entries */
#define C2D_POL_RUNTIME (1u << 6)  /* runtime_ids has entries */
#define C2D_POL_FOLD (1u << 7)	   /* fold identical findings (c2d_fold_window_ns) */
#define C2D_POL_DIR_IDS_CRED (1u << 8) /* dir_ids holds credential directories: walked on every
					* open, not only on writes (storage directories) */
#define C2D_POL_GATES (1u << 9)	/* c2d_gates is filled: a walked path skips a trie none of
					 * whose rules can match it */

/*
 * Gates: what a walked path must have for a trie's rule to match it, tested before the trie
 * is looked in (a non-matching open costs a few loads instead of three LPM lookups). Each is a
 * bitmap of C2D_GATE_BITS over c2d_gate_hash() of path components; a bit is set for every
 * rule, so a clear bit proves no rule of that trie can match, and a set bit (a rule, or a
 * collision) only means the trie is looked in as before. A hostile name can make its own
 * opens take the slow path, never skip a rule.
 *  - cred_top / stor_top (exact and prefix rules): the rule's first component alone when it
 *    names one (`/root/`), else its first two, as a pair (`/etc/shadow`, `/etc/kubernetes/`).
 *  - leaf (suffix rules): the rule's last component, the path's leaf.
 *  - dir (directory rules): the rule's innermost directory, the path's parent.
 */
#define C2D_GATE_BITS 4096
#define C2D_GATE_WORDS (C2D_GATE_BITS / 64)

struct c2d_gates {
	__u64 cred_top[C2D_GATE_WORDS];
	__u64 stor_top[C2D_GATE_WORDS];
	__u64 leaf[C2D_GATE_WORDS];
	__u64 dir[C2D_GATE_WORDS];
};
_Static_assert(sizeof(struct c2d_gates) == 4 * C2D_GATE_BITS / 8, "c2d_gates layout");

#define C2D_GATE_PAIR_SALT 0x5851f42d4c957f2dULL

/* One component of `len` bytes (len >= 1) by its first and last 8 bytes, host order, loaded
 * as the kernel side loads them from the path buffer (a name shorter than 8 bytes is its own
 * head, zero padded, and tail). `salt` chains a pair: the second component's hash is salted
 * with the first's. Not keyed: a collision only costs the colliding open a trie lookup. */
static inline __u32 c2d_gate_hash(__u64 head, __u64 tail, __u32 len, __u64 salt)
{
	__u64 h = (head ^ salt) * 0x9e3779b97f4a7c15ULL;

	h ^= (tail + len) * 0xc2b2ae3d27d4eb4fULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return (__u32)h;
}

/* Where hash h lands in a gate: its word and the bit in that word (the kernel tests, the
 * agent sets, with the same two). */
static inline __u32 c2d_gate_word(__u32 h)
{
	return (h / 64) % C2D_GATE_WORDS;
}

static inline __u64 c2d_gate_bit(__u32 h)
{
	return 1ULL << (h % 64);
}

static inline int c2d_gate_test(const __u64 *gate, __u32 h)
{
	return (gate[c2d_gate_word(h)] & c2d_gate_bit(h)) != 0;
}

/*
 * The identity gate (c2d_id_gate, C2D_GATE_BITS): a bit per (inode, device) of each file_ids
 * and dir_ids entry (a device's marker {0, dev} included), set by the agent before the entry
 * is put in its map and cleared only once no entry of either map has it
 * (agent/capture/file_ids.c). A clear bit proves the opened file is no rule's file by
 * identity (the hash lookup is skipped), a clear marker that no directory rule lies on its
 * device, and clear bits all the way up that none of its directories is a rule's (the
 * prewalk, open.bpf.h, decides without the walk).
 */
static inline __u32 c2d_gate_id(__u64 ino, __u32 dev)
{
	return c2d_gate_hash(ino, dev, 8, 0x2545f4914f6cdd1dULL);
}

/*
 * The runtime gate (c2d_rt_gate): a bit per tgid (modulo C2D_RT_GATE_BITS) of each
 * runtime_tasks entry, set before the entry is put in (by the exec and fork programs, and the
 * agent's seed from /proc) and never cleared: a clear bit proves the process is not a marked
 * runtime process, and its finding skips the hash lookup. A stale bit costs only the lookup.
 */
#define C2D_RT_GATE_BITS 4096
#define C2D_RT_GATE_WORDS (C2D_RT_GATE_BITS / 64)

static inline __u32 c2d_rt_gate_word(__u32 tgid)
{
	return (tgid / 64) % C2D_RT_GATE_WORDS;
}

static inline __u64 c2d_rt_gate_bit(__u32 tgid)
{
	return 1ULL << (tgid % 64);
}

#ifndef __BPF__
_Static_assert(sizeof(struct c2d_event_hdr) == 72, "c2d_event_hdr layout");
_Static_assert(sizeof(struct c2d_syscall_event) == 168, "c2d_syscall_event layout");
_Static_assert(sizeof(struct c2d_file_id) == 16, "c2d_file_id layout");
_Static_assert(sizeof(struct c2d_fold_key) == 32, "c2d_fold_key layout");
_Static_assert(sizeof(struct c2d_fold_val) == 32, "c2d_fold_val layout");
_Static_assert(sizeof(struct c2d_fold_event) == 136, "c2d_fold_event layout");
_Static_assert(sizeof(struct c2d_exec_event) == 80, "c2d_exec_event layout");
_Static_assert(sizeof(struct c2d_fork_event) == 80, "c2d_fork_event layout");
_Static_assert(sizeof(struct c2d_exit_event) == 80, "c2d_exit_event layout");
_Static_assert(sizeof(struct c2d_rule_val) == 20, "c2d_rule_val layout");
_Static_assert(sizeof(struct c2d_entry_args) == 16 + 2 * C2D_ENTRY_STR_MAX + 32,
	       "c2d_entry_args layout");
_Static_assert(sizeof(struct c2d_stats) == 16 * 8, "c2d_stats layout");
#endif

#endif /* C2D_ABI_H */

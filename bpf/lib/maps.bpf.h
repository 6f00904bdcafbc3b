/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.bpf.h - every map and knob of the object, in one documented place.
 *
 * The object is linked from several *.bpf.c files; the maps are defined in maps.bpf.c
 * (C2D_DEFINE_MAPS) and declared extern everywhere else.
 *
 * | map          | written by                 | read by        | size and why                     |
 * |--------------|----------------------------|----------------|----------------------------------|
 * | events       | every program (output)     | agent ringbuf  | set by agent (--ringbuf-size),   |
 * |              |                            |                | one ring for all CPUs            |
 * | scratch      | the program running on CPU | same program   | 1 per CPU: event + path buffers  |
 * | proc_scratch | exec program               | same program   | 1 per CPU: exec record           |
 * | stats        | every program              | agent (metrics)| 1 per CPU: loss counters         |
 * | rb_unwoken   | every program (output)     | same           | 1 per CPU: bytes sent since this |
 * |              |                            |                | CPU last woke the reader         |
 * | prefix_trie  | agent at start-up          | file programs  | exact + prefix credential rules  |
 * | suffix_trie  | agent                      | file programs  | `<any>/a/b` rules, components reversed|
 * | dir_trie     | agent                      | file programs  | `<any>/dir/` and `<any>/dir/leaf*` rules |
 * | storage_trie | agent                      | file programs  | production-storage prefixes      |
 * | sys_rules    | agent                      | priv programs  | one slot per enum c2d_sys        |
 * | meta_addrs   | agent                      | net program    | instance-metadata addresses      |
 * | exec_cgroups | exec program               | same           | LRU 8192: cgroups seen exec'ing  |
 * | cg_budget    | every finding              | same           | LRU 8192: per-cgroup rate budget |
 * | file_ids     | agent (rules' files), link | file programs  | 4096: credential files and learnt|
 * |              | programs (learnt links)    |                | hard links into storage, by inode|
 * | dir_ids      | agent (rules' directories) | path walk      | 1024: directory rules by inode   |
 * | runtime_ids  | agent (runtime binaries)   | exec program   | 64: runc, shims, kubelet …       |
 * | runtime_tasks| exec/fork/exit programs    | every finding  | LRU 16384: tgids of the runtime  |
 * | fold         | every finding; the sweep   | same           | LRU 16384: identical findings    |
 * |              | (fold.bpf.c, run by agent) |                | within c2d_fold_window_ns        |
 * | entry_args   | sys_enter programs         | sys_exit ones  | task storage, one per thread:    |
 * |              |                            |                | name arguments read at entry     |
 * | uring_pending| io_uring submit program    | io_uring       | 256: findings of name-based      |
 * |              | (names judged at prep)     | completion     | io_uring ops awaiting the result |
 * | uring_reqs   | io_uring submit program    | CQE overflow   | LRU 4096: (ring, user_data) → req|
 * |              |                            | program        | of watched ops in flight         |
 * | cred_before  | sys_enter of setuid family,| their sys_exit | LRU 4096 per thread: credentials |
 * |              | capset                     |                | before the call                  |
 * | ns_before    | sys_enter of unshare, setns| their sys_exit | LRU 4096 per thread: namespaces  |
 * |              |                            |                | before the call                  |
 * | conn_entry   | connect enter, TCP state   | connect exit   | LRU 4096 per thread: connect()'s |
 * |              | program (SYN_SENT seen)    |                | sockaddr at entry, kernel's peer |
 */
#ifndef C2D_MAPS_BPF_H
#define C2D_MAPS_BPF_H

#include "../c2d_abi.h"

#ifdef C2D_DEFINE_MAPS
#define C2D_MAP
#define C2D_KNOB(type, name, init) const volatile type name = init
#define C2D_VAR(type, name) volatile type name
#else
#define C2D_MAP extern
#define C2D_KNOB(type, name, init) extern const volatile type name
#define C2D_VAR(type, name) extern volatile type name
#endif

#define C2D_POLICY_ENTRIES 1024

/* Static knobs, set between __open and __load. */
C2D_KNOB(__u32, c2d_agent_tgid, 0);	       /* self-exclusion */
C2D_KNOB(__u64, c2d_wakeup_bytes, 128 * 1024); /* a CPU wakes the reader per this much data */
/* Per-cgroup finding budget (--container-rate, --container-burst), as a GCRA: one finding
 * per c2d_cg_interval_ns on average, c2d_cg_burst_ns of credit ahead. 0: no limit. */
C2D_KNOB(__u64, c2d_cg_interval_ns, 0);
C2D_KNOB(__u64, c2d_cg_burst_ns, 0);

/* Identical findings within this window are folded into one event's count (--fold-window).
 * The seed keys the hash of a target's strings (random per agent start), so that colliding
 * paths cannot be prepared offline. */
C2D_KNOB(__u64, c2d_fold_window_ns, 0);
C2D_KNOB(__u64, c2d_fold_seed, 0);

/* This architecture's syscall numbers (the agent's <sys/syscall.h>), for naming a TCP active
 * open seen on the socket by the call that made it (net.bpf.c). -1: no such call. */
C2D_KNOB(__s32, c2d_nr_connect, 42);
C2D_KNOB(__s32, c2d_nr_sendto, 44);
C2D_KNOB(__s32, c2d_nr_sendmsg, 46);
C2D_KNOB(__s32, c2d_nr_sendmmsg, 307);
C2D_KNOB(__s32, c2d_nr_io_uring_enter, 426);

/* Policy switches (C2D_POL_*), written by the agent after the maps are filled. */
C2D_VAR(__u32, c2d_policy_flags);

/* What a path must have for a trie's rule to match it (c2d_abi.h), written by the agent with
 * the tries; used only while C2D_POL_GATES is on. */
C2D_VAR(struct c2d_gates, c2d_gates);

/* (inode, device) of every file_ids entry, one bit each (c2d_abi.h c2d_gate_id), kept by the
 * agent's file_ids thread: a clear bit skips the file_ids lookup. */
C2D_VAR(__u64, c2d_id_gate[C2D_GATE_WORDS]);
/* A bit per tgid of each runtime_tasks entry (c2d_abi.h c2d_rt_gate_word), set before it goes in. */
C2D_VAR(__u64, c2d_rt_gate[C2D_RT_GATE_WORDS]);

/* The host's mount namespace (inode number of /proc/1/ns/mnt as the agent sees it): an exec
 * of a runtime binary marks the process only there, so a container that can reach the host's
 * runc (a hostPath of /) does not become "the runtime" by running it. 0: not checked. */
C2D_VAR(__u32, c2d_host_mntns);

/* cgroup id -> the GCRA's theoretical arrival time (boot ns) of its next finding. A noisy
 * container spends its own budget only, never the ring's room for the others. */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u64);
} cg_budget SEC(".maps");

/* Ring buffer; max_entries is set by the agent before load (power of two, page multiple). */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

/* Bytes this CPU sent since it last woke the ring's reader (base.bpf.h emit__output_flags). */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} rb_unwoken SEC(".maps");

/* Per-CPU working memory: the event being built and the buffer the path is walked into.
 * Programs never sleep and never nest on one CPU for these hooks (tracepoints run with
 * preemption disabled), so one slot per CPU is enough. */
#define C2D_HEAD_WIN 128 /* bytes read at once from the start of a struct file or inode */

struct c2d_scratch {
	struct c2d_syscall_event ev;
	char data[C2D_DATA_MAX + C2D_PATH_MAX]; /* must follow ev: output sends ev+data */
	char pbuf[2 * C2D_PATH_MAX];		/* reverse walk in [0, PATH_MAX), user tail after */
	struct c2d_lpm_key key;
	__u8 key_slack[2 * C2D_COMP_MAX]; /* lets masked copies near the end stay in bounds */
	__u16 comp_off[4];		  /* offsets in pbuf of the last 4 components, leaf first */
	__u16 comp_len[4];
	__u32 ncomp;
	__u32 end;		  /* offset in pbuf of the path's terminating NUL */
	__u16 flags;		  /* C2D_F_* gathered while building the path */
	__u16 nslash;		  /* slashes seen in a caller's tail (path__scan_tail) */
	__u16 slash[4];		  /* ring of their positions */
	__u32 scan_len;
	/* The path's first two components (offset, length in pbuf), noted by the walk for the
	 * gates of the exact/prefix tries (c2d_gates); gate_ok: pbuf holds a whole walked path
	 * they describe (set by file__walk, cleared by every reset, walk and join). */
	__u16 top_off[2];
	__u16 top_len[2];
	__u8 ntop;
	__u8 gate_ok;
	__u16 pad3;
	struct c2d_rule_val rule; /* the rule a matcher found */
	__u32 pad4;
	/* name-based calls (names.bpf.c): this call's entry copy, and the best rule found over
	 * all versions of its names */
	struct c2d_entry_args entry;
	char entry_slack[2 * C2D_ENTRY_STR_MAX]; /* lets masked copies of entry.str[1] stay in bounds */
	struct c2d_rule_val hit;
	__u8 hit_kind;	/* enum c2d_kind of hit (0: none yet) */
	__u8 entry_ok;	/* entry holds this call's copy */
	__u8 differs;	/* bit i: argument i read at exit is not what it was at entry */
	__u8 pad5;
	__u32 pad6;
	struct c2d_fold_key fold_key; /* the finding being sent (fold.bpf.c) */
	__u32 fold_taken;	      /* pending taken from its entry: given back if not sent */
	__u32 fold_state;	      /* enum c2d_fold_state */
	/* Directory identity checked during the path walk of an opened file (c2d_match_ids):
	 * the rule kinds it looks dir_ids up for (0: none), what it found, and the dentry where
	 * the walk left the file's filesystem below its root (a bind mount's root, the process's
	 * root), from which the identity walk goes on alone. */
	__u32 id_kinds;
	__u32 id_hit;
	__u64 id_resume;
	struct c2d_rule_val id_rule;
	__u32 pad7;
	/* What the judgement of an opened file reads of its struct file and inode, each read in
	 * loads through BTF, or one helper call into win (path.bpf.c); `file` says whose it is (0 after a reset). */
	struct c2d_file_head {
		__u64 file;
		__u64 dentry, mnt, inode;
		__u32 mode, flags;
	} fh;
	/* The file c2d_path_of_file last walked when its mount is the task's root mount and
	 * mounts its filesystem's root: its path from that root is the walked path (0: none). */
	__u64 fs_whole;
	/* Kernel pointers loaded through BTF (path.bpf.c), stored here and read back as numbers:
	 * what a global function may be handed, and what keeps the walk's loop state as plain
	 * scalars for the verifier (typed pointers there cost it a third more work). */
	__u64 num[4];
	__u8 win[C2D_HEAD_WIN];
	/* The prewalk of an opened file (c2d_open_prefilter): the components the gates judge by,
	 * slot C2D_PRE_LEAF, _PARENT, _TOP0 (the path's first), _TOP1 (its second): the dentry
	 * and name pointer while walking, then the name as c2d_gate_hash() takes it. */
	__u64 pre_d[4];
	__u64 pre_name[4];
	__u64 pre_head[4];
	__u64 pre_tail[4];
	__u32 pre_len[4];
	__u32 pre_n, pre_room;
	__s32 pre_got; /* what the last prewalk found: its components, or -1 */
	__u32 pad8;
	/* c2d_path_walk's loop state, carried in memory from one level to the next: the verifier
	 * tracks no map contents, so every level starts from the same state and is verified once
	 * instead of once per path length seen so far */
	__s32 w_off;	  /* where the path built so far starts in pbuf */
	__u32 w_same_fs; /* still inside the opened file's filesystem */
};

#define C2D_PRE_LEAF 0
#define C2D_PRE_PARENT 1
#define C2D_PRE_TOP0 2
#define C2D_PRE_TOP1 3

/* Exec records are built here (the exe path is walked in c2d_scratch.pbuf first). */
struct c2d_proc_scratch {
	struct c2d_exec_event ev;
	char data[C2D_PATH_MAX + C2D_ARGS_MAX + C2D_CG_DEPTH * (C2D_CG_NAME_MAX + 1)];
};

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct c2d_scratch);
} scratch SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct c2d_proc_scratch);
} proc_scratch SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct c2d_stats);
} stats SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, C2D_POLICY_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct c2d_lpm_key);
	__type(value, struct c2d_rule_val);
} prefix_trie SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, C2D_POLICY_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct c2d_lpm_key);
	__type(value, struct c2d_rule_val);
} suffix_trie SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, C2D_POLICY_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct c2d_lpm_key);
	__type(value, struct c2d_rule_val);
} dir_trie SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, C2D_POLICY_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct c2d_lpm_key);
	__type(value, struct c2d_rule_val);
} storage_trie SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, C2D_SYS_MAX);
	__type(key, __u32);
	__type(value, struct c2d_sys_rule);
} sys_rules SEC(".maps");

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct c2d_addr_key);
	__type(value, struct c2d_rule_val);
} meta_addrs SEC(".maps");

/*
 * cgroup ids an exec has been seen in (written by c2d_exec, read by nobody else). The first
 * exec in a cgroup wakes the reader at once instead of waiting for its drain timer: the agent
 * turns a cgroup id into a path (and so a container id) through the cgroup's directory, which
 * runc removes as soon as a short-lived container exits — a `cat` container can be gone in a
 * few ms. LRU: an evicted id only costs one more early wakeup.
 */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, __u64);
	__type(value, __u8);
} exec_cgroups SEC(".maps");

/* Files by identity (c2d_file_id): credential rules' files, resolved on the host by the agent
 * and kept current; hard links into production storage, learnt when they are made. */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct c2d_file_id);
	__type(value, struct c2d_rule_val);
} file_ids SEC(".maps");

/* Directories of directory rules (credential prefixes, storage paths) by identity: a file
 * below one of them matches under any name (bind mount, hostPath volume, other mount). */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct c2d_file_id);
	__type(value, struct c2d_rule_val);
} dir_ids SEC(".maps");

/* Container-runtime executables on the host (runc, crun, containerd, shims, kubelet). */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct c2d_file_id);
	__type(value, __u8);
} runtime_ids SEC(".maps");

/* Processes (tgid) running a runtime binary, or forked from one without an exec since. */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u64); /* the process's start time: a reused tgid is not the runtime */
} runtime_tasks SEC(".maps");

/* Identical findings within the fold window (struct c2d_fold_key → c2d_fold_val). */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct c2d_fold_key);
	__type(value, struct c2d_fold_val);
} fold SEC(".maps");

/* Name-based arguments as read at syscall entry, per thread (compared at exit). Task storage:
 * one slot per thread, allocated at its first such call and freed with it, written in place:
 * no eviction another workload could force, no reused thread id, no copy into a hash. */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct c2d_entry_args);
} entry_args SEC(".maps");

/* A finding of a name-based io_uring operation (rename, unlink, link), judged when the request
 * was submitted (the kernel's copies of the names die when the operation runs) and sent when it
 * completes, with the result. Two paths at most: C2D_PATH_MAX - 1 bytes each. */
struct c2d_uring_pending {
	struct c2d_syscall_event ev;
	char data[2 * C2D_PATH_MAX];
};

/* Keyed by the request (struct io_kiocb *): a request is reused only after its completion,
 * which deletes its entry. Not LRU: a batch of more findings than fit must not evict the
 * oldest; when full, a finding is sent at once without its result (uring__hold). */
C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct c2d_uring_pending);
} uring_pending SEC(".maps");

/* A CQE that does not fit the CQ ring goes to the overflow list without io_uring_complete;
 * its tracepoint (io_uring_cqe_overflow) names the ring and user_data, not the request: this
 * finds the request of a watched op (its user_data is checked against the request's). */
struct c2d_uring_ud {
	__u64 ring; /* struct io_ring_ctx * */
	__u64 user_data;
};

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct c2d_uring_ud);
	__type(value, __u64); /* struct io_kiocb * */
} uring_reqs SEC(".maps");

/* The caller's credentials at sys_enter of a setuid-family call or capset (priv.bpf.c), for the
 * exit program to report before and after as the kernel changed them. v[]: uid | euid << 32,
 * suid | fsuid << 32 (gid family alike); capset: cap_effective, cap_permitted. Not ABI. */
struct c2d_cred_snap {
	__u64 v[2];
	__u16 sys;
	__u16 pad[3];
};

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct c2d_cred_snap);
} cred_before SEC(".maps");

/* The caller's namespaces at sys_enter of unshare or setns (bpf/lib/ns.bpf.h): pointers only,
 * compared with the namespaces at sys_exit. Not ABI. */
struct c2d_ns_snap {
	__u64 p[8];
};

struct c2d_ns_before {
	struct c2d_ns_snap ns;
	__u16 sys;
	__u16 pad[3];
};

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct c2d_ns_before);
} ns_before SEC(".maps");

/*
 * One connect() in flight, per thread (net.bpf.c): its arguments and the sockaddr as read at
 * entry, and what the kernel did with it as the TCP state program saw it (the socket entering
 * SYN_SENT and its destination). Kernel-only, not part of the ABI.
 */
struct c2d_conn_entry {
	__u64 fd;
	__u64 uaddr;
	__u64 alen;
	__u64 syn_sk;		     /* the socket that entered SYN_SENT during this call (0: none) */
	struct c2d_addr_key key;     /* the sockaddr at entry (valid when key_ok) */
	struct c2d_addr_key syn_key; /* the destination the kernel used (valid when syn_sk) */
	__u16 port;
	__u16 syn_port;
	__u8 key_ok;
	__u8 pad[3];
};

C2D_MAP struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct c2d_conn_entry);
} conn_entry SEC(".maps");

#endif /* C2D_MAPS_BPF_H */

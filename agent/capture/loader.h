/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h - open, configure, load and attach the BPF object; fill the policy maps; read the
 * kernel's loss counters. Knobs before load (rodata, ring size, autoload), policy after.
 */
#ifndef C2D_LOADER_H
#define C2D_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "c2d_abi.h"
#include "policy.h"
#include "probe.h"

struct c2d_bpf;
struct bpf_link;

struct c2d_loader {
	struct c2d_bpf *skel;
	struct bpf_link *links[2 * C2D_SYS_MAX + 16]; /* exit and entry programs, and the others */
	int nlinks;
	int n_sys_attached;
	bool tcp_state; /* TCP active opens judged on the socket (tp_btf/inet_sock_set_state) */
	char skipped[512]; /* watched by no enabled rule: not attached */
	const char *uring; /* what the io_uring hooks do, for the start-up log */
	const char *compat; /* what is done about 32-bit syscalls, for the start-up log */
	bool fold;	   /* identical findings are folded (--fold-window) */
};

/* Sizes and budgets fixed at load time. */
struct loader_opts {
	uint64_t ringbuf_bytes;
	uint64_t container_rate;  /* findings per second per cgroup; 0: no limit */
	uint64_t container_burst; /* findings a cgroup may send at once above its rate */
	bool watch_compat;	  /* load compat.bpf.c (--watch-compat-syscalls) */
	uint64_t fold_window_ns;  /* fold identical findings within this window; 0: off */
	bool probe_reads;	  /* the object built with C2D_PROBE_READS (no BTF loads) */
};

int loader_load(struct c2d_loader *l, const struct c2d_hook_plan *plan,
		const struct c2d_policy *p, const struct loader_opts *lo, char *err,
		size_t errlen);
int loader_fill_policy(struct c2d_loader *l, const struct c2d_policy *p, char *err, size_t errlen);

/* The policy maps of a loaded object, by fd: the agent's own, or the kernel-side tests'
 * object (tests/bpf/), which links the same matchers. */
struct loader_policy_maps {
	int prefix_trie, suffix_trie, dir_trie, storage_trie, meta_addrs, sys_rules;
};

/* Fill the maps from p. *flags gets the C2D_POL_* switches, for the caller to publish only
 * once every map is complete. loader_fill_policy() is this on the agent's skeleton. */
int loader_fill_policy_maps(const struct loader_policy_maps *m, const struct c2d_policy *p,
			    uint32_t *flags, char *err, size_t errlen);
int loader_attach(struct c2d_loader *l, char *err, size_t errlen);
int loader_ringbuf_fd(const struct c2d_loader *l);
/* Send what is folded in the kernel on keys idle for a window (all: every key, at stop) as
 * C2D_EV_FOLD records, read from the ring buffer like the others. Returns the records sent,
 * or -errno. */
int loader_fold_sweep(struct c2d_loader *l, bool all);
/* The identity maps (file_ids, dir_ids), the programs' policy switches and identity gate, for
 * file_ids.c, which fills them after loader_fill_policy and keeps them current. */
void loader_ids_maps(const struct c2d_loader *l, int *file_fd, int *dir_fd,
		     volatile uint32_t **policy_flags, volatile uint64_t **id_gate);
/* runtime_ids := ids (stale entries removed); C2D_POL_RUNTIME on when there are any. */
struct runtime_ids;
int loader_runtime_sync(struct c2d_loader *l, const struct runtime_ids *ids);
/* A process already running a runtime binary (runtime_ids_running's callback; l is arg). */
int loader_runtime_mark(void *l, uint32_t tgid, uint64_t start_ns);
/* The host's mount namespace inode (c2d_host_mntns): runtime execs count only there. */
void loader_set_host_mntns(struct c2d_loader *l, uint32_t inum);
/* Sum the per-CPU counters. */
int loader_read_stats(const struct c2d_loader *l, struct c2d_stats *sum);
void loader_close(struct c2d_loader *l);

#endif

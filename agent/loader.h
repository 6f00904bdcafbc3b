/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * loader.h - open, configure, load and attach the BPF object; fill the policy maps; read the
 * kernel's loss counters. Knobs before load (rodata, ring size, autoload), policy after.
 */
#ifndef C2D_LOADER_H
#define C2D_LOADER_H

#include <stdint.h>

#include "c2d_abi.h"
#include "policy.h"
#include "probe.h"

struct c2d_bpf;
struct bpf_link;

struct c2d_loader {
	struct c2d_bpf *skel;
	struct bpf_link *links[C2D_SYS_MAX + 4];
	int nlinks;
	int n_sys_attached;
	char skipped[512]; /* watched by no enabled rule: not attached */
};

/* Sizes and budgets fixed at load time. */
struct loader_opts {
	uint64_t ringbuf_bytes;
	uint64_t container_rate;  /* findings per second per cgroup; 0: no limit */
	uint64_t container_burst; /* findings a cgroup may send at once above its rate */
};

int loader_load(struct c2d_loader *l, const struct c2d_hook_plan *plan,
		const struct c2d_policy *p, const struct loader_opts *lo, char *err,
		size_t errlen);
int loader_fill_policy(struct c2d_loader *l, const struct c2d_policy *p, char *err, size_t errlen);
int loader_attach(struct c2d_loader *l, char *err, size_t errlen);
int loader_ringbuf_fd(const struct c2d_loader *l);
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

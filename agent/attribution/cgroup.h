/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cgroup.h - cgroup v2 id (what bpf_get_current_cgroup_id() gives) → cgroup path → container.
 * The id is the cgroupfs inode: open_by_handle_at() turns it into the directory without a
 * walk; /proc/<pid>/cgroup is the fallback. Results, negative ones included, are cached in a
 * bounded direct-mapped table (an id is never reused while the host runs).
 */
#ifndef C2D_CGROUP_H
#define C2D_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "container_id.h"

#define C2D_CGROUP_PATH_MAX 512

struct cgroup_info {
	uint64_t id;	   /* cgroup v2 id, or the pid for per-process entries */
	uint64_t start_ns; /* per-process entries: the process start (pid reuse) */
	bool is_container;
	bool per_process; /* the v2 root: whose it is depends on the process (v1/hybrid) */
	struct container_ref ref;
	char path[C2D_CGROUP_PATH_MAX];
};

struct cgroup_cache;

/* root: the cgroup2 mount, or NULL to find it in /proc/self/mountinfo; proc_root for the
 * per-process fallback. */
struct cgroup_cache *cgroup_cache_new(unsigned slots, const char *root, const char *proc_root);
void cgroup_cache_free(struct cgroup_cache *cc);
/* The cgroup of an event. When the v2 id says nothing (the v2 root on a cgroup v1 or hybrid
 * host), the process (pid, start time) is resolved through /proc and cached. NULL if
 * unknown. */
const struct cgroup_info *cgroup_resolve(struct cgroup_cache *cc, uint64_t id, uint32_t pid,
					 uint64_t start_ns);
/* The first exec in cgroup id named it and its ancestors (names[0] the leaf; from the
 * kernel). Resolve it now: by the id while the cgroup exists (the full path), else from the
 * names, so that a container whose cgroup is removed before its findings are read still has
 * its container id. Nothing if the id is cached already. */
void cgroup_note(struct cgroup_cache *cc, uint64_t id, const char *const *names, int n);

#endif

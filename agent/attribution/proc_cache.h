/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_cache.h - what the agent knows of each process (by tgid): parent, credentials, comm,
 * executable, arguments, start time. Kept by exec/fork/exit events, seeded from /proc, bounded
 * in entries and in bytes; least recently used entries go first.
 */
#ifndef C2D_PROC_CACHE_H
#define C2D_PROC_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define C2D_PROC_EXE_MAX 1024  /* bytes of executable path kept */
#define C2D_PROC_ARGS_MAX 1024 /* bytes of (redacted) argv kept, NUL separated */

struct proc_entry {
	uint32_t tgid;
	uint32_t ppid;
	uint32_t uid, euid, gid;
	uint64_t start_ns; /* boot-time ns */
	uint64_t cgroup_id;
	char comm[16];
	char *exe;	    /* NULL if unknown */
	char *args;	    /* NUL-separated, args_len bytes */
	uint32_t args_len;
	bool args_truncated;
	bool exited;
	/* private */
	struct proc_entry *hnext;
	struct proc_entry *lprev, *lnext;
};

struct proc_cache;

struct proc_cache_stats {
	uint64_t entries, bytes, hits, misses, evictions;
};

struct proc_cache *proc_cache_new(size_t max_entries, size_t max_bytes);
void proc_cache_free(struct proc_cache *pc);
/* Look up (and mark as recently used); NULL if absent. */
struct proc_entry *proc_cache_get(struct proc_cache *pc, uint32_t tgid);
/* Get or create; a new entry is zeroed but for tgid. NULL only on allocation failure. */
struct proc_entry *proc_cache_upsert(struct proc_cache *pc, uint32_t tgid);
/* Replace the executable and arguments (bounded copies). */
void proc_cache_set_exec(struct proc_cache *pc, struct proc_entry *e, const char *exe,
			 const char *args, size_t args_len, bool truncated);
/* Mark exited: kept for late events until evicted or the pid is reused. */
void proc_cache_mark_exited(struct proc_cache *pc, uint32_t tgid);
void proc_cache_remove(struct proc_cache *pc, uint32_t tgid);
void proc_cache_get_stats(const struct proc_cache *pc, struct proc_cache_stats *st);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* procfs.h - read what the kernel events did not tell us from /proc (seeding, cache misses). */
#ifndef C2D_PROCFS_H
#define C2D_PROCFS_H

#include <stdint.h>

#include "proc_cache.h"

/* Fill the cache from /proc; returns the number of processes read. */
int procfs_seed(struct proc_cache *pc, const char *proc_root);
/* Read one process into the cache; returns its entry or NULL if it is gone. */
struct proc_entry *procfs_read(struct proc_cache *pc, const char *proc_root, uint32_t tgid);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * meta_env.h - what the metadata cache reads from the host: the provenance a container's
 * process carries in its environment (/proc/<pid>/environ, allowlisted names only). These are
 * procfs reads, slow next to a table look-up: callers make them without the cache's lock and
 * publish the result under it (meta_cache.c says where).
 */
#ifndef C2D_META_ENV_H
#define C2D_META_ENV_H

#include <stdint.h>

#include "provenance.h"

/* Fill the fields of *p still unknown from the environment of process pid under proc_root
 * ("/proc"); the bytes read are wiped. Returns the fields filled: 0 when pid is 0, the process
 * is gone or unreadable, or its environment names nothing allowlisted. */
int meta_env_provenance(const char *proc_root, uint32_t pid, struct provenance *p);

/* Copy into dst the fields src knows and dst does not (value and source), which is what
 * meta_env_provenance() on dst would have filled, had src been read from the same environment
 * into an empty provenance. Returns how many. */
int meta_env_merge(struct provenance *dst, const struct provenance *src);

#endif

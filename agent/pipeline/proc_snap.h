/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * proc_snap.h - what a finding shows of its process (executable, arguments) and of its parent
 * (comm, executable), copied out of the cache by the pipeline's enrichment (enrich.h) before
 * rendering. A finding held back for its container's record keeps its copy after the record
 * (deferred.h) and is rendered from it at release, not from the cache's entry of that time,
 * which an exec of the same process (same pid, same start) may have replaced meanwhile: the
 * reader is the image that read, not the one it became. At most PROC_SNAP_MAX bytes.
 */
#ifndef C2D_PROC_SNAP_H
#define C2D_PROC_SNAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc_cache.h"

/* A view: pointers into a serialized snapshot. */
struct proc_snap {
	const char *exe;  /* NULL: unknown */
	const char *args; /* NUL-separated, args_len bytes; NULL: unknown */
	uint32_t args_len;
	bool args_truncated;
	bool parent; /* the parent was known: its comm, and executable if known */
	const char *parent_comm;
	const char *parent_exe;
};

#define PROC_SNAP_HDR 24
#define PROC_SNAP_MAX (PROC_SNAP_HDR + 2 * C2D_PROC_EXE_MAX + C2D_PROC_ARGS_MAX)


/* Serialize: the process's part from e (NULL: unknown) into buf (PROC_SNAP_MAX bytes), then its
 * parent's from p (NULL: unknown) after those n bytes. Two calls: looking the parent up may evict e. Each
 * returns the length so far. */
size_t proc_snap_put_self(unsigned char *buf, const struct proc_entry *e);
size_t proc_snap_put_parent(unsigned char *buf, size_t n, const struct proc_entry *p);

/* The view of a serialized snapshot (pointers into buf). 0, or -EINVAL if malformed. */
int proc_snap_get(const unsigned char *buf, size_t len, struct proc_snap *s);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * enrich.h - the pipeline's look-ups for a finding, before rendering (render.c reads none):
 * its process and parent by (tgid, start time), from the cache or /proc.
 */
#ifndef C2D_ENRICH_H
#define C2D_ENRICH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc_snap.h"
#include "render.h"

/* The cache's entry of process (tgid, start_ns) (0: any), read from /proc when the cache has
 * none or another holder of the pid; and of h's parent. NULL: not known. Valid until the cache
 * next changes. */
struct proc_entry *enrich_lookup_process(struct render_ctx *ctx, uint32_t tgid, uint64_t start_ns);
struct proc_entry *enrich_lookup_parent(struct render_ctx *ctx, const struct c2d_event_hdr *h);

/* The process of h and its parent, serialized into buf (PROC_SNAP_MAX bytes) for
 * proc_snap_get(). Returns the length; 0 when the process itself is not known and need_self
 * (a held-back finding then looks it up again at release). */
size_t enrich_process(struct render_ctx *ctx, const struct c2d_event_hdr *h, unsigned char *buf,
		      bool need_self);

#endif

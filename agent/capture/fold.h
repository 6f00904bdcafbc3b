/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fold.h - the agent's half of folding (bpf/fold.bpf.c). The kernel sends the first finding of
 * a key, then only counts identical ones; what it counted with no later event to carry it
 * comes back as a C2D_EV_FOLD record naming the event that opened the window (cgroup, time,
 * rule, syscall). This cache keeps the records that went out, least recently used first out,
 * bounded in count and bytes, so that the summary is rendered as that finding again, with
 * count and first/last time. A record no longer here is a miss (counted): the summary still
 * goes out, bare (rule, syscall, container), never dropped.
 */
#ifndef C2D_FOLD_H
#define C2D_FOLD_H

#include <stddef.h>
#include <stdint.h>

#include "c2d_abi.h"

#define FOLD_CACHE_RECORDS 1024
#define FOLD_CACHE_BYTES (1u << 20)
/* A summary record: the event and its strings. */
#define FOLD_SUMMARY_MAX (sizeof(struct c2d_syscall_event) + C2D_DATA_MAX)

struct fold_cache_stats {
	uint64_t stored;  /* records kept */
	uint64_t hits;	  /* summaries rendered as their finding */
	uint64_t misses;  /* summaries whose finding was no longer kept: sent bare */
	uint64_t evicted; /* records dropped for room */
	uint64_t entries, bytes;
};

struct fold_cache;

struct fold_cache *fold_cache_new(size_t max_records, size_t max_bytes);
void fold_cache_free(struct fold_cache *c);
/* Keep a copy of a finding that went out (len: its record's size). 0 or -errno. */
int fold_cache_put(struct fold_cache *c, const struct c2d_syscall_event *ev, size_t len);
/*
 * Build the record fe stands for into out (cap bytes, at least FOLD_SUMMARY_MAX): the kept
 * finding with count, first_ns and time (the last one) from fe; without it (a miss), a bare
 * record of fe's rule, syscall and cgroup, kind left NONE for the caller to fill in.
 * Returns its length; *hit says which.
 */
long fold_cache_summary(struct fold_cache *c, const struct c2d_fold_event *fe, void *out,
			size_t cap, int *hit);
void fold_cache_get_stats(const struct fold_cache *c, struct fold_cache_stats *st);

#endif

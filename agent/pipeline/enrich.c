// SPDX-License-Identifier: BSD-2-Clause
/*
 * enrich.c - what a finding shows of its process, found before it is rendered: the process
 * cache's entry of (tgid, start time), else /proc; then its parent's. Copied out (proc_snap.h)
 * as soon as found: looking the parent up may read /proc and evict the process's own entry.
 */
#include "enrich.h"
#include "procfs.h"

/* /proc gives start times in clock ticks (USER_HZ, 100 on Linux): two starts within one tick
 * are the same as far as a /proc-seeded entry can tell. */
#define START_SLACK_NS (10 * 1000 * 1000ull)

/* Could entry e be the process that started at start_ns (0: not known)? A pid is reused: an
 * entry of the previous holder of the pid started at another time. */
static bool same_start(const struct proc_entry *e, uint64_t start_ns)
{
	uint64_t a = e->start_ns, b = start_ns;

	return !a || !b || (a > b ? a - b : b - a) < START_SLACK_NS;
}

/* The process tgid that started at start_ns (0: any): the cache's entry unless it is another
 * process's that held the pid before; then /proc (which replaces it), if the process is still
 * there and is that one. NULL: not known — nothing of another process is rendered as its. */
struct proc_entry *enrich_lookup_process(struct render_ctx *ctx, uint32_t tgid, uint64_t start_ns)
{
	struct proc_entry *e = proc_cache_get(ctx->pc, tgid);

	if ((!e || !same_start(e, start_ns)) && ctx->proc_root)
		e = procfs_read(ctx->pc, ctx->proc_root, tgid);
	return e && same_start(e, start_ns) ? e : NULL;
}

/* The parent: an entry of the pid that started after the child is a later holder of the pid
 * (a parent starts before its children), not the parent. */
struct proc_entry *enrich_lookup_parent(struct render_ctx *ctx, const struct c2d_event_hdr *h)
{
	struct proc_entry *p = h->ppid ? enrich_lookup_process(ctx, h->ppid, 0) : NULL;

	if (p && p->start_ns && h->start_ns && p->start_ns > h->start_ns + START_SLACK_NS)
		return NULL;
	return p;
}

size_t enrich_process(struct render_ctx *ctx, const struct c2d_event_hdr *h, unsigned char *buf,
		      bool need_self)
{
	const struct proc_entry *e = enrich_lookup_process(ctx, h->tgid, h->start_ns);

	if (!e && need_self)
		return 0;
	return proc_snap_put_parent(buf, proc_snap_put_self(buf, e), enrich_lookup_parent(ctx, h));
}

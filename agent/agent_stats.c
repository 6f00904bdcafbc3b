// SPDX-License-Identifier: BSD-2-Clause
/*
 * agent_stats.c - losses, stats and metrics snapshots: what the agent says about its own
 * counters, in the "stats:" log lines, in agent_gap events and on /metrics (METRICS.md).
 * Called from the ring-buffer loop, the thread that owns the pipeline's counters; the other
 * parts are read through their own *_get_stats.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "agent.h"
#include "agent_stats.h"
#include "file_ids.h"
#include "gitops.h"
#include "k8s.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "runtime_events.h"
#include "ship.h"
#include "version.h"

static void log_meta_stats(const struct agent *a)
{
	const struct pipeline *pl = &a->pl;
	struct meta_cache_stats ms;

	if (!pl->meta)
		return;
	meta_cache_get_stats(pl->meta, &ms);
	log_info("stats: containers resolved=%llu failed=%llu queue_full=%llu cache hits=%llu "
		 "misses=%llu; task starts seen=%llu; findings deferred=%llu defer_full=%llu",
		 (unsigned long long)ms.resolved, (unsigned long long)ms.failures,
		 (unsigned long long)ms.queue_full, (unsigned long long)ms.hits,
		 (unsigned long long)ms.misses, (unsigned long long)runtime_events_seen(a->events),
		 (unsigned long long)pl->st.deferred, (unsigned long long)pl->st.defer_full);
	if (a->k8s) {
		struct k8s_stats ks;

		k8s_get_stats(a->k8s, &ks);
		log_info("stats: kubernetes lists=%llu watches=%llu events=%llu errors=%llu",
			 (unsigned long long)ks.lists, (unsigned long long)ks.watches,
			 (unsigned long long)ks.events, (unsigned long long)ks.errors);
	}
}

static void log_ids_stats(const struct agent *a)
{
	const struct pipeline *pl = &a->pl;
	struct file_ids_stats fs;

	if (!a->ids)
		return;
	file_ids_get_stats(a->ids, &fs);
	log_info("stats: file ids files=%llu dirs=%llu refreshes=%llu scanned=%llu map_full=%llu "
		 "learnt=%llu; host paths mountinfo_reloads=%llu unresolved=%llu",
		 (unsigned long long)fs.files, (unsigned long long)fs.dirs,
		 (unsigned long long)fs.refreshes, (unsigned long long)fs.scanned,
		 (unsigned long long)fs.map_full, (unsigned long long)fs.learnt,
		 (unsigned long long)pl->hp.reloads, (unsigned long long)pl->hp.misses);
}

void agent_log_stats(const struct agent *a)
{
	const struct pipeline *pl = &a->pl;
	struct proc_cache_stats pcs;
	struct c2d_stats k;

	log_meta_stats(a);
	log_ids_stats(a);
	ship_log_stats(a->ship);
	if (loader_read_stats(&a->l, &k) < 0)
		return;
	proc_cache_get_stats(pl->rctx.pc, &pcs);
	log_info("stats: findings credential_read=%llu privileged_call=%llu storage_write=%llu "
		 "metadata_access=%llu; kernel drops ringbuf=%llu proc_ringbuf=%llu "
		 "path_truncated=%llu str_truncated=%llu rate_limited=%llu; folded=%llu "
		 "(summaries=%llu bare=%llu unmatched=%llu); user filtered=%llu "
		 "runtime_calls=%llu "
		 "decode_errors=%llu; container_start=%llu; proc cache entries=%llu evictions=%llu",
		 (unsigned long long)k.events[C2D_KIND_CREDENTIAL_READ],
		 (unsigned long long)k.events[C2D_KIND_PRIVILEGED_CALL],
		 (unsigned long long)k.events[C2D_KIND_STORAGE_WRITE],
		 (unsigned long long)k.events[C2D_KIND_METADATA_ACCESS],
		 (unsigned long long)k.drop_ringbuf, (unsigned long long)k.drop_proc_ringbuf,
		 (unsigned long long)k.path_truncated, (unsigned long long)k.str_truncated,
		 (unsigned long long)k.rate_limited, (unsigned long long)k.folded,
		 (unsigned long long)pl->st.fold_summaries, (unsigned long long)pl->st.fold_bare,
		 (unsigned long long)pl->st.fold_unmatched,
		 (unsigned long long)pl->st.user_filtered,
		 (unsigned long long)pl->st.runtime_filtered,
		 (unsigned long long)pl->st.decode_errors,
		 (unsigned long long)pl->st.container_starts,
		 (unsigned long long)pcs.entries, (unsigned long long)pcs.evictions);
}

static int emit_gap(void *arg, const char *line, size_t len, uint64_t seq)
{
	struct pipeline *pl = arg;
	int rc = pipeline_emit(pl, (long)len, seq); /* line is pl->buf */

	if (rc == 0)
		pl->st.gap_events++;
	return rc;
}

/* Kernel counters that are losses, and the gap reason each is reported under. */
static const struct {
	size_t off; /* in struct c2d_stats */
	enum gap_reason reason;
} kernel_losses[] = {
	{offsetof(struct c2d_stats, drop_ringbuf), GAP_KERNEL_RING_FULL},
	{offsetof(struct c2d_stats, rate_limited), GAP_RATE_LIMITED},
};

_Static_assert(sizeof(kernel_losses) / sizeof(kernel_losses[0]) == AGENT_KERNEL_LOSSES,
	       "struct agent_stats keeps one value per kernel loss");

void agent_report_gaps(struct agent *a, const struct c2d_stats *k)
{
	uint64_t *seen = a->stats.kernel_seen;
	struct pipeline *pl = &a->pl;

	if (!a->ship)
		return;
	for (size_t i = 0; k && i < AGENT_KERNEL_LOSSES; i++) {
		uint64_t v = *(const uint64_t *)((const char *)k + kernel_losses[i].off);

		if (v > seen[i]) {
			gap_count(&a->gap, kernel_losses[i].reason, v - seen[i], 0);
			seen[i] = v;
		}
	}
	gap_poll(&a->gap, &pl->rctx, &pl->event_ids, gap_now_ns(), pl->buf, sizeof(pl->buf) - 1, emit_gap,
		 pl);
}

/* The snapshots are taken here, on the loop's thread that owns the counters; the endpoint's
 * thread only ever sees finished text. */
void agent_publish_metrics(struct agent *a, const struct c2d_stats *k)
{
	const struct pipeline *pl = &a->pl;
	char *text = a->stats.text;
	struct proc_cache_stats pcs;
	struct meta_cache_stats ms;
	struct k8s_stats ks;
	struct gitops_stats gs;
	struct ship_stats ss;
	struct spool_stats sps;
	uint64_t lost[GAP_NREASONS];
	struct agent_metrics_in in = {.version = C2D_VERSION, .hook_mode = "tracepoint",
				      .kernel = k, .pipeline = &pl->st, .proc_cache = &pcs,
				      .lost = lost, .start_time_s = (uint64_t)a->start_time};
	long n;

	if (!a->metrics)
		return;
	proc_cache_get_stats(pl->rctx.pc, &pcs);
	if (pl->meta) {
		meta_cache_get_stats(pl->meta, &ms);
		in.meta_cache = &ms;
		in.runtime_task_starts = runtime_events_seen(a->events);
	}
	if (a->k8s) {
		k8s_get_stats(a->k8s, &ks);
		in.k8s = &ks;
	}
	if (a->gitops) {
		gitops_get_stats(a->gitops, &gs);
		in.gitops = &gs;
	}
	if (a->ship) {
		ship_get_stats(a->ship, &ss);
		ship_get_spool_stats(a->ship, &sps);
		in.ship = &ss;
		in.spool = &sps;
	}
	for (int r = 0; r < GAP_NREASONS; r++)
		lost[r] = atomic_load(&a->gap.lost[r]);
	n = agent_metrics_render(text, sizeof(a->stats.text), &in);
	if (n == -ENOSPC)
		n = (long)strlen(text); /* whole lines that fit: still worth serving */
	metrics_http_publish(a->metrics, text, (size_t)n);
}

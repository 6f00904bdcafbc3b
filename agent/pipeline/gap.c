// SPDX-License-Identifier: BSD-2-Clause
/* gap.c - see gap.h. */
#include <errno.h>
#include <time.h>

#include "gap.h"
#include "jsonw.h"

const char *gap_reason_name(enum gap_reason r)
{
	static const char *const names[GAP_NREASONS] = {"queue_full", "spool_full",
							 "kernel_ring_full", "rate_limited",
							 "agent_restart"};

	return r < GAP_NREASONS ? names[r] : "unknown";
}

uint64_t gap_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void gap_count(struct gap *g, enum gap_reason r, uint64_t n, uint64_t when_ns)
{
	uint64_t zero = 0;

	if (!n)
		return;
	if (!when_ns)
		when_ns = gap_now_ns();
	atomic_fetch_add(&g->lost[r], n);
	atomic_compare_exchange_strong(&g->first_ns[r], &zero, when_ns);
	atomic_store(&g->last_ns[r], when_ns);
}

static void time_str(char *out, size_t cap, uint64_t ns)
{
	render_time(out, cap, ns, 0); /* wall-clock ns: no boot-time offset */
}

long gap_render(char *buf, size_t cap, const struct render_ctx *ctx, const char *id,
		enum gap_reason r, uint64_t lost, uint64_t total, uint64_t start_ns,
		uint64_t end_ns, uint64_t now_ns)
{
	char ts[48];
	struct jw w;

	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	time_str(ts, sizeof(ts), now_ns);
	render_envelope(&w, id, ts, "agent_gap", NULL, "high");
	render_node(&w, ctx);
	jw_key(&w, "gap");
	jw_obj_begin(&w);
	jw_kv_str(&w, "reason", gap_reason_name(r));
	jw_kv_u64(&w, "lost", lost);
	jw_kv_u64(&w, "lost_total", total);
	time_str(ts, sizeof(ts), start_ns);
	jw_kv_str(&w, "start", ts);
	time_str(ts, sizeof(ts), end_ns);
	jw_kv_str(&w, "end", ts);
	jw_obj_end(&w);
	jw_obj_end(&w);
	return jw_finish(&w);
}

static void poll_one(struct gap *g, enum gap_reason r, const struct render_ctx *ctx,
		     struct event_ids *ids, uint64_t now_ns, char *buf, size_t cap, gap_emit_fn emit,
		     void *arg)
{
	uint64_t total = atomic_load(&g->lost[r]), first, last, seq;
	char id[EVENT_ID_SIZE];
	long n;

	if (total == g->reported[r] ||
	    (g->emitted_ns[r] && now_ns - g->emitted_ns[r] < GAP_INTERVAL_NS))
		return;
	first = atomic_load(&g->first_ns[r]);
	last = atomic_load(&g->last_ns[r]);
	seq = event_ids_next(ids, id);
	n = gap_render(buf, cap, ctx, id, r, total - g->reported[r], total, first ? first : now_ns,
		       last ? last : now_ns, now_ns);
	g->emitted_ns[r] = now_ns; /* a refused line waits for the next interval too */
	if (n < 0 || emit(arg, buf, (size_t)n, seq) < 0)
		return;
	g->reported[r] = total;
	/* losses counted after the load above keep their own start for the next event */
	atomic_compare_exchange_strong(&g->first_ns[r], &first, 0);
}

void gap_poll(struct gap *g, const struct render_ctx *ctx, struct event_ids *ids,
	      uint64_t now_ns, char *buf, size_t cap, gap_emit_fn emit, void *arg)
{
	for (int r = 0; r < GAP_NREASONS; r++)
		poll_one(g, (enum gap_reason)r, ctx, ids, now_ns, buf, cap, emit, arg);
}

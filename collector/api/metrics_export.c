// SPDX-License-Identifier: BSD-2-Clause
/* metrics_export.c - the collector's Prometheus text (metrics_export.h). */
#include <errno.h>

#include "metrics_export.h"
#include "prom.h"

#define N(x) "c2d_collector_" x

static uint64_t ld(const atomic_uint_fast64_t *a)
{
	return atomic_load(a);
}

static void ingest(struct prom *p, const struct collector_stats *s)
{
	prom_metric(p, N("http_requests_total"), "counter", "HTTP requests received.",
		    ld(&s->requests));
	prom_metric(p, N("ingest_batches_total"), "counter",
		    "Batches posted to /v1/events and stored (202).", ld(&s->batches));
	prom_family(p, N("http_rejected_total"), "counter",
		    "Requests refused, by reason (401, 404/405, 415, 413, 400, 503).");
	for (int c = 0; c < REJ__N; c++)
		prom_sample1(p, N("http_rejected_total"), "reason", stats_reject_name(c),
			     ld(&s->rejected[c]));
	prom_metric(p, N("events_stored_total"), "counter",
		    "Events written to the store (first copies only).", ld(&s->events));
	prom_metric(p, N("events_duplicate_total"), "counter",
		    "Events received again (a retried batch) and not stored twice.",
		    ld(&s->duplicates));
	prom_family(p, N("events_received_total"), "counter",
		    "Events of accepted batches, duplicates included, by kind.");
	for (int k = 0; k < IK__N; k++)
		prom_sample1(p, N("events_received_total"), "kind", stats_kind_name(k),
			     ld(&s->kinds[k]));
}

static void forwarders(struct prom *p, const struct collector_metrics_in *in)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{N("forwarder_queue_events"), "gauge",
		 "Stored events this forwarder has not yet delivered (at its last look)."},
		{N("forwarder_sent_events_total"), "counter",
		 "Events the backend acknowledged."},
		{N("forwarder_retries_total"), "counter", "Requests sent again after a failure."},
		{N("forwarder_failures_total"), "counter",
		 "Requests that failed (then retried, or refused for good)."},
		{N("forwarder_dropped_events_total"), "counter",
		 "Events the backend refused permanently, skipped and logged."},
	};

	if (!in->forwarders || !in->fwd_stats)
		return;
	for (size_t m = 0; m < sizeof(fam) / sizeof(fam[0]); m++) {
		const struct fwd_conf *c = in->forwarders;

		prom_family(p, fam[m].name, fam[m].type, fam[m].help);
		for (size_t i = 0; c; c = c->next, i++) {
			const struct fwd_stats *st = in->fwd_stats(in->fwd, i);
			const char *const l[] = {"forwarder", c->name, "type",
						 fwd_type_name(c->type), NULL};
			int_fast64_t q;
			uint64_t v;

			if (!st)
				break;
			switch (m) {
			case 0:
				q = atomic_load(&st->queue);
				v = q > 0 ? (uint64_t)q : 0;
				break;
			case 1: v = atomic_load(&st->sent); break;
			case 2: v = atomic_load(&st->retries); break;
			case 3: v = atomic_load(&st->failures); break;
			default: v = atomic_load(&st->dropped); break;
			}
			prom_sample(p, fam[m].name, l, v);
		}
	}
}

long collector_metrics_render(char *buf, size_t cap, const struct collector_metrics_in *in)
{
	const char *const info[] = {"version", in->version ? in->version : "unknown", NULL};
	struct prom p;

	prom_init(&p, buf, cap);
	prom_family(&p, N("build_info"), "gauge", "Always 1: the collector's version.");
	prom_sample(&p, N("build_info"), info, 1);
	prom_metric(&p, N("start_time_seconds"), "gauge",
		    "Start time of the collector, in seconds since the epoch.", in->start_time_s);
	if (in->stats)
		ingest(&p, in->stats);
	if (in->store_bytes)
		prom_metric(&p, N("store_bytes"), "gauge",
			    "Bytes the store's database takes (pages in use).", *in->store_bytes);
	if (in->clickhouse && in->stats) {
		const char *const ok[] = {"result", "ok", NULL}, *const failed[] = {"result",
										   "failed", NULL};

		prom_family(&p, N("clickhouse_inserts_total"), "counter",
			    "Batches inserted into the ClickHouse store, by outcome (a failure "
			    "answers 503: the agent retries).");
		prom_sample(&p, N("clickhouse_inserts_total"), ok, atomic_load(&in->stats->ch_inserts));
		prom_sample(&p, N("clickhouse_inserts_total"), failed,
			    atomic_load(&in->stats->ch_insert_failures));
	}
	forwarders(&p, in);
	return p.overflow ? -ENOSPC : (long)p.len;
}

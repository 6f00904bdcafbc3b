// SPDX-License-Identifier: BSD-2-Clause
/* metrics.c - the agent's Prometheus text (metrics.h). Names follow the Prometheus
 * conventions: c2d_agent_ prefix, _total on counters, base units (bytes, seconds). */
#include <errno.h>

#include "gap.h"
#include "metrics.h"
#include "policy.h"
#include "prom.h"

#define N(x) "c2d_agent_" x

static void kernel(struct prom *p, const struct c2d_stats *k)
{
	prom_family(p, N("kernel_findings_total"), "counter",
		    "Findings the kernel programs matched and sent to user space, by kind.");
	for (int i = 1; i < C2D_KIND_MAX; i++)
		prom_sample1(p, N("kernel_findings_total"), "kind", policy_kind_name(i),
			     k->events[i]);
	prom_metric(p, N("kernel_process_events_total"), "counter",
		    "exec, fork and exit records the kernel programs sent.", k->proc_events);
	prom_metric(p, N("kernel_candidates_total"), "counter",
		    "Paths the kernel could not settle alone and sent for normalisation.",
		    k->unresolved);
	prom_family(p, N("kernel_drops_total"), "counter",
		    "Records the kernel programs could not send, by reason.");
	prom_sample1(p, N("kernel_drops_total"), "reason", "ring_full", k->drop_ringbuf);
	prom_sample1(p, N("kernel_drops_total"), "reason", "process_ring_full",
		     k->drop_proc_ringbuf);
	prom_sample1(p, N("kernel_drops_total"), "reason", "map_full", k->map_full);
	prom_sample1(p, N("kernel_drops_total"), "reason", "rate_limited", k->rate_limited);
	prom_metric(p, N("kernel_folded_total"), "counter",
		    "Identical findings folded into another event's count in the kernel "
		    "(--fold-window): not sent on their own, not lost.",
		    k->folded);
	prom_family(p, N("kernel_truncations_total"), "counter",
		    "Findings sent with a truncated field, by field.");
	prom_sample1(p, N("kernel_truncations_total"), "field", "path", k->path_truncated);
	prom_sample1(p, N("kernel_truncations_total"), "field", "string", k->str_truncated);
	prom_metric(p, N("kernel_read_errors_total"), "counter",
		    "Kernel or user memory reads that failed inside the programs.", k->read_errors);
	prom_metric(p, N("kernel_tampered_total"), "counter",
		    "Calls whose argument in user memory changed while they ran: a path or sockaddr "
		    "rewritten by another thread (reported, tampered: true, when a version matched).",
		    k->tampered);
}

static void pipeline(struct prom *p, const struct pipeline_stats *s)
{
	prom_metric(p, N("ring_records_total"), "counter",
		    "Ring-buffer records read by user space.", s->records);
	prom_family(p, N("events_total"), "counter",
		    "Findings emitted by the agent (after user-space filtering), by kind.");
	for (int i = 1; i < C2D_KIND_MAX; i++)
		prom_sample1(p, N("events_total"), "kind", policy_kind_name(i), s->findings[i]);
	prom_sample1(p, N("events_total"), "kind", "container_start", s->container_starts);
	prom_sample1(p, N("events_total"), "kind", "container_mount", s->container_mounts);
	prom_sample1(p, N("events_total"), "kind", "secret_exposure", s->secret_exposures);
	prom_sample1(p, N("events_total"), "kind", "agent_gap", s->gap_events);
	prom_family(p, N("filtered_total"), "counter",
		    "Candidates dropped in user space, by reason.");
	prom_sample1(p, N("filtered_total"), "reason", "no_rule_after_normalisation",
		     s->user_filtered);
	prom_sample1(p, N("filtered_total"), "reason", "container_runtime", s->runtime_filtered);
	prom_family(p, N("errors_total"), "counter", "Records that failed in user space, by stage.");
	prom_sample1(p, N("errors_total"), "stage", "decode", s->decode_errors);
	prom_sample1(p, N("errors_total"), "stage", "render", s->render_errors);
	prom_sample1(p, N("errors_total"), "stage", "write", s->write_errors);
	prom_family(p, N("fold_summaries_total"), "counter",
		    "Folded findings flushed with no later event to carry them, by how they went "
		    "out: as their finding again, bare (the finding no longer kept), or not at all.");
	prom_sample1(p, N("fold_summaries_total"), "result", "rendered", s->fold_summaries - s->fold_bare);
	prom_sample1(p, N("fold_summaries_total"), "result", "bare", s->fold_bare);
	prom_sample1(p, N("fold_summaries_total"), "result", "unmatched", s->fold_unmatched);
	prom_metric(p, N("fold_unmatched_findings_total"), "counter",
		    "Findings counted in summaries that could not be rendered (lost).",
		    s->fold_unmatched_count);
	prom_metric(p, N("deferred_findings_total"), "counter",
		    "Findings held back until their container's record arrived.", s->deferred);
	prom_metric(p, N("deferred_queue_full_total"), "counter",
		    "Findings sent without waiting because the deferral queue was full.",
		    s->defer_full);
}

/* A counter family of look-ups, by result hit or miss. */
static void lookups(struct prom *p, const char *name, const char *help, uint64_t hits,
		    uint64_t misses)
{
	prom_family(p, name, "counter", help);
	prom_sample1(p, name, "result", "hit", hits);
	prom_sample1(p, name, "result", "miss", misses);
}

static void caches(struct prom *p, const struct proc_cache_stats *pc,
		   const struct meta_cache_stats *mc, uint64_t task_starts)
{
	if (pc) {
		prom_metric(p, N("process_cache_entries"), "gauge",
			    "Processes in the process cache.", pc->entries);
		prom_metric(p, N("process_cache_bytes"), "gauge",
			    "Memory held by the process cache.", pc->bytes);
		lookups(p, N("process_cache_lookups_total"), "Process cache look-ups, by result.",
			pc->hits, pc->misses);
		prom_metric(p, N("process_cache_evictions_total"), "counter",
			    "Processes evicted from the process cache to stay in its bounds.",
			    pc->evictions);
	}
	if (!mc)
		return;
	prom_metric(p, N("metadata_cache_entries"), "gauge",
		    "Containers in the metadata cache (resolved, pending or failed).", mc->entries);
	prom_metric(p, N("metadata_cache_capacity"), "gauge",
		    "Containers the metadata cache holds at most.", mc->capacity);
	lookups(p, N("metadata_cache_lookups_total"), "Container metadata look-ups, by result.",
		mc->hits, mc->misses);
	prom_family(p, N("runtime_resolutions_total"), "counter",
		    "Container records asked of the container runtime, by result.");
	prom_sample1(p, N("runtime_resolutions_total"), "result", "ok", mc->resolved);
	prom_sample1(p, N("runtime_resolutions_total"), "result", "failed", mc->failures);
	prom_sample1(p, N("runtime_resolutions_total"), "result", "queue_full", mc->queue_full);
	prom_metric(p, N("runtime_task_starts_total"), "counter",
		    "Container task starts seen on the runtime's event stream.", task_starts);
	prom_family(p, N("image_config_lookups_total"), "counter",
		    "Image configs asked for (the secrets an image bakes in), by result: cached, "
		    "read from the content store, not readable.");
	prom_sample1(p, N("image_config_lookups_total"), "result", "hit", mc->image_hits);
	prom_sample1(p, N("image_config_lookups_total"), "result", "miss", mc->image_misses);
	prom_sample1(p, N("image_config_lookups_total"), "result", "failed", mc->image_failures);
}

static void kube(struct prom *p, const struct k8s_stats *k)
{
	prom_metric(p, N("kubernetes_pods"), "gauge", "Pods of this node known from the API.",
		    k->pods);
	prom_family(p, N("kubernetes_requests_total"), "counter",
		    "Requests to the Kubernetes API, by verb.");
	prom_sample1(p, N("kubernetes_requests_total"), "verb", "list", k->lists);
	prom_sample1(p, N("kubernetes_requests_total"), "verb", "watch", k->watches);
	prom_metric(p, N("kubernetes_watch_events_total"), "counter",
		    "Pod watch events received.", k->events);
	prom_metric(p, N("kubernetes_errors_total"), "counter",
		    "Kubernetes API requests that failed.", k->errors);
}

static void gitops(struct prom *p, const struct gitops_stats *g)
{
	prom_metric(p, N("gitops_objects"), "gauge",
		    "Argo CD Applications, Flux Kustomizations and HelmReleases held (deploy "
		    "revisions by time).", g->objects);
	prom_family(p, N("gitops_requests_total"), "counter",
		    "Requests for GitOps objects to the Kubernetes API, by verb.");
	prom_sample1(p, N("gitops_requests_total"), "verb", "list", g->lists);
	prom_sample1(p, N("gitops_requests_total"), "verb", "watch", g->watches);
	prom_metric(p, N("gitops_watch_events_total"), "counter",
		    "GitOps object watch events received.", g->events);
	prom_metric(p, N("gitops_errors_total"), "counter",
		    "GitOps object requests that failed.", g->errors);
	prom_metric(p, N("gitops_evicted_total"), "counter",
		    "GitOps objects replaced in the full table (least recently asked for).",
		    g->evicted);
	prom_metric(p, N("gitops_sources_off"), "gauge",
		    "GitOps kinds not served by this cluster (their CRD is not installed).",
		    g->sources_off);
}

static void shipping(struct prom *p, const struct ship_stats *s, const struct spool_stats *sp)
{
	prom_family(p, N("batches_shipped_total"), "counter",
		    "Batches sent to the collector, by outcome.");
	prom_sample1(p, N("batches_shipped_total"), "status", "accepted", s->batches_2xx);
	prom_sample1(p, N("batches_shipped_total"), "status", "rejected", s->batches_dropped);
	prom_sample1(p, N("batches_shipped_total"), "status", "unauthorized", s->batches_auth);
	prom_sample1(p, N("batches_shipped_total"), "status", "retry_later", s->batches_retry);
	prom_sample1(p, N("batches_shipped_total"), "status", "network_error",
		     s->batches_neterr);
	prom_metric(p, N("ship_retries_total"), "counter",
		    "Batches sent again after a failure.", s->retries);
	prom_metric(p, N("ship_failovers_total"), "counter",
		    "Batches moved on to the next collector of --collector's list after a failure.",
		    s->failovers);
	prom_metric(p, N("events_shipped_total"), "counter",
		    "Events the collector acknowledged.", s->events_sent);
	prom_metric(p, N("shipped_bytes_total"), "counter",
		    "Compressed bytes the collector acknowledged.", s->bytes_sent);
	prom_metric(p, N("spooled_batches_total"), "counter",
		    "Batches written to the on-disk spool.", s->batches_spooled);
	if (!sp)
		return;
	prom_metric(p, N("spool_bytes"), "gauge", "Bytes of the spool on disk.", sp->bytes);
	prom_metric(p, N("spool_records"), "gauge", "Batches in the spool not yet delivered.",
		    sp->records);
	prom_metric(p, N("spool_events"), "gauge", "Events in the spool not yet delivered.",
		    sp->events);
	prom_metric(p, N("spool_corrupt_records_total"), "counter",
		    "Spool records skipped as damaged (torn write, bad checksum).", sp->corrupt);
	prom_metric(p, N("spool_write_errors_total"), "counter",
		    "Spool appends that failed (disk full, I/O error).", sp->write_errors);
}

static void lost(struct prom *p, const uint64_t *l)
{
	prom_family(p, N("events_lost_total"), "counter",
		    "Events lost before reaching the collector, by reason (also sent in band as "
		    "agent_gap events).");
	for (int r = 0; r < GAP_NREASONS; r++)
		prom_sample1(p, N("events_lost_total"), "reason", gap_reason_name(r), l[r]);
}

long agent_metrics_render(char *buf, size_t cap, const struct agent_metrics_in *in)
{
	const char *const info[] = {"version", in->version ? in->version : "unknown", "hooks",
				    in->hook_mode ? in->hook_mode : "unknown", NULL};
	struct prom p;

	prom_init(&p, buf, cap);
	prom_family(&p, N("build_info"), "gauge", "Always 1: the agent's version and hook mode.");
	prom_sample(&p, N("build_info"), info, 1);
	prom_metric(&p, N("start_time_seconds"), "gauge",
		    "Start time of the agent, in seconds since the epoch.",
		    in->start_time_s);
	if (in->kernel)
		kernel(&p, in->kernel);
	if (in->pipeline)
		pipeline(&p, in->pipeline);
	caches(&p, in->proc_cache, in->meta_cache, in->runtime_task_starts);
	if (in->k8s)
		kube(&p, in->k8s);
	if (in->gitops)
		gitops(&p, in->gitops);
	if (in->ship)
		shipping(&p, in->ship, in->spool);
	if (in->lost)
		lost(&p, in->lost);
	return p.overflow ? -ENOSPC : (long)p.len;
}

// SPDX-License-Identifier: BSD-2-Clause
/* stats.c - see stats.h. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "stats.h"

#define REJECT_LOG_INTERVAL 60

static const char *const names[REJ__N] = {
	[REJ_AUTH] = "unauthorized",   [REJ_ROUTE] = "no_route",
	[REJ_MEDIA] = "media_type",    [REJ_TOO_LARGE] = "too_large",
	[REJ_INFLATED] = "inflated_too_large", [REJ_INVALID] = "invalid",
	[REJ_UNAVAILABLE] = "unavailable",
};

static const char *const kind_names[IK__N] = {
	[IK_CREDENTIAL_READ] = "credential_read", [IK_PRIVILEGED_CALL] = "privileged_call",
	[IK_STORAGE_WRITE] = "storage_write",	  [IK_METADATA_ACCESS] = "metadata_access",
	[IK_CONTAINER_START] = "container_start", [IK_AGENT_GAP] = "agent_gap",
	[IK_CONTAINER_MOUNT] = "container_mount", [IK_SECRET_EXPOSURE] = "secret_exposure",
	[IK_OTHER] = "other",
};

const char *stats_kind_name(enum ingest_kind k)
{
	return k < IK__N ? kind_names[k] : "other";
}

enum ingest_kind stats_kind(const char *kind)
{
	for (int k = 0; kind && k < IK_OTHER; k++)
		if (!strcmp(kind, kind_names[k]))
			return (enum ingest_kind)k;
	return IK_OTHER;
}

const char *stats_reject_name(enum reject_class c)
{
	return c < REJ__N ? names[c] : "?";
}

void stats_reject(struct collector_stats *s, enum reject_class c, const char *peer,
		  const char *why)
{
	struct timespec ts;
	int_fast64_t last;
	uint_fast64_t n;

	n = atomic_fetch_add(&s->rejected[c], 1) + 1;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	last = atomic_load(&s->last_log[c]);
	if (last && ts.tv_sec - last < REJECT_LOG_INTERVAL)
		return;
	/* one thread wins the slot; the others stay quiet */
	if (!atomic_compare_exchange_strong(&s->last_log[c], &last, (int_fast64_t)ts.tv_sec))
		return;
	log_warn("ingest: rejected (%s) from %s: %s [%" PRIuFAST64 " so far; next report in %ds]",
		 names[c], peer, why, n, REJECT_LOG_INTERVAL);
}

void stats_log(struct collector_stats *s, const char *when)
{
	char line[512];
	int n;

	n = snprintf(line, sizeof(line),
		     "requests=%" PRIuFAST64 " batches=%" PRIuFAST64 " events=%" PRIuFAST64
		     " duplicates=%" PRIuFAST64,
		     atomic_load(&s->requests), atomic_load(&s->batches), atomic_load(&s->events),
		     atomic_load(&s->duplicates));
	for (int c = 0; c < REJ__N && n > 0 && (size_t)n < sizeof(line); c++)
		n += snprintf(line + n, sizeof(line) - (size_t)n, " rejected_%s=%" PRIuFAST64,
			      names[c], atomic_load(&s->rejected[c]));
	log_info("stats (%s): %s", when, line);
}

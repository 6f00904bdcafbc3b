// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_loki.c - Grafana Loki push API JSON (INTEGRATION.md §6.3). Stream labels are the few
 * low-cardinality fields (source, kind, severity, namespace, workload): every distinct label
 * set is a stream Loki indexes, so pods, ids and commits stay in the line, which is the event
 * JSON as stored. Timestamps are ns strings; within a stream entries go oldest first (Loki
 * refuses a stream whose entries go back in time, unless unordered writes are on), ties in
 * ingest order.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"
#include "jsonw.h"

static const struct {
	const char *label, *path;
} labels[] = {
	{"kind", "kind"},
	{"severity", "severity"},
	{"namespace", "k8s.namespace"},
	{"workload", "k8s.workload.name"},
};

#define NLABELS (sizeof(labels) / sizeof(labels[0]))

static bool same_stream(const cJSON *a, const cJSON *b)
{
	for (size_t i = 0; i < NLABELS; i++) {
		const char *x = fwd_str(a, labels[i].path), *y = fwd_str(b, labels[i].path);

		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y) != 0))
			return false;
	}
	return true;
}

struct entry {
	int64_t t;
	size_t i; /* index in the batch: the tie-break keeps ingest order */
};

static int by_time(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;

	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* The stream of event i: its labels, then every not-yet-written event with the same labels. */
static void stream(struct jw *w, const struct fwd_event *e, size_t n, size_t i, bool *done,
		   struct entry *ent)
{
	size_t k = 0;
	char ts[32];

	for (size_t j = i; j < n; j++) {
		if (done[j] || !same_stream(e[i].ev, e[j].ev))
			continue;
		done[j] = true;
		ent[k++] = (struct entry){fwd_time_ns(e[j].ev), j};
	}
	qsort(ent, k, sizeof(*ent), by_time);
	jw_obj_begin(w);
	jw_key(w, "stream");
	jw_obj_begin(w);
	jw_kv_str(w, "source", "cloud2dev");
	for (size_t l = 0; l < NLABELS; l++)
		if (fwd_str(e[i].ev, labels[l].path))
			jw_dkv_str(w, labels[l].label, fwd_str(e[i].ev, labels[l].path));
	jw_obj_end(w);
	jw_key(w, "values");
	jw_arr_begin(w);
	for (size_t m = 0; m < k; m++) {
		snprintf(ts, sizeof(ts), "%lld", (long long)ent[m].t);
		jw_arr_begin(w);
		jw_str(w, ts);
		jw_strn(w, e[ent[m].i].body, e[ent[m].i].body_len);
		jw_arr_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

long fwd_format_loki(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		     size_t cap)
{
	bool *done = calloc(n ? n : 1, sizeof(*done));
	struct entry *ent = calloc(n ? n : 1, sizeof(*ent));
	struct jw w;
	long ret = -ENOMEM;

	if (!done || !ent)
		goto out;
	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	jw_key(&w, "streams");
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			stream(&w, e, n, i, done, ent);
	jw_arr_end(&w);
	jw_obj_end(&w);
	ret = jw_finish(&w);
out:
	free(done);
	free(ent);
	return ret;
}

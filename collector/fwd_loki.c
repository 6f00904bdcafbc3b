// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_loki.c - Grafana Loki push API JSON (INTEGRATION.md §6.3). Stream labels are the few
 * low-cardinality fields (source, kind, severity, namespace, workload): every distinct label
 * set is a stream Loki indexes, so pods, ids and commits stay in the line, which is the event
 * JSON as stored. Timestamps are ns strings; entries keep the batch order within a stream.
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

static void stream(struct jw *w, const struct fwd_event *e, size_t n, size_t i, bool *done)
{
	char ts[32];

	jw_obj_begin(w);
	jw_key(w, "stream");
	jw_obj_begin(w);
	jw_kv_str(w, "source", "cloud2dev");
	for (size_t l = 0; l < NLABELS; l++)
		if (fwd_str(e[i].ev, labels[l].path))
			jw_kv_str(w, labels[l].label, fwd_str(e[i].ev, labels[l].path));
	jw_obj_end(w);
	jw_key(w, "values");
	jw_arr_begin(w);
	for (size_t j = i; j < n; j++) {
		if (done[j] || !same_stream(e[i].ev, e[j].ev))
			continue;
		done[j] = true;
		snprintf(ts, sizeof(ts), "%lld", (long long)fwd_time_ns(e[j].ev));
		jw_arr_begin(w);
		jw_str(w, ts);
		jw_strn(w, e[j].body, e[j].body_len);
		jw_arr_end(w);
	}
	jw_arr_end(w);
	jw_obj_end(w);
}

long fwd_format_loki(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		     size_t cap)
{
	bool *done = calloc(n ? n : 1, sizeof(*done));
	struct jw w;
	long ret;

	if (!done)
		return -ENOMEM;
	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	jw_key(&w, "streams");
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			stream(&w, e, n, i, done);
	jw_arr_end(&w);
	jw_obj_end(&w);
	ret = jw_finish(&w);
	free(done);
	return ret;
}

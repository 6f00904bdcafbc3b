// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_splunk.c - Splunk HTTP Event Collector envelopes (INTEGRATION.md §6.5), one per event,
 * concatenated (HEC batches are back-to-back objects, not an array). "time" is epoch seconds
 * with a microsecond fraction: HEC keeps no more, and a double could not hold ns anyway.
 */
#include <stdio.h>

#include "fwd.h"
#include "jsonw.h"

static void one(const struct fwd_conf *c, struct jw *w, const struct fwd_event *e)
{
	int64_t t = fwd_time_ns(e->ev);
	const char *node = fwd_str(e->ev, "node.name");
	char num[48];

	jw_obj_begin(w);
	snprintf(num, sizeof(num), "%lld.%06lld", (long long)(t / 1000000000),
		 (long long)(t % 1000000000 / 1000));
	jw_key(w, "time");
	jw_raw(w, num);
	if (node)
		jw_kv_str(w, "host", node);
	jw_kv_str(w, "source", "cloud2dev");
	jw_kv_str(w, "sourcetype", "cloud2dev:event");
	if (c->index)
		jw_kv_str(w, "index", c->index);
	jw_key(w, "event");
	jw_raw(w, e->body);
	jw_obj_end(w);
}

long fwd_format_splunk(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		       size_t cap)
{
	struct jw w;

	jw_init(&w, buf, cap);
	for (size_t i = 0; i < n; i++)
		one(c, &w, &e[i]);
	return jw_finish(&w);
}

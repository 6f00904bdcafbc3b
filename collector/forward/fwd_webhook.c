// SPDX-License-Identifier: BSD-2-Clause
/* fwd_webhook.c - a generic webhook: the events as stored, as one JSON array or as NDJSON
 * (`forwarder.<name>.ndjson = true`). */
#include "fwd.h"
#include "jsonw.h"

long fwd_format_webhook(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
			size_t cap)
{
	struct jw w;

	jw_init(&w, buf, cap);
	if (!c->ndjson)
		jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++) {
		jw_raw(&w, e[i].body);
		if (c->ndjson)
			jw_raw(&w, "\n");
	}
	if (!c->ndjson)
		jw_arr_end(&w);
	return jw_finish(&w);
}

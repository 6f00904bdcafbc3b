// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_elastic.c - Elasticsearch/OpenSearch `_bulk` NDJSON (INTEGRATION.md §6.4) and its
 * per-item answer. `create` with _id = the event id makes a resend idempotent: an item that is
 * already there answers 409, which counts as delivered. The document is the event as stored
 * with "@timestamp" in front (data streams need it).
 */
#include <errno.h>
#include <string.h>

#include "fwd.h"
#include "jsonw.h"

#define DEFAULT_INDEX "cloud2dev-events"

static void one(const struct fwd_conf *c, struct jw *w, const struct fwd_event *e)
{
	const char *id = fwd_str(e->ev, "id"), *t = fwd_str(e->ev, "time");

	/* each line is its own JSON value: a fresh writer state, same buffer */
	jw_obj_begin(w);
	jw_key(w, "create");
	jw_obj_begin(w);
	jw_kv_str(w, "_index", c->index ? c->index : DEFAULT_INDEX);
	if (id)
		jw_kv_str(w, "_id", id);
	jw_obj_end(w);
	jw_obj_end(w);
	w->first[0] = true;
	jw_raw(w, "\n{\"@timestamp\":");
	jw_str(w, t ? t : "1970-01-01T00:00:00Z");
	if (e->body_len > 2) /* the stored body is a compact, non-empty object: "{…}" */
		jw_raw(w, ",");
	jw_raw(w, e->body + 1);
	jw_raw(w, "\n");
}

long fwd_format_elastic(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
			size_t cap)
{
	struct jw w;

	jw_init(&w, buf, cap);
	for (size_t i = 0; i < n; i++)
		one(c, &w, &e[i]);
	return jw_finish(&w);
}

static int item_status(const cJSON *item)
{
	const cJSON *action = item ? item->child : NULL;
	const cJSON *st = action ? cJSON_GetObjectItemCaseSensitive(action, "status") : NULL;

	return cJSON_IsNumber(st) ? st->valueint : -1;
}

int fwd_elastic_parse(const char *resp, size_t len, size_t n, struct fwd_ack *ack)
{
	cJSON *root = cJSON_ParseWithLength(resp, len);
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(root, "items"), *it;
	int ret = 0;

	memset(ack, 0, sizeof(*ack));
	if (!cJSON_IsArray(items) || (size_t)cJSON_GetArraySize(items) != n) {
		ret = -EPROTO;
		goto out;
	}
	cJSON_ArrayForEach(it, items) {
		int st = item_status(it);

		if (st < 0 || st == 429 || st >= 500 || st == 408) {
			ack->retry = true;
			break;
		}
		if ((st < 200 || st >= 300) && st != 409) {
			ack->refused++;
			ack->refused_status = st;
		}
		ack->done++;
	}
out:
	cJSON_Delete(root);
	return ret;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * events.c - POST /v1/events. Everything that can be judged from the headers is judged before
 * one byte of body is read; the body is then capped as it streams (as sent, and after gunzip),
 * so neither a lying Content-Length nor a chunked or compressed bomb costs more than the caps.
 * 202 is sent only after the store committed the batch durably.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "log.h"
#include "server_int.h"

#define HTTP_TOO_LARGE 413 /* MHD renamed the constant across versions */
#define DISCARD_GRACE (1u << 20) /* body read and dropped after a refusal, at most */

static const char *header(struct MHD_Connection *c, const char *name)
{
	return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

/* The media type without parameters ("application/json; charset=utf-8" → application/json). */
static bool media_ok(const char *ct)
{
	static const char *const ok[] = {"application/x-ndjson", "application/json"};
	size_t n;

	if (!ct)
		return false;
	while (*ct == ' ')
		ct++;
	n = strcspn(ct, "; \t");
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (n == strlen(ok[i]) && strncasecmp(ct, ok[i], n) == 0)
			return true;
	return false;
}

/* The first callback: headers only. */
static enum MHD_Result events_begin(struct server *s, struct MHD_Connection *c, struct req *r)
{
	const char *ce = header(c, MHD_HTTP_HEADER_CONTENT_ENCODING);
	const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
	char msg[128];

	if (!media_ok(header(c, MHD_HTTP_HEADER_CONTENT_TYPE)))
		return reply_error(s, c, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, REJ_MEDIA,
				   "Content-Type must be application/x-ndjson or application/json");
	if (ce && strcasecmp(ce, "identity") != 0 && strcasecmp(ce, "gzip") != 0)
		return reply_error(s, c, r, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, REJ_MEDIA,
				   "Content-Encoding must be gzip or identity");
	if (cl && strtoull(cl, NULL, 10) > s->cfg->max_body) {
		snprintf(msg, sizeof(msg), "body larger than %" PRIu64 " bytes", s->cfg->max_body);
		return reply_error(s, c, r, HTTP_TOO_LARGE, REJ_TOO_LARGE, msg);
	}
	if (ce && strcasecmp(ce, "gzip") == 0) {
		r->gz = gunzip_new();
		if (!r->gz)
			return MHD_NO;
		buf_init(&r->body, s->cfg->max_decompressed);
	} else {
		buf_init(&r->body, s->cfg->max_body);
	}
	return MHD_YES;
}

/* Refuse while streaming: drop what was buffered now, answer after the body (server_int.h). */
static enum MHD_Result fail_later(struct req *r, unsigned status, enum reject_class cls,
				  const char *msg)
{
	r->fail_status = status;
	r->fail_cls = cls;
	snprintf(r->fail_msg, sizeof(r->fail_msg), "%s", msg);
	buf_free(&r->body);
	r->body.max = 1; /* still "begun" for events_route */
	gunzip_free(r->gz);
	r->gz = NULL;
	return MHD_YES;
}

/* A piece of body. */
static enum MHD_Result events_data(struct server *s, struct req *r, const char *data, size_t n)
{
	char msg[128];
	int ret;

	r->received += n;
	if (r->fail_status) /* dropping the rest; a sender that goes on too long is cut off */
		return r->received > s->cfg->max_body + DISCARD_GRACE ? MHD_NO : MHD_YES;
	if (r->received > s->cfg->max_body) {
		snprintf(msg, sizeof(msg), "body larger than %" PRIu64 " bytes", s->cfg->max_body);
		return fail_later(r, HTTP_TOO_LARGE, REJ_TOO_LARGE, msg);
	}
	ret = r->gz ? gunzip_feed(r->gz, data, n, &r->body) : buf_append(&r->body, data, n);
	if (ret == -EFBIG && r->gz) {
		snprintf(msg, sizeof(msg), "body larger than %" PRIu64 " bytes decompressed",
			 s->cfg->max_decompressed);
		return fail_later(r, HTTP_TOO_LARGE, REJ_INFLATED, msg);
	}
	if (ret == -EFBIG)
		return fail_later(r, HTTP_TOO_LARGE, REJ_TOO_LARGE, "body too large");
	if (ret == -EBADMSG)
		return fail_later(r, MHD_HTTP_BAD_REQUEST, REJ_INVALID, "body: not gzip");
	if (ret < 0)
		return fail_later(r, MHD_HTTP_SERVICE_UNAVAILABLE, REJ_UNAVAILABLE, "out of memory");
	return MHD_YES;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct ch_hook {
	struct ch_store *chs;
	struct collector_stats *stats;
	const struct batch *b;
	int64_t now;
};

static int count_insert(const struct ch_hook *h, int ret)
{
	atomic_fetch_add(ret < 0 ? &h->stats->ch_insert_failures : &h->stats->ch_inserts, 1);
	return ret;
}

/* Inside the SQLite transaction (store.h): the batch and the events the store made from it in
 * one ClickHouse INSERT; a failure rolls the SQLite side back, so both hold the batch or neither
 * does, and the retry makes the same identity_change events again. */
static int ch_insert_hook(void *ctx, cJSON *const *made, char *const *made_bodies, size_t nmade)
{
	const struct ch_hook *h = ctx;
	const struct ch_rows sets[2] = {{h->b->events, h->b->bodies, h->b->n},
					{made, made_bodies, nmade}};

	return count_insert(h, ch_store_insert_sets(h->chs, sets, 2, h->now));
}

static enum MHD_Result store_batch(struct server *s, struct MHD_Connection *c, struct req *r,
				   struct batch *b)
{
	struct ch_hook hook = {.chs = s->chs, .stats = s->stats, .b = b, .now = now_ns()};
	size_t acc, dups;
	char msg[96];
	int ret;

	/* with ClickHouse, the whole batch goes there before the local commit (ch_store.h): what
	 * this replica forwards is always queryable, and a retried batch is counted once there */
	ret = store_insert_batch_hook(s->store, b->events, b->bodies, b->n, hook.now, &acc, &dups,
				      s->chs ? ch_insert_hook : NULL, &hook);
	if (ret < 0) {
		log_warn("ingest: store: %s", strerror(-ret));
		return reply_error(s, c, r, MHD_HTTP_SERVICE_UNAVAILABLE, REJ_UNAVAILABLE,
				   "store unavailable, retry later");
	}
	atomic_fetch_add(&s->stats->batches, 1);
	atomic_fetch_add(&s->stats->events, acc);
	atomic_fetch_add(&s->stats->duplicates, dups);
	for (size_t i = 0; i < b->n; i++) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(b->events[i], "kind");

		atomic_fetch_add(&s->stats->kinds[stats_kind(cJSON_GetStringValue(k))], 1);
	}
	snprintf(msg, sizeof(msg), "{\"accepted\":%zu,\"duplicates\":%zu}", acc, dups);
	return reply(c, r, MHD_HTTP_ACCEPTED, "application/json", msg);
}

/* The last callback: the whole body is in. */
/* A token bound to a node writes that node's events only: true (why in err) when one of the
 * batch's events names another node, or none. */
static bool bound_node_mismatch(const struct batch *b, const char *node, char *err, size_t errlen)
{
	for (size_t i = 0; i < b->n; i++) {
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(b->events[i], "node"), "name");

		if (!cJSON_IsString(n) || strcmp(n->valuestring, node)) {
			snprintf(err, errlen,
				 "event %zu: node.name is not %s, the node this token is bound to",
				 i + 1, node);
			return true;
		}
	}
	return false;
}

static enum MHD_Result events_end(struct server *s, struct MHD_Connection *c, struct req *r)
{
	struct batch b;
	char err[512];
	enum MHD_Result res;

	if (r->fail_status)
		return reply_error(s, c, r, r->fail_status, r->fail_cls, r->fail_msg);
	if (r->gz && gunzip_finish(r->gz) < 0)
		return reply_error(s, c, r, MHD_HTTP_BAD_REQUEST, REJ_INVALID,
				   "body: truncated or corrupt gzip");
	if (!r->body.len)
		return reply_error(s, c, r, MHD_HTTP_BAD_REQUEST, REJ_INVALID, "empty body");
	switch (batch_parse(&b, r->body.p, r->body.len, &s->lim, err, sizeof(err))) {
	case 0:
		break;
	case -EINVAL:
		return reply_error(s, c, r, MHD_HTTP_BAD_REQUEST, REJ_INVALID, err);
	default:
		return reply_error(s, c, r, MHD_HTTP_SERVICE_UNAVAILABLE, REJ_UNAVAILABLE,
				   "out of memory");
	}
	if (r->node[0] && bound_node_mismatch(&b, r->node, err, sizeof(err))) {
		batch_free(&b);
		return reply_error(s, c, r, MHD_HTTP_FORBIDDEN, REJ_AUTH, err);
	}
	/* the text is parsed: give its memory back before the (slow) commit */
	buf_free(&r->body);
	res = store_batch(s, c, r, &b);
	batch_free(&b);
	return res;
}

enum MHD_Result events_route(struct server *s, struct MHD_Connection *c, struct req *r,
			     const char *url, const char *data, size_t *size)
{
	size_t n = *size;

	if (!r->body.max) /* set by events_begin: this is the first call */
		return events_begin(s, c, r);
	*size = 0;
	if (n)
		return events_data(s, r, data, n);
	return events_end(s, c, r);
}

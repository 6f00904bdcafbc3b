// SPDX-License-Identifier: BSD-2-Clause
/*
 * forward.c - the forwarder engine (forward.h). One thread per forwarder, so a slow or dead
 * backend holds up nobody: not ingest (we only read the store, through our own read-only
 * connection), not the other forwarders.
 *
 * Each round: events with seq > cursor, in seq order, up to .batch; filter; format; send;
 * move the cursor past what the backend acknowledged. Retryable failures (429, 5xx, 408,
 * time-outs, connection errors, an ES item with 429/5xx, an unconfirmed HEC ack) are retried
 * with the same events, in the same order, with exponential backoff and full jitter (base 1 s,
 * cap 60 s) or the backend's Retry-After. Permanent refusals (other 4xx) are counted, logged
 * once per status, and skipped: a batch the backend will never take would otherwise stop the
 * forwarder for good, and the events stay in the store for the query API.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "backoff.h"
#include "forward.h"
#include "fwd_int.h"
#include "log.h"
#include "secret_line.h"

#define IDLE_MS 200
#define BACKOFF_BASE_MS 1000
#define BACKOFF_CAP_MS 60000
#define RETRY_AFTER_MAX_S 300

struct worker;

/* What sets one backend apart: how a batch is formatted, what its 2xx answer says (NULL: every
 * event taken), and whether it is an HTTP API or a syslog stream. The engine below has no
 * per-type branch. */
struct backend {
	long (*format)(const struct fwd_conf *, const struct fwd_event *, size_t, char *, size_t);
	void (*answer)(struct worker *w, size_t n, struct fwd_ack *ack);
	bool stream; /* syslog over TCP/TLS (fwd_syslog_net.c), not HTTP (fwd_http.c) */
};

static void elastic_answer(struct worker *w, size_t n, struct fwd_ack *ack);
static void otlp_answer(struct worker *w, size_t n, struct fwd_ack *ack);
static void splunk_answer(struct worker *w, size_t n, struct fwd_ack *ack);

static const struct backend backends[FWD__N] = {
	[FWD_OTLP] = {fwd_format_otlp, otlp_answer, false},
	[FWD_LOKI] = {fwd_format_loki, NULL, false},
	[FWD_ELASTIC] = {fwd_format_elastic, elastic_answer, false},
	[FWD_SPLUNK] = {fwd_format_splunk, splunk_answer, false},
	[FWD_SYSLOG] = {fwd_format_syslog, NULL, true},
	[FWD_WEBHOOK] = {fwd_format_webhook, NULL, false},
};

struct worker {
	const struct fwd_conf *c;
	struct forward *f;
	struct fwd_stats st;
	pthread_t tid;
	bool started;
	char *token;
	char *buf;
	char *zbuf; /* the gzip'd body when fwd_gzip_on(c) */
	size_t zcap;
	struct fwd_http http;
	struct fwd_syslog_net sys;
	struct fwd_db db;
	unsigned rnd;
	uint64_t logged[2]; /* 4xx statuses already logged, one bit each (400..527) */
};

struct forward {
	atomic_int stop;
	size_t n;
	struct worker w[];
};

static void nap_ms(struct worker *w, long ms)
{
	for (; ms > 0 && !w->f->stop; ms -= 50)
		usleep((useconds_t)(ms < 50 ? ms : 50) * 1000);
}

/* Full jitter (backoff.h), attempt counting from 0 here; Retry-After wins when given. */
static void backoff(struct worker *w, unsigned attempt, long retry_after)
{
	if (retry_after > 0) {
		nap_ms(w, (retry_after < RETRY_AFTER_MAX_S ? retry_after : RETRY_AFTER_MAX_S) * 1000);
		return;
	}
	nap_ms(w, (long)backoff_full_jitter_ms(attempt + 1, BACKOFF_BASE_MS, BACKOFF_CAP_MS,
					       (uint32_t)rand_r(&w->rnd)));
}

static void log_refusal(struct worker *w, int status, size_t n)
{
	unsigned bit = (unsigned)(status - 400);

	if (status >= 400 && bit < 128) {
		if (w->logged[bit / 64] & (1ULL << (bit % 64)))
			return;
		w->logged[bit / 64] |= 1ULL << (bit % 64);
	}
	log_warn("forwarder %s: backend refused %zu event(s) with status %d: skipped (logged "
		 "once per status)", w->c->name, n, status);
}

/* Is the ackId of this HEC answer true at the ack endpoint? body: the request, as sent. */
static bool hec_acked(struct worker *w, const char *ack_url, const char *body, size_t len,
		      const char *key)
{
	cJSON *r;
	bool ok;

	if (fwd_http_post(&w->http, ack_url, body, len) != 200)
		return false;
	r = cJSON_Parse(w->http.resp);
	ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r, "acks"), key));
	cJSON_Delete(r);
	return ok;
}

/* Splunk indexer ack: poll until the batch's ackId is true, for at most ack_timeout_ms. A 200
 * without the ack only means "received", not "indexed" (RELIABILITY.md §2.3). */
static bool hec_confirmed(struct worker *w, const char *url)
{
	cJSON *r = cJSON_Parse(w->http.resp), *id = cJSON_GetObjectItemCaseSensitive(r, "ackId");
	char ack_url[600], body[64], key[32], z[256];
	const char *p = strstr(url, "/services/collector"), *send = body;
	size_t len;
	bool ok = false;

	if (!cJSON_IsNumber(id) || !p)
		goto out;
	snprintf(ack_url, sizeof(ack_url), "%.*s/services/collector/ack", (int)(p - url), url);
	len = (size_t)snprintf(body, sizeof(body), "{\"acks\":[%d]}", id->valueint);
	snprintf(key, sizeof(key), "%d", id->valueint);
	if (w->zbuf) { /* the handle says Content-Encoding: gzip for every request: once */
		long zn = fwd_gzip(body, len, z, sizeof(z));

		if (zn < 0)
			goto out;
		send = z;
		len = (size_t)zn;
	}
	for (long t = 0; t <= (long)w->c->ack_timeout_ms && !w->f->stop; t += 500) {
		if ((ok = hec_acked(w, ack_url, send, len, key)))
			break;
		nap_ms(w, 500);
	}
out:
	cJSON_Delete(r);
	return ok;
}

/* OTLP partial success: the rejected records will never be taken; count them. */
static void otlp_answer(struct worker *w, size_t n, struct fwd_ack *ack)
{
	cJSON *r = cJSON_Parse(w->http.resp);
	const cJSON *ps = cJSON_GetObjectItemCaseSensitive(r, "partialSuccess");
	const char *rej = fwd_str(ps, "rejectedLogRecords");
	long rejected = rej ? strtol(rej, NULL, 10) : 0;

	if (rejected > 0) { /* a backend's number: never more than the batch it answers */
		ack->refused = (size_t)rejected < n ? (size_t)rejected : n;
		ack->refused_status = 200;
	}
	cJSON_Delete(r);
}

/* Elasticsearch _bulk: each item has its own status. */
static void elastic_answer(struct worker *w, size_t n, struct fwd_ack *ack)
{
	if (fwd_elastic_parse(w->http.resp, w->http.resp_len, n, ack) < 0) {
		log_warn("forwarder %s: unreadable _bulk answer: sending again", w->c->name);
		*ack = (struct fwd_ack){.retry = true};
	}
}

/* Splunk HEC with indexer acknowledgement: taken only once indexed. */
static void splunk_answer(struct worker *w, size_t n, struct fwd_ack *ack)
{
	if (w->c->ack && !hec_confirmed(w, w->c->url))
		*ack = (struct fwd_ack){.retry = true};
}

/* What a 2xx means for this backend. */
static void on_success(struct worker *w, size_t n, struct fwd_ack *ack)
{
	ack->done = n;
	if (backends[w->c->type].answer)
		backends[w->c->type].answer(w, n, ack);
}

/* Send one formatted batch of n events; *retry_after set from the answer. */
static void send_batch(struct worker *w, const char *buf, size_t len, size_t n,
		       struct fwd_ack *ack, long *retry_after)
{
	long code;

	*ack = (struct fwd_ack){0};
	*retry_after = -1;
	if (backends[w->c->type].stream) {
		if (fwd_syslog_send(&w->sys, w->c, buf, len) < 0)
			ack->retry = true;
		else
			ack->done = n;
		return;
	}
	code = fwd_http_post(&w->http, w->c->url, buf, len);
	*retry_after = w->http.retry_after;
	if (code >= 200 && code < 300)
		on_success(w, n, ack);
	else if (code < 0 || code == 408 || code == 429 || code >= 500)
		ack->retry = true;
	else
		*ack = (struct fwd_ack){.done = n, .refused = n, .refused_status = (int)code};
}

/* The request body for events[0..*n): formatted into w->buf, *n halved until it fits
 * max_payload, gzip'd into w->zbuf when the forwarder compresses. 0 with *body, *len; -E2BIG
 * if one event alone does not fit (it never will); -ENOMEM (try again later). */
static int encode(struct worker *w, const struct fwd_event *ev, size_t *n, const char **body,
		  size_t *len)
{
	long l;

	while ((l = backends[w->c->type].format(w->c, ev, *n, w->buf, w->c->max_payload)) ==
		   -ENOSPC &&
	       *n > 1)
		*n /= 2;
	if (l < 0)
		return l == -ENOSPC ? -E2BIG : -ENOMEM;
	*body = w->buf;
	*len = (size_t)l;
	if (w->zbuf) {
		long z = fwd_gzip(w->buf, (size_t)l, w->zbuf, w->zcap);

		if (z < 0) /* zcap is compressBound(max_payload): only ENOMEM gets here */
			return -ENOMEM;
		*body = w->zbuf;
		*len = (size_t)z;
	}
	return 0;
}

/* The backlog gauge: stored events past the cursor, as seen now. Looked at before each round
 * and between retries: a backend that is down is when the backlog grows. */
static void look(struct worker *w)
{
	int64_t max = 0, cursor = atomic_load(&w->st.cursor);

	if (fwd_db_max(&w->db, &max) == 0)
		atomic_store(&w->st.queue, max > cursor ? max - cursor : 0);
}

/* Encode events[0..n) once (fewer if the body would pass max_payload), then send that body
 * until the backend takes at least a prefix or we stop. The ack is relative to events. */
static void deliver(struct worker *w, const struct fwd_event *ev, size_t n, struct fwd_ack *ack)
{
	unsigned attempt = 0;
	long retry_after;
	const char *body;
	size_t len;
	int rc;

	while ((rc = encode(w, ev, &n, &body, &len)) == -ENOMEM) {
		if (w->f->stop) {
			*ack = (struct fwd_ack){.retry = true};
			return;
		}
		backoff(w, attempt++, -1);
	}
	if (rc == -E2BIG) { /* one event larger than max_payload: it can never be sent */
		*ack = (struct fwd_ack){.done = 1, .refused = 1, .refused_status = 413};
		return;
	}
	for (;;) {
		send_batch(w, body, len, n, ack, &retry_after);
		if (!ack->retry || ack->done > 0 || w->f->stop)
			return;
		atomic_fetch_add(&w->st.failures, 1);
		atomic_fetch_add(&w->st.retries, 1);
		look(w);
		backoff(w, attempt++, retry_after);
	}
}

static void account(struct worker *w, const struct fwd_ack *ack)
{
	if (ack->refused) {
		atomic_fetch_add(&w->st.failures, 1);
		atomic_fetch_add(&w->st.dropped, ack->refused);
		log_refusal(w, ack->refused_status, ack->refused);
	}
	atomic_fetch_add(&w->st.sent, ack->done - ack->refused);
}

static int move_cursor(struct worker *w, int64_t *cursor, int64_t to)
{
	int ret;

	while ((ret = fwd_db_set_cursor(&w->db, w->c->name, to)) == -EBUSY && !w->f->stop)
		;
	if (ret < 0) {
		log_error("forwarder %s: cannot save the cursor: %s", w->c->name, strerror(-ret));
		return ret;
	}
	*cursor = to;
	atomic_store(&w->st.cursor, to);
	return 0;
}

/* Parse and filter rows into ev; returns how many the forwarder wants. */
static size_t select_rows(struct worker *w, struct fwd_row *rows, size_t n, struct fwd_event *ev,
			  cJSON **parsed)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		parsed[i] = cJSON_ParseWithLength(rows[i].body, rows[i].len);
		if (!parsed[i] || !fwd_filter(w->c, parsed[i]))
			continue;
		ev[k++] = (struct fwd_event){rows[i].seq, rows[i].body, rows[i].len, parsed[i]};
	}
	return k;
}

/* One round; false when there was nothing to do. */
static bool round_(struct worker *w, int64_t *cursor, struct fwd_row *rows,
		   struct fwd_event *ev, cJSON **parsed)
{
	size_t n = 0, k;
	int64_t to;
	struct fwd_ack ack = {0};

	look(w); /* w->st.cursor is *cursor */
	if (fwd_db_read(&w->db, *cursor, w->c->batch, rows, &n) < 0 || n == 0)
		goto out;
	k = select_rows(w, rows, n, ev, parsed);
	if (k)
		deliver(w, ev, k, &ack);
	if (k && ack.done == 0)
		goto out; /* stopping */
	account(w, &ack);
	to = ack.done >= k ? rows[n - 1].seq : ev[ack.done].seq - 1;
	move_cursor(w, cursor, to);
out:
	for (size_t i = 0; i < n; i++) {
		cJSON_Delete(parsed[i]);
		free(rows[i].body);
	}
	return n > 0;
}

/* The token file's first line; NULL if there is none configured. */
static int read_token(const struct fwd_conf *c, char **out)
{
	char line[512];
	long n;

	*out = NULL;
	if (!c->token_file)
		return 0;
	n = secret_line_read(c->token_file, line, sizeof(line));
	if (n < 0)
		return (int)n;
	*out = n ? strdup(line) : NULL;
	explicit_bzero(line, sizeof(line));
	return *out ? 0 : -EINVAL;
}

static void *run(void *arg)
{
	struct worker *w = arg;
	size_t b = w->c->batch;
	struct fwd_row *rows = calloc(b, sizeof(*rows));
	struct fwd_event *ev = calloc(b, sizeof(*ev));
	cJSON **parsed = calloc(b, sizeof(*parsed));
	int64_t cursor = 0;

	if (!rows || !ev || !parsed || fwd_db_cursor(&w->db, w->c->name, &cursor) < 0) {
		log_error("forwarder %s: cannot start (memory or store)", w->c->name);
		goto out;
	}
	atomic_store(&w->st.cursor, cursor);
	log_info("forwarder %s: %s to %s from seq %lld", w->c->name, fwd_type_name(w->c->type),
		 w->c->url, (long long)cursor);
	while (!w->f->stop)
		if (!round_(w, &cursor, rows, ev, parsed))
			nap_ms(w, IDLE_MS);
out:
	free(rows);
	free(ev);
	free(parsed);
	return NULL;
}

static int worker_init(struct worker *w, struct forward *f, const struct fwd_conf *c,
		       const char *db_path, char *err, size_t errlen)
{
	int ret;

	w->c = c;
	w->f = f;
	w->rnd = (unsigned)time(NULL) ^ (unsigned)(uintptr_t)w;
	if ((ret = read_token(c, &w->token)) < 0) {
		snprintf(err, errlen, "forwarder.%s.token_file: %s", c->name, strerror(-ret));
		return ret;
	}
	w->buf = malloc(c->max_payload);
	if (!w->buf)
		return -ENOMEM;
	if (!backends[c->type].stream && fwd_gzip_on(c)) {
		w->zcap = compressBound((uLong)c->max_payload) + 32; /* + the gzip wrapper */
		if (!(w->zbuf = malloc(w->zcap)))
			return -ENOMEM;
	}
	if ((ret = fwd_db_open(&w->db, db_path, err, errlen)) < 0)
		return ret;
	if (!backends[c->type].stream && (ret = fwd_http_init(&w->http, c, w->token)) < 0) {
		snprintf(err, errlen, "forwarder %s: http setup failed", c->name);
		return ret;
	}
	return 0;
}

int forward_start(const struct fwd_conf *list, const char *db_path, struct forward **out,
		  char *err, size_t errlen)
{
	struct forward *f;
	size_t n = 0, i = 0;
	int ret;

	*out = NULL;
	if ((ret = fwd_config_check(list, err, errlen)) < 0)
		return ret;
	for (const struct fwd_conf *c = list; c; c = c->next)
		n++;
	f = calloc(1, sizeof(*f) + n * sizeof(f->w[0]));
	if (!f)
		return -ENOMEM;
	f->n = n;
	for (const struct fwd_conf *c = list; c; c = c->next, i++) {
		if ((ret = worker_init(&f->w[i], f, c, db_path, err, errlen)) < 0)
			goto fail;
		if ((ret = -pthread_create(&f->w[i].tid, NULL, run, &f->w[i])) < 0) {
			snprintf(err, errlen, "forwarder %s: thread: %s", c->name, strerror(-ret));
			goto fail;
		}
		f->w[i].started = true;
	}
	*out = f;
	return 0;
fail:
	forward_free(f);
	return ret;
}

const struct fwd_stats *forward_stats(const struct forward *f, size_t i)
{
	return f && i < f->n ? &f->w[i].st : NULL;
}

static void worker_free(struct worker *w)
{
	const struct fwd_stats *s = &w->st;

	if (w->started) {
		pthread_join(w->tid, NULL);
		log_info("forwarder %s: cursor %lld, queue %lld, sent %llu, retries %llu, "
			 "failures %llu, dropped %llu", w->c->name, (long long)s->cursor,
			 (long long)s->queue, (unsigned long long)s->sent,
			 (unsigned long long)s->retries, (unsigned long long)s->failures,
			 (unsigned long long)s->dropped);
	}
	if (w->c && !backends[w->c->type].stream)
		fwd_http_free(&w->http);
	fwd_syslog_close(&w->sys);
	fwd_db_close(&w->db);
	if (w->token)
		explicit_bzero(w->token, strlen(w->token));
	free(w->token);
	free(w->buf);
	free(w->zbuf);
}

void forward_free(struct forward *f)
{
	if (!f)
		return;
	f->stop = 1;
	for (size_t i = 0; i < f->n; i++)
		worker_free(&f->w[i]);
	free(f);
}

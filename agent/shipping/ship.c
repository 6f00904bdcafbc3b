// SPDX-License-Identifier: BSD-2-Clause
/*
 * ship.c - see ship.h. Two threads so that a slow or absent collector never holds up the
 * spooling of new batches (and so never fills the in-memory queue): the batcher only touches
 * memory and the local disk, the sender only the spool's read side and the network.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <curl/curl.h>

#include "evqueue.h"
#include "log.h"
#include "render.h"
#include "retry.h"
#include "sender.h"
#include "ship.h"
#include "spool.h"

struct ship {
	struct evqueue *q;
	struct batch *b;
	struct spool *sp;
	/* --collector's list: the current one takes every batch; a batch it could not take (no
	 * answer, 5xx, 429) goes to the next at once, and the back-off starts only when every
	 * collector of the list has failed it (replicas sharing a ClickHouse store: issue 15) */
	struct sender *snd[SHIP_MAX_COLLECTORS];
	char *url[SHIP_MAX_COLLECTORS];
	unsigned nsnd, cur;
	struct gap *gap;
	void (*spooled)(void *arg, uint64_t seq);
	void *spooled_arg;
	pthread_t batcher, sender;
	bool batcher_up, sender_up;
	atomic_bool stop_batcher, draining;
	uint64_t drain_deadline_ms;
	pthread_mutex_t mu; /* kicks the sender: a new record, or stop */
	pthread_cond_t cv;
	bool kicked;
	struct ship_stats st; /* each field written by one thread: read with relaxed loads */
	bool logged_status[600];
	int last_spool_err;
	uint64_t rnd;
	char line[C2D_EVENT_JSON_MAX + 1];
};

#define ST_ADD(s, f, n) __atomic_fetch_add(&(s)->st.f, (uint64_t)(n), __ATOMIC_RELAXED)

static uint64_t clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void kick(struct ship *s)
{
	pthread_mutex_lock(&s->mu);
	s->kicked = true;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static void wait_kick(struct ship *s, uint64_t ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms / 1000);
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&s->mu);
	while (!s->kicked)
		if (pthread_cond_timedwait(&s->cv, &s->mu, &ts) == ETIMEDOUT)
			break;
	s->kicked = false;
	pthread_mutex_unlock(&s->mu);
}

/* ---- batcher: queue → batch → gzip → spool ---------------------------------------------- */

static void spool_failed(struct ship *s, int rc, size_t nevents)
{
	ST_ADD(s, spool_failed, nevents);
	gap_count(s->gap, GAP_SPOOL_FULL, nevents, 0);
	if (rc != s->last_spool_err) /* once per cause, not once per batch */
		log_error("spool: a batch of %zu events could not be stored: %s", nevents,
			  strerror(-rc));
	s->last_spool_err = rc;
}

/* The sequence number in the id of the batch's last event ("id":"<agent>-<16 hex>"), or 0. */
static void flush(struct ship *s)
{
	size_t n = batch_events(s->b);
	uint64_t age = clock_ms(CLOCK_MONOTONIC) - batch_first_ms(s->b);
	uint64_t first = clock_ms(CLOCK_REALTIME) - age, lost = 0, lost_first = 0;
	uint8_t *gz;
	size_t gzlen;
	int rc;

	if (!n)
		return;
	rc = gz_compress(batch_data(s->b), batch_bytes(s->b), &gz, &gzlen);
	if (!rc) {
		rc = gzlen > UINT32_MAX ? -EFBIG
					: spool_append(s->sp, gz, (uint32_t)gzlen, (uint32_t)n,
						       SPOOL_F_GZIP, first, &lost, &lost_first);
		free(gz);
	}
	gap_count(s->gap, GAP_SPOOL_FULL, lost, lost_first * 1000000);
	if (rc < 0) {
		spool_failed(s, rc, n);
	} else {
		s->last_spool_err = 0;
		if (s->spooled)
			s->spooled(s->spooled_arg, batch_last_seq(s->b));
		ST_ADD(s, batches_spooled, 1);
		ST_ADD(s, events_spooled, n);
		kick(s);
	}
	batch_reset(s->b);
}

static void add_line(struct ship *s, const char *line, size_t len, uint64_t seq)
{
	uint64_t now = clock_ms(CLOCK_MONOTONIC);

	if (batch_add(s->b, line, len, seq, now) == -E2BIG) {
		flush(s);
		now = clock_ms(CLOCK_MONOTONIC);
		if (batch_add(s->b, line, len, seq, now) < 0)
			spool_failed(s, -ENOMEM, 1);
	}
}

static void *batcher_main(void *arg)
{
	struct ship *s = arg;

	for (;;) {
		uint64_t now = clock_ms(CLOCK_MONOTONIC), due = batch_deadline_ms(s->b);
		bool stopping = atomic_load(&s->stop_batcher);
		int wait = due <= now ? 0 : due - now > 200 ? 200 : (int)(due - now);
		uint64_t seq = 0;
		long n = evqueue_pop(s->q, s->line, sizeof(s->line), stopping ? 0 : wait, &seq);

		if (n > 0)
			add_line(s, s->line, (size_t)n, seq);
		else if (n == 0 && stopping)
			break; /* the queue is empty and nothing more comes */
		if (batch_due(s->b, clock_ms(CLOCK_MONOTONIC)))
			flush(s);
	}
	flush(s);
	return NULL;
}

/* ---- sender: spool → collector ---------------------------------------------------------- */

static uint32_t rnd32(struct ship *s)
{
	s->rnd ^= s->rnd << 13; /* xorshift64: jitter only, not security */
	s->rnd ^= s->rnd >> 7;
	s->rnd ^= s->rnd << 17;
	return (uint32_t)(s->rnd >> 32);
}

static void log_refusal(struct ship *s, const struct send_result *r, enum retry_class c)
{
	long st = r->status;

	if (st < 0 || st >= (long)sizeof(s->logged_status) || s->logged_status[st])
		return;
	s->logged_status[st] = true;
	if (c == RETRY_AUTH)
		log_error("collector refused the token (HTTP %ld): check the token file; retrying "
			  "every 30-60 s, nothing is dropped", st);
	else
		log_error("collector refused a batch for good (HTTP %ld: %s): dropped (logged once "
			  "per status)", st, r->body);
}

/* One try at the record: returns the wait before the next try (0: go on at once). */
static uint64_t send_one(struct ship *s, struct spool_rec *rec, unsigned *attempt)
{
	uint64_t now = clock_ms(CLOCK_MONOTONIC), left = SENDER_TIMEOUT_MS;
	struct send_result r;
	enum retry_class c;
	int rc;

	if (atomic_load(&s->draining))
		left = s->drain_deadline_ms > now ? s->drain_deadline_ms - now : 1;
	if (left > SENDER_TIMEOUT_MS)
		left = SENDER_TIMEOUT_MS;
	rc = sender_post(s->snd[s->cur], rec->data, rec->len, rec->flags & SPOOL_F_GZIP, (long)left,
			 &r);
	c = rc < 0 ? RETRY_AGAIN : retry_classify(r.status);
	if (c == RETRY_DONE || c == RETRY_DROP) {
		spool_ack(s->sp, rec);
		if (*attempt)
			log_info("collector: delivering again after %u failed tries", *attempt);
		*attempt = 0;
		if (c == RETRY_DONE) {
			ST_ADD(s, batches_2xx, 1);
			ST_ADD(s, events_sent, rec->nevents);
			ST_ADD(s, bytes_sent, rec->len);
		} else {
			ST_ADD(s, batches_dropped, 1);
			log_refusal(s, &r, c);
		}
		return 0;
	}
	if (c == RETRY_AUTH) {
		ST_ADD(s, batches_auth, 1);
		log_refusal(s, &r, c);
	} else {
		ST_ADD(s, retries, 1);
		if (rc < 0)
			ST_ADD(s, batches_neterr, 1);
		else
			ST_ADD(s, batches_retry, 1);
		if (!*attempt)
			log_warn("collector: %s%s: keeping batches in the spool, retrying with backoff",
				 rc < 0 ? "not reachable: " : "temporary refusal",
				 rc < 0 ? r.error : "");
	}
	++*attempt;
	if (c == RETRY_AGAIN && s->nsnd > 1) {
		s->cur = (s->cur + 1) % s->nsnd;
		ST_ADD(s, failovers, 1);
		log_info("collector: trying %s next", s->url[s->cur]);
		if (*attempt % s->nsnd)
			return 0; /* a collector of the list has not had this try yet */
	}
	return retry_delay_ms(c, (*attempt + s->nsnd - 1) / s->nsnd, r.retry_after_ms, rnd32(s));
}

static bool drain_over(struct ship *s)
{
	return atomic_load(&s->draining) && clock_ms(CLOCK_MONOTONIC) >= s->drain_deadline_ms;
}

static void *sender_main(void *arg)
{
	struct ship *s = arg;
	uint64_t next_try = 0;
	unsigned attempt = 0;

	while (!drain_over(s)) {
		uint64_t now = clock_ms(CLOCK_MONOTONIC);
		struct spool_rec rec;
		int rc;

		if (now < next_try) {
			wait_kick(s, next_try - now > 200 ? 200 : next_try - now);
			continue;
		}
		rc = spool_next(s->sp, &rec);
		if (rc == -ENOENT && atomic_load(&s->draining))
			break; /* all sent */
		if (rc < 0) {
			if (rc != -ENOENT)
				log_error("spool: reading: %s", strerror(-rc));
			wait_kick(s, 200);
			continue;
		}
		next_try = clock_ms(CLOCK_MONOTONIC) + send_one(s, &rec, &attempt);
		{
			uint64_t lost = 0, lost_first = 0;

			/* not delivered, and its segment went meanwhile: lost now, not before */
			if (spool_release(s->sp, &rec, &lost, &lost_first))
				gap_count(s->gap, GAP_SPOOL_FULL, lost, lost_first * 1000000);
		}
		free(rec.data);
	}
	return NULL;
}

/* ---- life cycle ------------------------------------------------------------------------- */

int ship_push(struct ship *s, const char *line, size_t len, uint64_t seq)
{
	if (evqueue_push(s->q, line, len, seq) == 0)
		return 0;
	gap_count(s->gap, GAP_QUEUE_FULL, 1, 0);
	return -ENOSPC;
}

/* One sender per URL of the comma-separated list. */
static int open_senders(struct ship *s, const struct ship_opts *o)
{
	char *list = strdup(o->url), *save = NULL;
	int rc = list ? 0 : -ENOMEM;

	for (char *u = list ? strtok_r(list, ",", &save) : NULL; u && !rc;
	     u = strtok_r(NULL, ",", &save)) {
		struct sender_opts so = {.url = u, .token_file = o->token_file,
					 .ca_file = o->ca_file};

		if (s->nsnd == SHIP_MAX_COLLECTORS)
			rc = -E2BIG;
		else if (!(s->url[s->nsnd] = strdup(u)))
			rc = -ENOMEM;
		else if (!(rc = sender_new(&s->snd[s->nsnd], &so)))
			s->nsnd++;
		else
			free(s->url[s->nsnd]);
	}
	free(list);
	return rc ? rc : s->nsnd ? 0 : -EINVAL;
}

static int open_parts(struct ship *s, const struct ship_opts *o)
{
	int rc;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -ENOMEM;
	s->q = evqueue_new(o->queue_bytes ? o->queue_bytes : SHIP_QUEUE_BYTES);
	s->b = batch_new(&o->batch);
	if (!s->q || !s->b)
		return -ENOMEM;
	rc = spool_open(&s->sp, o->spool_dir, o->spool_max_bytes);
	if (rc < 0) {
		log_error("spool %s: %s", o->spool_dir, strerror(-rc));
		return rc;
	}
	return open_senders(s, o);
}

static void ship_free(struct ship *s)
{
	for (unsigned i = 0; i < s->nsnd; i++) {
		sender_free(s->snd[i]);
		free(s->url[i]);
	}
	spool_close(s->sp);
	batch_free(s->b);
	evqueue_free(s->q);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s);
}

int ship_start(struct ship **out, const struct ship_opts *o, struct gap *gap)
{
	struct ship *s = calloc(1, sizeof(*s));
	pthread_condattr_t ca;
	int rc;

	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cv, &ca);
	pthread_condattr_destroy(&ca);
	s->gap = gap;
	s->spooled = o->spooled;
	s->spooled_arg = o->spooled_arg;
	if (getrandom(&s->rnd, sizeof(s->rnd), 0) != sizeof(s->rnd) || !s->rnd)
		s->rnd = (uint64_t)clock_ms(CLOCK_REALTIME) | 1;
	rc = open_parts(s, o);
	if (!rc && (rc = -pthread_create(&s->batcher, NULL, batcher_main, s)) == 0)
		s->batcher_up = true;
	if (!rc && (rc = -pthread_create(&s->sender, NULL, sender_main, s)) == 0)
		s->sender_up = true;
	if (rc) {
		ship_stop(s, 0);
		return rc;
	}
	*out = s;
	return 0;
}

void ship_stop(struct ship *s, int drain_ms)
{
	if (!s)
		return;
	atomic_store(&s->stop_batcher, true);
	if (s->batcher_up) {
		evqueue_wake(s->q);
		pthread_join(s->batcher, NULL); /* everything queued is in the spool now */
	}
	s->drain_deadline_ms = clock_ms(CLOCK_MONOTONIC) + (uint64_t)drain_ms;
	atomic_store(&s->draining, true);
	if (s->sender_up) {
		kick(s);
		pthread_join(s->sender, NULL);
	}
	if (s->sp) {
		struct spool_stats ss;

		ship_log_stats(s); /* the last word on what was delivered */
		spool_get_stats(s->sp, &ss);
		if (ss.records)
			log_info("shipping stopped: %" PRIu64 " batches (%" PRIu64 " events) stay in "
				 "the spool for the next start", ss.records, ss.events);
	}
	ship_free(s);
}

void ship_get_stats(struct ship *s, struct ship_stats *st)
{
	uint64_t *dst = (uint64_t *)st, *src = (uint64_t *)&s->st;

	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

void ship_get_spool_stats(struct ship *s, struct spool_stats *st)
{
	spool_get_stats(s->sp, st);
}

void ship_log_stats(struct ship *s)
{
	struct ship_stats t;
	struct spool_stats p;

	if (!s)
		return;
	ship_get_stats(s, &t);
	spool_get_stats(s->sp, &p);
	log_info("stats: shipping batches 2xx=%" PRIu64 " dropped_4xx=%" PRIu64 " auth=%" PRIu64
		 " retry_status=%" PRIu64 " neterr=%" PRIu64 " retries=%" PRIu64 "; events "
		 "sent=%" PRIu64 " bytes_sent=%" PRIu64 "; spool bytes=%" PRIu64 " records=%" PRIu64
		 " events=%" PRIu64 " corrupt=%" PRIu64 " dropped_events=%" PRIu64
		 " write_errors=%" PRIu64 "; drops queue_full=%" PRIu64 " spool_failed=%" PRIu64,
		 t.batches_2xx, t.batches_dropped, t.batches_auth, t.batches_retry, t.batches_neterr,
		 t.retries, t.events_sent, t.bytes_sent, p.bytes, p.records, p.events, p.corrupt,
		 p.dropped_events, p.write_errors,
		 (uint64_t)atomic_load(&s->gap->lost[GAP_QUEUE_FULL]), t.spool_failed);
}

// SPDX-License-Identifier: BSD-2-Clause
/* evqueue.c - see evqueue.h. A mutex, not lock-free: the critical section is a memcpy, and
 * the consumer sleeps on a condition variable instead of spinning. An emptied ring starts again
 * at its first byte, so the pages it touches (its share of the agent's RSS) follow the most it
 * ever held, not how many bytes went through it. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "evqueue.h"

struct evqueue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	char *buf;
	size_t cap, head, used; /* head: offset of the oldest byte */
	size_t touched;		/* bytes of buf ever written: [0, touched) */
	int woken;
};

struct evqueue *evqueue_new(size_t cap_bytes)
{
	struct evqueue *q = calloc(1, sizeof(*q));
	pthread_condattr_t ca;

	if (!q)
		return NULL;
	q->buf = malloc(cap_bytes);
	if (!q->buf) {
		free(q);
		return NULL;
	}
	q->cap = cap_bytes;
	pthread_mutex_init(&q->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q->cv, &ca);
	pthread_condattr_destroy(&ca);
	return q;
}

void evqueue_free(struct evqueue *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->buf);
	free(q);
}

/* Copy n bytes in at the tail / out at the head, wrapping around the end of the ring. */
static void ring_put(struct evqueue *q, const void *src, size_t n)
{
	size_t tail = (q->head + q->used) % q->cap, first = q->cap - tail < n ? q->cap - tail : n;

	memcpy(q->buf + tail, src, first);
	if (tail + first > q->touched)
		q->touched = tail + first;
	if (n > first && n - first > q->touched)
		q->touched = n - first;
	memcpy(q->buf, (const char *)src + first, n - first);
	q->used += n;
}

static void ring_get(struct evqueue *q, void *dst, size_t n)
{
	size_t first = q->cap - q->head < n ? q->cap - q->head : n;

	if (dst) {
		memcpy(dst, q->buf + q->head, first);
		memcpy((char *)dst + first, q->buf, n - first);
	}
	q->head = (q->head + n) % q->cap;
	q->used -= n;
	if (!q->used)
		q->head = 0; /* empty: the next line goes where the last pages are still warm */
}

int evqueue_push(struct evqueue *q, const char *line, size_t len, uint64_t seq)
{
	uint32_t n = (uint32_t)len;
	int rc = 0;

	pthread_mutex_lock(&q->mu);
	if (len > UINT32_MAX || q->cap - q->used < sizeof(n) + sizeof(seq) + len) {
		rc = -ENOSPC;
	} else {
		ring_put(q, &n, sizeof(n));
		ring_put(q, &seq, sizeof(seq));
		ring_put(q, line, len);
		pthread_cond_signal(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

static void deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

long evqueue_pop(struct evqueue *q, char *buf, size_t cap, int timeout_ms, uint64_t *seq)
{
	struct timespec ts;
	uint32_t n;
	long rc;

	deadline(&ts, timeout_ms);
	pthread_mutex_lock(&q->mu);
	while (!q->used && !q->woken && timeout_ms > 0)
		if (pthread_cond_timedwait(&q->cv, &q->mu, &ts) == ETIMEDOUT)
			break;
	q->woken = 0;
	if (!q->used) {
		pthread_mutex_unlock(&q->mu);
		return 0;
	}
	ring_get(q, &n, sizeof(n));
	ring_get(q, seq, sizeof(*seq));
	if (n > cap) {
		ring_get(q, NULL, n);
		rc = -E2BIG;
	} else {
		ring_get(q, buf, n);
		rc = n;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

void evqueue_wake(struct evqueue *q)
{
	pthread_mutex_lock(&q->mu);
	q->woken = 1;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

size_t evqueue_touched(struct evqueue *q)
{
	size_t t;

	pthread_mutex_lock(&q->mu);
	t = q->touched;
	pthread_mutex_unlock(&q->mu);
	return t;
}

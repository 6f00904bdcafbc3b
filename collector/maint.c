// SPDX-License-Identifier: BSD-2-Clause
/* maint.c - see maint.h. */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "maint.h"

struct maint {
	const struct collector_config *cfg;
	struct store *store;
	struct ch_store *chs; /* NULL: SQLite only */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
};

static void pass(struct maint *m)
{
	struct timespec now;
	int64_t cutoff = 0;
	uint64_t removed = 0, ch_removed = 0;
	int ret;

	clock_gettime(CLOCK_REALTIME, &now);
	if (m->cfg->retention_days)
		cutoff = ((int64_t)now.tv_sec - (int64_t)m->cfg->retention_days * 86400) *
			 1000000000;
	ret = store_retain(m->store, cutoff, m->cfg->retention_bytes, &removed);
	if (ret < 0)
		log_warn("retention: %s (will retry)", strerror(-ret));
	/* ClickHouse: whole days; every replica may run it, a day dropped twice is no error */
	if (m->chs && ch_store_retain(m->chs, cutoff, m->cfg->retention_bytes, &ch_removed) == 0 &&
	    ch_removed)
		log_info("retention: clickhouse: dropped days of %" PRIu64 " events", ch_removed);
	if (removed)
		log_info("retention: removed %" PRIu64 " events (older than %" PRIu64
			 " days or over %" PRIu64 " bytes)",
			 removed, m->cfg->retention_days, m->cfg->retention_bytes);
}

static void *run(void *arg)
{
	struct maint *m = arg;
	struct timespec until;

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		pthread_mutex_unlock(&m->lock);
		pass(m);
		pthread_mutex_lock(&m->lock);
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += (time_t)m->cfg->retention_interval;
		while (!m->stop && pthread_cond_timedwait(&m->cond, &m->lock, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

int maint_new(const struct collector_config *cfg, struct store *store, struct ch_store *chs,
	      struct maint **out)
{
	struct maint *m = calloc(1, sizeof(*m));
	pthread_condattr_t ca;
	int err;

	if (!m)
		return -ENOMEM;
	m->cfg = cfg;
	m->store = store;
	m->chs = chs;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* wall-clock jumps don't matter */
	pthread_cond_init(&m->cond, &ca);
	pthread_condattr_destroy(&ca);
	err = pthread_create(&m->thread, NULL, run, m);
	if (err) {
		free(m);
		return -err;
	}
	*out = m;
	return 0;
}

void maint_free(struct maint *m)
{
	if (!m)
		return;
	pthread_mutex_lock(&m->lock);
	m->stop = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	pthread_cond_destroy(&m->cond);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * forward.h - the forwarders: every `forwarder.<name>.*` block of the config file becomes one
 * thread that reads the store in ingest order (events.seq) behind its own durable cursor
 * (table forward_cursors), formats a batch for its backend and advances the cursor only when
 * the backend has acknowledged it. See FORWARDERS.md.
 */
#ifndef C2D_COLLECTOR_FORWARD_H
#define C2D_COLLECTOR_FORWARD_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "fwd.h"

/* ---- configuration (fwd_config.c) ---- */

/* One config-file line whose key starts with "forwarder.": "forwarder.<name>.<setting>".
 * Creates the forwarder on its first key. 0 or -EINVAL with err set. */
int fwd_config_key(struct fwd_conf **list, const char *key, const char *val, char *err,
		   size_t errlen);
/* Every forwarder complete (type, url)? 0 or -EINVAL naming the forwarder. */
int fwd_config_check(const struct fwd_conf *list, char *err, size_t errlen);
void fwd_config_free(struct fwd_conf *list);

/* ---- the engine (forward.c) ---- */

struct fwd_stats {
	atomic_int_fast64_t queue;     /* max(seq) - cursor, at the last look */
	atomic_uint_fast64_t sent;     /* events the backend acknowledged */
	atomic_uint_fast64_t retries;  /* requests sent again */
	atomic_uint_fast64_t failures; /* requests that failed (retried or refused) */
	atomic_uint_fast64_t dropped;  /* events refused permanently (skipped) */
	atomic_int_fast64_t cursor;
};

struct forward;

/* One thread per forwarder in list (which must outlive f), each with its own connections to
 * the store at db_path (already migrated by store_open). 0 or -errno with err set. */
int forward_start(const struct fwd_conf *list, const char *db_path, struct forward **out,
		  char *err, size_t errlen);
/* The counters of the i-th forwarder (list order), or NULL. */
const struct fwd_stats *forward_stats(const struct forward *f, size_t i);
/* Stop the threads (a request in flight is abandoned; its batch is sent again next start). */
void forward_free(struct forward *f);

#endif

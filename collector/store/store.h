/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * store.h - where events are kept: one SQLite database (schema.h), one writer connection
 * behind a mutex. Readers (the queries) open their own read-only connections; WAL lets them
 * read while a batch commits.
 *
 * Errors are negative errno: -EBUSY (locked past the busy timeout: retry later), -EIO
 * (SQLite failed), -EPROTO (the file holds a schema newer than this binary), -ENOMEM.
 */
#ifndef C2D_COLLECTOR_STORE_H
#define C2D_COLLECTOR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

struct store;

/* Open or create path (mode 0600); refuses a newer schema. 0 or -errno with err set. */
int store_open(const char *path, struct store **out, char *err, size_t errlen);

/* One transaction, durable at return (WAL, synchronous=FULL): events[i] with bodies[i].
 * Events whose id is already stored are counted in *dups and left as they are. */
int store_insert_batch(struct store *s, cJSON *const *events, char *const *bodies, size_t n,
		       int64_t received_ns, size_t *accepted, size_t *dups);

/* Delete events older than cutoff_ns (0: none), then the oldest until the pages in use are
 * at most max_bytes (0: no cap), then give free pages back to the file system. */
int store_retain(struct store *s, int64_t cutoff_ns, uint64_t max_bytes, uint64_t *removed);

/* Bytes of pages holding data (the file may be larger until vacuumed). */
int store_used_bytes(struct store *s, uint64_t *bytes);

/* Can the writer take the write lock now? (GET /readyz) */
bool store_writable(struct store *s);

/* Called inside the transaction, before its commit, with the events the store made itself
 * (identity_change; n may be 0). A negative return rolls the whole batch back and is returned
 * by store_insert_batch_hook (the ClickHouse store: the batch is acknowledged only when both
 * stores hold it, and a retry makes the same events again). */
typedef int (*store_commit_hook)(void *ctx, cJSON *const *made, char *const *bodies, size_t n);

int store_insert_batch_hook(struct store *s, cJSON *const *events, char *const *bodies, size_t n,
			    int64_t received_ns, size_t *accepted, size_t *dups,
			    store_commit_hook hook, void *ctx);

void store_free(struct store *s);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/*
 * store_retain.c - retention of the store (store.h): by age, then by size, oldest first, in
 * small transactions so ingest waits at most one chunk for the writer lock.
 */
#include <errno.h>
#include <stdio.h>

#include <sqlite3.h>

#include "log.h"
#include "schema.h"
#include "store.h"
#include "store_int.h"

#define RETAIN_CHUNK 2000
#define STR_(x) #x
#define STR(x) STR_(x) /* RETAIN_CHUNK in the SQL text, so the two cannot drift apart */

static int used_bytes(sqlite3 *db, uint64_t *bytes)
{
	int64_t pages, free_pages, page;
	int rc;

	if ((rc = store_pragma_int(db, "PRAGMA page_count", &pages)) < 0 ||
	    (rc = store_pragma_int(db, "PRAGMA freelist_count", &free_pages)) < 0 ||
	    (rc = store_pragma_int(db, "PRAGMA page_size", &page)) < 0)
		return rc;
	*bytes = (uint64_t)((pages - free_pages) * page);
	return 0;
}

int store_used_bytes(struct store *s, uint64_t *bytes)
{
	int ret;

	pthread_mutex_lock(&s->lock);
	ret = used_bytes(s->db, bytes);
	pthread_mutex_unlock(&s->lock);
	return ret;
}

/* Run one delete statement with ?1 bound, then recompute the summaries of the groups it
 * deleted from (schema.h: SUMMARY_REPAIR), in one transaction; rows removed or -errno. */
static long delete_chunk(struct store *s, const char *sql, int64_t arg)
{
	sqlite3_stmt *st;
	long n = -EIO;
	int rc;

	pthread_mutex_lock(&s->lock);
	if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		n = sqlite3_errcode(s->db) == SQLITE_BUSY ? -EBUSY : -EIO;
		goto out;
	}
	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, arg);
		rc = sqlite3_step(st);
		n = rc == SQLITE_DONE ? sqlite3_changes(s->db) : rc == SQLITE_BUSY ? -EBUSY : -EIO;
		sqlite3_finalize(st);
	}
	if (n >= 0 && sqlite3_exec(s->db, SUMMARY_REPAIR, NULL, NULL, NULL) != SQLITE_OK) {
		log_warn("store: summary repair: %s", sqlite3_errmsg(s->db));
		n = -EIO;
	}
	if (n < 0 || sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
		n = n < 0 ? n : -EIO;
	}
out:
	pthread_mutex_unlock(&s->lock);
	return n;
}

static int retain_age(struct store *s, int64_t cutoff, uint64_t *removed)
{
	static const char sql[] = "DELETE FROM events WHERE seq IN (SELECT seq FROM events"
				  " WHERE time_ns < ?1 ORDER BY time_ns LIMIT " STR(RETAIN_CHUNK) ")";
	long n;

	do {
		n = delete_chunk(s, sql, cutoff);
		if (n < 0)
			return (int)n;
		*removed += (uint64_t)n;
	} while (n == RETAIN_CHUNK);
	return 0;
}

/* Identities first seen before the cutoff go too, except the latest of each workload's
 * container: the next revision is still compared with what ran before it. */
static int retain_identities(struct store *s, int64_t cutoff)
{
	static const char sql[] =
		"DELETE FROM identities WHERE first_ns < ?1 AND first_ns < (SELECT MAX(i.first_ns)"
		" FROM identities i WHERE i.namespace = identities.namespace AND i.workload_name ="
		" identities.workload_name AND i.container = identities.container)";
	long n = delete_chunk(s, sql, cutoff);

	return n < 0 ? (int)n : 0;
}

static int retain_size(struct store *s, uint64_t max_bytes, uint64_t *removed)
{
	static const char sql[] = "DELETE FROM events WHERE seq IN (SELECT seq FROM events"
				  " ORDER BY time_ns LIMIT ?1)";
	uint64_t used;
	long n;
	int ret;

	for (;;) {
		if ((ret = store_used_bytes(s, &used)) < 0)
			return ret;
		if (used <= max_bytes)
			return 0;
		n = delete_chunk(s, sql, RETAIN_CHUNK / 4);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0; /* empty: the schema alone is over the cap */
		*removed += (uint64_t)n;
	}
}

int store_retain(struct store *s, int64_t cutoff_ns, uint64_t max_bytes, uint64_t *removed)
{
	int ret = 0;

	*removed = 0;
	if (cutoff_ns > 0)
		ret = retain_age(s, cutoff_ns, removed);
	if (!ret && cutoff_ns > 0)
		ret = retain_identities(s, cutoff_ns);
	if (!ret && max_bytes)
		ret = retain_size(s, max_bytes, removed);
	if (*removed) {
		pthread_mutex_lock(&s->lock);
		sqlite3_exec(s->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL);
		pthread_mutex_unlock(&s->lock);
	}
	return ret;
}

bool store_writable(struct store *s)
{
	bool ok;

	pthread_mutex_lock(&s->lock);
	ok = sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK;
	if (ok)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	pthread_mutex_unlock(&s->lock);
	return ok;
}

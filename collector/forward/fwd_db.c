// SPDX-License-Identifier: BSD-2-Clause
/* fwd_db.c - a forwarder's view of the store (fwd_int.h): events after its cursor, and the
 * cursor itself in forward_cursors (schema version 2). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd_int.h"

#define BUSY_MS 5000

static int prep(sqlite3 *db, const char *sql, sqlite3_stmt **st)
{
	return sqlite3_prepare_v2(db, sql, -1, st, NULL) == SQLITE_OK ? 0 : -EIO;
}

int fwd_db_open(struct fwd_db *d, const char *path, char *err, size_t errlen)
{
	memset(d, 0, sizeof(*d));
	if (sqlite3_open_v2(path, &d->ro, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ||
	    sqlite3_open_v2(path, &d->rw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL))
		goto fail;
	sqlite3_busy_timeout(d->ro, BUSY_MS);
	sqlite3_busy_timeout(d->rw, BUSY_MS);
	if (prep(d->ro, "SELECT seq, body FROM events WHERE seq > ?1 ORDER BY seq LIMIT ?2",
		 &d->read) ||
	    prep(d->ro, "SELECT coalesce(max(seq), 0) FROM events", &d->max) ||
	    prep(d->rw, "SELECT seq FROM forward_cursors WHERE name = ?1", &d->get) ||
	    prep(d->rw, "INSERT INTO forward_cursors (name, seq) VALUES (?1, ?2)"
			" ON CONFLICT (name) DO UPDATE SET seq = excluded.seq", &d->set))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(d->rw ? d->rw : d->ro));
	fwd_db_close(d);
	return -EIO;
}

static int step_int(sqlite3_stmt *st, int64_t *v)
{
	int rc = sqlite3_step(st), ret = 0;

	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	else if (rc != SQLITE_DONE)
		ret = rc == SQLITE_BUSY ? -EBUSY : -EIO;
	sqlite3_reset(st);
	return ret;
}

int fwd_db_cursor(struct fwd_db *d, const char *name, int64_t *seq)
{
	*seq = 0;
	sqlite3_bind_text(d->get, 1, name, -1, SQLITE_STATIC);
	return step_int(d->get, seq);
}

int fwd_db_set_cursor(struct fwd_db *d, const char *name, int64_t seq)
{
	int rc;

	sqlite3_bind_text(d->set, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(d->set, 2, seq);
	rc = sqlite3_step(d->set);
	sqlite3_reset(d->set);
	return rc == SQLITE_DONE ? 0 : rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

int fwd_db_max(struct fwd_db *d, int64_t *max)
{
	return step_int(d->max, max);
}

int fwd_db_read(struct fwd_db *d, int64_t after, size_t limit, struct fwd_row *rows, size_t *n)
{
	int rc = SQLITE_DONE, ret = 0;

	*n = 0;
	sqlite3_bind_int64(d->read, 1, after);
	sqlite3_bind_int64(d->read, 2, (int64_t)limit);
	while (*n < limit && (rc = sqlite3_step(d->read)) == SQLITE_ROW) {
		const char *b = (const char *)sqlite3_column_text(d->read, 1);
		size_t len = (size_t)sqlite3_column_bytes(d->read, 1);

		rows[*n].seq = sqlite3_column_int64(d->read, 0);
		rows[*n].body = b ? strndup(b, len) : NULL;
		rows[*n].len = len;
		if (!rows[*n].body) {
			ret = -ENOMEM;
			break;
		}
		(*n)++;
	}
	if (!ret && *n < limit && rc != SQLITE_DONE)
		ret = rc == SQLITE_BUSY ? -EBUSY : -EIO;
	/* reset ends the read transaction: the WAL can be checkpointed behind us */
	sqlite3_reset(d->read);
	return ret;
}

void fwd_db_close(struct fwd_db *d)
{
	sqlite3_finalize(d->read);
	sqlite3_finalize(d->max);
	sqlite3_finalize(d->get);
	sqlite3_finalize(d->set);
	sqlite3_close(d->ro);
	sqlite3_close(d->rw);
	memset(d, 0, sizeof(*d));
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * store_sqlite.c - store.h on SQLite. The columns are pulled out of the event once, here, so
 * the queries filter on indexed columns and never parse bodies.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "event_columns.h"
#include "identity.h"
#include "ingest.h"
#include "log.h"
#include "schema.h"
#include "store.h"
#include "store_int.h"
#include "validate.h"

#define BUSY_TIMEOUT_MS 5000

/* migrations[v] takes user_version v-1 to v; later versions append here. */
static const char *const migrations[] = {
	NULL,
	SCHEMA_V1,
	SCHEMA_V2,
	SCHEMA_V3,
	SCHEMA_V4,
	SCHEMA_V5,
};


static const char INSERT_SQL[] =
	"INSERT OR IGNORE INTO events (id, agent, agent_seq, time_ns, received_ns, kind, rule,"
	" severity, outcome, node, namespace, pod, pod_uid, workload_kind, workload_name,"
	" service_account, container_id, container_name, image_name, image_digest, commit_sha,"
	" repository, pipeline_id, pipeline_url, version, build_time, deploy_commit, executable,"
	" target, revision, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	" ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31)";


static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
	sqlite3_free(msg);
	return sqlite3_errcode(db) == SQLITE_BUSY ? -EBUSY : -EIO;
}

int store_pragma_int(sqlite3 *db, const char *sql, int64_t *v)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -EIO;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rc == SQLITE_BUSY ? -EBUSY : -EIO;
}

/* Bring the schema to SCHEMA_VERSION, one transaction per step. */
static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char sql[64];
	int64_t v = 0;
	int ret;

	if (store_pragma_int(db, "PRAGMA user_version", &v) < 0) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(db));
		return -EIO;
	}
	if (v > SCHEMA_VERSION) {
		snprintf(err, errlen, "%s: schema version %lld is newer than this collector's %d: "
			 "run a newer collector", path, (long long)v, SCHEMA_VERSION);
		return -EPROTO;
	}
	for (; v < SCHEMA_VERSION; v++) {
		if ((ret = exec(db, "BEGIN IMMEDIATE", err, errlen)) < 0)
			return ret;
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)v + 1);
		if ((ret = exec(db, migrations[v + 1], err, errlen)) < 0 ||
		    (ret = exec(db, sql, err, errlen)) < 0) {
			exec(db, "ROLLBACK", err + strlen(err), 0);
			return ret;
		}
		if ((ret = exec(db, "COMMIT", err, errlen)) < 0)
			return ret;
		log_info("store: %s: schema version %lld", path, (long long)v + 1);
	}
	return 0;
}

/* 0600 from the start: SQLite gives the -wal and -shm files the database file's mode. */
static int create_private(const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	close(fd);
	return 0;
}

static int configure(sqlite3 *db, char *err, size_t errlen)
{
	int ret;

	sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
	/* auto_vacuum only takes effect before the first table exists: a new file gets it */
	if ((ret = exec(db, "PRAGMA auto_vacuum = INCREMENTAL", err, errlen)) < 0 ||
	    (ret = exec(db, "PRAGMA journal_mode = WAL", err, errlen)) < 0 ||
	    (ret = exec(db, "PRAGMA synchronous = FULL", err, errlen)) < 0 ||
	    (ret = exec(db, "PRAGMA foreign_keys = ON", err, errlen)) < 0 ||
	    /* 16 MiB of pages for the writer (default 2 MiB): the indexes' inner pages stay
	     * cached, an insert reads fewer of them back from the file (issue 15) */
	    (ret = exec(db, "PRAGMA cache_size = -16384", err, errlen)) < 0 ||
	    /* the summary triggers (schema.h) make each insert keep a statement journal: in
	     * memory (one event's pages), not a temporary file written per event */
	    (ret = exec(db, "PRAGMA temp_store = MEMORY", err, errlen)) < 0)
		return ret;
	return 0;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
	struct store *s;
	int ret;

	if ((ret = create_private(path, err, errlen)) < 0)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		ret = -EIO;
		goto fail;
	}
	if ((ret = configure(s->db, err, errlen)) < 0 ||
	    (ret = migrate(s->db, path, err, errlen)) < 0)
		goto fail;
	if (sqlite3_prepare_v2(s->db, INSERT_SQL, -1, &s->ins, NULL) != SQLITE_OK ||
	    !(s->ident = identity_tracker_new(s->db))) {
		snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(s->db));
		ret = -EIO;
		goto fail;
	}
	*out = s;
	return 0;
fail:
	store_free(s);
	return ret;
}

static void bind_text(sqlite3_stmt *st, int col, const char *v)
{
	if (v)
		sqlite3_bind_text(st, col, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, col);
}

/* The columns of one event (event_columns.h), bound in INSERT_SQL order. */
static void bind_event(sqlite3_stmt *st, const cJSON *ev, const char *body, int64_t received)
{
	struct event_columns c;

	event_columns(ev, &c);
	sqlite3_bind_text(st, 1, c.id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, c.id, 16, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (int64_t)c.agent_seq);
	sqlite3_bind_int64(st, 4, c.time_ns);
	sqlite3_bind_int64(st, 5, received);
	for (size_t i = 0; i < EVCOL_NTEXT; i++)
		bind_text(st, 6 + (int)i, c.text[i]);
	bind_text(st, 29, c.target);
	sqlite3_bind_text(st, 30, c.revision, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 31, body, -1, SQLITE_STATIC);
}

/* One event: 1 if stored, 0 if its id was already there, or -errno. */
static int insert_one(struct store *s, const cJSON *ev, const char *body, int64_t received)
{
	int rc;

	sqlite3_reset(s->ins);
	sqlite3_clear_bindings(s->ins);
	bind_event(s->ins, ev, body, received);
	rc = sqlite3_step(s->ins);
	sqlite3_reset(s->ins);
	if (rc != SQLITE_DONE) {
		log_warn("store: insert: %s", sqlite3_errmsg(s->db));
		return rc == SQLITE_BUSY ? -EBUSY : -EIO;
	}
	return sqlite3_changes(s->db) == 1;
}

/* A newly stored event may show its workload under a new identity: the collector's own
 * identity_change event goes into the same transaction (a duplicate of it is not counted). */
static int track_identity(struct store *s, const cJSON *ev, struct batch *made)
{
	cJSON *change = NULL;
	int64_t t = 0;
	char *body;
	int rc;

	parse_time_ns(store_str_at(ev, "time"), &t);
	rc = identity_observe(s->ident, ev, event_revision(ev), t, &change);
	if (rc < 0 || !change)
		return rc;
	body = cJSON_PrintUnformatted(change);
	rc = body ? insert_one(s, change, body, t) : -ENOMEM;
	if (rc >= 0 && batch_add(made, change, body) == 0)
		return 0;
	cJSON_free(body);
	cJSON_Delete(change);
	return rc < 0 ? rc : -ENOMEM;
}

static int insert_all(struct store *s, cJSON *const *events, char *const *bodies, size_t n,
		      int64_t received, size_t *accepted, size_t *dups, struct batch *made)
{
	int rc;

	for (size_t i = 0; i < n; i++) {
		rc = insert_one(s, events[i], bodies[i], received);
		if (rc == 0) {
			(*dups)++;
			continue;
		}
		if (rc == 1) {
			(*accepted)++;
			rc = track_identity(s, events[i], made);
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int store_insert_batch(struct store *s, cJSON *const *events, char *const *bodies, size_t n,
		       int64_t received_ns, size_t *accepted, size_t *dups)
{
	return store_insert_batch_hook(s, events, bodies, n, received_ns, accepted, dups, NULL,
				       NULL);
}

int store_insert_batch_hook(struct store *s, cJSON *const *events, char *const *bodies, size_t n,
			    int64_t received_ns, size_t *accepted, size_t *dups,
			    store_commit_hook hook, void *ctx)
{
	struct batch made = {0}; /* the events the store made itself (identity_change) */
	char err[256];
	int ret;

	*accepted = *dups = 0;
	pthread_mutex_lock(&s->lock);
	ret = exec(s->db, "BEGIN IMMEDIATE", err, sizeof(err));
	if (ret < 0)
		goto out;
	ret = insert_all(s, events, bodies, n, received_ns, accepted, dups, &made);
	if (!ret && hook)
		ret = hook(ctx, made.events, made.bodies, made.n);
	if (!ret)
		ret = exec(s->db, "COMMIT", err, sizeof(err));
	if (ret < 0) {
		exec(s->db, "ROLLBACK", err, sizeof(err));
		*accepted = *dups = 0;
	}
out:
	pthread_mutex_unlock(&s->lock);
	batch_free(&made);
	return ret;
}

void store_free(struct store *s)
{
	if (!s)
		return;
	identity_tracker_free(s->ident);
	sqlite3_finalize(s->ins);
	/* the last connection to close checkpoints the WAL into the database */
	sqlite3_close(s->db);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

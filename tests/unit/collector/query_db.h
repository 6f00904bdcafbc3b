/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * query_db.h - a temporary store for the query tests: the real schema
 * (collector/store/schema.h), rows inserted the way the store fills them (columns pulled out of an
 * event body built here), and a query_param_fn over a NULL-terminated list of "name", "value"
 * pairs.
 */
#ifndef C2D_TEST_QUERY_DB_H
#define C2D_TEST_QUERY_DB_H

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "query.h"
#include "schema.h"
#include "unit/unit.h"

#define T0 1795896000LL /* 2026-11-28T20:00:00Z */
#define NS 1000000000LL

/* One event; NULL fields are left out of the body and stored as SQL NULL. */
struct tev {
	const char *id;
	int64_t t; /* seconds after T0 */
	const char *kind, *rule, *ns, *workload;
	const char *commit, *digest, *pipeline, *repo;
	const char *path;    /* file.path: the target of file findings */
	const char *syscall; /* syscall.name: the target when there is no path */
	const char *exe;
};

struct tdb {
	char dir[64];
	char path[96];
	sqlite3 *db;
};

static inline void tdb_open(struct tdb *d)
{
	char *err = NULL;

	snprintf(d->dir, sizeof(d->dir), "/tmp/c2d-query-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/events.db", d->dir);
	assert_int_equal(sqlite3_open(d->path, &d->db), SQLITE_OK);
	if (sqlite3_exec(d->db, "PRAGMA journal_mode=WAL;" SCHEMA_V1 SCHEMA_V2 SCHEMA_V3 SCHEMA_V4 SCHEMA_V5 "PRAGMA user_version=5;", NULL,
			 NULL, &err) != SQLITE_OK)
		fail_msg("schema: %s", err);
}

static inline void tdb_close(struct tdb *d)
{
	char p[128];

	sqlite3_close(d->db);
	unlink(d->path);
	snprintf(p, sizeof(p), "%s-wal", d->path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", d->path);
	unlink(p);
	rmdir(d->dir);
}

static inline void obj_str(cJSON *o, const char *k, const char *v)
{
	if (v)
		cJSON_AddStringToObject(o, k, v);
}

static inline void body_k8s(cJSON *b, const struct tev *e)
{
	cJSON *k, *w, *c, *img;
	char pod[128];

	c = cJSON_AddObjectToObject(b, "container");
	obj_str(c, "id", "4f2c000000000000000000000000000000000000000000000000000000000001");
	obj_str(c, "runtime", "containerd");
	obj_str(c, "name", e->workload);
	img = cJSON_AddObjectToObject(c, "image");
	obj_str(img, "name", "registry.example/acme/app:1.0");
	obj_str(img, "digest", e->digest);
	if (!e->ns)
		return;
	k = cJSON_AddObjectToObject(b, "k8s");
	snprintf(pod, sizeof(pod), "%s-7d9f8c6b5-x2x4q", e->workload);
	obj_str(k, "namespace", e->ns);
	obj_str(k, "pod", pod);
	obj_str(k, "pod_uid", "0b7e9c1a-1111-2222-3333-444455556666");
	obj_str(k, "node", "node-a");
	obj_str(k, "service_account", e->workload);
	w = cJSON_AddObjectToObject(k, "workload");
	obj_str(w, "kind", "Deployment");
	obj_str(w, "name", e->workload);
}

static inline void body_prov(cJSON *b, const struct tev *e)
{
	cJSON *p, *s;
	char url[256];

	if (!e->commit && !e->pipeline && !e->repo)
		return;
	p = cJSON_AddObjectToObject(b, "provenance");
	obj_str(p, "commit", e->commit);
	obj_str(p, "repository", e->repo);
	obj_str(p, "pipeline_id", e->pipeline);
	if (e->pipeline) {
		snprintf(url, sizeof(url), "https://ci.example/acme/-/pipelines/%s", e->pipeline);
		obj_str(p, "pipeline_url", url);
	}
	obj_str(p, "version", "1.4.2");
	s = cJSON_AddObjectToObject(p, "sources");
	obj_str(s, "commit", "image-label:org.opencontainers.image.revision");
}

/* xname, xorigin: a secret_exposure's exposure.name and .origin (its fingerprint: e->path, the
 * target), or NULL. */
static inline cJSON *tev_body(const struct tev *e, const char *xname, const char *xorigin)
{
	cJSON *b = cJSON_CreateObject(), *p, *par, *args, *o;
	char t[64];

	snprintf(t, sizeof(t), "2026-11-28T20:%02lld:%02lld.000000500Z", (long long)e->t / 60,
		 (long long)e->t % 60);
	obj_str(b, "schema", "cloud2dev.event/v1");
	obj_str(b, "id", e->id);
	obj_str(b, "time", t);
	obj_str(b, "kind", e->kind);
	obj_str(b, "rule", e->rule);
	obj_str(b, "severity", e->rule ? "high" : NULL);
	obj_str(b, "outcome", e->rule ? "success" : NULL);
	if (e->exe) {
		p = cJSON_AddObjectToObject(b, "process");
		cJSON_AddNumberToObject(p, "pid", 4242);
		cJSON_AddNumberToObject(p, "ppid", 4200);
		cJSON_AddNumberToObject(p, "uid", 0);
		obj_str(p, "executable", e->exe);
		args = cJSON_AddArrayToObject(p, "args");
		cJSON_AddItemToArray(args, cJSON_CreateString("cat"));
		if (e->path)
			cJSON_AddItemToArray(args, cJSON_CreateString(e->path));
		par = cJSON_AddObjectToObject(p, "parent");
		cJSON_AddNumberToObject(par, "pid", 4200);
		obj_str(par, "comm", "sh");
		obj_str(par, "executable", "/bin/busybox");
	}
	if (e->syscall) {
		o = cJSON_AddObjectToObject(b, "syscall");
		obj_str(o, "name", e->syscall);
	}
	if (xname) {
		o = cJSON_AddObjectToObject(b, "exposure");
		obj_str(o, "source", "env");
		obj_str(o, "name", xname);
		obj_str(o, "detector", "stripe-secret-key");
		obj_str(o, "fingerprint", e->path);
		obj_str(o, "origin", xorigin);
	} else if (e->path) {
		o = cJSON_AddObjectToObject(b, "file");
		obj_str(o, "path", e->path);
	}
	body_k8s(b, e);
	body_prov(b, e);
	return b;
}

static inline void bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

static inline void tdb_insert_x(struct tdb *d, const struct tev *e, const char *xname,
				const char *xorigin)
{
	static const char sql[] =
	    "INSERT INTO events (id, agent, agent_seq, time_ns, received_ns, kind, rule,"
	    " namespace, workload_kind, workload_name, pod, image_digest, commit_sha, repository,"
	    " pipeline_id, executable, target, revision, body, pipeline_url, severity)"
	    " VALUES (?1, 'b7e3c1d2a9f04e51', ?2, ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
	    " ?13, ?14, ?15, ?16, ?17, ?18, ?19)";
	cJSON *b = tev_body(e, xname, xorigin);
	char *js = cJSON_PrintUnformatted(b), pod[128], url[128];
	sqlite3_stmt *st;
	static int seq;

	snprintf(pod, sizeof(pod), "%s-7d9f8c6b5-x2x4q", e->workload ? e->workload : "");
	assert_int_equal(sqlite3_prepare_v2(d->db, sql, -1, &st, NULL), SQLITE_OK);
	bind_opt(st, 1, e->id);
	sqlite3_bind_int(st, 2, ++seq);
	sqlite3_bind_int64(st, 3, (T0 + e->t) * NS + 500);
	bind_opt(st, 4, e->kind);
	bind_opt(st, 5, e->rule);
	bind_opt(st, 6, e->ns);
	bind_opt(st, 7, e->ns ? "Deployment" : NULL);
	bind_opt(st, 8, e->ns ? e->workload : NULL);
	bind_opt(st, 9, e->ns ? pod : NULL);
	bind_opt(st, 10, e->digest);
	bind_opt(st, 11, e->commit);
	bind_opt(st, 12, e->repo);
	bind_opt(st, 13, e->pipeline);
	bind_opt(st, 14, e->exe);
	bind_opt(st, 15, e->path ? e->path : e->syscall);
	bind_opt(st, 16, e->commit ? e->commit : e->digest ? e->digest : "");
	bind_opt(st, 17, js);
	snprintf(url, sizeof(url), "https://ci.example/acme/-/pipelines/%s", e->pipeline);
	bind_opt(st, 18, e->pipeline ? url : NULL);
	bind_opt(st, 19, e->rule ? "high" : NULL); /* as tev_body() has it */
	if (sqlite3_step(st) != SQLITE_DONE)
		fail_msg("insert %s: %s", e->id, sqlite3_errmsg(d->db));
	sqlite3_finalize(st);
	free(js);
	cJSON_Delete(b);
}

static inline void tdb_insert(struct tdb *d, const struct tev *e)
{
	tdb_insert_x(d, e, NULL, NULL);
}

/* ctx: const char *[] of name, value, name, value, ..., NULL. */
static inline const char *tdb_param(void *ctx, const char *name)
{
	const char *const *p = ctx;

	for (; p && p[0]; p += 2)
		if (!strcmp(p[0], name))
			return p[1];
	return NULL;
}

/* Runs the query, checks the status, returns the response (the caller deletes it). */
static inline cJSON *tdb_query(struct tdb *d, const char *path, const char *const *params,
			       int want_status)
{
	int status = -1;
	cJSON *res = query_dispatch(&(struct query_source){.db_path = d->path}, path, tdb_param, (void *)params, &status);
	char *s;

	assert_non_null(res);
	if (status != want_status) {
		s = cJSON_Print(res);
		fail_msg("%s: status %d, want %d: %s", path, status, want_status, s);
	}
	return res;
}

/* The string at a path of keys ("a", "b", NULL) and array indices ("#2"), or NULL. */
static inline const char *jstr(const cJSON *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = tok[0] == '#' ? cJSON_GetArrayItem(o, atoi(tok + 1))
				  : cJSON_GetObjectItemCaseSensitive(o, tok);
	return cJSON_IsString(o) ? o->valuestring : NULL;
}

static inline const cJSON *jget(const cJSON *o, const char *path)
{
	char buf[256], *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		o = tok[0] == '#' ? cJSON_GetArrayItem(o, atoi(tok + 1))
				  : cJSON_GetObjectItemCaseSensitive(o, tok);
	return o;
}

#define assert_jstr(o, path, want)                                                                 \
	do {                                                                                       \
		const char *got_ = jstr((o), (path));                                              \
		if (!got_ || strcmp(got_, (want)))                                                 \
			fail_msg("%s: \"%s\", want \"%s\"", (path), got_ ? got_ : "(none)",        \
				 (want));                                                          \
	} while (0)

#define assert_jnull(o, path) assert_true(cJSON_IsNull(jget((o), (path))))
#define assert_jint(o, path, want)                                                                 \
	assert_int_equal((int)cJSON_GetNumberValue(jget((o), (path))), (want))

#endif

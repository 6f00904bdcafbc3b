// SPDX-License-Identifier: BSD-2-Clause
/* identity.c - see identity.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "store_int.h"
#include "validate.h"

struct identity_tracker {
	sqlite3 *db;
	sqlite3_stmt *ins, *earlier, *prev;
};

/* The key of one tracked identity, and what the previous one was. */
struct ident_key {
	const char *ns, *workload, *container, *revision, *deploy, *id;
	char *text; /* the canonical identity */
	int64_t t;
};

static const char INS_SQL[] =
	"INSERT OR IGNORE INTO identities (namespace, workload_name, container, revision,"
	" deploy_commit, identity, first_ns, event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
/* an event older than the one the key was first seen with moves its first sight back */
static const char EARLIER_SQL[] =
	"UPDATE identities SET first_ns = ?7, event_id = ?8 WHERE namespace = ?1 AND"
	" workload_name = ?2 AND container = ?3 AND revision = ?4 AND deploy_commit = ?5 AND"
	" identity = ?6 AND first_ns > ?7";
static const char PREV_SQL[] =
	"SELECT identity, revision, deploy_commit, event_id FROM identities WHERE namespace = ?1"
	" AND workload_name = ?2 AND container = ?3 AND (first_ns < ?4 OR (first_ns = ?4 AND"
	" event_id < ?5)) ORDER BY first_ns DESC, event_id DESC LIMIT 1";

struct identity_tracker *identity_tracker_new(sqlite3 *db)
{
	struct identity_tracker *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->db = db;
	if (sqlite3_prepare_v2(db, INS_SQL, -1, &t->ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, EARLIER_SQL, -1, &t->earlier, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, PREV_SQL, -1, &t->prev, NULL) != SQLITE_OK) {
		identity_tracker_free(t);
		return NULL;
	}
	return t;
}

void identity_tracker_free(struct identity_tracker *t)
{
	if (!t)
		return;
	sqlite3_finalize(t->ins);
	sqlite3_finalize(t->earlier);
	sqlite3_finalize(t->prev);
	free(t);
}

static int sql_err(sqlite3 *db, int rc)
{
	(void)db;
	return rc == SQLITE_BUSY ? -EBUSY : rc == SQLITE_NOMEM ? -ENOMEM : -EIO;
}

static void bind_key(sqlite3_stmt *st, const struct ident_key *k)
{
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, k->ns, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, k->workload, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, k->container, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, k->revision, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, k->deploy, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, k->text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, k->t);
	sqlite3_bind_text(st, 8, k->id, -1, SQLITE_STATIC);
}

/* Record the key: 1 if it is new, 0 if it was known, or -errno. */
static int record(struct identity_tracker *t, const struct ident_key *k)
{
	int rc;

	bind_key(t->ins, k);
	rc = sqlite3_step(t->ins);
	sqlite3_reset(t->ins);
	if (rc != SQLITE_DONE)
		return sql_err(t->db, rc);
	if (sqlite3_changes(t->db) == 1)
		return 1;
	bind_key(t->earlier, k);
	rc = sqlite3_step(t->earlier);
	sqlite3_reset(t->earlier);
	return rc == SQLITE_DONE ? 0 : sql_err(t->db, rc);
}

/* FNV-1a over NUL-separated parts, from a given basis. */
static uint64_t fnv(uint64_t h, const char *const *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (const unsigned char *p = (const unsigned char *)parts[i]; *p; p++)
			h = (h ^ *p) * 0x100000001b3ull;
		h = (h ^ 0xff) * 0x100000001b3ull; /* separator: ("ab","c") != ("a","bc") */
	}
	return h;
}

cJSON *identity_changed_fields(const cJSON *before, const cJSON *after)
{
	cJSON *arr = cJSON_CreateArray();
	const cJSON *pass[2] = {after, before}, *f;

	for (int p = 0; arr && p < 2; p++) {
		cJSON_ArrayForEach(f, pass[p]) {
			const cJSON *other = cJSON_GetObjectItemCaseSensitive(pass[!p], f->string);
			bool listed = false;
			const cJSON *x;

			if (other && cJSON_Compare(f, other, true))
				continue;
			cJSON_ArrayForEach(x, arr)
				listed = listed || !strcmp(x->valuestring, f->string);
			if (!listed && !cJSON_AddItemToArray(arr, cJSON_CreateString(f->string))) {
				cJSON_Delete(arr);
				return NULL;
			}
		}
	}
	return arr;
}

/* "sa=checkout aws=arn:… privileged caps=NET_ADMIN host_network": the identity in a line, the
 * change's `target` (what /v1/introduced and the tables show). */
void identity_summary(const cJSON *id, char *out, size_t cap)
{
	static const char *const flags[] = {"privileged", "run_as_root", "host_network", "host_pid",
					    "host_ipc", NULL};
	const char *sa = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(id, "service_account"));
	const cJSON *c, *x;
	size_t n = (size_t)snprintf(out, cap, "sa=%s", sa ? sa : "-");

	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(id, "cloud")) {
		const char *p = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "provider"));
		const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "value"));

		if (p && v && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " %s=%s", p, v);
	}
	for (int i = 0; flags[i]; i++)
		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(id, flags[i])) && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " %s", flags[i]);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(id, "capabilities_added"))
		if (cJSON_IsString(x) && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " +%s", x->valuestring);
	cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(id, "host_paths"))
		if (cJSON_IsString(x) && n < cap)
			n += (size_t)snprintf(out + n, cap - n, " hostPath=%s", x->valuestring);
}

/* High when the new identity reaches further: another cloud role or account, a new service
 * account, privileges or host namespaces; medium otherwise (an audience, automount). */
static const char *severity(const cJSON *changed, const cJSON *after)
{
	static const char *const wide[] = {"service_account", "cloud", "privileged",
					   "allow_privilege_escalation", "run_as_root",
					   "capabilities_added", "host_paths", "host_network",
					   "host_pid", "host_ipc", NULL};
	const cJSON *f;

	cJSON_ArrayForEach(f, changed)
		for (int i = 0; wide[i]; i++)
			if (!strcmp(f->valuestring, wide[i]) &&
			    cJSON_GetObjectItemCaseSensitive(after, wide[i]))
				return "high";
	return "medium";
}

static bool add_copy(cJSON *dst, const char *name, const cJSON *src)
{
	cJSON *c;

	if (!src)
		return true;
	c = cJSON_Duplicate(src, true);
	return c && cJSON_AddItemToObject(dst, name, c);
}

static bool add_str(cJSON *o, const char *name, const char *v)
{
	return !v || !v[0] || cJSON_AddStringToObject(o, name, v);
}

/* The identity_change event for key k whose previous identity row is in t->prev. */
static cJSON *make_change(const struct identity_tracker *t, const cJSON *ev,
			  const struct ident_key *k, const cJSON *after)
{
	const char *prev_text = (const char *)sqlite3_column_text(t->prev, 0);
	const char *prev_rev = (const char *)sqlite3_column_text(t->prev, 1);
	const char *prev_deploy = (const char *)sqlite3_column_text(t->prev, 2);
	const char *prev_id = (const char *)sqlite3_column_text(t->prev, 3);
	const char *parts[] = {"identity_change", k->ns,	   k->workload,
			       k->container,	  k->revision,	   k->deploy,
			       k->text,		  prev_text ? prev_text : ""};
	cJSON *res = cJSON_CreateObject(), *before = cJSON_Parse(prev_text ? prev_text : "");
	cJSON *ic, *changed = identity_changed_fields(before, after), *p;
	char id[40], sum[IDENTITY_SUMMARY_MAX];
	bool ok;

	snprintf(id, sizeof(id), "%016llx-%016llx",
		 (unsigned long long)fnv(0xcbf29ce484222325ull, parts, 8),
		 (unsigned long long)fnv(0x84222325cbf29ce4ull, parts, 8));
	identity_summary(after, sum, sizeof(sum));
	ok = res && before && changed &&
	     cJSON_AddStringToObject(res, "schema", C2D_EVENT_SCHEMA) &&
	     cJSON_AddStringToObject(res, "id", id) &&
	     add_copy(res, "time", cJSON_GetObjectItemCaseSensitive(ev, "time")) &&
	     cJSON_AddStringToObject(res, "kind", "identity_change") &&
	     cJSON_AddStringToObject(res, "rule", "identity-change") &&
	     cJSON_AddStringToObject(res, "severity", severity(changed, after)) &&
	     cJSON_AddStringToObject(res, "outcome", "success");
	for (const char *const *m = (const char *const[]){"node", "container", "k8s", "provenance",
							      NULL};
	     ok && *m; m++)
		ok = add_copy(res, *m, cJSON_GetObjectItemCaseSensitive(ev, *m));
	ic = ok ? cJSON_AddObjectToObject(res, "identity_change") : NULL;
	ok = ic && cJSON_AddStringToObject(ic, "container", k->container) &&
	     cJSON_AddStringToObject(ic, "summary", sum) &&
	     cJSON_AddItemToObject(ic, "changed", changed) && (changed = NULL, true) &&
	     cJSON_AddItemToObject(ic, "before", before) && (before = NULL, true) &&
	     add_copy(ic, "after", after) && add_str(ic, "revision", k->revision) &&
	     add_str(ic, "deploy_commit", k->deploy) &&
	     cJSON_AddStringToObject(ic, "event_id", k->id);
	p = ok ? cJSON_AddObjectToObject(ic, "previous") : NULL;
	ok = p && add_str(p, "revision", prev_rev) && add_str(p, "deploy_commit", prev_deploy) &&
	     add_str(p, "event_id", prev_id);
	cJSON_Delete(before);
	cJSON_Delete(changed);
	if (!ok) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

static const char *or_empty(const cJSON *ev, const char *path)
{
	const char *s = store_str_at(ev, path);

	return s ? s : "";
}

int identity_event_text(const cJSON *ev, const char **container, char **text)
{
	const cJSON *after = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ev, "k8s"), "identity");
	const char *kind = store_str_at(ev, "kind");

	*text = NULL;
	*container = store_str_at(ev, "k8s.container");
	if (!*container)
		*container = store_str_at(ev, "container.name");
	if (!cJSON_IsObject(after) || !store_str_at(ev, "k8s.namespace") ||
	    !store_str_at(ev, "k8s.workload.name") || !*container || !store_str_at(ev, "id") ||
	    (kind && !strcmp(kind, "identity_change")))
		return 0;
	*text = cJSON_PrintUnformatted(after);
	if (!*text)
		return -ENOMEM;
	if (strlen(*text) > IDENTITY_TEXT_MAX) {
		cJSON_free(*text);
		*text = NULL;
		return 0;
	}
	return 1;
}

int identity_observe(struct identity_tracker *t, const cJSON *ev, const char *revision,
		     int64_t time_ns, cJSON **change)
{
	const cJSON *after = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(ev, "k8s"), "identity");
	struct ident_key k = {.ns = store_str_at(ev, "k8s.namespace"),
			      .workload = store_str_at(ev, "k8s.workload.name"),
			      .revision = revision ? revision : "",
			      .deploy = or_empty(ev, "provenance.deploy_commit"),
			      .id = store_str_at(ev, "id"),
			      .t = time_ns};
	int rc;

	*change = NULL;
	rc = identity_event_text(ev, &k.container, &k.text);
	if (rc <= 0)
		return rc;
	rc = record(t, &k);
	if (rc == 1) {
		sqlite3_reset(t->prev);
		sqlite3_bind_text(t->prev, 1, k.ns, -1, SQLITE_STATIC);
		sqlite3_bind_text(t->prev, 2, k.workload, -1, SQLITE_STATIC);
		sqlite3_bind_text(t->prev, 3, k.container, -1, SQLITE_STATIC);
		sqlite3_bind_int64(t->prev, 4, k.t);
		sqlite3_bind_text(t->prev, 5, k.id, -1, SQLITE_STATIC);
		rc = sqlite3_step(t->prev);
		if (rc == SQLITE_ROW) {
			const char *prev = (const char *)sqlite3_column_text(t->prev, 0);

			rc = 0;
			if (prev && strcmp(prev, k.text)) {
				*change = make_change(t, ev, &k, after);
				rc = *change ? 0 : -ENOMEM;
			}
		} else {
			rc = rc == SQLITE_DONE ? 0 : sql_err(t->db, rc);
		}
		sqlite3_reset(t->prev);
	}
	cJSON_free(k.text);
	return rc < 0 ? rc : 0;
}

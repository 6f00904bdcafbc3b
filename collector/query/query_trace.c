// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_trace.c - GET /v1/trace/<event id>: one event's whole chain, process → container →
 * pod → workload → image → provenance, with the revision of the same workload that ran before
 * this one and the links derivable from the repository URL.
 */
#include <stdio.h>
#include <string.h>

#include "links.h"
#include "query_internal.h"

#define URL_MAX 1024

static const char *const process_fields[] = {"pid",  "ppid",	   "uid",  "euid",   "gid",
					     "comm", "executable", "args", "parent", NULL};
static const char *const container_fields[] = {"id", "name", "runtime", "image", NULL};
static const char *const provenance_fields[] = {"commit",	 "repository",	"version",
						"build_time",	 "pipeline_id", "pipeline_url",
						"deploy_commit", "deploy", "sources", NULL};

/* dst[key] = a copy of src[name] for each name src has; false when out of memory. */
static bool copy_fields(cJSON *dst, const cJSON *src, const char *const *names)
{
	for (; *names; names++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(src, *names);
		cJSON *dup;

		if (!it)
			continue;
		dup = cJSON_Duplicate(it, true);
		if (!dup || !cJSON_AddItemToObject(dst, *names, dup))
			return cJSON_Delete(dup), false;
	}
	return true;
}

/* res[key] = the listed fields of src, or null when src is absent. */
static bool add_section(cJSON *res, const char *key, const cJSON *src, const char *const *names)
{
	cJSON *o;

	if (!cJSON_IsObject(src))
		return cJSON_AddNullToObject(res, key) != NULL;
	o = cJSON_AddObjectToObject(res, key);
	return o && copy_fields(o, src, names);
}

static const char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

/* The pod is renamed from the event's k8s object: k8s.pod is the name, pod_uid the uid. */
static bool add_pod(cJSON *res, const cJSON *k8s)
{
	cJSON *o;

	if (!cJSON_IsObject(k8s))
		return cJSON_AddNullToObject(res, "pod") != NULL;
	o = cJSON_AddObjectToObject(res, "pod");
	return o && qj_str(o, "namespace", str_at(k8s, "namespace")) &&
	       qj_str(o, "name", str_at(k8s, "pod")) && qj_str(o, "uid", str_at(k8s, "pod_uid")) &&
	       qj_str(o, "service_account", str_at(k8s, "service_account")) &&
	       qj_str(o, "node", str_at(k8s, "node"));
}

struct prev_rev {
	bool found;
	char revision[256];
	char commit[256];
	char pipeline_id[128];
	int64_t first_seen;
};

/* The revision of the same workload first seen last before this event's revision was. */
static int previous_revision(struct query_req *q, const char *ns, const char *name, const char *rev,
			     struct prev_rev *p)
{
	/* the same on both stores (a duplicate moves no minimum nor maximum) */
	static const char sql[] =
	    "SELECT revision, MAX(commit_sha), MAX(pipeline_id), MIN(time_ns) AS first"
	    " FROM events WHERE namespace = ?1 AND workload_name = ?2 AND revision <> ''"
	    " AND kind <> 'agent_gap' GROUP BY revision HAVING first < (SELECT MIN(time_ns)"
	    " FROM events WHERE namespace = ?1 AND workload_name = ?2 AND revision = ?3)"
	    " ORDER BY first DESC, revision DESC LIMIT 1";
	struct qstmt *st = qs_prepare(q, sql, sql);
	int rc;

	if (!st)
		return -1;
	qs_bind_text(st, 1, ns);
	qs_bind_text(st, 2, name);
	qs_bind_text(st, 3, rev);
	rc = qs_step(st);
	if (rc == QS_ROW) {
		const char *c = qs_text(st, 1), *pid = qs_text(st, 2);

		p->found = true;
		snprintf(p->revision, sizeof(p->revision), "%s", qs_text(st, 0));
		snprintf(p->commit, sizeof(p->commit), "%s", c ? c : "");
		snprintf(p->pipeline_id, sizeof(p->pipeline_id), "%s", pid ? pid : "");
		p->first_seen = qs_int64(st, 3);
	}
	qs_finalize(st);
	return rc == QS_ERROR ? -1 : 0;
}

static bool add_previous(cJSON *res, const struct prev_rev *p)
{
	cJSON *o;

	if (!p->found)
		return cJSON_AddNullToObject(res, "previous_revision") != NULL;
	o = cJSON_AddObjectToObject(res, "previous_revision");
	return o && qj_str(o, "revision", p->revision) &&
	       qj_str(o, "commit", p->commit[0] ? p->commit : NULL) &&
	       qj_str(o, "pipeline_id", p->pipeline_id[0] ? p->pipeline_id : NULL) &&
	       qj_time(o, "first_seen", p->first_seen);
}

static bool add_links(cJSON *res, const cJSON *prov, const struct prev_rev *p)
{
	const char *repo = str_at(prov, "repository"), *commit = str_at(prov, "commit");
	char web[URL_MAX], cu[URL_MAX], cmp[URL_MAX];
	cJSON *o = cJSON_AddObjectToObject(res, "links");

	return o &&
	       qj_str(o, "repository_url",
		      links_repo_web(repo, web, sizeof(web)) == 0 ? web : NULL) &&
	       qj_str(o, "commit_url",
		      commit && links_commit_url(repo, commit, cu, sizeof(cu)) == 0 ? cu : NULL) &&
	       qj_str(o, "compare_url",
		      commit && p->commit[0] && strcmp(p->commit, commit) &&
			      links_compare_url(repo, p->commit, commit, cmp, sizeof(cmp)) == 0
			  ? cmp
			  : NULL) &&
	       qj_str(o, "pipeline_url", str_at(prov, "pipeline_url"));
}

static bool add_head(cJSON *res, const cJSON *body)
{
	static const char *const head[] = {"id",       "time",	  "kind", "rule",
					   "severity", "outcome", NULL};

	return copy_fields(res, body, head);
}

static cJSON *build(struct query_req *q, cJSON *body, const char *rev)
{
	const cJSON *k8s = cJSON_GetObjectItemCaseSensitive(body, "k8s");
	const cJSON *wl = cJSON_GetObjectItemCaseSensitive(k8s, "workload");
	const cJSON *prov = cJSON_GetObjectItemCaseSensitive(body, "provenance");
	const char *ns = str_at(k8s, "namespace"), *wname = str_at(wl, "name");
	struct prev_rev prev = {0};
	cJSON *res;

	if (ns && wname && rev && previous_revision(q, ns, wname, rev, &prev) < 0)
		return NULL;
	res = cJSON_CreateObject();
	if (!res || !add_head(res, body) ||
	    !add_section(res, "process", cJSON_GetObjectItemCaseSensitive(body, "process"),
			 process_fields) ||
	    !add_section(res, "container", cJSON_GetObjectItemCaseSensitive(body, "container"),
			 container_fields) ||
	    !add_pod(res, k8s) ||
	    !(wl ? cJSON_AddItemToObject(res, "workload", cJSON_Duplicate(wl, true))
		 : cJSON_AddNullToObject(res, "workload") != NULL) ||
	    !add_section(res, "provenance", prov, provenance_fields) || !add_previous(res, &prev) ||
	    !add_links(res, prov, &prev) ||
	    !cJSON_AddItemToObject(res, "event", cJSON_Duplicate(body, true))) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

cJSON *query_trace(struct query_req *q)
{
	/* ClickHouse 18.16 does not move the id to PREWHERE by itself: without it every part's
	 * bodies are read (0.5 s at 1M events, 39 ms with it) */
	struct qstmt *st = qs_prepare(
	    q, "SELECT body, revision FROM events WHERE id = ?",
	    "SELECT body, revision FROM events_by_id PREWHERE id = ? LIMIT 1");
	cJSON *body = NULL, *res = NULL;
	int rc;

	if (!st)
		return NULL;
	qs_bind_text(st, 1, q->rest);
	rc = qs_step(st);
	if (rc == QS_DONE)
		query_fail(q, 404, "no event with id \"%.128s\"", q->rest);
	if (rc == QS_ROW) {
		body = cJSON_Parse(qs_text_raw(st, 0));
		if (!cJSON_IsObject(body))
			query_fail(q, 500, "stored event %.128s is not a JSON object", q->rest);
		else
			res = build(q, body, qs_text(st, 1));
	}
	qs_finalize(st);
	cJSON_Delete(body);
	return res;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * query_diff.c - GET /v1/diff?workload=NAMESPACE/NAME[&from=A][&to=B]: what changed between two
 * revisions of a workload (by default the last two it ran): the behaviours (rule, target,
 * executable) and the exposures (secrets by fingerprint) that showed in one and not the other,
 * the identities its containers ran with, and the deploy commits each ran under. A and B are
 * revisions (a commit or an image digest) or unambiguous prefixes of at least 4 characters.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "identity.h"
#include "query_revisions.h"

/* Items per side: past it the answer says truncated (a workload's behaviours are far fewer). */
#define DIFF_ITEMS_MAX 2000
#define KEY_MAX	       (IDENTITY_TEXT_MAX + 1024)

/* One side's items: key → item, in an object (the diff looks each key up in the other side). */
struct side {
	cJSON *items;
	int n;
	bool truncated;
};

/* Builds one item from a row and writes its key; false when out of memory. */
typedef bool (*row_fn)(struct qstmt *st, cJSON *item, char *key, size_t cap);

/* A section's statement in both stores' dialects (qstmt.h). */
struct section_sql {
	const char *sqlite, *ch;
};

#define WHERE_REV " WHERE namespace = ?1 AND workload_name = ?2 AND revision = ?3"

/* From the summary kept at ingest (schema.h: behaviours; `nulls` gives NULLs back), over its
 * severities. The events' query this replaces sorted ties of (rule, target, executable) by kind
 * (its GROUP BY's order, kept by the sort): so does this one. ClickHouse: that query, each
 * event counted once (uniqExact: a retried batch's copies), NULLs first as SQLite sorts them. */
static const struct section_sql BEHAVIOURS_SQL = {
	"SELECT kind, CASE WHEN nulls & 1 THEN NULL ELSE rule END AS r,"
	" CASE WHEN nulls & 2 THEN NULL ELSE target END AS t,"
	" CASE WHEN nulls & 4 THEN NULL ELSE executable END AS x, SUM(count) FROM behaviours"
	WHERE_REV " AND kind IN " QUERY_FINDING_KINDS
	" AND kind NOT IN ('secret_exposure', 'identity_change')"
	" GROUP BY kind, rule, target, executable, nulls ORDER BY r, t, x, kind LIMIT ?4",
	"SELECT kind, rule, target, executable, uniqExact(id) FROM events" WHERE_REV
	" AND kind IN " QUERY_FINDING_KINDS
	" AND kind NOT IN ('secret_exposure', 'identity_change')"
	" GROUP BY kind, rule, target, executable ORDER BY rule NULLS FIRST, target NULLS FIRST,"
	" executable NULLS FIRST, kind LIMIT ?4",
};
/* The names, detector and origins are in the bodies: the events, down events_workload within
 * the time span behaviours gives this revision's exposures, not every exposure of the store
 * down events_kind; in (time_ns, id) order into the grouping, whose sorter keeps it within a
 * group, so each DISTINCT list is in order of first appearance by (time_ns, id), the order
 * ClickHouse can give too (it has no ingest order). ClickHouse: the exposure's fields are
 * columns (ch_schema.h); arrayDistinct keeps the first of each and drops NULL as qj_distinct
 * skips it. */
#define EXPOSURE_SPAN(f)                                                                           \
	"(SELECT " f "FROM behaviours" WHERE_REV " AND kind = 'secret_exposure')"
static const struct section_sql EXPOSURES_SQL = {
	"SELECT target, json_group_array(DISTINCT json_extract(body, '$.exposure.name')),"
	" MAX(json_extract(body, '$.exposure.detector')),"
	" json_group_array(DISTINCT json_extract(body, '$.exposure.origin')), COUNT(*)"
	" FROM (SELECT target, body FROM events INDEXED BY events_workload" WHERE_REV
	" AND kind = 'secret_exposure' AND target <> '' AND time_ns BETWEEN "
	EXPOSURE_SPAN("MIN(first_ns) ") " AND " EXPOSURE_SPAN("MAX(last_ns) ")
	" ORDER BY time_ns, id) GROUP BY target ORDER BY target LIMIT ?4",
	"SELECT target, arrayDistinct(arrayMap(x -> x.3, arraySort(groupArray((time_ns, id,"
	" exposure_name, exposure_origin))) AS a)), max(exposure_detector),"
	" arrayDistinct(arrayMap(x -> x.4, a)), uniqExact(id) FROM events" WHERE_REV
	" AND kind = 'secret_exposure' AND target != '' GROUP BY target ORDER BY target LIMIT ?4",
};
/* ClickHouse: identities has a row per identity an event of the revision ran with
 * (identity.h), which the events carry as columns. */
static const struct section_sql IDENTITIES_SQL = {
	"SELECT DISTINCT container, identity FROM identities" WHERE_REV
	" ORDER BY container, identity LIMIT ?4",
	"SELECT DISTINCT identity_container, identity FROM events" WHERE_REV
	" AND identity IS NOT NULL ORDER BY identity_container, identity LIMIT ?4",
};
/* the same text in both stores */
static const char DEPLOYS_SQL[] =
	"SELECT DISTINCT deploy_commit FROM events" WHERE_REV " AND deploy_commit <> ''"
	" ORDER BY deploy_commit LIMIT 50";

static bool behaviour_row(struct qstmt *st, cJSON *o, char *key, size_t cap)
{
	const char *rule = qs_text(st, 1), *target = qs_text(st, 2);
	const char *exe = qs_text(st, 3);

	snprintf(key, cap, "%s\n%s\n%s", rule ? rule : "", target ? target : "", exe ? exe : "");
	return qj_str(o, "kind", qs_text(st, 0)) && qj_str(o, "rule", rule) &&
	       qj_str(o, "target", target) && qj_str(o, "executable", exe) &&
	       cJSON_AddNumberToObject(o, "count", (double)qs_int64(st, 4));
}

static bool exposure_row(struct qstmt *st, cJSON *o, char *key, size_t cap)
{
	const char *fp = qs_text(st, 0);

	snprintf(key, cap, "%s", fp ? fp : "");
	return qj_str(o, "fingerprint", fp) && qj_distinct(o, "names", qs_text(st, 1), 20) &&
	       qj_str(o, "detector", qs_text(st, 2)) &&
	       qj_distinct(o, "origins", qs_text(st, 3), 20) &&
	       cJSON_AddNumberToObject(o, "count", (double)qs_int64(st, 4));
}

static bool identity_row(struct qstmt *st, cJSON *o, char *key, size_t cap)
{
	const char *c = qs_text(st, 0), *text = qs_text(st, 1);
	cJSON *id = cJSON_Parse(text ? text : "");
	char sum[IDENTITY_SUMMARY_MAX];

	snprintf(key, cap, "%s\n%s", c ? c : "", text ? text : "");
	if (!id)
		return false;
	identity_summary(id, sum, sizeof(sum));
	return qj_str(o, "container", c) && qj_str(o, "summary", sum) &&
	       cJSON_AddItemToObject(o, "identity", id);
}

static int load_side(struct query_req *q, const struct section_sql *sql, row_fn fn,
		     const char *const where[3], struct side *s)
{
	struct qstmt *st = qs_prepare(q, sql->sqlite, sql->ch);
	char key[KEY_MAX];
	int rc;

	s->items = cJSON_CreateObject();
	if (!st || !s->items)
		return qs_finalize(st), -1;
	for (int i = 0; i < 3; i++)
		qs_bind_text(st, i + 1, where[i]);
	qs_bind_int64(st, 4, DIFF_ITEMS_MAX + 1);
	while ((rc = qs_step(st)) == QS_ROW) {
		cJSON *o;

		if (s->n == DIFF_ITEMS_MAX) {
			s->truncated = true;
			rc = QS_DONE;
			break;
		}
		o = cJSON_CreateObject();
		if (!o || !fn(st, o, key, sizeof(key)) ||
		    !cJSON_AddItemToObject(s->items, key, o)) {
			cJSON_Delete(o);
			rc = QS_ERROR;
			break;
		}
		s->n++;
	}
	qs_finalize(st);
	return rc == QS_DONE ? 0 : -1;
}

/* Items of `a` whose key is not in `b`, copied into arr. */
static bool only_in(const struct side *a, const struct side *b, cJSON *arr, int *common)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, a->items) {
		cJSON *c;

		if (cJSON_GetObjectItemCaseSensitive(b->items, it->string)) {
			if (common)
				(*common)++;
			continue;
		}
		c = cJSON_Duplicate(it, true);
		if (!c || !cJSON_AddItemToArray(arr, c))
			return cJSON_Delete(c), false;
	}
	return true;
}

/* res[name] = {added, removed, unchanged} between the two revisions' items. */
static int diff_section(struct query_req *q, cJSON *res, const char *name,
			const struct section_sql *sql, row_fn fn, const char *const from[3],
			const char *const to[3], bool *truncated)
{
	struct side a = {0}, b = {0};
	cJSON *o, *added, *removed;
	int common = 0, ret = -1;

	if (load_side(q, sql, fn, from, &a) < 0 || load_side(q, sql, fn, to, &b) < 0)
		goto out;
	o = cJSON_AddObjectToObject(res, name);
	added = o ? cJSON_AddArrayToObject(o, "added") : NULL;
	removed = added ? cJSON_AddArrayToObject(o, "removed") : NULL;
	if (removed && only_in(&b, &a, added, &common) && only_in(&a, &b, removed, NULL) &&
	    cJSON_AddNumberToObject(o, "unchanged", common))
		ret = 0;
	*truncated = *truncated || a.truncated || b.truncated;
out:
	cJSON_Delete(a.items);
	cJSON_Delete(b.items);
	return ret;
}

static bool add_deploys(struct query_req *q, cJSON *o, const char *const where[3])
{
	struct qstmt *st = qs_prepare(q, DEPLOYS_SQL, DEPLOYS_SQL);
	cJSON *arr = st ? cJSON_AddArrayToObject(o, "deploy_commits") : NULL;
	int rc = QS_ERROR;

	for (int i = 0; arr && i < 3; i++)
		qs_bind_text(st, i + 1, where[i]);
	while (arr && (rc = qs_step(st)) == QS_ROW)
		if (!cJSON_AddItemToArray(arr, cJSON_CreateString(qs_text(st, 0)))) {
			rc = QS_ERROR;
			break;
		}
	qs_finalize(st);
	return rc == QS_DONE;
}

/* The revision named by `s`: exact, else the one it is a prefix of (at least 4 characters).
 * -1 with a 400 or 404 in q. */
static int find_rev(struct query_req *q, const struct query_revs *r, const char *param,
		    const char *s)
{
	size_t n = strlen(s);
	int found = query_revs_find(r, s), matches = 0;

	if (found >= 0)
		return found;
	if (n < 4) {
		query_fail(q, 400, "%s: give at least 4 characters of a revision", param);
		return -1;
	}
	for (int i = 0; i < r->n; i++)
		if (!strncmp(r->v[i].revision, s, n)) {
			found = i;
			matches++;
		}
	if (matches == 1)
		return found;
	query_fail(q, matches ? 400 : 404, "%s: %.80s %s", param, s,
		   matches ? "is the start of more than one revision: give more of it"
			   : "is not a revision of this workload");
	return -1;
}

static int pick(struct query_req *q, const struct query_revs *r, int *from, int *to)
{
	const char *f = query_param(q, "from"), *t = query_param(q, "to");

	*to = t ? find_rev(q, r, "to", t) : r->n - 1;
	if (*to < 0 && t)
		return -1;
	*from = f ? find_rev(q, r, "from", f) : *to - 1;
	if (*from < 0 && f)
		return -1;
	if (r->n < 2 && (!f || !t)) {
		query_fail(q, 404, "the workload ran only one known revision: nothing to compare");
		return -1;
	}
	if (*from < 0 || *to < 0) {
		query_fail(q, 400, "to: the first revision has none before it: give from");
		return -1;
	}
	return 0;
}

static cJSON *build(struct query_req *q, const char *ns, const char *name,
		    const struct query_revs *r, int from, int to)
{
	const char *const a[3] = {ns, name, r->v[from].revision};
	const char *const b[3] = {ns, name, r->v[to].revision};
	cJSON *res = cJSON_CreateObject(), *w, *fo, *to_o;
	bool truncated = false, ok;

	w = res ? cJSON_AddObjectToObject(res, "workload") : NULL;
	ok = w && qj_str(w, "namespace", ns) && qj_str(w, "name", name) &&
	     qj_str(w, "kind", r->workload_kind) && query_revs_add_ref(res, "from", r, from) &&
	     query_revs_add_ref(res, "to", r, to) &&
	     query_revs_add_compare(res, "compare_url", r, from, to);
	fo = ok ? cJSON_GetObjectItemCaseSensitive(res, "from") : NULL;
	to_o = ok ? cJSON_GetObjectItemCaseSensitive(res, "to") : NULL;
	ok = fo && to_o && add_deploys(q, fo, a) && add_deploys(q, to_o, b) &&
	     diff_section(q, res, "behaviours", &BEHAVIOURS_SQL, behaviour_row, a, b, &truncated) ==
		     0 &&
	     diff_section(q, res, "exposures", &EXPOSURES_SQL, exposure_row, a, b, &truncated) ==
		     0 &&
	     diff_section(q, res, "identities", &IDENTITIES_SQL, identity_row, a, b, &truncated) ==
		     0 &&
	     cJSON_AddBoolToObject(res, "truncated", truncated);
	if (!ok) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

cJSON *query_diff(struct query_req *q)
{
	struct query_revs revs = {0};
	const char *ns, *name;
	char buf[512];
	cJSON *res = NULL;
	int from, to;

	if (query_param_workload(q, buf, sizeof(buf), &ns, &name, true) < 0)
		return NULL;
	if (query_revs_load(q, ns, name, &revs) == 0 && pick(q, &revs, &from, &to) == 0)
		res = build(q, ns, name, &revs, from, to);
	query_revs_free(&revs);
	return res;
}

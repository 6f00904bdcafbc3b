// SPDX-License-Identifier: BSD-2-Clause
/* ch_store.c - see ch_store.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "ch_schema.h"
#include "ch_store.h"
#include "event_columns.h"
#include "identity.h"
#include "jsonw.h"
#include "log.h"

#define NS_PER_S      1000000000LL
#define CH_BATCH_MAX  (1u << 30)  /* the rows of one insert, before gzip */
#define CH_ROW_EXTRA  (16u << 10) /* a row's columns besides its body, escaped */
#define CH_LIST_MAX   (1u << 20)  /* the answer listing days */

struct ch_store {
	struct ch_client *c;
};

/* A schema statement with {db} replaced by the database's name. */
static int exec_schema(struct ch_store *s, const char *tmpl, char *err, size_t errlen)
{
	char sql[4096];
	size_t n = 0;

	for (const char *p = tmpl; *p && n + CH_DB_MAX + 1 < sizeof(sql); p++) {
		if (!strncmp(p, "{db}", 4)) {
			n += (size_t)snprintf(sql + n, sizeof(sql) - n, "%s", ch_client_db(s->c));
			p += 3;
		} else {
			sql[n++] = *p;
		}
	}
	sql[n] = 0;
	return ch_exec_server(s->c, sql, err, errlen);
}

int ch_store_open(const struct ch_options *o, struct ch_store **out, char *err, size_t errlen)
{
	struct ch_store *s = calloc(1, sizeof(*s));
	int ret;

	if (!s)
		return -ENOMEM;
	if ((ret = ch_client_new(o, &s->c, err, errlen)) < 0)
		goto fail;
	if ((ret = exec_schema(s, CH_SCHEMA_DB, err, errlen)) < 0 ||
	    (ret = exec_schema(s, CH_SCHEMA_EVENTS, err, errlen)) < 0 ||
	    (ret = exec_schema(s, CH_SCHEMA_BY_ID, err, errlen)) < 0)
		goto fail;
	*out = s;
	return 0;
fail:
	ch_store_free(s);
	return ret;
}

void ch_store_free(struct ch_store *s)
{
	if (!s)
		return;
	ch_client_free(s->c);
	free(s);
}

struct ch_client *ch_store_client(struct ch_store *s)
{
	return s->c;
}

static void kv_text(struct jw *w, const char *k, const char *v)
{
	jw_dkey(w, k);
	if (v)
		jw_str(w, v);
	else
		jw_raw(w, "null");
}

/* Values SQLite reads from the body with json_extract, as columns (ch_schema.h). */
static const char *const body_columns[][2] = {
	{"exposure_name", "exposure.name"},
	{"exposure_detector", "exposure.detector"},
	{"exposure_origin", "exposure.origin"},
	{"exposure_origin_ref", "exposure.origin_ref"},
};

/* One JSONEachRow line for an event; its length, -ENOSPC, or -ENOMEM. */
static long row(const cJSON *ev, const char *body, int64_t received, char *out, size_t cap)
{
	struct event_columns c;
	const char *container;
	char *identity;
	time_t day;
	struct tm tm;
	char date[16];
	struct jw w;
	int rc;

	event_columns(ev, &c);
	/* what SQLite's identities table would get for this event (identity.h) */
	if ((rc = identity_event_text(ev, &container, &identity)) < 0)
		return rc;
	day = (time_t)(c.time_ns / NS_PER_S - (c.time_ns % NS_PER_S < 0));
	gmtime_r(&day, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	jw_init(&w, out, cap);
	jw_obj_begin(&w);
	jw_kv_str(&w, "day", date);
	jw_kv_str(&w, "id", c.id);
	jw_key(&w, "agent");
	jw_strn(&w, c.id, 16);
	jw_kv_u64(&w, "agent_seq", c.agent_seq);
	jw_kv_i64(&w, "time_ns", c.time_ns);
	jw_kv_i64(&w, "received_ns", received);
	/* key columns: '' for none (ch_schema.h) */
	for (int k = 0; k < 3; k++) {
		static const int keys[3] = {EVCOL_KIND, EVCOL_NAMESPACE, EVCOL_WORKLOAD_NAME};

		if (!c.text[keys[k]])
			c.text[keys[k]] = "";
	}
	for (size_t i = 0; i < EVCOL_NTEXT; i++)
		kv_text(&w, evcol_names[i], c.text[i]);
	kv_text(&w, "target", c.target);
	kv_text(&w, "revision", c.revision);
	for (size_t i = 0; i < sizeof(body_columns) / sizeof(body_columns[0]); i++)
		kv_text(&w, body_columns[i][0], store_str_at(ev, body_columns[i][1]));
	kv_text(&w, "identity_container", identity ? container : NULL);
	kv_text(&w, "identity", identity);
	cJSON_free(identity);
	kv_text(&w, "body", body);
	jw_obj_end(&w);
	return jw_finish(&w);
}

int ch_store_insert(struct ch_store *s, cJSON *const *events, char *const *bodies, size_t n,
		    int64_t received_ns)
{
	const struct ch_rows one = {events, bodies, n};

	return ch_store_insert_sets(s, &one, 1, received_ns);
}

/* One JSONEachRow line per event of the set into rows; tmp is the caller's growing scratch. */
static int append_rows(struct buf *rows, const struct ch_rows *set, int64_t received_ns,
		       char **tmp, size_t *tmpcap)
{
	int ret = 0;

	for (size_t i = 0; i < set->n && !ret; i++) {
		/* the body, its fields again as columns (not longer than it in all), each
		 * escaped (at most 6 bytes a byte), and the identity text */
		size_t need = strlen(set->bodies[i]) * 12 + CH_ROW_EXTRA + IDENTITY_TEXT_MAX * 6;
		long len;

		if (need > *tmpcap) {
			char *p = realloc(*tmp, need);

			if (!p)
				return -ENOMEM;
			*tmp = p;
			*tmpcap = need;
		}
		len = row(set->events[i], set->bodies[i], received_ns, *tmp, *tmpcap);
		if (len < 0)
			return len == -ENOMEM ? -ENOMEM : -EIO;
		(*tmp)[len] = '\n';
		ret = buf_append(rows, *tmp, (size_t)len + 1);
	}
	return ret;
}

int ch_store_insert_sets(struct ch_store *s, const struct ch_rows *sets, size_t nsets,
			 int64_t received_ns)
{
	struct buf rows;
	char err[512];
	char *tmp = NULL;
	size_t tmpcap = 0, n = 0;
	int ret = 0;

	buf_init(&rows, CH_BATCH_MAX);
	for (size_t k = 0; k < nsets && !ret; k++) {
		ret = append_rows(&rows, &sets[k], received_ns, &tmp, &tmpcap);
		n += sets[k].n;
	}
	free(tmp);
	if (!ret) {
		ret = ch_insert_json(s->c, "events", rows.p, rows.len, err, sizeof(err));
		if (ret < 0)
			log_warn("store: clickhouse: insert of %zu events: %s", n, err);
	}
	buf_free(&rows);
	return ret < 0 ? (ret == -ENOMEM ? ret : -EIO) : 0;
}

/* The stored days, oldest first, with their events and bytes (the events table's parts;
 * events_by_id follows it). */
struct day {
	char date[16];
	uint64_t rows, bytes;
};

static int list_days(struct ch_store *s, struct day **days, size_t *n)
{
	char sql[512], err[512];
	struct buf out;
	char *line, *save = NULL;
	size_t cap = 0;
	int ret;

	*days = NULL;
	*n = 0;
	snprintf(sql, sizeof(sql),
		 "SELECT partition, sum(rows), sum(bytes) FROM system.parts WHERE active AND"
		 " database = '%s' AND table = 'events' GROUP BY partition ORDER BY partition"
		 " FORMAT TabSeparated",
		 ch_client_db(s->c));
	buf_init(&out, CH_LIST_MAX);
	ret = ch_exec(s->c, sql, &out, err, sizeof(err));
	if (ret < 0)
		log_warn("store: clickhouse: list days: %s", err);
	for (line = ret || !out.p ? NULL : strtok_r(out.p, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		struct day d = {0};

		if (sscanf(line, "%15[0-9-]\t%" SCNu64 "\t%" SCNu64, d.date, &d.rows, &d.bytes) !=
		    3)
			continue;
		if (*n == cap) {
			struct day *p = realloc(*days, (cap = cap ? cap * 2 : 32) * sizeof(*p));

			if (!p) {
				ret = -ENOMEM;
				break;
			}
			*days = p;
		}
		(*days)[(*n)++] = d;
	}
	buf_free(&out);
	return ret;
}

static int drop_day(struct ch_store *s, const char *date)
{
	static const char *const tables[] = {"events", "`.inner.events_by_id`"};
	char sql[256], err[512];
	int ret = 0;

	for (size_t i = 0; i < 2 && !ret; i++) {
		snprintf(sql, sizeof(sql), "ALTER TABLE %s.%s DROP PARTITION '%s'",
			 ch_client_db(s->c), tables[i], date);
		ret = ch_exec(s->c, sql, NULL, err, sizeof(err));
		if (ret < 0)
			log_warn("store: clickhouse: drop %s of %s: %s", date, tables[i], err);
	}
	return ret;
}

int ch_store_retain(struct ch_store *s, int64_t cutoff_ns, uint64_t max_bytes, uint64_t *removed)
{
	struct day *days;
	uint64_t total = 0;
	char cutoff[16] = "";
	size_t n, i = 0;
	int ret;

	*removed = 0;
	if ((ret = list_days(s, &days, &n)) < 0)
		return ret;
	if (cutoff_ns > 0) {
		time_t t = (time_t)(cutoff_ns / NS_PER_S);
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(cutoff, sizeof(cutoff), "%Y-%m-%d", &tm);
	}
	for (size_t k = 0; k < n; k++)
		total += days[k].bytes;
	/* a day goes when all of it is older than the cutoff (ISO dates sort as text) */
	for (; i < n && !ret && *cutoff && strcmp(days[i].date, cutoff) < 0; i++) {
		ret = drop_day(s, days[i].date);
		*removed += days[i].rows;
		total -= days[i].bytes;
	}
	/* then the oldest days while over the cap; the newest day is never dropped */
	for (; i + 1 < n && !ret && max_bytes && total > max_bytes; i++) {
		ret = drop_day(s, days[i].date);
		*removed += days[i].rows;
		total -= days[i].bytes;
	}
	free(days);
	return ret;
}

bool ch_store_ready(struct ch_store *s)
{
	char err[256];

	return ch_exec(s->c, "SELECT 1", NULL, err, sizeof(err)) == 0;
}

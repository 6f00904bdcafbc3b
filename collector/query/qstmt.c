// SPDX-License-Identifier: BSD-2-Clause
/* qstmt.c - see qstmt.h. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "ch_client.h"
#include "log.h"
#include "qstmt.h"
#include "query_internal.h"

#define QS_MAX_PARAMS 32
#define QS_MAX_COLS   32
#define QS_CH_ANSWER  (256u << 20) /* the largest ClickHouse answer a query reads */
#define QS_SQL_MAX    (1u << 20)

struct param {
	enum { P_NULL, P_INT, P_TEXT } type;
	int64_t i;
	char *s;
};

struct qstmt {
	struct query_req *q;
	sqlite3_stmt *st; /* SQLite */
	/* ClickHouse */
	char *ch_sql; /* a copy: callers build texts in stack buffers */
	struct param params[QS_MAX_PARAMS];
	cJSON *answer;	 /* the parsed JSONCompact */
	cJSON *row;	 /* the current row (an array), NULL before the first step */
	bool ran;
	char num[QS_MAX_COLS][24];  /* numbers as text */
	char *printed[QS_MAX_COLS]; /* arrays as JSON text */
};

struct qstmt *qs_prepare(struct query_req *q, const char *sqlite_sql, const char *ch_sql)
{
	struct qstmt *s;

	if (q->ch && !ch_sql) {
		query_fail(q, 501, "not answered by the ClickHouse store yet");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		query_fail(q, 500, "out of memory");
		return NULL;
	}
	s->q = q;
	if (q->ch) {
		s->ch_sql = strdup(ch_sql);
		if (s->ch_sql)
			return s;
		free(s);
		query_fail(q, 500, "out of memory");
		return NULL;
	}
	if (sqlite3_prepare_v2(q->db, sqlite_sql, -1, &s->st, NULL) != SQLITE_OK) {
		log_error("query: prepare: %s", sqlite3_errmsg(q->db));
		query_fail(q, 500, "store query failed");
		sqlite3_finalize(s->st);
		free(s);
		return NULL;
	}
	return s;
}

static struct param *param_at(struct qstmt *s, int idx)
{
	if (idx < 1 || idx > QS_MAX_PARAMS)
		return NULL;
	free(s->params[idx - 1].s);
	s->params[idx - 1] = (struct param){0};
	return &s->params[idx - 1];
}

void qs_bind_text(struct qstmt *s, int idx, const char *v)
{
	struct param *p;

	if (s->st) {
		if (v)
			sqlite3_bind_text(s->st, idx, v, -1, SQLITE_TRANSIENT);
		else
			sqlite3_bind_null(s->st, idx);
		return;
	}
	p = param_at(s, idx);
	if (p && v && (p->s = strdup(v)))
		p->type = P_TEXT;
}

void qs_bind_int64(struct qstmt *s, int idx, int64_t v)
{
	struct param *p;

	if (s->st) {
		sqlite3_bind_int64(s->st, idx, v);
		return;
	}
	p = param_at(s, idx);
	if (p) {
		p->type = P_INT;
		p->i = v;
	}
}

static int append_param(struct buf *b, const struct param *p)
{
	char n[24];

	switch (p->type) {
	case P_TEXT:
		return ch_quote(b, p->s);
	case P_INT:
		snprintf(n, sizeof(n), "%" PRId64, p->i);
		return buf_append(b, n, strlen(n));
	case P_NULL:
		break;
	}
	return buf_append(b, "NULL", 4);
}

/* The ClickHouse text with the parameters written in. */
static int render(struct qstmt *s, struct buf *b)
{
	const char *p = s->ch_sql;
	int next = 0, ret = 0;

	while (*p && !ret) {
		const char *q = strchr(p, '?');
		int idx;

		if (!q)
			return buf_append(b, p, strlen(p));
		if ((ret = buf_append(b, p, (size_t)(q - p))) < 0)
			break;
		p = q + 1;
		if (isdigit((unsigned char)*p)) {
			idx = (int)strtol(p, (char **)&p, 10);
		} else {
			idx = next + 1;
		}
		if (idx > next)
			next = idx;
		if (idx < 1 || idx > QS_MAX_PARAMS)
			return -EINVAL;
		ret = append_param(b, &s->params[idx - 1]);
	}
	return ret;
}

static int ch_run(struct qstmt *s)
{
	struct buf sql, out;
	char err[512];
	int ret;

	buf_init(&sql, QS_SQL_MAX);
	buf_init(&out, QS_CH_ANSWER);
	ret = render(s, &sql);
	if (!ret)
		ret = buf_append(&sql, " FORMAT JSONCompact", 19);
	if (!ret) {
		ret = ch_exec(s->q->ch, sql.p, &out, err, sizeof(err));
		if (ret < 0)
			log_error("query: %s", err);
	}
	if (!ret) {
		s->answer = cJSON_ParseWithLength(out.p, out.len);
		if (!cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(s->answer, "data"))) {
			log_error("query: clickhouse: an answer without data");
			ret = -EIO;
		}
	}
	buf_free(&sql);
	buf_free(&out);
	return ret;
}

static void clear_printed(struct qstmt *s)
{
	for (int i = 0; i < QS_MAX_COLS; i++) {
		cJSON_free(s->printed[i]);
		s->printed[i] = NULL;
	}
}

int qs_step(struct qstmt *s)
{
	int rc;

	if (s->st) {
		rc = sqlite3_step(s->st);
		if (rc == SQLITE_ROW || rc == SQLITE_DONE)
			return rc;
		log_error("query: step: %s", sqlite3_errmsg(s->q->db));
		query_fail(s->q, 500, rc == SQLITE_BUSY ? "store busy" : "store query failed");
		return QS_ERROR;
	}
	clear_printed(s);
	if (!s->ran) {
		s->ran = true;
		if (ch_run(s) < 0) {
			query_fail(s->q, 500, "store query failed");
			return QS_ERROR;
		}
		s->row = cJSON_GetObjectItemCaseSensitive(s->answer, "data")->child;
	} else if (s->row) {
		s->row = s->row->next;
	}
	return s->row ? QS_ROW : QS_DONE;
}

static const cJSON *ch_col(struct qstmt *s, int col)
{
	return s->row && col >= 0 && col < QS_MAX_COLS ? cJSON_GetArrayItem(s->row, col) : NULL;
}

const char *qs_text_raw(struct qstmt *s, int col)
{
	const cJSON *v;

	if (s->st)
		return (const char *)sqlite3_column_text(s->st, col);
	v = ch_col(s, col);
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(s->num[col], sizeof(s->num[col]), "%.17g", v->valuedouble);
		return s->num[col];
	}
	if (cJSON_IsArray(v) || cJSON_IsObject(v)) {
		if (!s->printed[col])
			s->printed[col] = cJSON_PrintUnformatted(v);
		return s->printed[col];
	}
	return NULL;
}

const char *qs_text(struct qstmt *s, int col)
{
	const char *t = qs_text_raw(s, col);

	return t && *t ? t : NULL;
}

int64_t qs_int64(struct qstmt *s, int col)
{
	const cJSON *v;

	if (s->st)
		return sqlite3_column_int64(s->st, col);
	v = ch_col(s, col);
	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	return 0;
}

bool qs_is_null(struct qstmt *s, int col)
{
	if (s->st)
		return sqlite3_column_type(s->st, col) == SQLITE_NULL;
	return cJSON_IsNull(ch_col(s, col)) || !ch_col(s, col);
}

void qs_reset(struct qstmt *s)
{
	if (s->st) {
		sqlite3_reset(s->st);
		return;
	}
	clear_printed(s);
	cJSON_Delete(s->answer);
	s->answer = NULL;
	s->row = NULL;
	s->ran = false;
}

void qs_finalize(struct qstmt *s)
{
	if (!s)
		return;
	sqlite3_finalize(s->st);
	for (int i = 0; i < QS_MAX_PARAMS; i++)
		free(s->params[i].s);
	clear_printed(s);
	cJSON_Delete(s->answer);
	free(s->ch_sql);
	free(s);
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * qstmt.h - one statement interface over both stores, so each query module builds its answer
 * once: SQLite (a prepared statement on the request's read-only connection) or ClickHouse (the
 * statement's text with the bound values written in as literals, run over HTTP, its rows read
 * from FORMAT JSONCompact). A module passes both dialects' texts; where the stores keep
 * different tables (SQLite's summaries, ClickHouse's FINAL over ReplacingMergeTree) the texts
 * differ but give the same columns.
 *
 * Parameters: `?N` (1-based) or `?` (the next number) in both texts; a ClickHouse text must not
 * hold '?' anywhere else. Columns: 0-based. Text columns give NULL for SQL NULL and for "" alike
 * (the stores differ there: ClickHouse keys hold '' for a missing value).
 */
#ifndef C2D_COLLECTOR_QSTMT_H
#define C2D_COLLECTOR_QSTMT_H

#include <stdbool.h>
#include <stdint.h>

struct query_req;
struct qstmt;

enum { QS_ERROR = 1, QS_ROW = 100, QS_DONE = 101 }; /* SQLite's values */

/* NULL on failure (q's status and message set: 500, or 501 when ch_sql is NULL on ClickHouse). */
struct qstmt *qs_prepare(struct query_req *q, const char *sqlite_sql, const char *ch_sql);
/* v NULL binds SQL NULL; the text is copied. */
void qs_bind_text(struct qstmt *s, int idx, const char *v);
void qs_bind_int64(struct qstmt *s, int idx, int64_t v);
/* QS_ROW, QS_DONE, or QS_ERROR with a 500 set in the request. */
int qs_step(struct qstmt *s);
/* Column col of the current row; NULL when NULL or empty. Valid until the next step. */
const char *qs_text(struct qstmt *s, int col);
/* The same, but "" stays "" (NULL only for NULL). */
const char *qs_text_raw(struct qstmt *s, int col);
int64_t qs_int64(struct qstmt *s, int col);
bool qs_is_null(struct qstmt *s, int col);
/* Back to before the first step, bindings kept (SQLite: sqlite3_reset; ClickHouse: the text
 * runs again at the next step). */
void qs_reset(struct qstmt *s);
void qs_finalize(struct qstmt *s);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/* table.c - see table.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "term_safe.h"

#define GAP 2 /* spaces between columns */

struct cli_table {
	int ncols, nrows, cap;
	char **cells; /* nrows * ncols; NULL shown as "-" */
	size_t width[CLI_TABLE_MAX_COLS];
	char *headers[CLI_TABLE_MAX_COLS];
	int has_header;
};

/* Cells are stored escaped (term_safe.h): a workload's string never reaches the terminal
 * raw. Widths are display columns of the escaped text (wide characters count two). */
static char *safe_dup(const char *s)
{
	size_t n = term_safe(s, NULL, 0) + 1;
	char *d = malloc(n);

	if (d)
		term_safe(s, d, n);
	return d;
}

static size_t text_width(const char *s)
{
	return term_width(s);
}

static void measure(struct cli_table *t, int col, const char *s)
{
	size_t w = text_width(s ? s : "-");

	if (w > t->width[col])
		t->width[col] = w;
}

struct cli_table *cli_table_new(int ncols, const char *const *headers)
{
	struct cli_table *t;

	if (ncols < 1 || ncols > CLI_TABLE_MAX_COLS)
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->ncols = ncols;
	t->has_header = headers != NULL;
	for (int i = 0; headers && i < ncols; i++) {
		t->headers[i] = safe_dup(headers[i]);
		if (!t->headers[i]) {
			cli_table_free(t);
			return NULL;
		}
		measure(t, i, headers[i]);
	}
	return t;
}

static int grow(struct cli_table *t)
{
	int cap = t->cap ? t->cap * 2 : 16;
	char **c;

	if (t->nrows < t->cap)
		return 0;
	c = realloc(t->cells, (size_t)cap * (size_t)t->ncols * sizeof(*c));
	if (!c)
		return -ENOMEM;
	t->cells = c;
	t->cap = cap;
	return 0;
}

int cli_table_add(struct cli_table *t, const char *const *cells)
{
	char **row;

	if (grow(t) < 0)
		return -ENOMEM;
	row = &t->cells[(size_t)t->nrows * (size_t)t->ncols];
	for (int i = 0; i < t->ncols; i++) {
		row[i] = cells[i] && *cells[i] ? safe_dup(cells[i]) : NULL;
		if (cells[i] && *cells[i] && !row[i]) {
			while (i--)
				free(row[i]);
			return -ENOMEM;
		}
		measure(t, i, row[i]);
	}
	t->nrows++;
	return 0;
}

int cli_table_rows(const struct cli_table *t)
{
	return t->nrows;
}

static void print_row(const struct cli_table *t, char *const *row, FILE *out)
{
	for (int i = 0; i < t->ncols; i++) {
		const char *s = row[i] ? row[i] : "-";

		fputs(s, out);
		if (i == t->ncols - 1)
			break;
		for (size_t w = text_width(s); w < t->width[i] + GAP; w++)
			fputc(' ', out);
	}
	fputc('\n', out);
}

void cli_table_print(const struct cli_table *t, FILE *out)
{
	if (t->has_header)
		print_row(t, t->headers, out);
	for (int r = 0; r < t->nrows; r++)
		print_row(t, &t->cells[(size_t)r * (size_t)t->ncols], out);
}

void cli_table_free(struct cli_table *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < (size_t)t->nrows * (size_t)t->ncols; i++)
		free(t->cells[i]);
	for (int i = 0; i < t->ncols; i++)
		free(t->headers[i]);
	free(t->cells);
	free(t);
}

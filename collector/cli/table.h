/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * table.h - aligned text columns for the CLI: rows are copied in with every control,
 * invisible or invalid character escaped (term_safe.h), widths measured in display columns,
 * missing cells shown as "-", the last column never padded.
 */
#ifndef C2D_CLI_TABLE_H
#define C2D_CLI_TABLE_H

#include <stdio.h>

#define CLI_TABLE_MAX_COLS 12

struct cli_table;

/* headers: ncols names, or NULL for a table without a header line. NULL when out of memory. */
struct cli_table *cli_table_new(int ncols, const char *const *headers);
/* cells: ncols strings (NULL: "-"). 0 or -ENOMEM. */
int cli_table_add(struct cli_table *t, const char *const *cells);
int cli_table_rows(const struct cli_table *t);
void cli_table_print(const struct cli_table *t, FILE *out);
void cli_table_free(struct cli_table *t);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * term_safe.h - make a string that came from a workload safe for a terminal.
 *
 * Paths, arguments, comm, pod and container names and image labels are chosen by whoever
 * controls the workload. Printed raw, `\e]0;…\a` retitles the analyst's terminal, `\e[2J`
 * clears it, a newline forges a table row and a right-to-left override reorders what is read
 * (kubectl's CVE-2021-25743 is the same class). Everything that is not a printable character
 * is shown as a visible escape instead: C0 controls and DEL (`\n`, `\t`, `\r`, `\e`, `\x7f`),
 * C1 controls and invisible format characters — bidi overrides and isolates, zero-width
 * characters, line and paragraph separators — as `\uXXXX`, bytes that are not UTF-8 as `\xHH`,
 * and the backslash itself as `\\`, so an escape in the output always means one was needed.
 * JSON output (-o json) is not passed through here: it round-trips the exact bytes.
 */
#ifndef C2D_CLI_TERM_SAFE_H
#define C2D_CLI_TERM_SAFE_H

#include <stddef.h>
#include <stdio.h>

/* Escape s into out (always NUL-terminated when len > 0; cut on a whole escape when it does
 * not fit). Returns the length the full result needs, like snprintf. */
size_t term_safe(const char *s, char *out, size_t len);

/* Columns s takes on a terminal once escaped (wide characters count two). */
size_t term_width(const char *s);

/* fputs(term_safe(s)); s may be NULL ("-"). Returns EOF on a write error. */
int term_puts(const char *s, FILE *out);

#endif

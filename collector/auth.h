/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h - bearer tokens from a file: one per line, `#` comments, blank lines ignored. The file
 * is looked at again on every check and re-read when it changed (inode, size or mtime), so
 * tokens rotate without a restart; a file that becomes unreadable or empty keeps the old set.
 * Comparisons take the same time wherever they differ. Token values are never logged.
 */
#ifndef C2D_COLLECTOR_AUTH_H
#define C2D_COLLECTOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

struct auth;

/* Parse file text into a NULL-terminated array of tokens (free with auth_tokens_free).
 * Returns the count, or -ENOMEM. */
long auth_parse_tokens(const char *text, char ***out);
void auth_tokens_free(char **tokens);

/* Load path; -errno (-ENOKEY: no token in it) with err set. */
int auth_new(const char *path, struct auth **out, char *err, size_t errlen);
/* The Authorization header value ("Bearer <token>"), NULL if absent. */
bool auth_check(struct auth *a, const char *authorization);
void auth_free(struct auth *a);

#endif

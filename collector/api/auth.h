/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auth.h - bearer tokens by role, from files: one token per line, `#` comments, blank lines
 * ignored. An ingest file's line may bind its token to one node: `TOKEN node=NAME` (that
 * token may then only write events whose node.name is NAME).
 *
 * - Roles: an ingest token may only POST events; a read token may only query. A file given
 *   with --token-file grants both (one token for everything: fine for one node, logged).
 * - Rotation without restart: every check looks at the files and re-reads one that changed
 *   (inode, size, mtime); SIGHUP re-reads all of them.
 * - Fail closed: a file that is removed, emptied, unreadable, or readable by every user
 *   revokes its tokens until it is fixed (logged once per change). At start-up each of
 *   these is an error instead.
 * - Comparisons take the same time wherever tokens differ. Token values are never logged.
 */
#ifndef C2D_COLLECTOR_AUTH_H
#define C2D_COLLECTOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#define AUTH_NODE_MAX 254 /* a DNS-1123 subdomain: Kubernetes node names */

enum auth_role {
	AUTH_INGEST = 1 << 0,
	AUTH_READ = 1 << 1,
};

enum auth_result {
	AUTH_OK,
	AUTH_DENIED,	 /* no token, not a bearer token, or not one we know: 401 */
	AUTH_WRONG_ROLE, /* a known token without the route's role: 403 */
};

struct auth_token {
	char *value;
	char node[AUTH_NODE_MAX + 1]; /* "" unless bound to a node */
};

struct auth;

/* Parse file text into tokens (count in *n; free with auth_tokens_free). 0, -EINVAL (a line
 * that is not `TOKEN` or `TOKEN node=NAME`; line number in *bad_line), or -ENOMEM. */
int auth_parse_tokens(const char *text, struct auth_token **out, size_t *n, int *bad_line);
void auth_tokens_free(struct auth_token *t, size_t n);

struct auth *auth_new(void);
/* Add a token file granting roles (AUTH_*). -errno with err set: missing, unreadable, empty
 * (-ENOKEY), readable by every user (-EPERM), malformed (-EINVAL). */
int auth_add_file(struct auth *a, const char *path, unsigned roles, char *err, size_t errlen);
/* The Authorization header value ("Bearer <token>", may be NULL) for a route needing `role`.
 * On AUTH_OK, node (nodelen bytes) gets the node the token is bound to, or "". */
enum auth_result auth_check(struct auth *a, const char *authorization, unsigned role, char *node,
			    size_t nodelen);
/* Re-read every file now (SIGHUP). */
void auth_reload(struct auth *a);
void auth_free(struct auth *a);

#endif

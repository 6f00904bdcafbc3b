// SPDX-License-Identifier: BSD-2-Clause
/* redact.c - see redact.h. The secret names and credential prefixes are secrets.c's tables. */
#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "redact.h"
#include "secrets.h" /* what a secret name and a credential prefix are: one table */

#define REDACT_ARG_MAX 1024

/* HTTP authorization schemes: what follows them is a credential. */
static const char *const auth_schemes[] = {"bearer ", "basic ", "token "};

/*
 * Where the credential after an authorization scheme starts in a, or NULL: "Bearer x" as a
 * whole argument, or "Authorization: Bearer x" anywhere in one (curl -H). A shell string that
 * merely holds the word ("cat …/token >/dev/null") is left alone.
 */
static const char *auth_scheme(const char *a)
{
	const char *h = strcasestr(a, "authorization:");
	const char *at = h ? h + 14 : a;

	while (h && *at == ' ')
		at++;
	for (size_t i = 0; i < sizeof(auth_schemes) / sizeof(auth_schemes[0]); i++) {
		size_t sl = strlen(auth_schemes[i]);

		if (strncasecmp(at, auth_schemes[i], sl) == 0 && at[sl])
			return at + sl;
	}
	return NULL;
}

static size_t put(char *out, size_t cap, size_t pos, const char *s, size_t n)
{
	if (pos >= cap)
		return pos;
	if (n > cap - pos - 1)
		n = cap - pos - 1;
	memcpy(out + pos, s, n);
	return pos + n;
}

/* scheme://user:pass@host -> scheme://user:[REDACTED]@host */
static size_t put_url(char *out, size_t cap, size_t pos, const char *a, size_t n)
{
	const char *scheme = strstr(a, "://");
	const char *at, *colon, *slash;

	if (!scheme)
		return put(out, cap, pos, a, n);
	at = strchr(scheme + 3, '@');
	colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
	slash = strchr(scheme + 3, '/');
	if (!colon || (slash && slash < at))
		return put(out, cap, pos, a, n);
	pos = put(out, cap, pos, a, (size_t)(colon + 1 - a));
	pos = put(out, cap, pos, C2D_REDACTED, strlen(C2D_REDACTED));
	return put(out, cap, pos, at, n - (size_t)(at - a));
}

size_t redact_args(const char *in, size_t n, char *out, size_t cap)
{
	bool next_secret = false;
	size_t pos = 0, i = 0;

	if (cap == 0)
		return 0;
	while (i < n) {
		size_t len = strnlen(in + i, n - i);
		char a[REDACT_ARG_MAX];
		const char *eq, *sp;

		/* a NUL-terminated copy: the last argument may be cut without one */
		if (len >= sizeof(a))
			len = sizeof(a) - 1;
		memcpy(a, in + i, len);
		a[len] = 0;
		eq = memchr(a, '=', len);

		if (next_secret || secrets_has_known_prefix(a)) {
			pos = put(out, cap, pos, C2D_REDACTED, strlen(C2D_REDACTED));
			next_secret = false;
		} else if (a[0] == '-' && eq && secrets_name_is_secret(a, (size_t)(eq - a))) {
			pos = put(out, cap, pos, a, (size_t)(eq + 1 - a));
			pos = put(out, cap, pos, C2D_REDACTED, strlen(C2D_REDACTED));
		} else if (eq && !strchr(a, ' ') && secrets_name_is_secret(a, (size_t)(eq - a)) &&
			   isupper((unsigned char)a[0])) { /* PASSWORD=x as an argument (env, sudo) */
			pos = put(out, cap, pos, a, (size_t)(eq + 1 - a));
			pos = put(out, cap, pos, C2D_REDACTED, strlen(C2D_REDACTED));
		} else if ((sp = auth_scheme(a)) != NULL) { /* "Authorization: Bearer <token>" */
			pos = put(out, cap, pos, a, (size_t)(sp - a));
			pos = put(out, cap, pos, C2D_REDACTED, strlen(C2D_REDACTED));
		} else if (eq && secrets_has_known_prefix(eq + 1)) {
			pos = put(out, cap, pos, a, (size_t)(eq + 1 - a));
			pos = put(out, cap, pos, C2D_REDACTED, strlen(C2D_REDACTED));
		} else {
			if (a[0] == '-' && !eq && secrets_name_is_secret(a, len))
				next_secret = true; /* --password VALUE */
			pos = put_url(out, cap, pos, a, len);
		}
		if (pos < cap)
			out[pos++] = 0;
		i += strnlen(in + i, n - i) + 1;
	}
	if (pos == cap)
		out[cap - 1] = 0;
	return pos;
}

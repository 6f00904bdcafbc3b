// SPDX-License-Identifier: BSD-2-Clause
/* links.c - see links.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "links.h"

/* Hosts are matched by a substring of the host name: self-hosted GitLab is usually
 * gitlab.<company>; anything unknown is treated like GitHub, whose paths Gitea, Forgejo and
 * Gogs copy. */
static const struct {
	const char *host_part;
	const char *commit;  /* <web><commit><sha> */
	const char *compare; /* <web><compare><from>...<to>; NULL: no such page */
} forges[] = {
    {"gitlab", "/-/commit/", "/-/compare/"},
    {"bitbucket.org", "/commits/", NULL},
    {"", "/commit/", "/compare/"},
};

#define NFORGES (sizeof(forges) / sizeof(forges[0]))

/* Characters we put into a URL unescaped: a label value with a quote, space or '<' is not a
 * repository URL and must not become a link in a page. */
static bool url_safe(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s >= 0x7f || strchr("\"'<>\\`{}|^", *s))
			return false;
	return true;
}

/* A commit id or tag: hex for git, but also accept ref-ish names; nothing that changes the path. */
static bool rev_safe(const char *s)
{
	if (!s || !*s || strlen(s) > 128)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || *s == '.' || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Rewrites scp-like "user@host:path" and "ssh://user@host[:port]/path" to https://host/path. */
static int to_https(const char *repo, char *out, size_t len)
{
	const char *at, *colon, *rest;
	size_t hostlen;
	int n;

	if (!strncasecmp(repo, "https://", 8) || !strncasecmp(repo, "http://", 7))
		n = snprintf(out, len, "%s", repo);
	else if (!strncasecmp(repo, "ssh://", 6) || !strncasecmp(repo, "git://", 6)) {
		rest = repo + 6;
		at = strchr(rest, '@');
		colon = strchr(rest, '/');
		if (at && (!colon || at < colon))
			rest = at + 1;
		hostlen = strcspn(rest, ":/");
		colon = rest + hostlen;
		if (*colon == ':') /* a port: the web UI is not on it */
			colon += strcspn(colon, "/");
		n = snprintf(out, len, "https://%.*s%s", (int)hostlen, rest, colon);
	} else if ((at = strchr(repo, '@')) && (colon = strchr(at, ':')) && colon[1] != '/') {
		n = snprintf(out, len, "https://%.*s/%s", (int)(colon - at - 1), at + 1, colon + 1);
	} else {
		return -EINVAL;
	}
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* A host and at least owner/name after it: "https://github.com/acme" is not a repository. */
static int check_shape(const char *url)
{
	const char *h = strstr(url, "://") + 3, *path = strchr(h, '/');

	if (!path || path == h || !path[1] || !strchr(path + 1, '/') ||
	    path[strlen(path) - 1] == '/')
		return -EINVAL;
	return 0;
}

int links_repo_web(const char *repo, char *out, size_t len)
{
	size_t n;
	int err;

	if (!repo || !*repo || !url_safe(repo))
		return -EINVAL;
	err = to_https(repo, out, len);
	if (err)
		return err;
	n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = 0;
	if (n > 4 && !strcasecmp(out + n - 4, ".git"))
		out[n -= 4] = 0;
	return check_shape(out);
}

static int forge_of(const char *web)
{
	const char *host = strstr(web, "://") + 3;
	size_t hostlen = strcspn(host, "/");

	for (size_t i = 0; i < NFORGES; i++) {
		const char *p = forges[i].host_part;

		if (!*p)
			return (int)i;
		for (const char *h = host; h + strlen(p) <= host + hostlen; h++)
			if (!strncasecmp(h, p, strlen(p)))
				return (int)i;
	}
	return (int)NFORGES - 1;
}

int links_commit_url(const char *repo, const char *sha, char *out, size_t len)
{
	char web[512];
	int err, n;

	if (!rev_safe(sha))
		return -EINVAL;
	err = links_repo_web(repo, web, sizeof(web));
	if (err)
		return err;
	n = snprintf(out, len, "%s%s%s", web, forges[forge_of(web)].commit, sha);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

int links_compare_url(const char *repo, const char *from, const char *to, char *out, size_t len)
{
	char web[512];
	const char *path;
	int err, n;

	if (!rev_safe(from) || !rev_safe(to))
		return -EINVAL;
	err = links_repo_web(repo, web, sizeof(web));
	if (err)
		return err;
	path = forges[forge_of(web)].compare;
	if (!path)
		return -ENOTSUP;
	n = snprintf(out, len, "%s%s%s...%s", web, path, from, to);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

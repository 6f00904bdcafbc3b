// SPDX-License-Identifier: BSD-2-Clause
/* auth.c - see auth.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth.h"
#include "log.h"

#define TOKEN_FILE_MAX 65536
#define MAX_FILES 4

struct source {
	char *path;
	unsigned roles;
	struct auth_token *tokens;
	size_t n;
	struct stat st; /* of the file the tokens came from; st_ino 0: none (revoked) */
};

struct auth {
	pthread_mutex_t lock;
	struct source src[MAX_FILES];
	size_t nsrc;
};

void auth_tokens_free(struct auth_token *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++) {
		/* tokens are secrets: do not leave them in freed heap */
		explicit_bzero(t[i].value, strlen(t[i].value));
		free(t[i].value);
	}
	free(t);
}

static bool node_name_ok(const char *s, size_t n)
{
	if (n == 0 || n > AUTH_NODE_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '.'))
			return false;
	return true;
}

/* One non-comment line [b, end): "TOKEN" or "TOKEN node=NAME". */
static int parse_line(const char *b, const char *end, struct auth_token *t)
{
	const char *sp = b + strcspn(b, " \t");
	const char *nb;

	if (sp > end)
		sp = end;
	memset(t, 0, sizeof(*t));
	if (sp < end) {
		nb = sp;
		while (nb < end && (*nb == ' ' || *nb == '\t'))
			nb++;
		if ((size_t)(end - nb) < 6 || strncmp(nb, "node=", 5) ||
		    !node_name_ok(nb + 5, (size_t)(end - nb - 5)))
			return -EINVAL;
		memcpy(t->node, nb + 5, (size_t)(end - nb - 5));
	}
	t->value = strndup(b, (size_t)(sp - b));
	return t->value ? 0 : -ENOMEM;
}

int auth_parse_tokens(const char *text, struct auth_token **out, size_t *n, int *bad_line)
{
	struct auth_token *t = NULL;
	const char *p = text;
	int line = 0, ret = 0;

	*n = 0;
	while (*p) {
		const char *e = p + strcspn(p, "\n"), *b = p, *end = e;
		struct auth_token *nt;

		line++;
		while (b < end && (*b == ' ' || *b == '\t'))
			b++;
		while (end > b && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		p = *e ? e + 1 : e;
		if (b == end || *b == '#')
			continue;
		nt = realloc(t, (*n + 1) * sizeof(*t));
		if (!nt) {
			ret = -ENOMEM;
			break;
		}
		t = nt;
		ret = parse_line(b, end, &t[*n]);
		if (ret < 0) {
			*bad_line = line;
			break;
		}
		(*n)++;
	}
	if (ret < 0) {
		auth_tokens_free(t, *n);
		*n = 0;
		return ret;
	}
	*out = t;
	return 0;
}

/* Read and check one file: the tokens, or -errno (-ENOKEY empty, -EPERM world-accessible). */
static int read_tokens(struct source *s, struct auth_token **tokens, size_t *n, struct stat *st,
		       int *bad_line)
{
	char *text = malloc(TOKEN_FILE_MAX + 1);
	ssize_t len = 0;
	int fd, ret;

	if (!text)
		return -ENOMEM;
	fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) < 0) {
		ret = -errno;
		goto out;
	}
	if (st->st_mode & S_IRWXO) { /* a token every local user can read is no secret */
		ret = -EPERM;
		goto out;
	}
	len = read(fd, text, TOKEN_FILE_MAX);
	if (len < 0) {
		ret = -errno;
		len = 0;
		goto out;
	}
	text[len] = 0;
	ret = auth_parse_tokens(text, tokens, n, bad_line);
	if (ret == 0 && *n == 0)
		ret = -ENOKEY;
	if (ret == 0 && !(s->roles & AUTH_INGEST))
		for (size_t i = 0; i < *n; i++)
			if ((*tokens)[i].node[0])
				ret = -EINVAL, *bad_line = 0; /* node= binds ingest tokens only */
	if (ret < 0 && ret != -EINVAL && ret != -ENOMEM)
		goto out;
	if (ret < 0)
		auth_tokens_free(*tokens, *n);
out:
	explicit_bzero(text, (size_t)len);
	if (fd >= 0)
		close(fd);
	free(text);
	return ret;
}

static void why(int ret, const struct stat *st, int bad_line, char *err, size_t errlen)
{
	switch (ret) {
	case -ENOKEY:
		snprintf(err, errlen, "no token in the file");
		break;
	case -EPERM:
		snprintf(err, errlen, "readable or writable by every user (mode %04o): chmod o= it",
			 (unsigned)(st->st_mode & 07777));
		break;
	case -EINVAL:
		if (bad_line)
			snprintf(err, errlen, "line %d is not \"TOKEN\" or \"TOKEN node=NAME\"",
				 bad_line);
		else
			snprintf(err, errlen, "node= binds ingest tokens only");
		break;
	default:
		snprintf(err, errlen, "%s", strerror(-ret));
	}
}

struct auth *auth_new(void)
{
	struct auth *a = calloc(1, sizeof(*a));

	if (a)
		pthread_mutex_init(&a->lock, NULL);
	return a;
}

int auth_add_file(struct auth *a, const char *path, unsigned roles, char *err, size_t errlen)
{
	struct source *s;
	struct stat st = {0};
	int ret, bad_line = 0;
	char w[160];

	if (a->nsrc == MAX_FILES)
		return snprintf(err, errlen, "%s: too many token files", path), -E2BIG;
	s = &a->src[a->nsrc];
	s->path = strdup(path);
	s->roles = roles;
	if (!s->path)
		return -ENOMEM;
	ret = read_tokens(s, &s->tokens, &s->n, &st, &bad_line);
	if (ret < 0) {
		why(ret, &st, bad_line, w, sizeof(w));
		snprintf(err, errlen, "%s: %s", path, w);
		free(s->path);
		memset(s, 0, sizeof(*s));
		return ret;
	}
	s->st = st;
	a->nsrc++;
	return 0;
}

static bool changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
	       a->st_mode != b->st_mode || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

static void revoke_source(struct source *s, const char *reason)
{
	if (s->n)
		log_warn("auth: %s %s: its %zu token(s) are revoked until it is fixed", s->path,
			 reason, s->n);
	auth_tokens_free(s->tokens, s->n);
	s->tokens = NULL;
	s->n = 0;
}

/* Called with the lock held; force: re-read even when the file looks unchanged. */
static void maybe_reload(struct source *s, bool force)
{
	struct auth_token *t;
	struct stat st;
	size_t n;
	int ret, bad_line = 0;
	char w[160];

	if (stat(s->path, &st) < 0) {
		if (s->st.st_ino)
			revoke_source(s, errno == ENOENT ? "was removed" : "cannot be read");
		memset(&s->st, 0, sizeof(s->st));
		return;
	}
	if (!force && !changed(&st, &s->st))
		return;
	ret = read_tokens(s, &t, &n, &st, &bad_line);
	s->st = st; /* report a bad version once, not on every request */
	if (ret < 0) {
		why(ret, &st, bad_line, w, sizeof(w));
		revoke_source(s, w);
		return;
	}
	auth_tokens_free(s->tokens, s->n);
	s->tokens = t;
	s->n = n;
	log_info("auth: %s re-read: %zu token(s)", s->path, n);
}

void auth_reload(struct auth *a)
{
	pthread_mutex_lock(&a->lock);
	for (size_t i = 0; i < a->nsrc; i++)
		maybe_reload(&a->src[i], true);
	pthread_mutex_unlock(&a->lock);
}

/* Equal in time that depends on the lengths only, never on where the bytes differ. */
static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = alen != blen;

	for (size_t i = 0; i < alen; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[blen ? i % blen : 0];
	return blen && d == 0;
}

enum auth_result auth_check(struct auth *a, const char *authorization, unsigned role, char *node,
			    size_t nodelen)
{
	const struct auth_token *hit = NULL;
	unsigned roles = 0;
	const char *tok;
	size_t n;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return AUTH_DENIED;
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	n = strlen(tok);
	pthread_mutex_lock(&a->lock);
	/* every token is compared: which one matched must not show in the timing either */
	for (size_t f = 0; f < a->nsrc; f++) {
		struct source *s = &a->src[f];

		maybe_reload(s, false);
		for (size_t i = 0; i < s->n; i++)
			if (ct_equal(tok, n, s->tokens[i].value, strlen(s->tokens[i].value))) {
				roles |= s->roles;
				if (s->roles & role)
					hit = &s->tokens[i];
			}
	}
	if (hit && node && nodelen)
		snprintf(node, nodelen, "%s", hit->node);
	pthread_mutex_unlock(&a->lock);
	if (hit)
		return AUTH_OK;
	return roles ? AUTH_WRONG_ROLE : AUTH_DENIED;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nsrc; i++) {
		auth_tokens_free(a->src[i].tokens, a->src[i].n);
		free(a->src[i].path);
	}
	pthread_mutex_destroy(&a->lock);
	free(a);
}

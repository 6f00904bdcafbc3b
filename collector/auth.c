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

struct auth {
	char *path;
	pthread_mutex_t lock;
	char **tokens;
	struct stat st; /* of the file the tokens came from */
};

void auth_tokens_free(char **tokens)
{
	for (size_t i = 0; tokens && tokens[i]; i++) {
		/* tokens are secrets: do not leave them in freed heap */
		explicit_bzero(tokens[i], strlen(tokens[i]));
		free(tokens[i]);
	}
	free(tokens);
}

long auth_parse_tokens(const char *text, char ***out)
{
	char **t = calloc(1, sizeof(*t));
	size_t n = 0;
	const char *p = text;

	while (t && *p) {
		const char *e = p + strcspn(p, "\n"), *b = p, *end = e;
		char **nt;

		while (b < end && (*b == ' ' || *b == '\t'))
			b++;
		while (end > b && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		p = *e ? e + 1 : e;
		if (b == end || *b == '#')
			continue;
		nt = realloc(t, (n + 2) * sizeof(*t));
		if (!nt)
			break;
		t = nt;
		t[n] = strndup(b, (size_t)(end - b));
		t[n + 1] = NULL;
		if (!t[n])
			break;
		n++;
	}
	if (!t || *p) {
		auth_tokens_free(t);
		return -ENOMEM;
	}
	*out = t;
	return (long)n;
}

static int read_tokens(const char *path, char ***tokens, struct stat *st)
{
	char *text = malloc(TOKEN_FILE_MAX + 1);
	ssize_t n;
	long count;
	int fd, ret = 0;

	if (!text)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, st) < 0) {
		ret = -errno;
		goto out;
	}
	n = read(fd, text, TOKEN_FILE_MAX);
	if (n < 0) {
		ret = -errno;
		goto out;
	}
	text[n] = 0;
	count = auth_parse_tokens(text, tokens);
	if (count == 0)
		auth_tokens_free(*tokens);
	ret = count < 0 ? (int)count : count == 0 ? -ENOKEY : 0;
	explicit_bzero(text, (size_t)n);
out:
	if (fd >= 0)
		close(fd);
	free(text);
	return ret;
}

int auth_new(const char *path, struct auth **out, char *err, size_t errlen)
{
	struct auth *a = calloc(1, sizeof(*a));
	int ret;

	if (!a || !(a->path = strdup(path))) {
		free(a);
		return -ENOMEM;
	}
	ret = read_tokens(path, &a->tokens, &a->st);
	if (ret < 0) {
		snprintf(err, errlen, "%s: %s", path,
			 ret == -ENOKEY ? "no token in the file" : strerror(-ret));
		free(a->path);
		free(a);
		return ret;
	}
	pthread_mutex_init(&a->lock, NULL);
	*out = a;
	return 0;
}

static bool changed(const struct stat *a, const struct stat *b)
{
	return a->st_ino != b->st_ino || a->st_dev != b->st_dev || a->st_size != b->st_size ||
	       a->st_mtim.tv_sec != b->st_mtim.tv_sec || a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

/* Called with the lock held. */
static void maybe_reload(struct auth *a)
{
	struct stat st;
	char **t;
	int ret;

	if (stat(a->path, &st) < 0 || !changed(&st, &a->st))
		return;
	ret = read_tokens(a->path, &t, &st);
	a->st = st; /* report a bad version once, not on every request */
	if (ret < 0) {
		log_warn("auth: %s changed but %s: keeping the previous tokens", a->path,
			 ret == -ENOKEY ? "holds no token" : strerror(-ret));
		return;
	}
	auth_tokens_free(a->tokens);
	a->tokens = t;
	log_info("auth: %s re-read", a->path);
}

/* Equal in time that depends on the lengths only, never on where the bytes differ. */
static bool ct_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = alen != blen;

	for (size_t i = 0; i < alen; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[blen ? i % blen : 0];
	return blen && d == 0;
}

bool auth_check(struct auth *a, const char *authorization)
{
	const char *tok;
	bool ok = false;
	size_t n;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	n = strlen(tok);
	pthread_mutex_lock(&a->lock);
	maybe_reload(a);
	/* every token is compared: which one matched must not show in the timing either */
	for (size_t i = 0; a->tokens[i]; i++)
		ok |= ct_equal(tok, n, a->tokens[i], strlen(a->tokens[i]));
	pthread_mutex_unlock(&a->lock);
	return ok;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	auth_tokens_free(a->tokens);
	pthread_mutex_destroy(&a->lock);
	free(a->path);
	free(a);
}

// SPDX-License-Identifier: BSD-2-Clause
/* secrets.c - see secrets.h. Tables, not if-chains: add a format by adding a row. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "secrets.h"

/* What the body of a token (after its prefix) may hold. */
enum charset {
	CS_UPPER_DIGIT, /* A-Z 0-9 */
	CS_ALNUM,	/* A-Z a-z 0-9 */
	CS_WORD,	/* A-Z a-z 0-9 _ */
	CS_WORD_DASH,	/* A-Z a-z 0-9 _ - */
};

/* A token format: a fixed prefix, then min..max characters of one set, to the end. */
struct shape {
	const char *id;
	const char *prefix;
	unsigned short min, max;
	enum charset cs;
};

/* Public formats (the vendors' documented prefixes and lengths). */
static const struct shape shapes[] = {
	{"aws-access-key-id", "AKIA", 16, 16, CS_UPPER_DIGIT},
	{"aws-access-key-id", "ASIA", 16, 16, CS_UPPER_DIGIT},
	{"github-token", "ghp_", 36, 36, CS_ALNUM},
	{"github-token", "gho_", 36, 36, CS_ALNUM},
	{"github-token", "ghu_", 36, 36, CS_ALNUM},
	{"github-token", "ghs_", 36, 36, CS_ALNUM},
	{"github-token", "ghr_", 36, 36, CS_ALNUM},
	{"github-token", "github_pat_", 22, 255, CS_WORD},
	{"gitlab-token", "glpat-", 20, 64, CS_WORD_DASH},
	{"slack-token", "xoxb-", 10, 255, CS_WORD_DASH},
	{"slack-token", "xoxp-", 10, 255, CS_WORD_DASH},
	{"slack-token", "xoxa-", 10, 255, CS_WORD_DASH},
	{"slack-token", "xoxr-", 10, 255, CS_WORD_DASH},
	{"slack-token", "xoxs-", 10, 255, CS_WORD_DASH},
	{"stripe-secret-key", "sk_live_", 16, 255, CS_ALNUM},
	{"stripe-secret-key", "rk_live_", 16, 255, CS_ALNUM},
	{"google-api-key", "AIza", 35, 35, CS_WORD_DASH},
	{"npm-token", "npm_", 36, 36, CS_ALNUM},
	{"pypi-token", "pypi-AgEIcHlwaS5vcmc", 50, 4096, CS_WORD_DASH},
};

/* A variable or flag whose name contains one of these holds a secret. */
static const char *const secret_words[] = {
	"password", "passwd", "secret", "token", "apikey", "api-key", "api_key", "credential",
	"private-key", "private_key", "access-key", "access_key", "auth",
};

/* Prefixes the command-line redaction replaces on sight (no shape check: a cut or odd token
 * is still hidden). */
static const char *const loose_prefixes[] = {
	"AKIA", "ASIA", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_", "glpat-", "xoxb-",
	"xoxp-", "sk_live_", "rk_live_", "AIza", "pypi-AgEIcHlwaS5vcmc", "-----BEGIN", "eyJ",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static unsigned char fp_key[SECRET_KEY_MAX];
static size_t fp_key_len;

static bool in_set(unsigned char c, enum charset cs)
{
	bool digit = c >= '0' && c <= '9', upper = c >= 'A' && c <= 'Z';
	bool lower = c >= 'a' && c <= 'z';

	switch (cs) {
	case CS_UPPER_DIGIT:
		return upper || digit;
	case CS_ALNUM:
		return upper || lower || digit;
	case CS_WORD:
		return upper || lower || digit || c == '_';
	case CS_WORD_DASH:
		return upper || lower || digit || c == '_' || c == '-';
	}
	return false;
}

static bool shape_matches(const struct shape *s, const char *v, size_t n)
{
	size_t pl = strlen(s->prefix), body;

	if (n < pl || memcmp(v, s->prefix, pl) != 0)
		return false;
	body = n - pl;
	if (body < s->min || body > s->max)
		return false;
	for (size_t i = pl; i < n; i++)
		if (!in_set((unsigned char)v[i], s->cs))
			return false;
	return true;
}

/* "-----BEGIN … PRIVATE KEY-----" anywhere in the value (a whole PEM block in a variable). */
static bool is_private_key(const char *v, size_t n)
{
	const char *b = memmem(v, n, "-----BEGIN ", 11);

	return b && memmem(b, n - (size_t)(b - v), "PRIVATE KEY-----", 16);
}

static bool b64url(unsigned char c)
{
	return in_set(c, CS_WORD_DASH);
}

/* header.payload.signature, base64url, both JSON parts starting `{"` (eyJ). */
static bool is_jwt(const char *v, size_t n)
{
	size_t seg = 0, len = 0;

	if (n < 24 || memcmp(v, "eyJ", 3) != 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '.') {
			if (len < 10 && seg < 2)
				return false;
			if (++seg == 1 && (n - i < 4 || memcmp(v + i + 1, "eyJ", 3) != 0))
				return false;
			len = 0;
		} else if (!b64url((unsigned char)v[i])) {
			return false;
		} else {
			len++;
		}
	}
	return seg == 2;
}

/* scheme://user:password@host with a literal password (not a ${VAR} or {{template}}). */
static bool is_url_password(const char *v, size_t n)
{
	const char *sch = memmem(v, n, "://", 3), *at, *colon, *p;
	size_t rest;

	if (!sch)
		return false;
	p = sch + 3;
	rest = n - (size_t)(p - v);
	at = memchr(p, '@', rest);
	if (!at)
		return false;
	for (const char *c = p; c < at; c++)
		if (*c == '/')
			return false; /* an '@' in the path, not in the authority */
	colon = memchr(p, ':', (size_t)(at - p));
	if (!colon || colon + 1 == at)
		return false;
	return colon[1] != '$' && colon[1] != '{';
}

/* Shannon entropy of the value, bits per character. */
static double entropy(const char *v, size_t n)
{
	unsigned counts[256] = {0};
	double h = 0;

	for (size_t i = 0; i < n; i++)
		counts[(unsigned char)v[i]]++;
	for (int c = 0; c < 256; c++) {
		double p;

		if (!counts[c])
			continue;
		p = (double)counts[c] / (double)n;
		h -= p * log2(p);
	}
	return h;
}

/*
 * A named secret's value: long and varied enough to be one, and not one of the things such
 * names usually hold instead — a file path (GOOGLE_APPLICATION_CREDENTIALS=/var/run/…), a
 * URL without a password, a reference to be expanded (${X}, {{x}}, $(x)), a number or a
 * boolean.
 */
static bool value_is_secret_like(const char *v, size_t n)
{
	int classes = 0;
	bool up = false, low = false, dig = false, sym = false;

	if (n < 8 || v[0] == '/' || v[0] == '.' || v[0] == '$' || v[0] == '~' ||
	    memmem(v, n, "{{", 2) || memmem(v, n, "://", 3))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)v[i];

		if (c < 0x21 || c > 0x7e)
			return false; /* spaces or control: a sentence, not a secret */
		up |= c >= 'A' && c <= 'Z';
		low |= c >= 'a' && c <= 'z';
		dig |= c >= '0' && c <= '9';
		sym |= !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'));
	}
	classes = up + low + dig + sym;
	return classes >= 2 && entropy(v, n) >= 2.5;
}

static bool name_has(const char *name, size_t n, const char *word)
{
	size_t wl = strlen(word);

	for (size_t j = 0; name && j + wl <= n; j++)
		if (strncasecmp(name + j, word, wl) == 0)
			return true;
	return false;
}

bool secrets_name_is_secret(const char *name, size_t n)
{
	for (size_t i = 0; i < N(secret_words); i++)
		if (name_has(name, n, secret_words[i]))
			return true;
	return false;
}

bool secrets_has_known_prefix(const char *v)
{
	for (size_t i = 0; i < N(loose_prefixes); i++)
		if (strncmp(v, loose_prefixes[i], strlen(loose_prefixes[i])) == 0)
			return true;
	return false;
}

const char *secrets_detect(const char *name, size_t nlen, const char *value, size_t vlen)
{
	while (vlen && (value[vlen - 1] == '\n' || value[vlen - 1] == '\r'))
		vlen--;
	if (!vlen)
		return NULL;
	for (size_t i = 0; i < N(shapes); i++)
		if (shape_matches(&shapes[i], value, vlen))
			return shapes[i].id;
	if (is_private_key(value, vlen))
		return "private-key";
	if (is_jwt(value, vlen))
		return "jwt";
	if (is_url_password(value, vlen))
		return "url-password";
	if (name_has(name, nlen, "aws") && name_has(name, nlen, "secret") && vlen == 40 &&
	    value_is_secret_like(value, vlen))
		return "aws-secret-access-key";
	if (name && secrets_name_is_secret(name, nlen) && value_is_secret_like(value, vlen))
		return "named-secret";
	return NULL;
}

int secrets_key_init(const char *path)
{
	ssize_t n;
	int fd;

	secrets_key_clear();
	if (!path) {
		if (getrandom(fp_key, 32, 0) != 32)
			return -errno;
		fp_key_len = 32;
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, fp_key, sizeof(fp_key));
	close(fd);
	if (n < 0)
		return -errno;
	while (n > 0 && (fp_key[n - 1] == '\n' || fp_key[n - 1] == '\r'))
		n--;
	if (n < 16) {
		secrets_key_clear();
		return -EINVAL;
	}
	fp_key_len = (size_t)n;
	return 0;
}

void secrets_key_clear(void)
{
	explicit_bzero(fp_key, sizeof(fp_key));
	fp_key_len = 0;
}

int secrets_fingerprint(const char *value, size_t n, char out[SECRET_FP_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	int pos;

	out[0] = 0;
	if (!fp_key_len)
		return -EINVAL;
	if (!HMAC(EVP_sha256(), fp_key, (int)fp_key_len, (const unsigned char *)value, n, md, &mdlen) ||
	    mdlen < 16)
		return -EIO;
	pos = snprintf(out, SECRET_FP_LEN, "hmac-sha256:");
	for (int i = 0; i < 16; i++)
		pos += snprintf(out + pos, (size_t)(SECRET_FP_LEN - pos), "%02x", md[i]);
	explicit_bzero(md, sizeof(md));
	return 0;
}

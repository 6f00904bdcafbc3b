// SPDX-License-Identifier: BSD-2-Clause
/* jsonw.c - see jsonw.h. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

static void put(struct jw *w, const char *s, size_t n)
{
	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
}

static void putc1(struct jw *w, char c)
{
	put(w, &c, 1);
}

/* A comma before every value but the first of its container; none after a key. */
static void sep(struct jw *w)
{
	if (w->depth <= 0)
		return;
	if (!w->first[w->depth])
		putc1(w, ',');
	w->first[w->depth] = false;
}

void jw_init(struct jw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
}

static void value_sep(struct jw *w);

static void open_(struct jw *w, char c)
{
	value_sep(w);
	putc1(w, c);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->overflow = true;
		return;
	}
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct jw *w, char c)
{
	putc1(w, c);
	if (w->depth > 0)
		w->depth--;
}

void jw_obj_begin(struct jw *w)
{
	open_(w, '{');
}

void jw_obj_end(struct jw *w)
{
	close_(w, '}');
}

void jw_arr_begin(struct jw *w)
{
	open_(w, '[');
}

void jw_arr_end(struct jw *w)
{
	close_(w, ']');
}

/* Length of a valid UTF-8 sequence at s (at most n bytes), or 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0; /* overlong, out of range or a surrogate */
	return len;
}

/* Bytes that go out as they are: printable ASCII but the quote and the backslash. */
static const bool plain[256] = {
	[0x20 ... 0x21] = true, /* 0x22 is '"' */
	[0x23 ... 0x5b] = true, /* 0x5c is '\\' */
	[0x5d ... 0x7e] = true,
};

/*
 * The end of the run of bytes from i that go out as they are, 8 at a time while no byte of a
 * word is below 0x20, a quote, a backslash or past ASCII (paths and names are mostly such
 * runs; the per-byte loop was a third of the agent's CPU per event). 0x7f passes here where the
 * table stops: escape() then writes it as it is, the same output.
 */
static size_t plain_run(const unsigned char *s, size_t i, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;

	while (n - i >= 8) {
		uint64_t x, q, b;

		memcpy(&x, s + i, sizeof(x));
		q = x ^ (ones * '"');
		b = x ^ (ones * '\\');
		/* (v - ones) & ~v & highs: some byte of v is 0 (x - 0x20s: some byte below 0x20) */
		if ((((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b) | x) & highs)
			break;
		i += 8;
	}
	while (i < n && plain[s[i]])
		i++;
	return i;
}

/* "s" (n bytes that need no escaping), then a colon if asked, in one bounds check and copy. */
static void put_quoted(struct jw *w, const char *s, size_t n, bool colon)
{
	size_t total = n + 2 + colon;

	if (w->overflow || total > w->cap - w->len) {
		w->overflow = true;
		return;
	}
	w->buf[w->len] = '"';
	memcpy(w->buf + w->len + 1, s, n);
	w->buf[w->len + 1 + n] = '"';
	if (colon)
		w->buf[w->len + 2 + n] = ':';
	w->len += total;
}

static void escape(struct jw *w, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)str;
	size_t i = plain_run(s, 0, n);

	if (i == n) { /* the common case, a name or a path: quotes and bytes in one copy */
		put_quoted(w, str, n, false);
		return;
	}
	putc1(w, '"');
	put(w, str, i);
	while (i < n) { /* s[i] needs escaping; then the plain run after it, in one copy */
		unsigned char c = s[i];
		size_t start, ul;

		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};
			put(w, e, 2);
			i++;
		} else if (c < 0x20) {
			char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
			put(w, e, 6);
			i++;
		} else if ((ul = utf8_len(s + i, n - i)) > 0) {
			put(w, (const char *)s + i, ul);
			i += ul;
		} else {
			put(w, "\\ufffd", 6);
			i++;
		}
		start = i;
		i = plain_run(s, i, n);
		put(w, str + start, i - start);
	}
	putc1(w, '"');
}

void jw_dkey(struct jw *w, const char *key)
{
	sep(w);
	escape(w, key, strlen(key));
	putc1(w, ':');
	w->after_key = true; /* the value that follows takes no comma */
}

void jw_key_lit_(struct jw *w, const char *key, size_t n)
{
#ifdef __SANITIZE_ADDRESS__
	/* the sanitized builds (every test) hold the literals to what needs no escaping */
	if (plain_run((const unsigned char *)key, 0, n) != n)
		abort();
#endif
	sep(w);
	put_quoted(w, key, n, true);
	w->after_key = true;
}

static void value_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	sep(w);
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	value_sep(w);
	escape(w, s, n);
}

void jw_str(struct jw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

char *jw_digits(char *end, uint64_t v)
{
	do { /* the digits from the last, straight into place */
		*--end = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return end;
}

void jw_u64(struct jw *w, uint64_t v)
{
	char tmp[24], *p = jw_digits(tmp + sizeof(tmp), v);

	value_sep(w);
	put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_i64(struct jw *w, int64_t v)
{
	char tmp[24], *p;

	if (v >= 0) {
		jw_u64(w, (uint64_t)v);
		return;
	}
	p = jw_digits(tmp + sizeof(tmp), (uint64_t)(-(v + 1)) + 1);
	*--p = '-';
	value_sep(w);
	put(w, p, (size_t)(tmp + sizeof(tmp) - p));
}

void jw_bool(struct jw *w, bool v)
{
	jw_raw(w, v ? "true" : "false");
}

void jw_raw(struct jw *w, const char *s)
{
	value_sep(w);
	put(w, s, strlen(s));
}

void jw_dkv_str(struct jw *w, const char *k, const char *v)
{
	jw_dkey(w, k);
	jw_str(w, v);
}

void jw_dkv_u64(struct jw *w, const char *k, uint64_t v)
{
	jw_dkey(w, k);
	jw_u64(w, v);
}

void jw_dkv_i64(struct jw *w, const char *k, int64_t v)
{
	jw_dkey(w, k);
	jw_i64(w, v);
}

long jw_finish(struct jw *w)
{
	if (w->overflow || w->depth != 0)
		return -ENOSPC;
	return (long)w->len;
}

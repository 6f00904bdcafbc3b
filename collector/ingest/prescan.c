// SPDX-License-Identifier: BSD-2-Clause
/*
 * prescan.c - json_prescan() (validate.h): one pass over the raw bytes of a JSON text, before
 * any parser allocates for it. Depth is counted here because a parser that recurses per level
 * would already have spent stack and heap on 10,000 levels by the time it could refuse them.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

/* Length of the UTF-8 sequence at s (at most n bytes), or 0 if it is not valid UTF-8:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0; /* overlong */
	else if (c == 0xed)
		hi = 0x9f; /* surrogates */
	else if (c == 0xf0)
		lo = 0x90; /* overlong */
	else if (c == 0xf4)
		hi = 0x8f; /* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

struct scan {
	int depth;
	bool in_str;
	bool esc;
};

/* One ASCII byte; 0 or -EINVAL with err set. */
static int scan_ascii(struct scan *st, const char *s, size_t i, size_t n, int max_depth,
		      char *err, size_t errlen)
{
	unsigned char c = (unsigned char)s[i];

	if (st->in_str) {
		if (st->esc) {
			st->esc = false;
			/* cJSON would turn it into a NUL that silently ends the string */
			if (c == 'u' && i + 4 < n && memcmp(s + i + 1, "0000", 4) == 0) {
				snprintf(err, errlen, "\\u0000 in a string");
				return -EINVAL;
			}
		} else if (c == '\\') {
			st->esc = true;
		} else if (c == '"') {
			st->in_str = false;
		} else if (c < 0x20) {
			snprintf(err, errlen, "control character in a string at byte %zu", i + 1);
			return -EINVAL;
		}
		return 0;
	}
	if (c == '"') {
		st->in_str = true;
	} else if (c == '{' || c == '[') {
		if (++st->depth > max_depth) {
			snprintf(err, errlen, "nested deeper than %d", max_depth);
			return -EINVAL;
		}
	} else if ((c == '}' || c == ']') && st->depth > 0) {
		st->depth--;
	}
	return 0;
}

int json_prescan(const char *s, size_t n, int max_depth, char *err, size_t errlen)
{
	struct scan st = {0};
	size_t i = 0, len;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0) {
			snprintf(err, errlen, "NUL byte at byte %zu", i + 1);
			return -EINVAL;
		}
		if (c >= 0x80) {
			len = utf8_len((const unsigned char *)s + i, n - i);
			if (!len) {
				snprintf(err, errlen, "invalid UTF-8 at byte %zu", i + 1);
				return -EINVAL;
			}
			st.esc = false;
			i += len;
			continue;
		}
		if (scan_ascii(&st, s, i, n, max_depth, err, errlen) < 0)
			return -EINVAL;
		i++;
	}
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/* term_safe.c - see term_safe.h. UTF-8 is decoded here, not through the locale: what a
 * workload wrote is judged the same whatever LANG the analyst runs under. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include "term_safe.h"

/* One UTF-8 sequence at s (n bytes available): its code point and length, or -1 when the
 * bytes are not well-formed UTF-8 (overlong, surrogate, beyond U+10FFFF, cut short). */
static int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
	static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
	int len;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		len = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		len = 4;
		c = s[0] & 0x07;
	} else {
		return -1;
	}
	if ((size_t)len > n)
		return -1;
	for (int i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min[len] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -1;
	*cp = c;
	return len;
}

/* Code points that change what is shown without being shown: C1 controls, bidi embeddings,
 * overrides, isolates and marks, zero-width characters, line/paragraph separators, the BOM,
 * interlinear annotations, tags. */
static bool invisible(uint32_t c)
{
	return (c >= 0x80 && c <= 0x9f) || c == 0xad || c == 0x061c || c == 0x180e ||
	       (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	       (c >= 0x2060 && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffb) ||
	       (c >= 0xe0000 && c <= 0xe007f);
}

/* The escape for one ASCII control or backslash into e (at least 5 bytes); its length. */
static int ascii_escape(unsigned char c, char *e)
{
	switch (c) {
	case '\n': return (int)(strcpy(e, "\\n"), 2);
	case '\t': return (int)(strcpy(e, "\\t"), 2);
	case '\r': return (int)(strcpy(e, "\\r"), 2);
	case 0x1b: return (int)(strcpy(e, "\\e"), 2);
	case '\\': return (int)(strcpy(e, "\\\\"), 2);
	}
	return snprintf(e, 5, "\\x%02x", c);
}

/* The next piece of output for s: either `n` bytes of s verbatim (*esc empty) or an escape in
 * esc; returns how many input bytes it stands for. */
static size_t next_piece(const unsigned char *s, size_t avail, char *esc, size_t *elen,
			 int *cols)
{
	uint32_t cp;
	int n;

	*elen = 0;
	if (s[0] < 0x20 || s[0] == 0x7f || s[0] == '\\') {
		*elen = (size_t)ascii_escape(s[0], esc);
		*cols = (int)*elen;
		return 1;
	}
	n = utf8_next(s, avail, &cp);
	if (n < 0) {
		*elen = (size_t)snprintf(esc, 12, "\\x%02x", s[0]);
		*cols = (int)*elen;
		return 1;
	}
	if (invisible(cp)) {
		*elen = (size_t)snprintf(esc, 12, "\\u%04x", (unsigned)cp);
		*cols = (int)*elen;
		return (size_t)n;
	}
	*cols = cp < 0x80 ? 1 : wcwidth((wchar_t)cp);
	if (*cols < 0) { /* not printable in any locale we know of */
		*elen = (size_t)snprintf(esc, 12, "\\u%04x", (unsigned)cp);
		*cols = (int)*elen;
	}
	return (size_t)n;
}

size_t term_safe(const char *str, char *out, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str), need = 0, pos = 0;
	bool full = len == 0;
	char esc[16];

	while (left) {
		size_t elen, n;
		int cols;
		const char *piece;

		n = next_piece(s, left, esc, &elen, &cols);
		piece = elen ? esc : (const char *)s;
		if (!elen)
			elen = n;
		if (!full && pos + elen < len) { /* whole pieces only: never half an escape */
			memcpy(out + pos, piece, elen);
			pos += elen;
		} else {
			full = true;
		}
		need += elen;
		s += n;
		left -= n;
	}
	if (len)
		out[pos] = 0;
	return need;
}

size_t term_width(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t left = strlen(str), w = 0;
	char esc[16];

	while (left) {
		size_t elen, n;
		int cols;

		n = next_piece(s, left, esc, &elen, &cols);
		w += cols > 0 ? (size_t)cols : 0;
		s += n;
		left -= n;
	}
	return w;
}

int term_puts(const char *s, FILE *out)
{
	char buf[8192];
	size_t need;

	if (!s)
		return fputs("-", out);
	need = term_safe(s, buf, sizeof(buf));
	if (fputs(buf, out) == EOF)
		return EOF;
	return need >= sizeof(buf) ? fputs("…", out) : 0;
}

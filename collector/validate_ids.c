// SPDX-License-Identifier: BSD-2-Clause
/* validate_ids.c - the scalar formats of validate.h: event ids, rule names, RFC 3339 times. */
#include <errno.h>
#include <string.h>

#include "validate.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1; /* upper case too: one id, one spelling, or dedup would miss */
}

bool valid_event_id(const char *s, uint64_t *seq)
{
	uint64_t v = 0;

	if (strlen(s) != 33 || s[16] != '-')
		return false;
	for (int i = 0; i < 33; i++) {
		if (i == 16)
			continue;
		if (hexval(s[i]) < 0)
			return false;
		if (i > 16)
			v = v << 4 | (uint64_t)hexval(s[i]);
	}
	if (seq)
		*seq = v;
	return true;
}

bool valid_rule_name(const char *s)
{
	size_t n = strlen(s);
	bool dash = true; /* no leading dash */

	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-') {
			if (dash)
				return false;
			dash = true;
		} else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			dash = false;
		} else {
			return false;
		}
	}
	return !dash; /* no trailing dash */
}

/* Fixed-width decimal at s; -1 if any character is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (era arithmetic: exact, no tables). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : dm[m - 1];
}

int parse_time_ns(const char *s, int64_t *ns)
{
	int y, mo, d, h, mi, sec, nfrac = 0;
	int64_t frac = 0;
	const char *p;

	if (strlen(s) < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return -EINVAL;
	y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	h = digits(s + 11, 2), mi = digits(s + 14, 2), sec = digits(s + 17, 2);
	/* int64 nanoseconds end in 2262 */
	if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h < 0 ||
	    h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return -EINVAL;
	p = s + 19;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, nfrac++) {
			if (nfrac == 9)
				return -EINVAL;
			frac = frac * 10 + (*p - '0');
		}
		if (!nfrac)
			return -EINVAL;
	}
	if (p[0] != 'Z' || p[1])
		return -EINVAL;
	for (int i = nfrac; i < 9; i++)
		frac *= 10;
	*ns = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	*ns = *ns * 1000000000 + frac;
	return 0;
}

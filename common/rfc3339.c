// SPDX-License-Identifier: BSD-2-Clause
/* rfc3339.c - see rfc3339.h. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "rfc3339.h"

#define NS_PER_S 1000000000LL

/* n decimal digits at *s (advanced past them) into *out; false if one is not a digit. */
static bool digits(const char **s, int n, int *out)
{
	*out = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return false;
		*out = *out * 10 + (**s - '0');
	}
	return true;
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

/* ".d…" at *s: nanoseconds; at least one digit; more than 9 only when lenient (dropped). */
static bool fraction(const char **s, bool lenient, int64_t *frac)
{
	int n = 0;

	*frac = 0;
	if (**s != '.')
		return true;
	for ((*s)++; **s >= '0' && **s <= '9'; (*s)++, n++) {
		if (n == 9 && !lenient)
			return false;
		if (n < 9)
			*frac = *frac * 10 + (**s - '0');
	}
	for (int i = n; i < 9; i++)
		*frac *= 10;
	return n > 0;
}

/* "Z", or (unless UTC only) "+hh:mm" / "-hh:mm", and nothing after: seconds east of UTC. */
static bool zone(const char *s, unsigned flags, int *off_s)
{
	int h, m, sign;

	*off_s = 0;
	if ((*s == 'Z' || (*s == 'z' && (flags & RFC3339_LENIENT))) && !s[1])
		return true;
	if ((flags & RFC3339_UTC) || (*s != '+' && *s != '-'))
		return false;
	sign = *s++ == '-' ? -1 : 1;
	if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &m) || *s || h > 23 || m > 59)
		return false;
	*off_s = sign * (h * 3600 + m * 60);
	return true;
}

int rfc3339_parse(const char *s, unsigned flags, int64_t *ns)
{
	bool lenient = flags & RFC3339_LENIENT;
	int y, mo, d, h, mi, sec, off;
	int64_t frac, t;

	if (!s || !digits(&s, 4, &y) || *s++ != '-' || !digits(&s, 2, &mo) || *s++ != '-' ||
	    !digits(&s, 2, &d))
		return -EINVAL;
	if (*s != 'T' && !(lenient && (*s == 't' || *s == ' ')))
		return -EINVAL;
	s++;
	if (!digits(&s, 2, &h) || *s++ != ':' || !digits(&s, 2, &mi) || *s++ != ':' ||
	    !digits(&s, 2, &sec) || !fraction(&s, lenient, &frac) || !zone(s, flags, &off))
		return -EINVAL;
	if (y < 1970 || y > 2261 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) ||
	    h > 23 || mi > 59 || sec > (lenient ? 60 : 59))
		return -EINVAL;
	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec - off;
	if (t < 0)
		return -EINVAL;
	*ns = t * NS_PER_S + frac;
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/* validate_ids.c - the scalar formats of validate.h: event ids, rule names, RFC 3339 times. */
#include <errno.h>
#include <string.h>

#include "rfc3339.h"
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
int parse_time_ns(const char *s, int64_t *ns)
{
	return rfc3339_parse(s, RFC3339_UTC, ns);
}

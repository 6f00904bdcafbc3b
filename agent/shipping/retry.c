// SPDX-License-Identifier: BSD-2-Clause
/* retry.c - see retry.h. */
#include <stddef.h>

#include "backoff.h"
#include "retry.h"

/* Exceptions to "4xx is permanent"; everything not listed follows its status class. */
static const struct {
	long status;
	enum retry_class cls;
} exceptions[] = {
	{401, RETRY_AUTH},  /* token missing, expired or rotated: the token file will change */
	{403, RETRY_AUTH},
	{408, RETRY_AGAIN}, /* request timeout */
	{429, RETRY_AGAIN}, /* too many requests: Retry-After */
};

enum retry_class retry_classify(long status)
{
	for (size_t i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (exceptions[i].status == status)
			return exceptions[i].cls;
	if (status >= 200 && status < 300)
		return RETRY_DONE;
	if (status >= 400 && status < 500)
		return RETRY_DROP;
	/* no answer, 1xx/3xx (redirects are not followed), 5xx: worth trying again */
	return RETRY_AGAIN;
}

const char *retry_class_name(enum retry_class c)
{
	static const char *const names[] = {"done", "retry", "auth", "drop"};

	return c <= RETRY_DROP ? names[c] : "?";
}

uint64_t retry_delay_ms(enum retry_class c, unsigned attempt, uint64_t retry_after_ms,
			uint32_t rnd)
{
	uint64_t d;

	if (c == RETRY_AUTH)
		return RETRY_AUTH_MS + rnd % (RETRY_AUTH_MS + 1);
	d = backoff_full_jitter_ms(attempt, RETRY_BASE_MS, RETRY_CAP_MS, rnd);
	if (retry_after_ms > RETRY_AFTER_MAX_MS)
		retry_after_ms = RETRY_AFTER_MAX_MS;
	return d > retry_after_ms ? d : retry_after_ms;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * retry.h - what the shipper does with a collector's answer (a table, not an if-chain), and
 * how long it waits before trying again: exponential backoff with full jitter.
 */
#ifndef C2D_RETRY_H
#define C2D_RETRY_H

#include <stdint.h>

enum retry_class {
	RETRY_DONE,	/* 2xx: stored durably, the record is acknowledged */
	RETRY_AGAIN,	/* 408, 429, 5xx, no answer: back off and send the same batch again */
	RETRY_AUTH,	/* 401, 403: a rotated token fixes it: retry slowly, never drop */
	RETRY_DROP,	/* other 4xx: the collector will never take this batch: drop, count */
};

#define RETRY_BASE_MS 1000u
#define RETRY_CAP_MS 60000u
#define RETRY_AUTH_MS 30000u	    /* auth failures: 30-60 s between tries */
#define RETRY_AFTER_MAX_MS 600000u /* a Retry-After longer than 10 min is not believed */

/* status: the HTTP status, 0 when there was no complete answer. */
enum retry_class retry_classify(long status);
const char *retry_class_name(enum retry_class c);

/*
 * The wait before try number attempt+1 (attempt ≥ 1 failures so far): uniform in
 * [0, min(cap, base·2^(attempt-1))] from rnd; at least retry_after_ms when the server said so
 * (capped); for RETRY_AUTH in [RETRY_AUTH_MS, 2·RETRY_AUTH_MS].
 */
uint64_t retry_delay_ms(enum retry_class c, unsigned attempt, uint64_t retry_after_ms,
			uint32_t rnd);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* backoff.h - retry waits: the client threads' reconnect wait (doubling, capped, cut short by
 * stop) and full-jitter backoff for requests. */
#ifndef C2D_BACKOFF_H
#define C2D_BACKOFF_H

#include <stdint.h>
#include <unistd.h>

/*
 * Exponential backoff with full jitter, shared by the agent's sender and the collector's
 * forwarders: uniform in [0, min(cap, base·2^(attempt-1))] from rnd (attempt counts from 1).
 * Clients that failed together do not retry together.
 */
static inline uint64_t backoff_full_jitter_ms(unsigned attempt, uint64_t base, uint64_t cap,
					      uint32_t rnd)
{
	uint64_t ceil = base;

	for (unsigned i = 1; i < attempt && ceil < cap; i++)
		ceil *= 2;
	if (ceil > cap)
		ceil = cap;
	return rnd % (ceil + 1);
}

/* Sleep *secs seconds in 100 ms steps (returning early once *stop is set), then double *secs
 * up to max. */
static inline void backoff_wait(unsigned *secs, unsigned max, const volatile int *stop)
{
	for (unsigned i = 0; i < *secs * 10 && !*stop; i++)
		usleep(100000);
	*secs = *secs * 2 > max ? max : *secs * 2;
}

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* backoff.h - the reconnect wait of the client threads: doubling, capped, cut short by stop. */
#ifndef C2D_BACKOFF_H
#define C2D_BACKOFF_H

#include <unistd.h>

/* Sleep *secs seconds in 100 ms steps (returning early once *stop is set), then double *secs
 * up to max. */
static inline void backoff_wait(unsigned *secs, unsigned max, const volatile int *stop)
{
	for (unsigned i = 0; i < *secs * 10 && !*stop; i++)
		usleep(100000);
	*secs = *secs * 2 > max ? max : *secs * 2;
}

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* harness_int.h - what the harness's files share and the tests do not see. */
#ifndef C2D_INTEG_HARNESS_INT_H
#define C2D_INTEG_HARNESS_INT_H

#include <stdint.h>
#include <time.h>

#include "harness.h"

#define H_TIME_SLACK_NS (5 * 1000000000LL) /* clock mapping slack for time checks */

static inline int64_t h_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline void h_sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&t, NULL);
}

/* true while the agent's stdout is open (it has not exited) */
bool h_agent_alive(const struct h_agent *a);

#endif

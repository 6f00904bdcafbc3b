// SPDX-License-Identifier: BSD-2-Clause
/* ids.c - see ids.h. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/random.h>

#include "ids.h"

int ids_random_hex16(char out[17])
{
	uint64_t v;

	if (getrandom(&v, sizeof(v), 0) != sizeof(v))
		return -errno;
	snprintf(out, 17, "%016llx", (unsigned long long)v);
	return 0;
}

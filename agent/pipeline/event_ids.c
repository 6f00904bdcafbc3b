// SPDX-License-Identifier: BSD-2-Clause
/* event_ids.c - see event_ids.h. */
#include <errno.h>
#include <string.h>

#include "event_ids.h"
#include "ids.h"
#include "log.h"

/* "<instance>-<16 hex sequence>" without printf: this runs for every event. */
static void format_id(char out[EVENT_ID_SIZE], const char instance[17], uint64_t seq)
{
	static const char hex[] = "0123456789abcdef";

	memcpy(out, instance, 16);
	out[16] = '-';
	for (int i = 32; i >= 17; i--, seq >>= 4)
		out[i] = hex[seq & 15];
	out[33] = 0;
}

/* Cold path, once per block: reserve the next block durably before issuing from it. If that
 * fails, a fresh random instance keeps ids unique without any state (logged once). */
static void __attribute__((noinline)) reserve_block(struct event_ids *ids)
{
	int rc = ids->reserve(ids->reserve_arg, ids->seq, &ids->seq_limit);

	if (rc < 0 || ids->seq >= ids->seq_limit) {
		ids->reserve = NULL;
		if (ids_random_hex16(ids->instance) < 0)
			ids->instance[0] ^= 1; /* never the old id, even without entropy */
		log_error("state: reserving event ids failed (%s): using instance %s from now on",
			  strerror(rc < 0 ? -rc : ERANGE), ids->instance);
	}
}

uint64_t event_ids_next(struct event_ids *ids, char id[EVENT_ID_SIZE])
{
	ids->seq++;
	if (ids->reserve && ids->seq >= ids->seq_limit)
		reserve_block(ids);
	format_id(id, ids->instance, ids->seq);
	return ids->seq;
}

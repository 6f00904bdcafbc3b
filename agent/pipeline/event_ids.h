/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * event_ids.h - the ids the agent issues, "<instance>-<16 hex sequence>": one per event, in
 * order, by the pipeline (rendering only writes the id it is given). With --state-dir the
 * sequence is reserved in blocks (seqstate.h) before it is issued, so no id is issued twice,
 * across restarts too.
 */
#ifndef C2D_EVENT_IDS_H
#define C2D_EVENT_IDS_H

#include <stdint.h>

#define EVENT_ID_SIZE 34 /* 33 characters and the NUL */

struct event_ids {
	char instance[17]; /* 16 hex digits */
	uint64_t seq;	   /* the last sequence number issued */
	/* ids from seq_limit on are not reserved yet; reaching it calls reserve once per block
	 * (NULL: no reservation, a random instance per start) */
	uint64_t seq_limit;
	int (*reserve)(void *arg, uint64_t next, uint64_t *limit);
	void *reserve_arg;
};

/* The next id into id; returns its sequence number. If a block cannot be reserved, a fresh
 * random instance takes over (logged once): an id is never issued twice. */
uint64_t event_ids_next(struct event_ids *ids, char id[EVENT_ID_SIZE]);

#endif

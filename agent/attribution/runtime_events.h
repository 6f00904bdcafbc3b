/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime_events.h - containerd's task events (Events/Subscribe, topic /tasks/start): a new
 * container's record is asked for as it starts, before its first syscalls are read, so its
 * first finding rarely waits. A thread of its own, reconnecting with backoff.
 */
#ifndef C2D_RUNTIME_EVENTS_H
#define C2D_RUNTIME_EVENTS_H

#include <stdint.h>

#include "meta_cache.h"

struct runtime_events;

struct runtime_events *runtime_events_start(const char *socket, struct meta_cache *mc);
void runtime_events_stop(struct runtime_events *re);
uint64_t runtime_events_seen(struct runtime_events *re); /* task starts received */

/* Decode one Envelope; on a TaskStart fills id (cap bytes), ns and pid and returns 0. */
int runtime_events_decode(const uint8_t *msg, size_t len, char *id, size_t idcap, char *ns,
			  size_t nscap, uint32_t *pid);

#endif

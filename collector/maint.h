/* SPDX-License-Identifier: BSD-2-Clause */
/* maint.h - the maintenance thread: retention by age and size, every retention-interval. */
#ifndef C2D_COLLECTOR_MAINT_H
#define C2D_COLLECTOR_MAINT_H

#include "config.h"
#include "ch_store.h"
#include "store.h"

struct maint;

/* Retention every --retention-interval: the SQLite store, and the ClickHouse store's days when
 * chs is set. */
int maint_new(const struct collector_config *cfg, struct store *store, struct ch_store *chs,
	      struct maint **out);
/* Wake the thread, wait for it to finish its current pass, free. */
void maint_free(struct maint *m);

#endif

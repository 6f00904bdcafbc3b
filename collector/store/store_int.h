/* SPDX-License-Identifier: BSD-2-Clause */
/* store_int.h - the store's insides, shared by store_sqlite.c and store_retain.c only. */
#ifndef C2D_COLLECTOR_STORE_INT_H
#define C2D_COLLECTOR_STORE_INT_H

#include <pthread.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "event_columns.h"

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins;
	struct identity_tracker *ident; /* identity.h */
	pthread_mutex_t lock;
};

/* One integer from a statement (a PRAGMA): 0, -EBUSY or -EIO. */
int store_pragma_int(sqlite3 *db, const char *sql, int64_t *v);

#endif

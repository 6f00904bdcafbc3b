/* SPDX-License-Identifier: BSD-2-Clause */
/* store_int.h - the store's insides, shared by store_sqlite.c and store_retain.c only. */
#ifndef C2D_COLLECTOR_STORE_INT_H
#define C2D_COLLECTOR_STORE_INT_H

#include <pthread.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

struct store {
	sqlite3 *db;
	sqlite3_stmt *ins;
	struct identity_tracker *ident; /* identity.h */
	pthread_mutex_t lock;
};

/* The string at a dotted path of an event ("k8s.workload.name"), or NULL. */
const char *store_str_at(const cJSON *ev, const char *path);

/* One integer from a statement (a PRAGMA): 0, -EBUSY or -EIO. */
int store_pragma_int(sqlite3 *db, const char *sql, int64_t *v);

#endif

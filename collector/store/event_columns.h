/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * event_columns.h - the columns a stored event is filed under, pulled out of it once: the same
 * for both stores (SQLite: schema.h's `events`; ClickHouse: ch_schema.h), so the queries of
 * both filter and group on the same values.
 */
#ifndef C2D_COLLECTOR_EVENT_COLUMNS_H
#define C2D_COLLECTOR_EVENT_COLUMNS_H

#include <stdint.h>

#include <cjson/cJSON.h>

/* The text columns from `kind` to `executable`, in the stores' column order. */
#define EVCOL_NTEXT 23
extern const char *const evcol_names[EVCOL_NTEXT];
/* The text columns ClickHouse keys on (ch_schema.h: '' where the event has none). */
#define EVCOL_KIND	    0
#define EVCOL_NAMESPACE	    5
#define EVCOL_WORKLOAD_NAME 9

struct event_columns {
	const char *id;
	uint64_t agent_seq; /* the sequence part of the id */
	int64_t time_ns;
	const char *text[EVCOL_NTEXT]; /* NULL where the event has no such field */
	const char *target;	       /* file.path, network.address, … syscall.name (schema.h) */
	const char *revision;	       /* the commit, else the image digest, else "" */
};

/* The columns of ev (validate_event() has vouched for the formats); pointers into ev. */
void event_columns(const cJSON *ev, struct event_columns *c);

/* The string at a dotted path of an event ("k8s.workload.name"), or NULL. */
const char *store_str_at(const cJSON *ev, const char *path);

/* The workload revision an event ran under: its commit, else its image digest, else "". */
const char *event_revision(const cJSON *ev);

#endif

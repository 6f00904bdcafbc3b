/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * identity.h - `identity_change` events, made by the collector (never accepted from an agent).
 *
 * Every finding about a Kubernetes container carries `k8s.identity` (the agent renders it
 * canonically: same identity, same bytes). The store keeps, per workload and container, each
 * identity with the revision (commit or image digest) and deploy commit it first ran under.
 * When an event shows an identity not seen before under its revision and deploy commit, and it
 * differs from the identity that ran just before it, the collector makes an identity_change
 * event: both identities, the fields that changed, both revisions and deploy commits. Its id is
 * derived from what changed, so a retried batch, a replayed spool or a second replica makes the
 * same id and the change is stored once.
 *
 * Ordered by event time: a revision whose events reach the collector only after a later
 * revision's is compared with what ran before it, not retroactively with what came after.
 */
#ifndef C2D_COLLECTOR_IDENTITY_H
#define C2D_COLLECTOR_IDENTITY_H

#include <stdint.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

/* The canonical identity text of an event is at most this long; a longer one is not tracked. */
#define IDENTITY_TEXT_MAX 4096

#define IDENTITY_SCHEMA                                                                        \
	"CREATE TABLE identities (namespace TEXT NOT NULL, workload_name TEXT NOT NULL,"      \
	" container TEXT NOT NULL, revision TEXT NOT NULL, deploy_commit TEXT NOT NULL,"      \
	" identity TEXT NOT NULL, first_ns INTEGER NOT NULL, event_id TEXT NOT NULL,"        \
	" PRIMARY KEY (namespace, workload_name, container, revision, deploy_commit, identity))" \
	" WITHOUT ROWID;"                                                                      \
	"CREATE INDEX identities_order ON identities(namespace, workload_name, container,"    \
	" first_ns);"

struct identity_tracker;

/* Statements on db (the store's writer connection, schema in place). NULL on failure. */
struct identity_tracker *identity_tracker_new(sqlite3 *db);
void identity_tracker_free(struct identity_tracker *t);

/*
 * A newly stored event (inside the store's transaction). *change is set to a new
 * identity_change event (the caller stores it and deletes it) when this event shows a change,
 * else NULL. 0, or -EIO / -EBUSY / -ENOMEM.
 */
int identity_observe(struct identity_tracker *t, const cJSON *ev, const char *revision,
		     int64_t time_ns, cJSON **change);

/*
 * What identity_observe() records for ev, without a store: the identity's canonical text
 * (*text, cJSON_free it) and the container it is kept under (*container, a pointer into ev).
 * 1, 0 when the event has none to record (no k8s.identity object, namespace, workload,
 * container or id; an identity_change; a text over IDENTITY_TEXT_MAX), or -ENOMEM. The
 * ClickHouse store keeps the same values as columns (ch_schema.h).
 */
int identity_event_text(const cJSON *ev, const char **container, char **text);

#define IDENTITY_SUMMARY_MAX 512

/* "sa=checkout aws=arn:… privileged +NET_ADMIN hostPath=/etc": an identity in one line (the
 * target of its identity_change; what tables show). */
void identity_summary(const cJSON *identity, char *out, size_t cap);

/* The fields of two identity objects whose values differ, as a JSON array of names. */
cJSON *identity_changed_fields(const cJSON *before, const cJSON *after);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * schema.h - the collector's SQLite schema: one definition read by the store (which creates
 * and migrates it) and by the queries (which read it).
 *
 * `events` keeps every stored event once (by `id`) with the fields the origin queries filter
 * and group on pulled out into columns; `body` is the event as received (validated, compact
 * JSON). `seq` is the ingest order and is never reused (AUTOINCREMENT), so forwarders can keep
 * a cursor on it. `revision` is the workload revision the event ran under: the provenance
 * commit where there is one, else the image digest, else ''.
 */
#ifndef C2D_COLLECTOR_SCHEMA_H
#define C2D_COLLECTOR_SCHEMA_H

#include "identity.h"

#define SCHEMA_VERSION 3

/* Creates version 1 from nothing (PRAGMA user_version = 0). */
#define SCHEMA_V1                                                                          \
	"CREATE TABLE events ("                                                            \
	" seq INTEGER PRIMARY KEY AUTOINCREMENT,"                                          \
	" id TEXT NOT NULL UNIQUE,"                                                        \
	" agent TEXT NOT NULL,"		/* instance part of the id */                      \
	" agent_seq INTEGER NOT NULL," /* sequence part of the id */                      \
	" time_ns INTEGER NOT NULL,"   /* event time, ns since the epoch */                \
	" received_ns INTEGER NOT NULL,"                                                   \
	" kind TEXT NOT NULL, rule TEXT, severity TEXT, outcome TEXT, node TEXT,"          \
	" namespace TEXT, pod TEXT, pod_uid TEXT, workload_kind TEXT, workload_name TEXT," \
	" service_account TEXT, container_id TEXT, container_name TEXT,"                   \
	" image_name TEXT, image_digest TEXT,"                                             \
	" commit_sha TEXT, repository TEXT, pipeline_id TEXT, pipeline_url TEXT,"          \
	" version TEXT, build_time TEXT, deploy_commit TEXT,"                              \
	" executable TEXT,"                                                                \
	" target TEXT," /* file.path, network.address or syscall.name */                   \
	" revision TEXT NOT NULL DEFAULT '',"                                              \
	" body TEXT NOT NULL);"                                                            \
	"CREATE INDEX events_time ON events(time_ns);"                                     \
	"CREATE INDEX events_workload ON events(namespace, workload_name, time_ns);"       \
	"CREATE INDEX events_commit ON events(commit_sha);"                                \
	"CREATE INDEX events_pipeline ON events(pipeline_id);"                             \
	"CREATE INDEX events_repository ON events(repository);"                            \
	"CREATE INDEX events_rule ON events(rule, time_ns);"                               \
	"CREATE INDEX events_kind ON events(kind, time_ns);"                               \
	"CREATE INDEX events_agent ON events(agent, agent_seq);"

/* Version 1 → 2: each forwarder's durable cursor, the last events.seq its backend acknowledged
 * (forward.c). */
#define SCHEMA_V2 "CREATE TABLE forward_cursors (name TEXT PRIMARY KEY, seq INTEGER NOT NULL);"

/* Version 2 → 3: the identities each workload's containers ran with, per revision and deploy
 * commit (identity.h: what identity_change events are made from). */
#define SCHEMA_V3 IDENTITY_SCHEMA

#endif

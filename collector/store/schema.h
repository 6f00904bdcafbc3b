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

#define SCHEMA_VERSION 5

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

/* Version 3 → 4 (issue 15): summaries kept at ingest so a query over every workload
 * (GET /v1/workloads) reads a few rows per workload revision instead of every event, and a
 * workload's revisions (introduced, diff, the UI's timeline) are one row each. (introduced's
 * behaviours still read the events of one workload through events_workload: ~20 ms at 1M.)
 *
 * `workload_revisions`: per (namespace, workload, revision) of the events with a revision, not
 * agent_gap: first/last time, count, and the MAX() of the provenance columns the revision
 * queries show. `behaviours`: per (namespace, workload, revision, kind, rule, target,
 * executable, severity) of the events with a namespace and a workload, not agent_gap: count,
 * first/last time, MAX(workload_kind). Key columns are NOT NULL: a NULL rule, target or
 * executable is '' with bit 0, 1 or 2 of `nulls` set, so the queries give back NULL exactly.
 * Both are kept by triggers on `events`, in the inserting transaction. A delete (retention)
 * marks its groups in `summary_dirty`; store_retain() recomputes them from the events left
 * in the same transaction, so a summary row always equals the aggregate of the stored events.
 *
 * `origin_totals` and `origin_items` (GET /v1/origins without `since`): the findings with a
 * commit, pipeline or repository, per (commit, pipeline, repository, namespace): count, first/
 * last time, MAX(pipeline_url); and per (commit, pipeline, repository, namespace, workload,
 * kind, rule): the first event by (time_ns, seq), which is what orders the DISTINCT lists of the
 * grouping query they replace (query_origins.c). NULL keys are '' with a bit of `nulls`
 * (ORIGIN_NULLS). One row serves the three groupings, so an event costs two upserts, not six.
 * A delete marks its commit in `origin_dirty`: repair reads the commit's events through
 * events_commit (a repository's would be every event of it, without an index).
 *
 * Two indexes go: events_agent (no query reads it) and events_repository (origins by
 * repository groups every finding anyway: a scan); one comes, partial: events_exposure, the
 * secret_exposure events (~2 %) by fingerprint and time, for GET /v1/exposures. */
#define SUMMARY_NULLS(p)                                                                           \
	"((" p "rule IS NULL) | ((" p "target IS NULL) << 1) | ((" p "executable IS NULL) << 2))"
/* MAX(a, b) as the aggregate: NULL only when both are */
#define SUMMARY_MAX(c)                                                                             \
	c " = CASE WHEN excluded." c " > " c " OR " c " IS NULL THEN excluded." c " ELSE " c " END"
/* The finding kinds, as an SQL list (the queries' QUERY_FINDING_KINDS is this one):
 * container_start and agent_gap are not findings; a container_mount (a host path bound into a
 * container, rule host-path-mount), a secret_exposure (a secret it was started with, rule
 * secret-exposure) and an identity_change (the collector's: a revision ran with another
 * identity, rule identity-change) are. */
#define SCHEMA_FINDING_KINDS                                                                       \
	"('credential_read','privileged_call','storage_write','metadata_access','container_mount'," \
	"'secret_exposure','identity_change')"
#define ORIGIN_KEY_NULLS(p)                                                                        \
	"((" p "commit_sha IS NULL) | ((" p "pipeline_id IS NULL) << 1)"                           \
	" | ((" p "repository IS NULL) << 2))"
#define ORIGIN_NULLS(p)                                                                            \
	"(" ORIGIN_KEY_NULLS(p) " | ((" p "namespace IS NULL) << 3)"                              \
	" | ((" p "workload_name IS NULL) << 4) | ((" p "rule IS NULL) << 5))"
#define ORIGIN_KEYS(p)                                                                             \
	"ifnull(" p "commit_sha, ''), ifnull(" p "pipeline_id, ''), ifnull(" p "repository, ''),"  \
	" ifnull(" p "namespace, '')"
#define ORIGIN_WHEN(p)                                                                             \
	p "kind IN " SCHEMA_FINDING_KINDS " AND (" p "commit_sha <> '' OR " p "pipeline_id <> ''"   \
	" OR " p "repository <> '')"
#define SCHEMA_ORIGINS                                                                             \
	"CREATE TABLE origin_totals (commit_sha TEXT NOT NULL, pipeline_id TEXT NOT NULL,"         \
	" repository TEXT NOT NULL, namespace TEXT NOT NULL, nulls INTEGER NOT NULL,"              \
	" count INTEGER NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"            \
	" pipeline_url TEXT, PRIMARY KEY (commit_sha, pipeline_id, repository, namespace, nulls))" \
	" WITHOUT ROWID;"                                                                          \
	"CREATE TABLE origin_items (commit_sha TEXT NOT NULL, pipeline_id TEXT NOT NULL,"          \
	" repository TEXT NOT NULL, namespace TEXT NOT NULL, workload_name TEXT NOT NULL,"         \
	" kind TEXT NOT NULL, rule TEXT NOT NULL, nulls INTEGER NOT NULL,"                         \
	" first_ns INTEGER NOT NULL, first_seq INTEGER NOT NULL, PRIMARY KEY (commit_sha,"         \
	" pipeline_id, repository, namespace, workload_name, kind, rule, nulls)) WITHOUT ROWID;"   \
	"CREATE INDEX origin_items_pipeline ON origin_items(pipeline_id);"                         \
	"CREATE INDEX origin_items_repository ON origin_items(repository);"                        \
	"CREATE TABLE origin_dirty (commit_sha TEXT PRIMARY KEY) WITHOUT ROWID;"                   \
	"CREATE TRIGGER events_origins AFTER INSERT ON events WHEN " ORIGIN_WHEN("NEW.") " BEGIN"   \
	" INSERT INTO origin_totals VALUES (" ORIGIN_KEYS("NEW.") ", " ORIGIN_KEY_NULLS("NEW.")      \
	", 1, NEW.time_ns, NEW.time_ns, NEW.pipeline_url) ON CONFLICT DO UPDATE SET"                \
	" count = count + 1, first_ns = min(first_ns, excluded.first_ns),"                         \
	" last_ns = max(last_ns, excluded.last_ns), " SUMMARY_MAX("pipeline_url") ";"               \
	" INSERT INTO origin_items VALUES (" ORIGIN_KEYS("NEW.") ", ifnull(NEW.workload_name, ''),"\
	" NEW.kind, ifnull(NEW.rule, ''), " ORIGIN_NULLS("NEW.") ", NEW.time_ns, NEW.seq)"          \
	" ON CONFLICT DO UPDATE SET first_seq = CASE WHEN excluded.first_ns < first_ns OR"         \
	" (excluded.first_ns = first_ns AND excluded.first_seq < first_seq)"                       \
	" THEN excluded.first_seq ELSE first_seq END, first_ns = min(first_ns, excluded.first_ns);"\
	" END;"                                                                                    \
	"CREATE TRIGGER events_origins_delete AFTER DELETE ON events WHEN " ORIGIN_WHEN("OLD.")     \
	" BEGIN INSERT OR IGNORE INTO origin_dirty VALUES (ifnull(OLD.commit_sha, '')); END;"      \
	ORIGIN_REBUILD("events")

/* The origin summaries of the events in `src`, from the events (first fill and repair). */
#define ORIGIN_REBUILD(src)                                                                        \
	"INSERT INTO origin_totals SELECT " ORIGIN_KEYS("") ", " ORIGIN_KEY_NULLS("") " AS n,"     \
	" COUNT(*), MIN(time_ns), MAX(time_ns), MAX(pipeline_url) FROM " src " WHERE "              \
	ORIGIN_WHEN("") " GROUP BY 1, 2, 3, 4, 5;"                                                 \
	"INSERT INTO origin_items SELECT c, p, r, ns, wl, kind, rule, n, time_ns, seq FROM"        \
	" (SELECT ifnull(commit_sha, '') AS c, ifnull(pipeline_id, '') AS p, ifnull(repository,"   \
	" '') AS r, ifnull(namespace, '') AS ns, ifnull(workload_name, '') AS wl, kind,"           \
	" ifnull(rule, '') AS rule, " ORIGIN_NULLS("") " AS n, time_ns, seq, row_number() OVER"     \
	" (PARTITION BY commit_sha, pipeline_id, repository, namespace, workload_name, kind, rule"  \
	" ORDER BY time_ns, seq) AS k FROM " src " WHERE " ORIGIN_WHEN("") ") WHERE k = 1;"

#define SCHEMA_V4                                                                                  \
	"DROP INDEX events_agent;"                                                                 \
	"DROP INDEX events_repository;"                                                            \
	"CREATE INDEX events_exposure ON events(target, time_ns, id)"                              \
	" WHERE kind = 'secret_exposure';"                                                         \
	"CREATE TABLE workload_revisions (namespace TEXT NOT NULL, workload_name TEXT NOT NULL,"   \
	" revision TEXT NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"            \
	" events INTEGER NOT NULL, commit_sha TEXT, image_digest TEXT, pipeline_id TEXT,"          \
	" repository TEXT, deploy_commit TEXT,"                                                    \
	" PRIMARY KEY (namespace, workload_name, revision)) WITHOUT ROWID;"                        \
	"CREATE TABLE behaviours (namespace TEXT NOT NULL, workload_name TEXT NOT NULL,"           \
	" revision TEXT NOT NULL, kind TEXT NOT NULL, rule TEXT NOT NULL, target TEXT NOT NULL,"   \
	" executable TEXT NOT NULL, severity TEXT NOT NULL, nulls INTEGER NOT NULL,"               \
	" count INTEGER NOT NULL, first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL,"            \
	" workload_kind TEXT, PRIMARY KEY (namespace, workload_name, revision, kind, rule,"        \
	" target, executable, severity, nulls)) WITHOUT ROWID;"                                    \
	"CREATE TABLE summary_dirty (namespace TEXT NOT NULL, workload_name TEXT NOT NULL,"        \
	" revision TEXT NOT NULL, PRIMARY KEY (namespace, workload_name, revision)) WITHOUT ROWID;" \
	"CREATE TRIGGER events_summary AFTER INSERT ON events WHEN NEW.namespace IS NOT NULL"     \
	" AND NEW.workload_name IS NOT NULL AND NEW.kind <> 'agent_gap' BEGIN"                     \
	" INSERT INTO behaviours VALUES (NEW.namespace, NEW.workload_name, NEW.revision, NEW.kind,"\
	" ifnull(NEW.rule, ''), ifnull(NEW.target, ''), ifnull(NEW.executable, ''),"               \
	" ifnull(NEW.severity, ''), " SUMMARY_NULLS("NEW.") ", 1, NEW.time_ns, NEW.time_ns,"      \
	" NEW.workload_kind) ON CONFLICT DO UPDATE SET count = count + 1,"                         \
	" first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns), " \
	SUMMARY_MAX("workload_kind") ";"                                                           \
	" INSERT INTO workload_revisions SELECT NEW.namespace, NEW.workload_name, NEW.revision,"   \
	" NEW.time_ns, NEW.time_ns, 1, NEW.commit_sha, NEW.image_digest, NEW.pipeline_id,"         \
	" NEW.repository, nullif(NEW.deploy_commit, '') WHERE NEW.revision <> ''"                  \
	" ON CONFLICT DO UPDATE SET events = events + 1,"                                          \
	" first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns), " \
	SUMMARY_MAX("commit_sha") ", " SUMMARY_MAX("image_digest") ", "                            \
	SUMMARY_MAX("pipeline_id") ", " SUMMARY_MAX("repository") ", "                             \
	SUMMARY_MAX("deploy_commit") "; END;"                                                      \
	"CREATE TRIGGER events_summary_delete AFTER DELETE ON events WHEN OLD.namespace IS NOT NULL"\
	" AND OLD.workload_name IS NOT NULL AND OLD.kind <> 'agent_gap' BEGIN"                     \
	" INSERT OR IGNORE INTO summary_dirty VALUES (OLD.namespace, OLD.workload_name,"           \
	" OLD.revision); END;"                                                                     \
	SUMMARY_REBUILD("events") SCHEMA_ORIGINS

/* The summaries of the groups of events in `src` (the whole table, or those summary_dirty
 * names), recomputed from the events: the migration's first fill and retention's repair. */
#define SUMMARY_REBUILD(src)                                                                       \
	"INSERT INTO behaviours SELECT namespace, workload_name, revision, kind, ifnull(rule, ''),"\
	" ifnull(target, ''), ifnull(executable, ''), ifnull(severity, ''), " SUMMARY_NULLS("")    \
	" AS n, COUNT(*), MIN(time_ns), MAX(time_ns), MAX(workload_kind) FROM " src                 \
	" WHERE namespace IS NOT NULL AND workload_name IS NOT NULL AND kind <> 'agent_gap'"       \
	" GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;"                                                     \
	"INSERT INTO workload_revisions SELECT namespace, workload_name, revision, MIN(time_ns),"  \
	" MAX(time_ns), COUNT(*), MAX(commit_sha), MAX(image_digest), MAX(pipeline_id),"           \
	" MAX(repository), MAX(nullif(deploy_commit, '')) FROM " src                               \
	" WHERE namespace IS NOT NULL AND workload_name IS NOT NULL AND revision <> ''"            \
	" AND kind <> 'agent_gap' GROUP BY 1, 2, 3;"

/* Version 4 → 5 (issue 15): `workload_totals`, per (namespace, workload, kind, severity) of
 * the events `behaviours` holds: count, first/last time, MAX(workload_kind). GET /v1/workloads
 * reads it (~12 rows per workload) and counts each workload's rows of workload_revisions,
 * instead of grouping every behaviour row (0.3 s at 1M events). A NULL severity is ''. Kept by
 * a trigger at ingest; retention rebuilds the workloads it touched from `behaviours` (already
 * repaired by then: WORKLOAD_TOTALS_REPAIR runs after SUMMARY_REBUILD). */
#define WORKLOAD_TOTALS_FROM(where)                                                                \
	"INSERT INTO workload_totals SELECT namespace, workload_name, kind, severity, SUM(count),"  \
	" MIN(first_ns), MAX(last_ns), MAX(workload_kind) FROM behaviours" where                   \
	" GROUP BY 1, 2, 3, 4;"
#define SCHEMA_V5                                                                                  \
	"CREATE TABLE workload_totals (namespace TEXT NOT NULL, workload_name TEXT NOT NULL,"      \
	" kind TEXT NOT NULL, severity TEXT NOT NULL, count INTEGER NOT NULL,"                     \
	" first_ns INTEGER NOT NULL, last_ns INTEGER NOT NULL, workload_kind TEXT,"               \
	" PRIMARY KEY (namespace, workload_name, kind, severity)) WITHOUT ROWID;"                  \
	"CREATE TRIGGER events_workload_totals AFTER INSERT ON events WHEN NEW.namespace IS NOT"   \
	" NULL AND NEW.workload_name IS NOT NULL AND NEW.kind <> 'agent_gap' BEGIN"                \
	" INSERT INTO workload_totals VALUES (NEW.namespace, NEW.workload_name, NEW.kind,"        \
	" ifnull(NEW.severity, ''), 1, NEW.time_ns, NEW.time_ns, NEW.workload_kind)"               \
	" ON CONFLICT DO UPDATE SET count = count + 1, first_ns = min(first_ns,"                   \
	" excluded.first_ns), last_ns = max(last_ns, excluded.last_ns), "                          \
	SUMMARY_MAX("workload_kind") "; END;" WORKLOAD_TOTALS_FROM("")
#define WORKLOAD_TOTALS_REPAIR                                                                     \
	"DELETE FROM workload_totals WHERE (namespace, workload_name) IN"                          \
	" (SELECT namespace, workload_name FROM summary_dirty);"                                   \
	WORKLOAD_TOTALS_FROM(" WHERE (namespace, workload_name) IN (SELECT namespace,"             \
			     " workload_name FROM summary_dirty)")

/* Retention's repair of the groups it deleted from, in the deleting transaction. */
#define SUMMARY_REPAIR                                                                             \
	"DELETE FROM behaviours WHERE (namespace, workload_name, revision) IN"                     \
	" (SELECT namespace, workload_name, revision FROM summary_dirty);"                         \
	"DELETE FROM workload_revisions WHERE (namespace, workload_name, revision) IN"             \
	" (SELECT namespace, workload_name, revision FROM summary_dirty);"                         \
	SUMMARY_REBUILD("(SELECT e.* FROM summary_dirty d JOIN events e ON e.namespace ="          \
			" d.namespace AND e.workload_name = d.workload_name AND e.revision = d.revision)") \
	WORKLOAD_TOTALS_REPAIR "DELETE FROM summary_dirty;" ORIGIN_REPAIR

/* The origin summaries of the commits retention deleted from ('' also stands for NULL). */
#define ORIGIN_REPAIR                                                                              \
	"DELETE FROM origin_totals WHERE commit_sha IN (SELECT commit_sha FROM origin_dirty);"     \
	"DELETE FROM origin_items WHERE commit_sha IN (SELECT commit_sha FROM origin_dirty);"      \
	ORIGIN_REBUILD("(SELECT e.* FROM origin_dirty d JOIN events e ON e.commit_sha ="            \
		       " d.commit_sha UNION ALL SELECT * FROM events WHERE commit_sha IS NULL"      \
		       " AND EXISTS (SELECT 1 FROM origin_dirty WHERE commit_sha = ''))")          \
	"DELETE FROM origin_dirty;"

#endif

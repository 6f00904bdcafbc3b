/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ch_schema.h - the ClickHouse store's tables (ch_store.h). SQL that runs on ClickHouse 18.16
 * (Debian 12's package, what the tests start) and on current releases: no TTL, no Nullable in
 * a key, no server-side parameters.
 *
 * `events` holds what SQLite's `events` holds (event_columns.h), with two differences: the key
 * columns `namespace` and `workload_name` are '' where the event has none (a key cannot be
 * Nullable; the queries read '' as absent), and `day` is the partition. Ordered by (namespace,
 * workload_name, time_ns, id): one workload's events are one range, newest last, and a retried
 * event (same id, same key) is merged away by ReplacingMergeTree; until a merge, `FINAL` in the
 * queries keeps one of each. `events_by_id` is the same events ordered by id: trace reads one
 * granule, not every day's workloads.
 *
 * SQLite reads a few values from the bodies (json_extract) or from a table kept at ingest; 18.16
 * cannot read JSON reliably (no JSONExtract) and keeps no such table, so they are columns here,
 * filled at insert: `exposure_*` (the exposure's name, detector, origin and origin_ref:
 * /v1/exposures, /v1/diff) and `identity_container`/`identity` (identity.h: the container and
 * canonical identity text SQLite's `identities` table would record for the event, NULL when it
 * records none: /v1/diff).
 *
 * `{db}` is the database (checked by ch_client: letters, digits, '_').
 */
#ifndef C2D_COLLECTOR_CH_SCHEMA_H
#define C2D_COLLECTOR_CH_SCHEMA_H

#define CH_NULLABLE_TEXT(c) " " c " Nullable(String),"

#define CH_SCHEMA_DB "CREATE DATABASE IF NOT EXISTS {db}"

#define CH_SCHEMA_EVENTS                                                                           \
	"CREATE TABLE IF NOT EXISTS {db}.events (day Date, id String, agent String,"              \
	" agent_seq UInt64, time_ns Int64, received_ns Int64, kind String,"                        \
	CH_NULLABLE_TEXT("rule") CH_NULLABLE_TEXT("severity") CH_NULLABLE_TEXT("outcome")           \
	CH_NULLABLE_TEXT("node") " namespace String," CH_NULLABLE_TEXT("pod")                      \
	CH_NULLABLE_TEXT("pod_uid") CH_NULLABLE_TEXT("workload_kind") " workload_name String,"     \
	CH_NULLABLE_TEXT("service_account") CH_NULLABLE_TEXT("container_id")                        \
	CH_NULLABLE_TEXT("container_name") CH_NULLABLE_TEXT("image_name")                           \
	CH_NULLABLE_TEXT("image_digest") CH_NULLABLE_TEXT("commit_sha")                             \
	CH_NULLABLE_TEXT("repository") CH_NULLABLE_TEXT("pipeline_id")                              \
	CH_NULLABLE_TEXT("pipeline_url") CH_NULLABLE_TEXT("version")                                \
	CH_NULLABLE_TEXT("build_time") CH_NULLABLE_TEXT("deploy_commit")                            \
	CH_NULLABLE_TEXT("executable") CH_NULLABLE_TEXT("target") " revision String,"               \
	CH_NULLABLE_TEXT("exposure_name") CH_NULLABLE_TEXT("exposure_detector")                     \
	CH_NULLABLE_TEXT("exposure_origin") CH_NULLABLE_TEXT("exposure_origin_ref")                 \
	CH_NULLABLE_TEXT("identity_container") CH_NULLABLE_TEXT("identity")                         \
	" body String) ENGINE = ReplacingMergeTree PARTITION BY day"                               \
	" ORDER BY (namespace, workload_name, time_ns, id)"

#define CH_SCHEMA_BY_ID                                                                            \
	"CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.events_by_id ENGINE = ReplacingMergeTree"    \
	" PARTITION BY day ORDER BY id AS SELECT day, id, time_ns, namespace, workload_name,"      \
	" revision, body FROM {db}.events"

/* The tables retention drops days from (the view's rows live in its inner table). */
#define CH_TABLES_RETAINED "'events', '.inner.events_by_id'"

#endif

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_store.c - collector/store/store_sqlite.c + store_retain.c on a temp file: creation (mode,
 * WAL, version), every extracted column, duplicates, refusal of a newer schema, retention by
 * age and by size.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "schema.h"
#include "store.h"
#include "tmp_db.h"
#include "unit/unit.h"

static const char *const path = tmp_db_path;

static void fresh(void)
{
	tmp_db_remove();
}

static cJSON *event(unsigned seq, const char *time, bool full)
{
	char text[2048];

	snprintf(text, sizeof(text),
		 "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"00000000000000aa-%016x\","
		 "\"time\":\"%s\",\"kind\":\"credential_read\",\"rule\":\"r\",\"severity\":\"high\","
		 "\"outcome\":\"success\",\"node\":{\"name\":\"node-a\"},"
		 "\"process\":{\"pid\":1,\"executable\":\"/bin/cat\"},\"syscall\":{\"name\":\"openat\"}%s}",
		 seq, time,
		 full ? ",\"file\":{\"path\":\"/etc/shadow\"},\"container\":{\"id\":\"cid\","
			"\"name\":\"cn\",\"image\":{\"name\":\"img:1\",\"digest\":\"sha256:d\"}},"
			"\"k8s\":{\"namespace\":\"ns\",\"pod\":\"pod\",\"pod_uid\":\"uid\","
			"\"service_account\":\"sa\",\"workload\":{\"kind\":\"Deployment\","
			"\"name\":\"wl\"}},\"provenance\":{\"commit\":\"c0ffee\",\"repository\":\"repo\","
			"\"pipeline_id\":\"47\",\"pipeline_url\":\"https://ci/47\",\"version\":\"1.0\","
			"\"build_time\":\"bt\",\"deploy_commit\":\"dc\"}"
		      : "");
	return cJSON_Parse(text);
}

static int insert(struct store *s, unsigned from, unsigned n, const char *time, bool full,
		  size_t *acc, size_t *dups)
{
	cJSON *ev[64] = {0};
	char *body[64] = {0};
	int ret;

	assert_true(n <= 64);
	for (unsigned i = 0; i < n; i++) {
		ev[i] = event(from + i, time, full);
		body[i] = cJSON_PrintUnformatted(ev[i]);
	}
	ret = store_insert_batch(s, ev, body, n, 42, acc, dups);
	for (unsigned i = 0; i < n; i++) {
		cJSON_Delete(ev[i]);
		cJSON_free(body[i]);
	}
	return ret;
}

static char *query(const char *sql)
{
	static char out[2048];
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = 0;
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);

			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i ? "|" : "",
				 v ? v : "NULL");
		}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

static void test_create_insert_columns(void **st)
{
	struct store *s;
	char err[256];
	struct stat sb;
	size_t acc, dups;

	fresh();
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(insert(s, 1, 2, "2026-01-01T00:00:00.5Z", true, &acc, &dups), 0);
	assert_int_equal(acc, 2);
	assert_int_equal(dups, 0);
	/* one new, two already there */
	assert_int_equal(insert(s, 2, 2, "2026-01-01T00:00:00.5Z", true, &acc, &dups), 0);
	assert_int_equal(acc, 1);
	assert_int_equal(dups, 1);
	store_free(s);
	assert_string_equal(query("SELECT count(*) FROM events"), "3");
	assert_string_equal(query("PRAGMA journal_mode"), "wal");
	assert_int_equal(atoi(query("PRAGMA user_version")), SCHEMA_VERSION);
	assert_string_equal(
		query("SELECT id, agent, agent_seq, time_ns, received_ns, kind, rule, severity, outcome,"
		      " node, namespace, pod, pod_uid, workload_kind, workload_name, service_account,"
		      " container_id, container_name, image_name, image_digest, commit_sha, repository,"
		      " pipeline_id, pipeline_url, version, build_time, deploy_commit, executable,"
		      " target, revision FROM events WHERE agent_seq = 1"),
		"00000000000000aa-0000000000000001|00000000000000aa|1|1767225600500000000|42|"
		"credential_read|r|high|success|node-a|ns|pod|uid|Deployment|wl|sa|cid|cn|img:1|"
		"sha256:d|c0ffee|repo|47|https://ci/47|1.0|bt|dc|/bin/cat|/etc/shadow|c0ffee");
	assert_contains(query("SELECT body FROM events WHERE agent_seq = 1"), "\"pid\":1");
}

static void test_target_and_revision_fallbacks(void **st)
{
	struct store *s;
	char err[256];
	size_t acc, dups;

	fresh();
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(insert(s, 7, 1, "2026-01-01T00:00:00Z", false, &acc, &dups), 0);
	store_free(s);
	assert_string_equal(query("SELECT target, quote(revision), namespace FROM events"),
			    "openat|''|NULL");
}

/* A fresh store holding the one event text. */
static void store_one(const char *text)
{
	cJSON *ev = cJSON_Parse(text);
	char *body = cJSON_PrintUnformatted(ev);
	struct store *s;
	char err[256];
	size_t acc, dups;

	fresh();
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(store_insert_batch(s, &ev, &body, 1, 42, &acc, &dups), 0);
	assert_int_equal(acc, 1);
	store_free(s);
	cJSON_Delete(ev);
	cJSON_free(body);
}

/* A container_mount has no process and no file: its target is the host path bound in. */
static void test_container_mount_target(void **st)
{
	static const char text[] =
		"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"00000000000000aa-0000000000000001\","
		"\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"container_mount\","
		"\"rule\":\"host-path-mount\",\"severity\":\"high\",\"node\":{\"name\":\"n\"},"
		"\"mount\":{\"source\":\"/etc\",\"destination\":\"/host/etc\",\"read_only\":true,"
		"\"type\":\"bind\"},\"container\":{\"id\":\"cid\"}}";

	store_one(text);
	assert_string_equal(query("SELECT kind, rule, target, quote(executable) FROM events"),
			    "container_mount|host-path-mount|/etc|NULL");
}

/* A secret_exposure's target is the secret's fingerprint: the same secret, the same target,
 * in every workload and revision. */
static void test_secret_exposure_target(void **st)
{
	static const char text[] =
		"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"00000000000000aa-0000000000000002\","
		"\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"secret_exposure\","
		"\"rule\":\"secret-exposure\",\"severity\":\"high\",\"node\":{\"name\":\"n\"},"
		"\"exposure\":{\"source\":\"env\",\"name\":\"STRIPE_KEY\",\"detector\":"
		"\"stripe-secret-key\",\"fingerprint\":\"hmac-sha256:00112233445566778899aabbccddeeff\"},"
		"\"container\":{\"id\":\"cid\"}}";

	store_one(text);
	assert_string_equal(query("SELECT kind, rule, target FROM events"),
			    "secret_exposure|secret-exposure|hmac-sha256:00112233445566778899aabbccddeeff");
}

static void test_newer_schema_refused(void **st)
{
	struct store *s;
	char err[256], sql[64];
	sqlite3 *db;

	fresh();
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SCHEMA_VERSION + 1);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(store_open(path, &s, err, sizeof(err)), -EPROTO);
	assert_contains(err, "newer than this collector");
}

/* The per-workload summary (schema.h: workload_totals) equals the grouping of the events it
 * stands for, also after retention deleted some of them. */
static void expect_totals_match_events(void)
{
	char want[2048];

	snprintf(want, sizeof(want), "%s",
		 query("SELECT group_concat(r, ';') FROM (SELECT namespace || ',' || workload_name"
		       " || ',' || kind || ',' || ifnull(severity, '') || ',' || COUNT(*) || ',' ||"
		       " MIN(time_ns) || ',' || MAX(time_ns) AS r FROM events WHERE namespace IS NOT"
		       " NULL AND workload_name IS NOT NULL AND kind <> 'agent_gap' GROUP BY"
		       " namespace, workload_name, kind, severity ORDER BY 1)"));
	assert_string_equal(query("SELECT group_concat(r, ';') FROM (SELECT namespace || ',' ||"
				  " workload_name || ',' || kind || ',' || severity || ',' || count"
				  " || ',' || first_ns || ',' || last_ns AS r FROM workload_totals"
				  " ORDER BY 1)"),
			    want);
}

static void test_retention(void **st)
{
	struct store *s;
	char err[256];
	size_t acc, dups;
	uint64_t removed, used;

	fresh();
	assert_int_equal(store_open(path, &s, err, sizeof(err)), 0);
	assert_int_equal(insert(s, 1, 10, "2020-01-01T00:00:00Z", true, &acc, &dups), 0);
	assert_int_equal(insert(s, 100, 10, "2026-01-01T00:00:00Z", true, &acc, &dups), 0);
	/* by age: the 2020 ones go */
	expect_totals_match_events();
	assert_int_equal(store_retain(s, 1700000000000000000LL, 0, &removed), 0);
	assert_int_equal(removed, 10);
	expect_totals_match_events();
	/* by size: fill, then cap below what is used; the oldest go first */
	for (unsigned i = 0; i < 20; i++)
		assert_int_equal(insert(s, 1000 + i * 64, 64, i < 10 ? "2026-02-01T00:00:00Z"
								    : "2026-03-01T00:00:00Z",
					true, &acc, &dups), 0);
	assert_int_equal(store_used_bytes(s, &used), 0);
	assert_int_equal(store_retain(s, 0, used / 2, &removed), 0);
	assert_true(removed > 0);
	assert_int_equal(store_used_bytes(s, &used), 0);
	store_free(s);
	expect_totals_match_events();
	assert_string_equal(query("SELECT count(*) FROM events WHERE time_ns < 1767225600000000001"),
			    "0"); /* the 2026-01-01 ones were oldest */
	assert_string_equal(query("SELECT count(*) > 0 FROM events WHERE time_ns > 1772000000000000000"),
			    "1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_insert_columns),
		cmocka_unit_test(test_target_and_revision_fallbacks),
		cmocka_unit_test(test_container_mount_target),
		cmocka_unit_test(test_secret_exposure_target),
		cmocka_unit_test(test_newer_schema_refused),
		cmocka_unit_test(test_retention),
	};

	return cmocka_run_group_tests(tests, tmp_db_setup, tmp_db_teardown);
}

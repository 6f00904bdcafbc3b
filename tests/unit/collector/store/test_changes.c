// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_changes.c - what changes between revisions, through the real store on a temp file:
 * collector/store/identity.c (a revision that runs with another identity than the one before makes
 * exactly one identity_change, with both identities, what changed, both revisions and deploy
 * commits; a retried batch, a revision with the same identity and a redeploy of the same
 * identity make none; an agent cannot send one; retention keeps the latest identity of each
 * container) and GET /v1/diff (collector/query/query_diff.c).
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <sqlite3.h>

#include "identity.h"
#include "query_db.h"
#include "tmp_db.h"
#include "store.h"
#include "unit/unit.h"
#include "validate.h"

static const char *const path = tmp_db_path;

#define RO "{\"service_account\":\"checkout\",\"cloud\":[{\"provider\":\"aws\",\"key\":" \
	   "\"eks.amazonaws.com/role-arn\",\"value\":\"arn:aws:iam::111122223333:role/checkout-ro\"}]," \
	   "\"automount_token\":true}"
#define ADMIN "{\"service_account\":\"checkout\",\"cloud\":[{\"provider\":\"aws\",\"key\":" \
	      "\"eks.amazonaws.com/role-arn\",\"value\":\"arn:aws:iam::111122223333:role/checkout-admin\"}]," \
	      "\"automount_token\":true}"

static void fresh(struct store **s)
{
	char err[256];

	tmp_db_remove();
	assert_int_equal(store_open(path, s, err, sizeof(err)), 0);
}

#define READ "\"kind\":\"credential_read\",\"rule\":\"r\",\"file\":{\"path\":\"/t\"}," \
	     "\"process\":{\"pid\":1,\"executable\":\"/bin/cat\"}"

/* One event of shop/checkout's container "checkout" under commit, deploy commit, identity;
 * what: its kind, rule and object ("\"kind\":…"). */
static cJSON *event_of(unsigned seq, int sec, const char *commit, const char *deploy,
		       const char *identity, const char *what)
{
	char text[4096];

	snprintf(text, sizeof(text),
		 "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"00000000000000aa-%016x\","
		 "\"time\":\"2026-12-01T00:00:%02dZ\",%s,"
		 "\"severity\":\"high\",\"outcome\":\"success\",\"node\":{\"name\":\"node-a\"},"
		 "\"container\":{\"id\":\"cid\",\"name\":\"checkout\"},"
		 "\"k8s\":{\"namespace\":\"shop\",\"pod\":\"p\",\"container\":\"checkout\","
		 "\"workload\":{\"kind\":\"Deployment\",\"name\":\"checkout\"},\"identity\":%s},"
		 "\"provenance\":{\"commit\":\"%s\",\"deploy_commit\":\"%s\"}}",
		 seq, sec, what, identity, commit, deploy);
	return cJSON_Parse(text);
}

static cJSON *event(unsigned seq, int sec, const char *commit, const char *deploy,
		    const char *identity)
{
	return event_of(seq, sec, commit, deploy, identity, READ);
}

static void insert(struct store *s, cJSON *ev, size_t want_accepted)
{
	char *body = cJSON_PrintUnformatted(ev);
	size_t acc, dups;

	assert_non_null(ev);
	assert_int_equal(store_insert_batch(s, &ev, &body, 1, 1, &acc, &dups), 0);
	assert_int_equal(acc, want_accepted);
	cJSON_free(body);
	cJSON_Delete(ev);
}

static int64_t count(const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static cJSON *the_change(void)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	cJSON *ev = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT body, target, revision, severity FROM events"
					    " WHERE kind = 'identity_change'", -1, &st, NULL),
			 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW) {
		ev = cJSON_Parse((const char *)sqlite3_column_text(st, 0));
		assert_string_equal(sqlite3_column_text(st, 1),
				    "sa=checkout aws=arn:aws:iam::111122223333:role/checkout-admin");
		assert_string_equal(sqlite3_column_text(st, 2), "bbbb2222");
		assert_string_equal(sqlite3_column_text(st, 3), "high");
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return ev;
}

static const char *at(const cJSON *ev, const char *a, const char *b)
{
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(ev, a);

	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, b));
}

static void test_new_role_makes_one_change(void **st)
{
	struct store *s;
	cJSON *ch, *ic, *expect_before = cJSON_Parse(RO), *expect_after = cJSON_Parse(ADMIN);
	struct validate_limits lim = {.max_depth = 16, .max_path = 4096, .max_args = 4096};
	char err[256];

	fresh(&s);
	insert(s, event(1, 1, "aaaa1111", "d1", RO), 1);
	insert(s, event(2, 2, "aaaa1111", "d1", RO), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change'"), 0);
	insert(s, event(3, 10, "bbbb2222", "d2", ADMIN), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change'"), 1);

	ch = the_change();
	assert_non_null(ch);
	ic = cJSON_GetObjectItemCaseSensitive(ch, "identity_change");
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(ic, "before"), expect_before, 1));
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(ic, "after"), expect_after, 1));
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ic, "changed"), 0)
				->valuestring, "cloud");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ic, "changed")), 1);
	assert_string_equal(at(ic, "previous", "revision"), "aaaa1111");
	assert_string_equal(at(ic, "previous", "deploy_commit"), "d1");
	assert_string_equal(at(ic, "previous", "event_id"), "00000000000000aa-0000000000000001");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ic, "revision")), "bbbb2222");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ic, "deploy_commit")), "d2");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ic, "event_id")),
			    "00000000000000aa-0000000000000003");
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(ch, "time")),
			    "2026-12-01T00:00:10Z");
	assert_string_equal(at(ch, "provenance", "deploy_commit"), "d2");
	/* the collector's own event is valid under the schema's rules for ids and times, and an
	 * agent cannot send one */
	assert_true(valid_event_id(cJSON_GetStringValue(cJSON_GetObjectItem(ch, "id")), NULL));
	assert_int_equal(validate_event(ch, &lim, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "kind"));

	/* the batch again (a retry): stored once, no second change */
	insert(s, event(3, 10, "bbbb2222", "d2", ADMIN), 0);
	/* another pod of B, a later revision and a redeploy with the same identity: none */
	insert(s, event(4, 11, "bbbb2222", "d2", ADMIN), 1);
	insert(s, event(5, 20, "cccc3333", "d3", ADMIN), 1);
	insert(s, event(6, 30, "cccc3333", "d4", ADMIN), 1);
	/* the old revision's pods still running during the roll-out: none */
	insert(s, event(7, 31, "aaaa1111", "d1", RO), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change'"), 1);
	/* a rollback to the old identity under a new deploy commit is a change again */
	insert(s, event(8, 40, "aaaa1111", "d5", RO), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change'"), 2);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change' AND"
			       " severity = 'medium'"), 0);
	cJSON_Delete(ch);
	cJSON_Delete(expect_before);
	cJSON_Delete(expect_after);
	store_free(s);
}

static void test_a_second_replica_makes_the_same_id(void **st)
{
	struct store *s;
	cJSON *first, *second;

	fresh(&s);
	insert(s, event(1, 1, "aaaa1111", "d1", RO), 1);
	insert(s, event(3, 10, "bbbb2222", "d2", ADMIN), 1);
	first = the_change();
	store_free(s);
	fresh(&s);
	/* other events, same identities, revisions and deploy commits */
	insert(s, event(11, 2, "aaaa1111", "d1", RO), 1);
	insert(s, event(13, 12, "bbbb2222", "d2", ADMIN), 1);
	second = the_change();
	assert_non_null(first);
	assert_non_null(second);
	assert_string_equal(cJSON_GetStringValue(cJSON_GetObjectItem(second, "id")),
			    cJSON_GetStringValue(cJSON_GetObjectItem(first, "id")));
	cJSON_Delete(first);
	cJSON_Delete(second);
	store_free(s);
}

static void test_events_without_identity_are_ignored(void **st)
{
	struct store *s;
	cJSON *ev;

	fresh(&s);
	ev = event(1, 1, "aaaa1111", "d1", RO);
	cJSON_DeleteItemFromObject(cJSON_GetObjectItem(ev, "k8s"), "identity");
	insert(s, ev, 1);
	insert(s, event(2, 2, "bbbb2222", "d2", ADMIN), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change'"), 0);
	assert_int_equal(count("SELECT count(*) FROM identities"), 1);
	store_free(s);
}

static void test_changed_fields(void **st)
{
	cJSON *a = cJSON_Parse("{\"service_account\":\"x\",\"automount_token\":true,"
			       "\"host_paths\":[\"/etc\"]}");
	cJSON *b = cJSON_Parse("{\"service_account\":\"x\",\"automount_token\":false,"
			       "\"privileged\":true}");
	cJSON *c = identity_changed_fields(a, b);
	char *s = cJSON_PrintUnformatted(c);

	assert_string_equal(s, "[\"automount_token\",\"privileged\",\"host_paths\"]");
	cJSON_free(s);
	cJSON_Delete(c);
	c = identity_changed_fields(a, a);
	assert_int_equal(cJSON_GetArraySize(c), 0);
	cJSON_Delete(c);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_retention_keeps_the_latest_identity(void **st)
{
	struct store *s;
	uint64_t removed;

	fresh(&s);
	insert(s, event(1, 1, "aaaa1111", "d1", RO), 1);
	insert(s, event(2, 10, "bbbb2222", "d2", ADMIN), 1);
	/* everything is older than the cutoff: the events go, B's identity stays */
	assert_int_equal(store_retain(s, 4102444800000000000LL, 0, &removed), 0);
	assert_int_equal(count("SELECT count(*) FROM identities"), 1);
	assert_int_equal(count("SELECT count(*) FROM identities WHERE revision = 'bbbb2222'"), 1);
	/* the next revision is still compared with it */
	insert(s, event(3, 20, "cccc3333", "d3", RO), 1);
	assert_int_equal(count("SELECT count(*) FROM events WHERE kind = 'identity_change'"), 1);
	store_free(s);
}

#define SHADOW "\"kind\":\"credential_read\",\"rule\":\"shadow\",\"file\":{\"path\":" \
	       "\"/etc/shadow\"},\"process\":{\"pid\":1,\"executable\":\"/bin/cat\"}"
#define SECRET(fp) "\"kind\":\"secret_exposure\",\"rule\":\"secret-exposure\",\"exposure\":" \
		   "{\"source\":\"env\",\"name\":\"STRIPE_KEY\",\"detector\":" \
		   "\"stripe-secret-key\",\"fingerprint\":\"hmac-sha256:" fp "\",\"origin\":\"image\"}"

static cJSON *diff(const char *const *params, int want_status)
{
	struct tdb d = {0};

	assert_true(strlen(path) < sizeof(d.path));
	memcpy(d.path, path, strlen(path) + 1);
	return tdb_query(&d, "/v1/diff", params, want_status);
}

static const char *str(const cJSON *o, const char *a, const char *b, int i, const char *c)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(x, b), i);
	return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, c));
}

static int num(const cJSON *o, const char *a, const char *b)
{
	const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, a);

	x = cJSON_GetObjectItemCaseSensitive(x, b);
	return cJSON_IsArray(x) ? cJSON_GetArraySize(x) : (int)cJSON_GetNumberValue(x);
}

static void check_a_to_b(const cJSON *r)
{
	assert_string_equal(jstr(r, "from.revision"), "aaaa1111");
	assert_string_equal(jstr(r, "to.revision"), "bbbb2222");
	assert_string_equal(jstr(r, "from.deploy_commits.#0"), "d1");
	assert_string_equal(jstr(r, "to.deploy_commits.#0"), "d2");
	/* behaviours: the shadow read is new, the token read ran in both; the identity_change
	 * is not a behaviour of its own here */
	assert_int_equal(num(r, "behaviours", "added"), 1);
	assert_string_equal(str(r, "behaviours", "added", 0, "target"), "/etc/shadow");
	assert_int_equal(num(r, "behaviours", "removed"), 0);
	assert_int_equal(num(r, "behaviours", "unchanged"), 1);
	/* exposures: another secret replaced the first */
	assert_int_equal(num(r, "exposures", "added"), 1);
	assert_string_equal(str(r, "exposures", "added", 0, "fingerprint"), "hmac-sha256:bbbb");
	assert_int_equal(num(r, "exposures", "removed"), 1);
	assert_string_equal(str(r, "exposures", "removed", 0, "fingerprint"), "hmac-sha256:aaaa");
	assert_int_equal(num(r, "exposures", "unchanged"), 0);
	/* identities: the role */
	assert_int_equal(num(r, "identities", "added"), 1);
	assert_string_equal(str(r, "identities", "added", 0, "summary"),
			    "sa=checkout aws=arn:aws:iam::111122223333:role/checkout-admin");
	assert_string_equal(str(r, "identities", "removed", 0, "summary"),
			    "sa=checkout aws=arn:aws:iam::111122223333:role/checkout-ro");
	assert_false(cJSON_IsTrue(cJSON_GetObjectItem(r, "truncated")));
}

static void test_diff_of_two_revisions(void **st)
{
	struct store *s;
	cJSON *r;

	fresh(&s);
	insert(s, event_of(1, 1, "aaaa1111", "d1", RO, READ), 1);
	/* one revision: nothing to compare yet */
	r = diff((const char *[]){"workload", "shop/checkout", NULL}, 404);
	cJSON_Delete(r);
	insert(s, event_of(2, 2, "aaaa1111", "d1", RO, SECRET("aaaa")), 1);
	insert(s, event_of(3, 10, "bbbb2222", "d2", ADMIN, READ), 1);
	insert(s, event_of(4, 11, "bbbb2222", "d2", ADMIN, SHADOW), 1);
	insert(s, event_of(5, 12, "bbbb2222", "d2", ADMIN, SECRET("bbbb")), 1);

	r = diff((const char *[]){"workload", "shop/checkout", NULL}, 200);
	check_a_to_b(r);
	cJSON_Delete(r);
	/* named by prefixes, and the other way round */
	r = diff((const char *[]){"workload", "shop/checkout", "from", "aaaa", "to", "bbbb22", NULL},
		 200);
	check_a_to_b(r);
	cJSON_Delete(r);
	r = diff((const char *[]){"workload", "shop/checkout", "from", "bbbb2222", "to",
				  "aaaa1111", NULL}, 200);
	assert_int_equal(num(r, "behaviours", "removed"), 1);
	assert_int_equal(num(r, "behaviours", "added"), 0);
	cJSON_Delete(r);
	/* bad names */
	r = diff((const char *[]){"workload", "shop/checkout", "to", "cccc", NULL}, 404);
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(r, "error")),
			       "not a revision"));
	cJSON_Delete(r);
	r = diff((const char *[]){"workload", "shop/checkout", "from", "aa", NULL}, 400);
	cJSON_Delete(r);
	r = diff((const char *[]){"workload", "shop/checkout", "to", "aaaa", NULL}, 400);
	cJSON_Delete(r);
	r = diff((const char *[]){"workload", "shop/nothing", NULL}, 404);
	cJSON_Delete(r);
	r = diff((const char *[]){NULL}, 400);
	cJSON_Delete(r);
	store_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_role_makes_one_change),
		cmocka_unit_test(test_a_second_replica_makes_the_same_id),
		cmocka_unit_test(test_events_without_identity_are_ignored),
		cmocka_unit_test(test_changed_fields),
		cmocka_unit_test(test_retention_keeps_the_latest_identity),
		cmocka_unit_test(test_diff_of_two_revisions),
	};

	return cmocka_run_group_tests(tests, tmp_db_setup, tmp_db_teardown);
}

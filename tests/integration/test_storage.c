// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_storage.c - production-storage writes and cloud-metadata access end to end. The agent
 * watches <tmp>/storage; a write, a rename and an unlink below it are each one finding, the
 * same operations in a sibling directory <tmp>/storage-old are none. A connect to
 * 169.254.169.254 is a finding whatever its result; one to 127.0.0.1 is not.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

static struct h_suite suite;
#define agent (suite.agent)
#define tmp (suite.tmp)
#define storage (suite.storage)

H_SUITE_GROUP(suite)

static void run_trigger(struct h_exec *r, const char *name, const char *a1, const char *a2)
{
	assert_int_equal(h_exec(r, agent, H_KEEP_ID, name, (const char *const[]){a1, a2, NULL}), 0);
}

static void expect_storage(struct h_exec *r, const char *syscall, long ret, const char *const *flags,
			   const char *path, const char *new_path)
{
	const cJSON *ev = h_expect_event(agent, &r->p, "storage_write", "production-storage",
					 syscall);

	h_check_event(agent, ev, &r->p,
		      &(struct h_expect){.kind = "storage_write", .rule = "production-storage",
					 .severity = "high", .syscall = syscall, .ret = ret,
					 .flags = flags, .path = path, .new_path = new_path});
}

static void test_write_rename_unlink(void **state)
{
	static const char *const flags[] = {"O_WRONLY", "O_CREAT", "O_TRUNC", "O_CLOEXEC", NULL};
	char data[PATH_MAX + 8], renamed[PATH_MAX + 16];
	struct h_exec r;

	snprintf(data, sizeof(data), "%s/data", storage);
	snprintf(renamed, sizeof(renamed), "%s/data.new", storage);
	run_trigger(&r, "storage_ops", storage, NULL);
	expect_storage(&r, "openat", 3, flags, data, NULL);
	expect_storage(&r, "rename", 0, NULL, data, renamed);
	expect_storage(&r, "unlink", 0, NULL, renamed, NULL);
}

/* connect() results that mean "tried": in progress, or refused by the network here. */
static bool plausible_connect(long long ret)
{
	static const int errs[] = {EINPROGRESS, ENETUNREACH, EHOSTUNREACH, ECONNREFUSED,
				   ETIMEDOUT,	EACCES,	     EPERM};

	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++)
		if (ret == -errs[i])
			return true;
	return ret == 0;
}

static void test_metadata_connect(void **state)
{
	const char *rule = "cloud-metadata-endpoint";
	struct h_exec r;
	const cJSON *ev;
	long long ret = 1;

	run_trigger(&r, "connect_meta", NULL, NULL);
	ev = h_expect_event(agent, &r.p, "metadata_access", rule, "connect");
	/* off-cloud the result depends on the routes: any attempt is right, checked as it is */
	if (!h_int(ev, "syscall.ret", &ret) || !plausible_connect(ret))
		h_expect_int(ev, "syscall.ret", -EINPROGRESS);
	h_check_event(agent, ev, &r.p,
		      &(struct h_expect){.kind = "metadata_access", .rule = rule,
					 .severity = "high", .syscall = "connect", .ret = ret,
					 .failure = ret < 0 && ret != -EINPROGRESS,
					 .has_network = true});
	h_expect_str(ev, "network.family", "ipv4");
	h_expect_str(ev, "network.address", "169.254.169.254");
	h_expect_int(ev, "network.port", 80);
}

/*
 * The same writes next to the storage directory, a connect elsewhere: nothing. The marker
 * finding afterwards proves the agent drained everything before it (the ring is in order).
 */
static void test_no_event_outside(void **state)
{
	char sibling[PATH_MAX + 8];
	struct h_exec writes, conn, marker;

	snprintf(sibling, sizeof(sibling), "%s-old", storage); /* a prefix of the name, not a dir */
	assert_int_equal(mkdir(sibling, 0755), 0);
	run_trigger(&writes, "storage_ops", sibling, NULL);
	run_trigger(&conn, "connect_meta", "127.0.0.1", "9");
	h_agent_pump(agent, H_QUIET_MS);
	run_trigger(&marker, "connect_meta", NULL, NULL);
	h_expect_event(agent, &marker.p, "metadata_access", "cloud-metadata-endpoint", "connect");
	h_expect_none(agent, &(struct h_match){.pid = writes.p.pid}, "a write outside storage");
	h_expect_none(agent, &(struct h_match){.pid = conn.p.pid}, "a connect to 127.0.0.1");
}

/*
 * A name whose `..` leaves the storage directory is not a storage write, however its spelling
 * starts ("<storage>/../<storage>-out/x" is <storage>-out/x), and one whose `..` comes back into
 * it is ("<storage>-out/../<storage>/y" is <storage>/y): judged on the normalised name in user
 * space even when the kernel matched the raw spelling's prefix.
 */
static void test_dotdot_judged_normalised(void **state)
{
	char out[PATH_MAX + 8], away[3 * PATH_MAX], back[3 * PATH_MAX], file[PATH_MAX + 16];
	const char *base = strrchr(storage, '/') + 1;
	struct h_exec leave, enter;
	const cJSON *ev;

	snprintf(out, sizeof(out), "%s-out", storage);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(file, sizeof(file), "%s/x", out);
	assert_int_equal(h_sh("touch %s %s/y", file, storage), 0);
	snprintf(away, sizeof(away), "%s/../%s-out/x", storage, base);
	snprintf(back, sizeof(back), "%s/../%s/y", out, base);
	assert_int_equal(h_exec(&leave, agent, H_KEEP_ID, "/bin/rm", (const char *const[]){away, NULL}),
			 0);
	assert_int_equal(h_exec(&enter, agent, H_KEEP_ID, "/bin/rm", (const char *const[]){back, NULL}),
			 0);
	ev = h_expect_event(agent, &enter.p, "storage_write", "production-storage", NULL);
	snprintf(file, sizeof(file), "%s/y", storage);
	h_expect_str(ev, "file.path", file);
	h_expect_none(agent, &(struct h_match){.pid = leave.p.pid}, "a `..` out of storage");
}

static void test_ids_unique(void **state)
{
	h_expect_unique_ids(agent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_rename_unlink),
		cmocka_unit_test(test_metadata_connect),
		cmocka_unit_test(test_no_event_outside),
		cmocka_unit_test(test_dotdot_judged_normalised),
		cmocka_unit_test(test_ids_unique),
	};

	return cmocka_run_group_tests_name("storage", tests, group_setup, group_teardown);
}

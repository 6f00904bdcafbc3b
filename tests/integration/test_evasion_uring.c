// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_evasion_uring.c - file operations through io_uring pass no syscall tracepoint; each is
 * still reported like its syscall (evasion suite, issue 11). The agent watches <tmp>/storage.
 *
 *  - IORING_OP_OPENAT / OPENAT2 of /etc/shadow: completed inline, by an io-wq worker
 *    (IOSQE_ASYNC) and on an SQPOLL ring (submitted by the ring's SQ thread): a credential_read
 *    each, attributed to the trigger (pid, comm), never to an `iou-wrk`/`iou-sqp` thread; an
 *    open into a fixed-file slot (no fd) too; a denied one (EACCES) is a failure finding;
 *  - OPENAT for writing, FTRUNCATE, RENAMEAT, UNLINKAT, LINKAT below storage: a storage_write
 *    each, with the op's result (a failed unlink is a failure); SYMLINKAT to /etc/shadow: a
 *    credential_read (a new name for a credential file);
 *  - a thread swapping the opened fd for /dev/null before the CQE: every open still reported;
 *  - requests that pass no io_uring_complete: IOSQE_CQE_SKIP_SUCCESS (no CQE on success: judged
 *    at submit, ret 0) and a CQE that overflows a full CQ ring (io_uring_cqe_overflow);
 *  - ring creation: an io-uring-setup finding, SQPOLL among the ring's flags;
 *  - the same ops on files no rule names: nothing.
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

static int uring_as(struct h_exec *r, int id, const char *mode, const char *a1, const char *a2)
{
	return h_exec(r, agent, id, "uring_ops", (const char *const[]){mode, a1, a2, NULL});
}

static int uring(struct h_exec *r, const char *mode, const char *a1, const char *a2)
{
	return uring_as(r, H_KEEP_ID, mode, a1, a2);
}

/* The trigger's descriptors: 0-2, the ring (3), then the opened file (4). */
#define OPEN_FD 4

static const char *const rdonly_cloexec[] = {"O_RDONLY", "O_CLOEXEC", NULL};

/* The read of /etc/shadow by run r, reported as `syscall` with this result and flags. */
static const cJSON *expect_shadow_read(struct h_exec *r, const char *syscall, long ret,
				       const char *const *flags)
{
	const cJSON *ev = h_expect_event(agent, &r->p, "credential_read", "etc-shadow", syscall);

	h_check_event(agent, ev, &r->p,
		      &(struct h_expect){.kind = "credential_read", .rule = "etc-shadow",
					 .severity = "high", .syscall = syscall, .ret = ret,
					 .failure = ret < 0, .flags = flags, .path = "/etc/shadow"});
	return ev;
}

static void expect_shadow(const char *mode, const char *syscall)
{
	struct h_exec r;

	assert_int_equal(uring(&r, mode, "/etc/shadow", NULL), 0);
	h_expect_str(expect_shadow_read(&r, syscall, OPEN_FD, rdonly_cloexec), "outcome", "success");
}

static void test_openat_inline(void **state)
{
	expect_shadow("openat", "io_uring:openat");
}

static void test_openat2(void **state)
{
	expect_shadow("openat2", "io_uring:openat2");
}

/* IOSQE_ASYNC: an io-wq worker (comm iou-wrk-N) opens the file. */
static void test_openat_async(void **state)
{
	expect_shadow("openat-async", "io_uring:openat");
}

/* SQPOLL: the SQ thread submits; the ring's creation says so. */
static void test_openat_sqpoll(void **state)
{
	static const char *const sqpoll[] = {"IORING_SETUP_SQPOLL", NULL};
	struct h_exec r;
	const cJSON *ev;

	assert_int_equal(uring(&r, "openat-sqpoll", "/etc/shadow", NULL), 0);
	expect_shadow_read(&r, "io_uring:openat", OPEN_FD, rdonly_cloexec);
	ev = h_expect_event(agent, &r.p, "privileged_call", "io-uring-setup", "io_uring_setup");
	h_check_event(agent, ev, &r.p,
		      &(struct h_expect){.kind = "privileged_call", .rule = "io-uring-setup",
					 .severity = "low", .syscall = "io_uring_setup", .ret = 3,
					 .has_args = true});
	h_expect_strs(ev, "syscall.args.setup_flags", sqpoll);
	h_expect_int(ev, "syscall.args.entries", 8);
}

/* Refused (EACCES): no file to judge, the name is; a finding with outcome failure. */
static void test_openat_denied(void **state)
{
	struct h_exec r;

	assert_int_not_equal(uring_as(&r, H_NOBODY, "openat", "/etc/shadow", NULL), 0);
	expect_shadow_read(&r, "io_uring:openat", -EACCES, rdonly_cloexec);
}

/* Into a fixed-file slot: no fd in the process's table; the file is the ring's slot's. */
static void test_openat_fixed(void **state)
{
	struct h_exec r;

	assert_int_equal(uring(&r, "openat-fixed", "/etc/shadow", NULL), 0);
	expect_shadow_read(&r, "io_uring:openat", 0, (const char *const[]){"O_RDONLY", NULL});
}

static size_t count_events(const struct h_agent *ag, const struct h_match *m)
{
	size_t n = 0;

	for (size_t i = 0; i < h_agent_nevents(ag); i++)
		n += h_match_event(h_agent_event(ag, i), m);
	return n;
}

/* n opens of /etc/shadow through uring_ops `mode` in one run: how many were reported (waiting
 * up to the event timeout for all n). */
static size_t shadow_opens_reported(struct h_exec *r, const char *mode, int n)
{
	struct h_match m = {.kind = "credential_read", .rule = "etc-shadow",
			    .syscall = "io_uring:openat"};
	size_t got = 0;
	char nb[16];

	snprintf(nb, sizeof(nb), "%d", n);
	assert_int_equal(uring(r, mode, "/etc/shadow", nb), 0);
	m.pid = r->p.pid;
	for (int waited = 0; waited < H_EVENT_TIMEOUT_MS; waited += 200) {
		got = count_events(agent, &m);
		if (got >= (size_t)n)
			break;
		h_agent_pump(agent, 200);
	}
	return got;
}

/*
 * A second thread frees the fd the next open gets and dup2()s /dev/null onto it, racing the
 * open's CQE (posted after the whole submit batch): the fd often holds /dev/null by then
 * (45 % of opens, measured). Each open is still reported: its name, judged at submit from the
 * kernel's copy, stands in when the fd no longer holds what was opened.
 */
#define RACE_OPENS 2000

static void test_openat_fd_swap_race(void **state)
{
	struct h_exec r;
	size_t got = shadow_opens_reported(&r, "openat-race", RACE_OPENS);

	print_message("fd-swap race: %zu of %d io_uring opens of /etc/shadow reported\n", got,
		      RACE_OPENS);
	assert_int_equal(got, RACE_OPENS);
	h_expect_none(agent, &(struct h_match){.pid = r.p.pid, .kind = "storage_write"},
		      "a forged target");
}

/* More matching opens in one submit than the agent can hold pending (256): every one is
 * still reported (those that do not fit go out at submit, and again exactly at completion). */
#define BATCH_OPENS 400

static void test_openat_batch(void **state)
{
	struct h_exec r;
	size_t got = shadow_opens_reported(&r, "openat-batch", BATCH_OPENS);

	print_message("batch: %zu findings for %d io_uring opens in one submit\n", got,
		      BATCH_OPENS);
	assert_true(got >= BATCH_OPENS);
}

/* IOSQE_CQE_SKIP_SUCCESS: no CQE, so no completion; judged when submitted, result unknown. */
static void test_openat_cqe_skip(void **state)
{
	struct h_exec r;

	assert_int_equal(uring(&r, "openat-skip", "/etc/shadow", NULL), 0);
	expect_shadow_read(&r, "io_uring:openat", 0, rdonly_cloexec);
}

/* The open's CQE goes to the overflow list (the CQ ring is full of unreaped NOPs). */
static void test_openat_cq_overflow(void **state)
{
	struct h_exec r;

	assert_int_equal(uring(&r, "openat-overflow", "/etc/shadow", NULL), 0);
	expect_shadow_read(&r, "io_uring:openat", OPEN_FD, rdonly_cloexec);
}

static void expect_storage(struct h_exec *r, const char *syscall, long ret,
			   const char *const *flags, const char *path, const char *new_path)
{
	const cJSON *ev = h_expect_event(agent, &r->p, "storage_write", "production-storage",
					 syscall);

	h_check_event(agent, ev, &r->p,
		      &(struct h_expect){.kind = "storage_write", .rule = "production-storage",
					 .severity = "high", .syscall = syscall, .ret = ret,
					 .failure = ret < 0, .flags = flags, .path = path,
					 .new_path = new_path});
}

static void test_storage_ops(void **state)
{
	static const char *const wflags[] = {"O_WRONLY", "O_CREAT", "O_TRUNC", "O_CLOEXEC", NULL};
	char a[PATH_MAX + 16], b[PATH_MAX + 16], none[PATH_MAX + 16];
	struct h_exec open_w, trunc, ren, unl, unl_skip, unl_missing;

	snprintf(a, sizeof(a), "%s/a", storage);
	snprintf(b, sizeof(b), "%s/b", storage);
	snprintf(none, sizeof(none), "%s/missing", storage);
	assert_int_equal(uring(&open_w, "openat-write", a, NULL), 0);
	expect_storage(&open_w, "io_uring:openat", OPEN_FD, wflags, a, NULL);
	assert_int_equal(uring(&trunc, "ftruncate", a, NULL), 0);
	expect_storage(&trunc, "io_uring:ftruncate", 0, NULL, a, NULL);
	assert_int_equal(uring(&ren, "renameat", a, b), 0);
	expect_storage(&ren, "io_uring:renameat", 0, NULL, a, b);
	assert_int_equal(uring(&unl, "unlinkat", b, NULL), 0);
	expect_storage(&unl, "io_uring:unlinkat", 0, NULL, b, NULL);
	/* no CQE on success: reported at submit */
	assert_int_equal(h_write_file(a, 0644), 0);
	assert_int_equal(uring(&unl_skip, "unlinkat-skip", a, NULL), 0);
	expect_storage(&unl_skip, "io_uring:unlinkat", 0, NULL, a, NULL);
	/* refused by the kernel: still a finding, with the op's own result */
	assert_int_not_equal(uring(&unl_missing, "unlinkat", none, NULL), 0);
	expect_storage(&unl_missing, "io_uring:unlinkat", -ENOENT, NULL, none, NULL);
}

/* New names: a hard link inside storage, a symbolic link to a credential file. */
static void test_links(void **state)
{
	char l1[PATH_MAX + 16], l2[PATH_MAX + 16], sl[PATH_MAX + 16];
	struct h_exec hard, sym;
	const cJSON *ev;

	snprintf(l1, sizeof(l1), "%s/l1", storage);
	snprintf(l2, sizeof(l2), "%s/l2", storage);
	snprintf(sl, sizeof(sl), "%s/shadow-link", tmp);
	assert_int_equal(h_write_file(l1, 0644), 0);
	assert_int_equal(uring(&hard, "linkat", l1, l2), 0);
	expect_storage(&hard, "io_uring:linkat", 0, NULL, l1, l2);
	assert_int_equal(uring(&sym, "symlinkat", "/etc/shadow", sl), 0);
	ev = h_expect_event(agent, &sym.p, "credential_read", "etc-shadow", "io_uring:symlinkat");
	h_check_event(agent, ev, &sym.p,
		      &(struct h_expect){.kind = "credential_read", .rule = "etc-shadow",
					 .severity = "high", .syscall = "io_uring:symlinkat",
					 .ret = 0, .path = "/etc/shadow", .new_path = sl});
}

/*
 * The same operations on files no rule names: no file finding. The marker afterwards proves
 * the agent drained everything before it (the ring is in order).
 */
static void test_no_event_outside(void **state)
{
	char plain[PATH_MAX + 16], moved[PATH_MAX + 32];
	struct h_exec op, wr, tr, ren, unl, marker;
	const struct h_exec *all[] = {&op, &wr, &tr, &ren, &unl};

	snprintf(plain, sizeof(plain), "%s/plain", tmp);
	snprintf(moved, sizeof(moved), "%s/plain.moved", tmp);
	assert_int_equal(h_write_file(plain, 0644), 0);
	assert_int_equal(uring(&op, "openat", plain, NULL), 0);
	assert_int_equal(uring(&wr, "openat-write", plain, NULL), 0);
	assert_int_equal(uring(&tr, "ftruncate", plain, NULL), 0);
	assert_int_equal(uring(&ren, "renameat", plain, moved), 0);
	assert_int_equal(uring(&unl, "unlinkat", moved, NULL), 0);
	h_agent_pump(agent, H_QUIET_MS);
	assert_int_equal(uring(&marker, "openat", "/etc/shadow", NULL), 0);
	h_expect_event(agent, &marker.p, "credential_read", "etc-shadow", "io_uring:openat");
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		h_expect_none(agent, &(struct h_match){.pid = all[i]->p.pid, .kind = "credential_read"},
			      "an io_uring op on a file no rule names");
		h_expect_none(agent, &(struct h_match){.pid = all[i]->p.pid, .kind = "storage_write"},
			      "an io_uring op on a file no rule names");
	}
}

static void test_ids_unique(void **state)
{
	h_expect_unique_ids(agent);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_openat_inline),
		cmocka_unit_test(test_openat2),
		cmocka_unit_test(test_openat_async),
		cmocka_unit_test(test_openat_sqpoll),
		cmocka_unit_test(test_openat_fixed),
		cmocka_unit_test(test_openat_denied),
		cmocka_unit_test(test_openat_cqe_skip),
		cmocka_unit_test(test_openat_fd_swap_race),
		cmocka_unit_test(test_openat_batch),
		cmocka_unit_test(test_openat_cq_overflow),
		cmocka_unit_test(test_storage_ops),
		cmocka_unit_test(test_links),
		cmocka_unit_test(test_no_event_outside),
		cmocka_unit_test(test_ids_unique),
	};

	return cmocka_run_group_tests_name("evasion_uring", tests, group_setup, group_teardown);
}

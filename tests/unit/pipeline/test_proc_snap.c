// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_proc_snap.c - agent/pipeline/proc_snap.c: a process and its parent serialized when a finding
 * is held back and read back at its release (bounded, validated); and agent/pipeline/deferred.c
 * counting what is kept after a record in its bytes bound.
 */
#include <errno.h>
#include <stdio.h>

#include "deferred.h"
#include "proc_snap.h"
#include "unit.h"

static unsigned char buf[PROC_SNAP_MAX];

static void entry(struct proc_entry *e, const char *comm, char *exe, char *args, uint32_t alen)
{
	memset(e, 0, sizeof(*e));
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	e->exe = exe;
	e->args = args;
	e->args_len = alen;
}

static void test_round_trip(void **state)
{
	char args[] = "sh\0/entrypoint.sh", exe[] = "/bin/sh", pexe[] = "/usr/bin/containerd-shim";
	struct proc_entry e, p;
	struct proc_snap s;
	size_t n;

	entry(&e, "sh", exe, args, sizeof(args));
	e.args_truncated = true;
	entry(&p, "containerd-shim-runc", pexe, NULL, 0);
	n = proc_snap_put_parent(buf, proc_snap_put_self(buf, &e), &p);
	exe[1] = 'X'; /* the snapshot is a copy: later changes of the entry do not reach it */
	assert_int_equal(proc_snap_get(buf, n, &s), 0);
	assert_string_equal(s.exe, "/bin/sh");
	assert_int_equal(s.args_len, sizeof(args));
	assert_memory_equal(s.args, "sh\0/entrypoint.sh", sizeof(args));
	assert_true(s.args_truncated);
	assert_true(s.parent);
	assert_string_equal(s.parent_comm, "containerd-shim"); /* comm: 15 characters */
	assert_string_equal(s.parent_exe, "/usr/bin/containerd-shim");
	assert_int_equal(proc_snap_get(buf, n - 1, &s), -EINVAL);
	assert_int_equal(proc_snap_get(buf, n + 1, &s), -EINVAL);
	assert_int_equal(proc_snap_get(buf, PROC_SNAP_HDR - 1, &s), -EINVAL);
}

/* Unknown parts stay unknown: no executable, no arguments, no parent. */
static void test_unknowns(void **state)
{
	struct proc_entry e;
	struct proc_snap s;
	size_t n;

	entry(&e, "x", NULL, NULL, 0);
	n = proc_snap_put_parent(buf, proc_snap_put_self(buf, &e), NULL);
	assert_int_equal(n, PROC_SNAP_HDR);
	assert_int_equal(proc_snap_get(buf, n, &s), 0);
	assert_null(s.exe);
	assert_null(s.args);
	assert_false(s.args_truncated);
	assert_false(s.parent);
	assert_null(s.parent_exe);
}

/* Parts longer than the cache keeps are cut to its bounds: PROC_SNAP_MAX holds. A string part
 * without its NUL is refused. */
static void test_bounds(void **state)
{
	static char exe[4000], args[4000];
	struct proc_entry e, p;
	struct proc_snap s;
	size_t n;

	memset(exe, 'e', sizeof(exe) - 1);
	memset(args, 'a', sizeof(args));
	entry(&e, "x", exe, args, sizeof(args));
	entry(&p, "y", exe, NULL, 0);
	n = proc_snap_put_parent(buf, proc_snap_put_self(buf, &e), &p);
	assert_int_equal(n, PROC_SNAP_MAX);
	assert_int_equal(proc_snap_get(buf, n, &s), 0);
	assert_int_equal(strlen(s.exe), C2D_PROC_EXE_MAX - 1);
	assert_int_equal(s.args_len, C2D_PROC_ARGS_MAX);
	assert_true(s.args_truncated);
	assert_int_equal(strlen(s.parent_exe), C2D_PROC_EXE_MAX - 1);
	buf[PROC_SNAP_HDR + C2D_PROC_EXE_MAX - 1] = 'e'; /* the executable's NUL */
	assert_int_equal(proc_snap_get(buf, n, &s), -EINVAL);
}

/* What is kept after a record counts in the queue's bytes bound, and is freed with it. */
static void test_deferred_tail_bytes(void **state)
{
	static struct deferred d;
	static char big[DEFERRED_BYTES / 2];
	char rec[64] = "record", tail[32] = "tail";
	struct deferred_rec *r;

	assert_int_equal(deferred_push(&d, rec, sizeof(rec), tail, sizeof(tail), 7), 0);
	assert_int_equal(d.bytes, sizeof(rec) + sizeof(tail));
	r = deferred_peek(&d);
	assert_int_equal(r->len, sizeof(rec));
	assert_int_equal(r->tail_len, sizeof(tail));
	assert_memory_equal(r->data, rec, sizeof(rec));
	assert_memory_equal((char *)r->data + r->len, tail, sizeof(tail));
	deferred_pop(&d);
	assert_int_equal(d.bytes, 0);
	/* the tail alone can exceed the bound */
	assert_int_equal(deferred_push(&d, big, sizeof(big), big, sizeof(big), 0), 0);
	assert_int_equal(deferred_push(&d, rec, 1, tail, 1, 0), -ENOSPC);
	assert_int_equal(deferred_push(&d, rec, 0, tail, 0, 0), 0);
	deferred_clear(&d);
	assert_int_equal(d.bytes, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_unknowns),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_deferred_tail_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_proc_cache.c - agent/attribution/proc_cache.c: lookups, LRU eviction by entries and by
 * bytes, exited processes, pid reuse, the bounds of exe and args, and the counters.
 */
#include "proc_cache.h"
#include "unit.h"

#define S sizeof(struct proc_entry) /* what an entry without strings costs */
#define NO_LIMIT ((size_t)1 << 40)

static struct proc_cache_stats stats(const struct proc_cache *pc)
{
	struct proc_cache_stats st;

	proc_cache_get_stats(pc, &st);
	return st;
}

static int teardown(void **state)
{
	proc_cache_free(*state);
	*state = NULL;
	return 0;
}

/* Creates the cache the test's teardown frees. */
static struct proc_cache *cache(void **state, size_t max_entries, size_t max_bytes)
{
	struct proc_cache *pc = proc_cache_new(max_entries, max_bytes);

	assert_non_null(pc);
	*state = pc;
	return pc;
}

static void upsert_all(struct proc_cache *pc, const uint32_t *tgids, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_non_null(proc_cache_upsert(pc, tgids[i]));
}

/* Which of tgids are present, as a bit mask (get() counts, but nothing else changes). */
static unsigned present(struct proc_cache *pc, const uint32_t *tgids, size_t n)
{
	unsigned m = 0;

	for (size_t i = 0; i < n; i++)
		if (proc_cache_get(pc, tgids[i]))
			m |= 1u << i;
	return m;
}

static void test_insert_get(void **state)
{
	struct proc_cache *pc = cache(state, 1024, NO_LIMIT);
	struct proc_entry *e = proc_cache_upsert(pc, 100);

	assert_non_null(e);
	assert_int_equal(e->tgid, 100);
	assert_int_equal(e->ppid, 0);
	assert_null(e->exe);
	assert_null(e->args);
	assert_false(e->exited);
	e->ppid = 1;
	memcpy(e->comm, "bash", 5);
	assert_ptr_equal(proc_cache_get(pc, 100), e);
	assert_ptr_equal(proc_cache_upsert(pc, 100), e); /* the same process: kept as it is */
	assert_int_equal(e->ppid, 1);
	assert_string_equal(e->comm, "bash");
	assert_null(proc_cache_get(pc, 101));
	assert_null(proc_cache_get(pc, 0));
	assert_int_equal(stats(pc).entries, 1);
}

static void test_many_entries(void **state)
{
	struct proc_cache *pc = cache(state, 4096, NO_LIMIT);

	/* pids that share buckets: multiples of the table size */
	for (uint32_t i = 1; i <= 3000; i++)
		assert_non_null(proc_cache_upsert(pc, i * 4096));
	for (uint32_t i = 1; i <= 3000; i++) {
		struct proc_entry *e = proc_cache_get(pc, i * 4096);

		assert_non_null(e);
		assert_int_equal(e->tgid, i * 4096);
	}
	assert_int_equal(stats(pc).entries, 3000);
	assert_int_equal(stats(pc).evictions, 0);
	for (uint32_t i = 1; i <= 3000; i += 2)
		proc_cache_remove(pc, i * 4096);
	for (uint32_t i = 1; i <= 3000; i++)
		assert_true((proc_cache_get(pc, i * 4096) != NULL) == (i % 2 == 0));
	assert_int_equal(stats(pc).entries, 1500);
}

static void test_evict_by_count(void **state)
{
	static const uint32_t t[] = {1, 2, 3, 4};
	struct proc_cache *pc = cache(state, 3, NO_LIMIT);

	upsert_all(pc, t, 3);
	assert_non_null(proc_cache_get(pc, 1)); /* 1 is now the most recently used */
	assert_non_null(proc_cache_upsert(pc, 4));
	assert_int_equal(present(pc, t, 4), 1u << 0 | 1u << 2 | 1u << 3); /* 2 went */
	assert_int_equal(stats(pc).evictions, 1);
	assert_int_equal(stats(pc).entries, 3);
	assert_non_null(proc_cache_upsert(pc, 3)); /* touch by upsert */
	assert_non_null(proc_cache_upsert(pc, 2));
	/* present() touched 1, 3, 4 in that order, then 3: the oldest is 1 */
	assert_int_equal(present(pc, t, 4), 1u << 1 | 1u << 2 | 1u << 3);
	assert_int_equal(stats(pc).evictions, 2);
}

static void test_evict_by_bytes(void **state)
{
	static const uint32_t t[] = {1, 2, 3, 4};
	struct proc_cache *pc = cache(state, 100, 3 * S + 10);
	char exe[101];

	upsert_all(pc, t, 3);
	assert_int_equal(stats(pc).bytes, 3 * S);
	assert_non_null(proc_cache_get(pc, 1));
	assert_non_null(proc_cache_upsert(pc, 4)); /* 4 * S > 3 * S + 10: 2 goes */
	assert_int_equal(present(pc, t, 4), 1u << 0 | 1u << 2 | 1u << 3);
	assert_int_equal(stats(pc).bytes, 3 * S);
	/* present() left 4 the most recent, 1 the least: an exe of 100 bytes evicts 1 */
	memset(exe, 'x', 100);
	exe[100] = 0;
	proc_cache_set_exec(pc, proc_cache_get(pc, 4), exe, NULL, 0, false);
	assert_int_equal(present(pc, t, 4), 1u << 2 | 1u << 3);
	assert_int_equal(stats(pc).bytes, 2 * S + 101);
	assert_int_equal(stats(pc).entries, 2);
	assert_int_equal(stats(pc).evictions, 2);
	assert_string_equal(proc_cache_get(pc, 4)->exe, exe);
}

static void test_exited_still_found(void **state)
{
	struct proc_cache *pc = cache(state, 16, NO_LIMIT);
	struct proc_entry *e = proc_cache_upsert(pc, 7);

	proc_cache_set_exec(pc, e, "/bin/sleep", "sleep\0" "1", 8, false);
	proc_cache_mark_exited(pc, 7);
	proc_cache_mark_exited(pc, 8); /* unknown: nothing happens */
	e = proc_cache_get(pc, 7);
	assert_non_null(e);
	assert_true(e->exited);
	assert_string_equal(e->exe, "/bin/sleep");
	assert_null(proc_cache_get(pc, 8));
	assert_int_equal(stats(pc).entries, 1);
}

static void test_exited_evicted_first(void **state)
{
	static const uint32_t t[] = {1, 2, 3, 4};
	struct proc_cache *pc = cache(state, 3, NO_LIMIT);

	upsert_all(pc, t, 3);
	proc_cache_mark_exited(pc, 1);
	assert_non_null(proc_cache_get(pc, 1)); /* an exited entry is not made recent */
	assert_non_null(proc_cache_upsert(pc, 4));
	assert_int_equal(present(pc, t, 4), 1u << 1 | 1u << 2 | 1u << 3);
}

static void test_pid_reuse(void **state)
{
	struct proc_cache *pc = cache(state, 16, NO_LIMIT);
	struct proc_entry *e = proc_cache_upsert(pc, 42);

	e->ppid = 1;
	e->uid = 1000;
	memcpy(e->comm, "old", 4);
	proc_cache_set_exec(pc, e, "/old/exe", "old\0", 4, true);
	proc_cache_mark_exited(pc, 42);
	e = proc_cache_upsert(pc, 42); /* a new process with the same pid */
	assert_non_null(e);
	assert_false(e->exited);
	assert_int_equal(e->tgid, 42);
	assert_int_equal(e->ppid, 0);
	assert_int_equal(e->uid, 0);
	assert_string_equal(e->comm, "");
	assert_null(e->exe);
	assert_null(e->args);
	assert_int_equal(e->args_len, 0);
	assert_false(e->args_truncated);
	assert_ptr_equal(proc_cache_get(pc, 42), e);
	assert_int_equal(stats(pc).entries, 1);
	assert_int_equal(stats(pc).bytes, S);
	assert_int_equal(stats(pc).evictions, 0);
}

static void test_set_exec_bounds(void **state)
{
	static const struct {
		size_t exe_len, args_len;
		bool truncated_in;
		size_t exe_kept, args_kept;
		bool truncated_out;
	} cases[] = {
		{10, 10, false, 10, 10, false},
		{10, 10, true, 10, 10, true},
		{C2D_PROC_EXE_MAX - 1, C2D_PROC_ARGS_MAX, false, C2D_PROC_EXE_MAX - 1,
		 C2D_PROC_ARGS_MAX, false},
		{C2D_PROC_EXE_MAX, C2D_PROC_ARGS_MAX + 1, false, C2D_PROC_EXE_MAX - 1,
		 C2D_PROC_ARGS_MAX, true},
		{3000, 5000, false, C2D_PROC_EXE_MAX - 1, C2D_PROC_ARGS_MAX, true},
	};
	struct proc_cache *pc = cache(state, 16, NO_LIMIT);
	char *exe = malloc(5001), *args = malloc(5000);

	assert_true(exe && args);
	for (size_t i = 0; i < 5000; i++) {
		exe[i] = (char)('a' + i % 26);
		args[i] = i % 7 == 6 ? 0 : (char)('A' + i % 26);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct proc_entry *e = proc_cache_upsert(pc, 9);
		char saved = exe[cases[i].exe_len];

		exe[cases[i].exe_len] = 0;
		proc_cache_set_exec(pc, e, exe, args, cases[i].args_len, cases[i].truncated_in);
		exe[cases[i].exe_len] = saved;
		assert_int_equal(strlen(e->exe), cases[i].exe_kept);
		assert_memory_equal(e->exe, exe, cases[i].exe_kept);
		assert_int_equal(e->args_len, cases[i].args_kept);
		assert_memory_equal(e->args, args, cases[i].args_kept);
		assert_int_equal(e->args_truncated, cases[i].truncated_out);
		assert_int_equal(stats(pc).bytes, S + cases[i].exe_kept + 1 + cases[i].args_kept);
	}
	free(exe);
	free(args);
}

static void test_set_exec_clear(void **state)
{
	struct proc_cache *pc = cache(state, 16, NO_LIMIT);
	struct proc_entry *e = proc_cache_upsert(pc, 5);

	proc_cache_set_exec(pc, e, "/bin/true", "true", 5, true);
	assert_int_equal(stats(pc).bytes, S + 10 + 5);
	proc_cache_set_exec(pc, e, NULL, NULL, 0, false);
	assert_null(e->exe);
	assert_null(e->args);
	assert_int_equal(e->args_len, 0);
	assert_false(e->args_truncated);
	assert_int_equal(stats(pc).bytes, S);
	proc_cache_set_exec(pc, e, "/x", "ignored", 0, false); /* args_len 0: no args */
	assert_null(e->args);
	assert_int_equal(stats(pc).bytes, S + 3);
}

static void test_stats(void **state)
{
	struct proc_cache *pc = cache(state, 16, NO_LIMIT);
	struct proc_cache_stats st;

	st = stats(pc);
	assert_int_equal(st.entries + st.bytes + st.hits + st.misses + st.evictions, 0);
	proc_cache_set_exec(pc, proc_cache_upsert(pc, 1), "/usr/bin/env", "env\0-i\0", 7, false);
	assert_non_null(proc_cache_upsert(pc, 2));
	assert_non_null(proc_cache_get(pc, 1));
	assert_non_null(proc_cache_get(pc, 2));
	assert_non_null(proc_cache_get(pc, 2));
	assert_null(proc_cache_get(pc, 3));
	st = stats(pc);
	assert_int_equal(st.hits, 3);
	assert_int_equal(st.misses, 1);
	assert_int_equal(st.entries, 2);
	assert_int_equal(st.bytes, 2 * S + 13 + 7);
	proc_cache_remove(pc, 1);
	proc_cache_remove(pc, 99); /* unknown: nothing happens */
	st = stats(pc);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.bytes, S);
	assert_int_equal(st.evictions, 0);
	proc_cache_remove(pc, 2);
	st = stats(pc);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.bytes, 0);
	assert_null(proc_cache_get(pc, 2));
}

static void test_set_exec_on_lru_tail_keeps_byte_bound(void **state)
{
	/* Was a bug (fixed): proc_cache_set_exec() evicts with keep = e, and evict() stops as soon as the LRU
	 * tail is e. When e is not the most recent entry (here it is the oldest), a large exe
	 * leaves the cache above max_bytes although other entries could go. */
	const size_t max = 3 * S + 64;
	struct proc_cache *pc;
	struct proc_entry *oldest;
	char exe[201];

	pc = cache(state, 100, max);
	oldest = proc_cache_upsert(pc, 1);
	assert_non_null(proc_cache_upsert(pc, 2));
	assert_non_null(proc_cache_upsert(pc, 3));
	memset(exe, 'x', 200);
	exe[200] = 0;
	proc_cache_set_exec(pc, oldest, exe, NULL, 0, false); /* 3 * S + 201 > max */
	if (stats(pc).bytes > max)
		fail_msg("%lu bytes cached, max_bytes %zu", (unsigned long)stats(pc).bytes, max);
	assert_ptr_equal(proc_cache_get(pc, 1), oldest);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_insert_get, teardown),
		cmocka_unit_test_teardown(test_many_entries, teardown),
		cmocka_unit_test_teardown(test_evict_by_count, teardown),
		cmocka_unit_test_teardown(test_evict_by_bytes, teardown),
		cmocka_unit_test_teardown(test_exited_still_found, teardown),
		cmocka_unit_test_teardown(test_exited_evicted_first, teardown),
		cmocka_unit_test_teardown(test_pid_reuse, teardown),
		cmocka_unit_test_teardown(test_set_exec_bounds, teardown),
		cmocka_unit_test_teardown(test_set_exec_clear, teardown),
		cmocka_unit_test_teardown(test_stats, teardown),
		cmocka_unit_test_teardown(test_set_exec_on_lru_tail_keeps_byte_bound, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/* test_fold.c - the agent's cache of findings that went out, which folded summaries are
 * rendered as (fold.h): a summary finds its finding by cgroup, time, rule and syscall; it
 * carries count and first/last time; a miss still gives a record (bare); count and bytes
 * bounds hold, least recently used out first. */
#include <errno.h>

#include "unit.h"

#include "event.h"
#include "fold.h"

static _Alignas(8) unsigned char buf[FOLD_SUMMARY_MAX];

/* A finding with one path: its record in buf, its length returned. */
static size_t make(uint64_t cg, uint64_t t, uint16_t rule, uint16_t sys, const char *path)
{
	struct c2d_syscall_event *ev = (void *)buf;
	size_t n = strlen(path) + 1;

	memset(buf, 0, sizeof(*ev));
	ev->hdr.type = C2D_EV_SYSCALL;
	ev->hdr.size = (uint16_t)(sizeof(*ev) + n);
	ev->hdr.sys = sys;
	ev->hdr.ktime_ns = t;
	ev->hdr.cgroup_id = cg;
	ev->hdr.tgid = 4242;
	ev->rule_id = rule;
	ev->kind = C2D_KIND_CREDENTIAL_READ;
	ev->count = 1;
	ev->nstr = 1;
	ev->str_len[0] = (uint16_t)n;
	ev->str_role[0] = C2D_STR_PATH;
	memcpy(buf + sizeof(*ev), path, n);
	return sizeof(*ev) + n;
}

static struct c2d_fold_event fold_ev(uint64_t cg, uint64_t window, uint16_t rule, uint16_t sys,
				     uint32_t count)
{
	struct c2d_fold_event fe = {.count = count, .first_ns = window + 10,
				    .last_ns = window + 900, .window_ns = window};

	fe.hdr.type = C2D_EV_FOLD;
	fe.hdr.size = sizeof(fe);
	fe.key.cgroup_id = cg;
	fe.key.rule_id = rule;
	fe.key.sys = sys;
	return fe;
}

static void test_summary_is_the_finding_with_its_count(void **state)
{
	struct fold_cache *c = fold_cache_new(16, 1 << 20);
	struct c2d_fold_event fe = fold_ev(7, 1000, 3, C2D_SYS_OPENAT, 19999);
	const struct c2d_syscall_event *ev = (void *)buf;
	struct c2d_decoded d;
	size_t n = make(7, 1000, 3, C2D_SYS_OPENAT, "/var/run/secrets/token");
	int hit = -1;
	long len;

	assert_int_equal(fold_cache_put(c, (void *)buf, n), 0);
	memset(buf, 0xaa, sizeof(buf));
	len = fold_cache_summary(c, &fe, buf, sizeof(buf), &hit);
	assert_int_equal(len, (long)n);
	assert_int_equal(hit, 1);
	assert_int_equal(event_decode(buf, (size_t)len, &d), 0);
	assert_string_equal(d.strs[0], "/var/run/secrets/token");
	assert_int_equal(ev->count, 19999);
	assert_int_equal(ev->first_ns, 1010);
	assert_int_equal(ev->hdr.ktime_ns, 1900); /* the event's time is the last one's */
	assert_int_equal(ev->hdr.tgid, 4242);
	assert_int_equal(ev->rule_id, 3);
	fold_cache_free(c);
}

static void test_other_window_rule_or_cgroup_misses(void **state)
{
	struct fold_cache *c = fold_cache_new(16, 1 << 20);
	const struct c2d_fold_event probes[] = {
		fold_ev(7, 1001, 3, C2D_SYS_OPENAT, 2), fold_ev(8, 1000, 3, C2D_SYS_OPENAT, 2),
		fold_ev(7, 1000, 4, C2D_SYS_OPENAT, 2), fold_ev(7, 1000, 3, C2D_SYS_OPEN, 2)};
	const struct c2d_syscall_event *ev = (void *)buf;
	struct fold_cache_stats st;
	int hit = -1;

	assert_int_equal(fold_cache_put(c, (void *)buf, make(7, 1000, 3, C2D_SYS_OPENAT, "/a")),
			 0);
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++) {
		long len = fold_cache_summary(c, &probes[i], buf, sizeof(buf), &hit);

		assert_int_equal(len, (long)sizeof(*ev));
		assert_int_equal(hit, 0);
		/* bare, never dropped: the caller fills in the kind from the rule */
		assert_int_equal(ev->hdr.type, C2D_EV_SYSCALL);
		assert_int_equal(ev->hdr.cgroup_id, probes[i].key.cgroup_id);
		assert_int_equal(ev->rule_id, probes[i].key.rule_id);
		assert_int_equal(ev->hdr.sys, probes[i].key.sys);
		assert_int_equal(ev->kind, C2D_KIND_NONE);
		assert_int_equal(ev->nstr, 0);
		assert_int_equal(ev->count, 2);
	}
	fold_cache_get_stats(c, &st);
	assert_int_equal(st.misses, ARRAY_SIZE(probes));
	assert_int_equal(st.hits, 0);
	fold_cache_free(c);
}

static void test_count_bound_evicts_least_recent(void **state)
{
	struct fold_cache *c = fold_cache_new(4, 1 << 20);
	struct c2d_fold_event fe;
	struct fold_cache_stats st;
	int hit;

	for (uint64_t t = 1; t <= 4; t++)
		assert_int_equal(fold_cache_put(c, (void *)buf, make(1, t, 0, 1, "/x")), 0);
	fe = fold_ev(1, 1, 0, 1, 5); /* a summary makes record 1 the most recent */
	fold_cache_summary(c, &fe, buf, sizeof(buf), &hit);
	assert_int_equal(hit, 1);
	assert_int_equal(fold_cache_put(c, (void *)buf, make(1, 5, 0, 1, "/x")), 0);
	fe = fold_ev(1, 2, 0, 1, 5); /* record 2 was the least recent: gone */
	fold_cache_summary(c, &fe, buf, sizeof(buf), &hit);
	assert_int_equal(hit, 0);
	for (uint64_t t = 1; t <= 5; t++) {
		if (t == 2)
			continue;
		fe = fold_ev(1, t, 0, 1, 5);
		fold_cache_summary(c, &fe, buf, sizeof(buf), &hit);
		assert_int_equal(hit, 1);
	}
	fold_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 4);
	assert_int_equal(st.evicted, 1);
	assert_int_equal(st.stored, 5);
	fold_cache_free(c);
}

static void test_byte_bound_holds(void **state)
{
	char path[3000];
	struct fold_cache *c = fold_cache_new(1024, 16384);
	struct fold_cache_stats st;

	memset(path, 'p', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	for (uint64_t t = 1; t <= 100; t++) {
		assert_int_equal(fold_cache_put(c, (void *)buf, make(1, t, 0, 1, path)), 0);
		fold_cache_get_stats(c, &st);
		assert_true(st.bytes <= 16384);
	}
	assert_true(st.entries >= 4 && st.entries <= 5);
	assert_int_equal(st.evicted, 100 - st.entries);
	fold_cache_free(c);
	/* a record larger than the whole cache is refused, not kept half */
	c = fold_cache_new(1024, 1024);
	assert_int_equal(fold_cache_put(c, (void *)buf, make(1, 1, 0, 1, path)), -EINVAL);
	fold_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 0);
	fold_cache_free(c);
}

static void test_same_event_twice_is_one_entry(void **state)
{
	struct fold_cache *c = fold_cache_new(16, 1 << 20);
	struct c2d_fold_event fe = fold_ev(1, 5, 0, 1, 3);
	struct c2d_decoded d;
	struct fold_cache_stats st;
	int hit;
	long len;

	fold_cache_put(c, (void *)buf, make(1, 5, 0, 1, "/old"));
	fold_cache_put(c, (void *)buf, make(1, 5, 0, 1, "/new"));
	fold_cache_get_stats(c, &st);
	assert_int_equal(st.entries, 1);
	len = fold_cache_summary(c, &fe, buf, sizeof(buf), &hit);
	assert_int_equal(event_decode(buf, (size_t)len, &d), 0);
	assert_string_equal(d.strs[0], "/new");
	/* a short buffer is refused, not overrun */
	assert_int_equal(fold_cache_summary(c, &fe, buf, 100, &hit), -ENOSPC);
	fold_cache_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summary_is_the_finding_with_its_count),
		cmocka_unit_test(test_other_window_rule_or_cgroup_misses),
		cmocka_unit_test(test_count_bound_evicts_least_recent),
		cmocka_unit_test(test_byte_bound_holds),
		cmocka_unit_test(test_same_event_twice_is_one_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

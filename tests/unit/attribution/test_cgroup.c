// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cgroup.c - agent/attribution/cgroup.c's cgroup_note(): a cgroup named by the kernel at its
 * first exec is remembered under its id even when the id can no longer be opened (the container is
 * gone), so a late finding of that cgroup still gets its container; names that are not a
 * container's are remembered as host cgroups; the root (no names) is left to the fallbacks.
 */
#include <stdio.h>
#include <unistd.h>

#include "cgroup.h"
#include "unit.h"

#define GONE_ID 0x7ffffffffff00001ull /* no cgroup has this id: open_by_handle_at fails */

static void test_named_container_outlives_its_cgroup(void **state)
{
	struct cgroup_cache *cc = cgroup_cache_new(64, NULL, "/proc");
	const char *names[] = {"c2d-ds-work-42", "default"};
	const char *kube[] = {"3f2a9c0d5e6b7a8190a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8",
			      "pod5d1c7a90-3e2b-4f6a-9b8c-0a1b2c3d4e5f", "burstable", "kubepods"};
	const struct cgroup_info *ci;

	assert_non_null(cc);
	cgroup_note(cc, GONE_ID, names, 2);
	ci = cgroup_resolve(cc, GONE_ID, 999999, 0); /* the process is gone too */
	assert_non_null(ci);
	assert_true(ci->is_container);
	assert_string_equal(ci->path, "/default/c2d-ds-work-42");
	assert_string_equal(ci->ref.id, "c2d-ds-work-42");
	assert_string_equal(ci->ref.ns, "default");
	/* four levels: the cgroupfs kubepods layout needs them all */
	cgroup_note(cc, GONE_ID + 1, kube, 4);
	ci = cgroup_resolve(cc, GONE_ID + 1, 999999, 0);
	assert_non_null(ci);
	assert_true(ci->is_container);
	assert_string_equal(ci->ref.id, kube[0]);
	/* already known: a second note changes nothing */
	cgroup_note(cc, GONE_ID, kube, 4);
	assert_string_equal(cgroup_resolve(cc, GONE_ID, 1, 0)->ref.id, "c2d-ds-work-42");
	cgroup_cache_free(cc);
}

static void test_host_and_root(void **state)
{
	struct cgroup_cache *cc = cgroup_cache_new(64, NULL, "/proc");
	const char *svc[] = {"ssh.service", "system.slice"};
	const struct cgroup_info *ci;

	cgroup_note(cc, GONE_ID + 2, svc, 2);
	ci = cgroup_resolve(cc, GONE_ID + 2, 999999, 0);
	assert_non_null(ci);
	assert_false(ci->is_container);
	assert_string_equal(ci->path, "/system.slice/ssh.service");
	/* the root has no names: nothing is cached, the process fallback answers (none here) */
	cgroup_note(cc, GONE_ID + 3, NULL, 0);
	assert_null(cgroup_resolve(cc, GONE_ID + 3, 999999, 0));
	cgroup_cache_free(cc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_named_container_outlives_its_cgroup),
		cmocka_unit_test(test_host_and_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

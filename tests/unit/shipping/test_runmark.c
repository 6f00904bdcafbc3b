// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_runmark.c - agent/shipping/runmark.c: a run that is not closed cleanly leaves its watermarks
 * for the next start (issued and spooled sequence numbers, the time), a clean close leaves
 * nothing, a new run starts with nothing lost, and a torn file reads as "unclean, unknown".
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "runmark.h"
#include "unit.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/c2d-runmark.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_killed_then_clean(void **state)
{
	struct runmark *m;
	struct runmark_prev prev;

	assert_int_equal(runmark_open(&m, dir, 1000, &prev), 0);
	assert_false(prev.unclean); /* a first start */
	runmark_issued(m, 1010);
	runmark_spooled(m, 1004);
	runmark_spooled(m, 1002); /* never backwards */
	runmark_close(m, false);  /* as if killed: the file stays */

	assert_int_equal(runmark_open(&m, dir, 2000000, &prev), 0);
	assert_true(prev.unclean);
	assert_int_equal(prev.issued, 1010);
	assert_int_equal(prev.spooled, 1004);
	assert_true(prev.time_ms > 1700000000000ull);
	runmark_close(m, false); /* killed again before issuing anything */

	assert_int_equal(runmark_open(&m, dir, 3000000, &prev), 0);
	assert_true(prev.unclean);
	assert_int_equal(prev.issued, prev.spooled); /* nothing of that run was lost */
	runmark_close(m, true);

	assert_int_equal(runmark_open(&m, dir, 4000000, &prev), 0);
	assert_false(prev.unclean); /* the clean stop removed it */
	runmark_close(m, true);
}

static void test_torn_file(void **state)
{
	struct runmark *m;
	struct runmark_prev prev;
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/running", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "c2d-run 1 00ff", 14), 14);
	close(fd);
	assert_int_equal(runmark_open(&m, dir, 5, &prev), 0);
	assert_true(prev.unclean);
	assert_int_equal(prev.issued, 0); /* unknown: nothing is claimed lost */
	assert_int_equal(prev.spooled, 0);
	runmark_close(m, true);
	runmark_close(NULL, true);
	runmark_issued(NULL, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_killed_then_clean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

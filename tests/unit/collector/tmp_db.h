/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tmp_db.h - a store file in a temporary directory for the store tests: made by the group
 * setup, removed by the group teardown, and emptied (with its WAL files) for a fresh start.
 */
#ifndef C2D_TEST_TMP_DB_H
#define C2D_TEST_TMP_DB_H

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit/unit.h"

static char tmp_db_dir[] = "/tmp/c2dstore.XXXXXX";
static char tmp_db_path[256];

static inline int tmp_db_setup(void **st)
{
	assert_non_null(mkdtemp(tmp_db_dir));
	snprintf(tmp_db_path, sizeof(tmp_db_path), "%s/s.db", tmp_db_dir);
	return 0;
}

static inline int tmp_db_teardown(void **st)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmp_db_dir);
	return system(cmd);
}

/* No store file any more (nor its -wal and -shm). */
static inline void tmp_db_remove(void)
{
	char p[300];

	unlink(tmp_db_path);
	snprintf(p, sizeof(p), "%s-wal", tmp_db_path), unlink(p);
	snprintf(p, sizeof(p), "%s-shm", tmp_db_path), unlink(p);
}

#endif

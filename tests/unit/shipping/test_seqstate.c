// SPDX-License-Identifier: BSD-2-Clause
/* test_seqstate.c - event ids across restarts: the agent id persists, a new run starts above
 * every id the last one could have issued (crash included), an untrustworthy sequence file
 * means a new agent id, and event_ids_next reserves once per block. */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

#include "unit.h"

#include "event_ids.h"
#include "seqstate.h"

static char dir[64];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/c2d-seq.XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) ? -1 : 0;
}

/* Issue n ids like the pipeline does; returns the last sequence number issued. */
static uint64_t issue(struct seqstate *s, struct event_ids *ctx, int n, uint64_t *prev)
{
	char id[34];

	memcpy(ctx->instance, seqstate_agent_id(s), 17);
	ctx->seq = seqstate_first(s) - 1;
	ctx->seq_limit = seqstate_limit(s);
	ctx->reserve = seqstate_reserve;
	ctx->reserve_arg = s;
	for (int i = 0; i < n; i++) {
		event_ids_next(ctx, id);
		assert_int_equal(strlen(id), 33);
		assert_memory_equal(id, seqstate_agent_id(s), 16);
		assert_true(ctx->seq > *prev); /* strictly increasing, across runs too */
		*prev = ctx->seq;
		assert_true(ctx->seq < ctx->seq_limit); /* never issued unreserved */
	}
	return ctx->seq;
}

static void test_never_reuses(void **state)
{
	struct event_ids ctx = {0};
	struct seqstate *s;
	char id[17];
	uint64_t prev = 0;
	struct stat sb;
	char p[128];

	assert_int_equal(seqstate_open(&s, dir, 10), 0);
	assert_int_equal(seqstate_first(s), 1);
	assert_int_equal(seqstate_limit(s), 11);
	memcpy(id, seqstate_agent_id(s), 17);
	issue(s, &ctx, 35, &prev); /* crosses three block limits */
	assert_true(ctx.seq_limit > 35);
	seqstate_free(s); /* a crash: nothing written at exit either */

	for (int run = 0; run < 3; run++) {
		assert_int_equal(seqstate_open(&s, dir, 10), 0);
		assert_string_equal(seqstate_agent_id(s), id);
		assert_true(seqstate_first(s) > prev);
		issue(s, &ctx, 7 + run * 10, &prev);
		seqstate_free(s);
	}
	snprintf(p, sizeof(p), "%s/agent-id", dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void test_bad_seq_file_new_agent(void **state)
{
	struct seqstate *s;
	char id[17], p[128];
	FILE *f;

	assert_int_equal(seqstate_open(&s, dir, 10), 0);
	memcpy(id, seqstate_agent_id(s), 17);
	seqstate_free(s);
	snprintf(p, sizeof(p), "%s/seq", dir);
	f = fopen(p, "w");
	fputs("c2d-seq 1 zz\n", f);
	fclose(f);
	assert_int_equal(seqstate_open(&s, dir, 10), 0);
	assert_string_not_equal(seqstate_agent_id(s), id);
	assert_int_equal(seqstate_first(s), 1);
	seqstate_free(s);
}

static int fail_reserve(void *arg, uint64_t next, uint64_t *limit)
{
	return -EIO;
}

/* A reservation that fails must not lead to reuse: a fresh random instance takes over. */
static void test_reserve_failure_changes_instance(void **state)
{
	struct event_ids ctx = {.seq = 9, .seq_limit = 10, .reserve = fail_reserve};
	char id[34];

	memcpy(ctx.instance, "0123456789abcdef", 17);
	event_ids_next(&ctx, id);
	assert_memory_not_equal(id, "0123456789abcdef", 16);
	assert_null(ctx.reserve);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_never_reuses, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_seq_file_new_agent, setup, teardown),
		cmocka_unit_test(test_reserve_failure_changes_instance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

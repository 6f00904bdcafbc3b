// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ship.c - agent → collector delivery, end to end with the real collector: N credential
 * reads are stored exactly N times (a) with the collector up, (b) when it was down while they
 * happened, (c) when it is SIGKILLed mid-stream, (d) when it is SIGKILLed and restarted in
 * every round of a steady load, (e) an agent SIGKILLed and restarted on the same
 * --state-dir issues no id it issued before, and (f) reports the events it had issued but
 * not yet spooled when it was killed.
 *
 * Events are ours by process.pid (json_extract on the stored body): other agents on the
 * machine may ship to their own collectors, never to this one's port.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "harness_collector.h"

#define DELIVER_TIMEOUT_MS 60000

static struct h_collector col;
static char *state; /* the agent's --state-dir, kept across agent restarts */
static struct h_agent *cur; /* the running agent: a failed check must not leave it behind */

static struct h_agent *start_agent_aged(const char *batch_age_ms)
{
	const char *args[16];
	char sd[300];
	static char sdbuf[300];
	struct h_agent *a;

	h_collector_agent_args(&col, args);
	snprintf(sd, sizeof(sd), "%s/state", state);
	memcpy(sdbuf, sd, sizeof(sd));
	args[4] = "--state-dir";
	args[5] = sdbuf;
	args[6] = "--batch-age-ms";
	args[7] = batch_age_ms;
	args[8] = "--containerd-socket";
	args[9] = "none";
	args[10] = "--k8s-api";
	args[11] = "none";
	args[12] = NULL;
	a = h_agent_start(args);
	assert_non_null(a);
	cur = a;
	return a;
}

static struct h_agent *start_agent(void)
{
	return start_agent_aged("200");
}

static long long stored(pid_t pid, const char *what)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM events WHERE rule = 'etc-shadow' AND "
		 "json_extract(body, '$.process.pid') = %d",
		 what, (int)pid);
	return h_collector_count(&col, sql);
}

/* Wait (keeping the agent's stdout drained) until the collector holds want events of pid;
 * then a little longer, so that a duplicate arriving late would be seen too. */
static void expect_stored(struct h_agent *a, pid_t pid, long long want)
{
	long long n = -1;

	for (int waited = 0; waited < DELIVER_TIMEOUT_MS; waited += 250) {
		h_agent_pump(a, 250);
		n = stored(pid, "count(*)");
		if (n >= want)
			break;
	}
	h_agent_pump(a, 1000);
	n = stored(pid, "count(*)");
	if (n != want)
		h_agent_dump_stderr(a);
	assert_int_equal(n, want);
	assert_int_equal(stored(pid, "count(DISTINCT id)"), want);
}

static pid_t burst(struct h_agent *a, struct h_proc *p, char *nbuf, int n)
{
	static char *argv[6];

	snprintf(nbuf, 16, "%d", n);
	argv[0] = (char *)h_trigger("many_opens");
	argv[1] = "-n";
	argv[2] = nbuf;
	argv[3] = "/etc/shadow";
	argv[4] = NULL;
	assert_int_equal(h_spawn(p, argv, H_KEEP_ID, H_KEEP_ID), 0);
	return p->pid;
}

static int setup(void **st)
{
	state = h_mkdtemp();
	return state && h_collector_start(&col) == 0 ? 0 : -1;
}

static int teardown(void **st)
{
	h_collector_free(&col);
	h_rm_rf(state);
	free(state);
	return 0;
}

/* After each test: stop the agent it left running (a failed assertion skips its stop), and
 * make sure the collector runs for the next one. */
static int test_teardown(void **st)
{
	if (cur)
		h_agent_stop(cur);
	cur = NULL;
	if (!col.pid)
		h_collector_start(&col);
	return 0;
}

static void stop_agent(struct h_agent *a)
{
	cur = NULL;
	assert_int_equal(h_agent_stop(a), 0);
}

static void test_delivered_once(void **st)
{
	struct h_agent *a = start_agent();
	struct h_proc p;
	char nb[16];

	burst(a, &p, nb, 500);
	assert_int_equal(h_wait(&p, a, H_RUN_TIMEOUT_MS), 0);
	expect_stored(a, p.pid, 500);
	stop_agent(a);
}

static void test_collector_down_then_up(void **st)
{
	struct h_agent *a = start_agent();
	struct h_proc p;
	char nb[16];

	assert_int_equal(h_collector_stop(&col, SIGTERM), 0);
	burst(a, &p, nb, 500);
	assert_int_equal(h_wait(&p, a, H_RUN_TIMEOUT_MS), 0);
	h_agent_pump(a, 1500); /* batches go to the spool and the sender starts backing off */
	assert_int_equal(h_collector_start(&col), 0);
	expect_stored(a, p.pid, 500);
	stop_agent(a);
}

static void test_collector_killed_mid_stream(void **st)
{
	struct h_agent *a = start_agent();
	struct h_proc p;
	char nb[16];

	burst(a, &p, nb, 5000);
	h_agent_pump(a, 300);
	assert_int_equal(h_collector_stop(&col, SIGKILL), 0);
	assert_int_equal(h_wait(&p, a, H_RUN_TIMEOUT_MS), 0);
	assert_int_equal(h_collector_start(&col), 0);
	expect_stored(a, p.pid, 5000);
	stop_agent(a);
}

/* Steady load while the collector is SIGKILLed and restarted again and again, once in every
 * round, mid-burst: every event of every burst is stored exactly once. */
#define KILL_ROUNDS 8 /* make soak runs more: C2D_KILL_ROUNDS */
#define ROUND_OPENS 1000

static void test_collector_killed_repeatedly(void **st)
{
	const char *env = getenv("C2D_KILL_ROUNDS");
	int rounds = env && atoi(env) > 0 ? atoi(env) : KILL_ROUNDS;
	struct h_agent *a = start_agent();
	struct h_proc *p = calloc((size_t)rounds, sizeof(*p));
	char (*nb)[16] = calloc((size_t)rounds, sizeof(*nb));

	assert_true(p && nb);
	for (int r = 0; r < rounds; r++) {
		burst(a, &p[r], nb[r], ROUND_OPENS);
		h_agent_pump(a, 100 + 50 * (r % 8)); /* a different moment of the stream each time */
		assert_int_equal(h_collector_stop(&col, SIGKILL), 0);
		h_agent_pump(a, 100);
		assert_int_equal(h_collector_start(&col), 0);
		assert_int_equal(h_wait(&p[r], a, H_RUN_TIMEOUT_MS), 0);
	}
	for (int r = 0; r < rounds; r++)
		expect_stored(a, p[r].pid, ROUND_OPENS);
	stop_agent(a);
	free(p);
	free(nb);
}

static long long max_seq_of(pid_t pid)
{
	return stored(pid, "max(agent_seq)");
}

static void test_agent_killed_no_id_reuse(void **st)
{
	struct h_agent *a = start_agent();
	struct h_proc p1, p2;
	char nb[16], agent1[17];
	long long hi1;

	burst(a, &p1, nb, 300);
	assert_int_equal(h_wait(&p1, a, H_RUN_TIMEOUT_MS), 0);
	expect_stored(a, p1.pid, 300);
	hi1 = max_seq_of(p1.pid);
	snprintf(agent1, sizeof(agent1), "%s", h_agent_instance(a));
	kill(h_agent_pid(a), SIGKILL);
	cur = NULL;
	h_agent_stop(a); /* reaps; the status is SIGKILL's */

	a = start_agent();
	assert_string_equal(h_agent_instance(a), agent1); /* the same agent id */
	burst(a, &p2, nb, 300);
	assert_int_equal(h_wait(&p2, a, H_RUN_TIMEOUT_MS), 0);
	expect_stored(a, p2.pid, 300); /* a reused id would be a duplicate: fewer stored */
	{
		char sql[256];

		snprintf(sql, sizeof(sql),
			 "SELECT min(agent_seq) FROM events WHERE json_extract(body, "
			 "'$.process.pid') = %d", (int)p2.pid);
		assert_true(h_collector_count(&col, sql) > hi1);
	}
	stop_agent(a);
}

/* An agent killed while events it issued sit in the batch being assembled (not yet in the
 * spool): the restarted agent reports exactly those as lost (agent_gap agent_restart). */
static void test_agent_killed_gap_reported(void **st)
{
	struct h_agent *a = start_agent_aged("60000"); /* the batch waits: nothing is spooled */
	struct h_proc p1;
	char nb[16], sql[256];
	long long lost = -1;

	burst(a, &p1, nb, 250);
	assert_int_equal(h_wait(&p1, a, H_RUN_TIMEOUT_MS), 0);
	h_agent_pump(a, 500); /* read, rendered and queued: ids issued */
	kill(h_agent_pid(a), SIGKILL);
	cur = NULL;
	h_agent_stop(a);

	a = start_agent();
	for (int waited = 0; waited < DELIVER_TIMEOUT_MS && lost < 250; waited += 250) {
		h_agent_pump(a, 250);
		lost = h_collector_count(&col, "SELECT coalesce(sum(json_extract(body, "
					       "'$.gap.lost')), 0) FROM events WHERE kind = 'agent_gap' "
					       "AND json_extract(body, '$.gap.reason') = 'agent_restart'");
	}
	assert_int_equal(lost, 250);  /* the 250 findings, counted */
	assert_int_equal(stored(p1.pid, "count(*)"), 0); /* and truly gone */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM events WHERE kind = 'agent_gap' AND "
		 "json_extract(body, '$.gap.reason') = 'agent_restart'");
	assert_int_equal(h_collector_count(&col, sql), 1); /* reported once */
	stop_agent(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_delivered_once, test_teardown),
		cmocka_unit_test_teardown(test_collector_down_then_up, test_teardown),
		cmocka_unit_test_teardown(test_collector_killed_mid_stream, test_teardown),
		cmocka_unit_test_teardown(test_collector_killed_repeatedly, test_teardown),
		cmocka_unit_test_teardown(test_agent_killed_no_id_reuse, test_teardown),
		cmocka_unit_test_teardown(test_agent_killed_gap_reported, test_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

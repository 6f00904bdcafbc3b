// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_sighup.c - SIGHUP reloads the agent, never stops it: a new severity in the policy file
 * is applied at once (the next finding carries it), a policy file that no longer loads is
 * refused with its reason while the running policy stays, a change beyond severities is said
 * to need a restart; findings keep coming through all of it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static char *tmp;
static char policy[512], token[512];

static void write_policy(const char *severity_or_raw, bool raw)
{
	FILE *f = fopen(policy, "w");

	assert_non_null(f);
	if (raw)
		fputs(severity_or_raw, f);
	else
		fprintf(f, "{\"rules\":[{\"name\":\"vault-token\",\"kind\":\"credential_read\","
			   "\"path\":\"*/.vault-token\",\"severity\":\"%s\"}]}", severity_or_raw);
	assert_int_equal(fclose(f), 0);
}

/* Read the token file from a child; its finding's severity. */
static const char *read_severity(struct h_agent *a)
{
	char *argv[] = {(char *)h_trigger("open_file"), token, NULL};
	struct h_match m = {.kind = "credential_read", .rule = "vault-token"};
	const cJSON *ev;
	struct h_proc p;

	assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	m.pid = p.pid;
	ev = h_agent_wait(a, h_match_event, &m, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	return h_str(ev, "severity");
}

static void wait_log(struct h_agent *a, const char *what)
{
	static char err[1 << 16];

	for (int i = 0; i < 50; i++) {
		h_agent_pump(a, 100);
		h_agent_stderr(a, err, sizeof(err));
		if (strstr(err, what))
			return;
	}
	fail_msg("the agent never said \"%s\":\n%s", what, err);
}

static void test_sighup_reloads(void **state)
{
	const char *args[] = {"--policy", policy, NULL};
	struct h_agent *a;

	tmp = h_mkdtemp();
	assert_non_null(tmp);
	snprintf(policy, sizeof(policy), "%s/policy.json", tmp);
	snprintf(token, sizeof(token), "%s/.vault-token", tmp);
	assert_int_equal(h_sh("echo placeholder > %s", token), 0);
	write_policy("low", false);
	a = h_agent_start(args);
	assert_non_null(a);
	assert_string_equal(read_severity(a), "low");

	write_policy("critical", false);
	assert_int_equal(kill(h_agent_pid(a), SIGHUP), 0);
	wait_log(a, "SIGHUP: new severities applied");
	assert_string_equal(read_severity(a), "critical");

	write_policy("{\"rules\": [", true);
	assert_int_equal(kill(h_agent_pid(a), SIGHUP), 0);
	wait_log(a, "the new policy is refused");
	assert_string_equal(read_severity(a), "critical"); /* the running policy stayed */

	write_policy("{\"rules\":[{\"name\":\"vault-token\",\"kind\":\"credential_read\","
		     "\"path\":\"*/.other-token\"}]}", true);
	assert_int_equal(kill(h_agent_pid(a), SIGHUP), 0);
	wait_log(a, "restart the agent to apply it");
	assert_int_equal(kill(h_agent_pid(a), 0), 0); /* alive through three SIGHUPs */
	assert_int_equal(h_agent_stop(a), 0);
	h_rm_rf(tmp);
	free(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sighup_reloads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

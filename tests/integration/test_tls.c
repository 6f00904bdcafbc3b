// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_tls.c - the collector over HTTPS with a CA made here: the agent (--collector-ca) and
 * the CLI (--ca) that trust it deliver and query; trusting another CA they fail closed (the
 * agent keeps its events spooled, the CLI exits 3); SIGHUP swaps in a certificate from the
 * other CA without a restart, after which only clients trusting that one get through.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "harness_collector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

static struct h_collector col;
static char ca[320], other_ca[320];

/* openssl: a CA (name) and a server certificate for 127.0.0.1 signed by it, in col.dir. */
static int make_ca(const char *name)
{
	return h_sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout %s.key -out %s.pem "
		    "-days 2 -subj /CN=%s >/dev/null 2>&1 && "
		    "openssl req -newkey rsa:2048 -nodes -keyout srv-%s.key -out srv-%s.csr "
		    "-subj /CN=127.0.0.1 >/dev/null 2>&1 && "
		    "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > ext && "
		    "openssl x509 -req -in srv-%s.csr -CA %s.pem -CAkey %s.key -CAcreateserial "
		    "-out srv-%s.pem -days 2 -extfile ext >/dev/null 2>&1",
		    col.dir, name, name, name, name, name, name, name, name, name);
}

static int setup(void **state)
{
	FILE *f;

	if (h_collector_start(&col) < 0 || h_collector_stop(&col, SIGTERM) < 0)
		return -1;
	if (make_ca("ca") || make_ca("other") ||
	    h_sh("cd %s && cp srv-ca.pem cert.pem && cp srv-ca.key key.pem && chmod 600 key.pem",
		 col.dir))
		return -1;
	snprintf(ca, sizeof(ca), "%s/ca.pem", col.dir);
	snprintf(other_ca, sizeof(other_ca), "%s/other.pem", col.dir);
	snprintf(col.config, sizeof(col.config), "%s/collector.conf", col.dir);
	f = fopen(col.config, "w");
	if (!f)
		return -1;
	fprintf(f, "tls-cert = %s/cert.pem\ntls-key = %s/key.pem\n", col.dir, col.dir);
	fclose(f);
	snprintf(col.url, sizeof(col.url), "https://127.0.0.1:%d", col.port);
	setenv("C2D_TEST_CA", ca, 1);
	return h_collector_start(&col);
}

static int teardown(void **state)
{
	h_collector_free(&col);
	return 0;
}

static int cli(const char *trust)
{
	char cmd[1200];
	int st;

	snprintf(cmd, sizeof(cmd), "%s --server %s --token-file %s --ca %s findings >/dev/null 2>&1",
		 getenv("C2D_CLI") ? getenv("C2D_CLI") : "build/c2d", col.url, col.token_file, trust);
	st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Run an agent trusting `trust`, read /etc/shadow from a child, give it `ms` to deliver; how
 * many of the child's findings the collector stored. */
static long long deliver(const char *trust, int ms, bool *cert_error_logged)
{
	const char *args[16];
	char state[320], sql[200], err[8192];
	static char *argv[4];
	struct h_agent *a;
	struct h_proc p;
	long long n = 0;

	snprintf(state, sizeof(state), "%s/state-%d", col.dir, ms);
	h_collector_agent_args(&col, args);
	args[4] = "--collector-ca";
	args[5] = trust;
	args[6] = "--state-dir";
	args[7] = state;
	args[8] = "--batch-age-ms";
	args[9] = "100";
	args[10] = "--containerd-socket";
	args[11] = "none";
	args[12] = "--k8s-api";
	args[13] = "none";
	args[14] = NULL;
	a = h_agent_start(args);
	assert_non_null(a);
	argv[0] = (char *)h_trigger("open_file");
	argv[1] = "/etc/shadow";
	argv[2] = NULL;
	assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE rule = 'etc-shadow' AND "
		 "json_extract(body, '$.process.pid') = %d", (int)p.pid);
	for (int waited = 0; waited < ms && n == 0; waited += 250) {
		h_agent_pump(a, 250);
		n = h_collector_count(&col, sql);
	}
	h_agent_stderr(a, err, sizeof(err));
	*cert_error_logged = strstr(err, "certificate") || strstr(err, "SSL");
	assert_int_equal(h_agent_stop(a), 0);
	return n;
}

static void test_trusted_clients_get_through(void **state)
{
	bool cert_err;

	assert_int_equal(cli(ca), 1); /* reached: no findings yet is exit 1, not 3 */
	assert_int_equal(deliver(ca, 20000, &cert_err), 1);
}

static void test_wrong_ca_fails_closed(void **state)
{
	bool cert_err;

	assert_int_equal(cli(other_ca), 3);
	assert_int_equal(deliver(other_ca, 3000, &cert_err), 0);
	assert_true(cert_err); /* and says why */
}

static void test_sighup_swaps_the_certificate(void **state)
{
	assert_int_equal(h_sh("cd %s && cp srv-other.pem cert.pem && cp srv-other.key key.pem",
			      col.dir), 0);
	assert_int_equal(kill(col.pid, SIGHUP), 0);
	for (int i = 0; i < 50 && cli(other_ca) == 3; i++)
		usleep(100 * 1000);
	assert_int_equal(cli(other_ca), 0); /* reached, and the finding delivered earlier is there */
	assert_int_equal(cli(ca), 3);
	assert_int_equal(kill(col.pid, 0), 0);
	/* the harness's /healthz check at stop trusts the new CA from here on */
	setenv("C2D_TEST_CA", other_ca, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trusted_clients_get_through),
	    cmocka_unit_test(test_wrong_ca_fails_closed),
	    cmocka_unit_test(test_sighup_swaps_the_certificate),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_forward.c - the collector's forwarders end to end: events go in through POST /v1/events
 * of the real collector; loopback stand-ins for OTLP, Loki, Elasticsearch and Splunk HEC
 * (standins/backend.py) check every payload strictly and fail on purpose (503, 429 with
 * Retry-After, a slow answer past the time-out, a partial `_bulk` failure); a real rsyslogd
 * takes syslog over TCP with octet counting, and over TLS (rsyslog's gtls driver, a CA made
 * here), and writes what each input got to its own file. After recovery, and again after a
 * collector restart (durable cursors), every finding arrived exactly once and in order at
 * every backend, syslog with its commit and pipeline. A second TLS forwarder trusting another
 * CA delivers nothing (the certificate is checked) and its failures show in /metrics.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>


#include "harness.h"
#include "harness_collector.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#define REV "9f1c2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6"
#define NSTANDINS 4
#define WAIT_MS 90000 /* worst case: backoff after several faults, under ASan */

static const char *const kinds[NSTANDINS] = {"otlp", "loki", "elastic", "splunk"};
static const char *const paths[NSTANDINS] = {"/v1/logs", "/loki/api/v1/push", "/_bulk",
					     "/services/collector/event"};
static const char *const faults[NSTANDINS] = {"503,429,slow", "429,503", "partial,503,partial",
					      "503"};

struct env {
	struct h_collector col;
	pid_t standin[NSTANDINS], rsyslog;
	int port0;
	char out[NSTANDINS][300], sysout[300], tlsout[300];
};

/* argv in a child; log: its stdout and stderr go there (NULL: inherited). */
static pid_t spawn_logged(char *const argv[], const char *log)
{
	pid_t p = fork();

	if (p == 0) {
		int fd = log ? open(log, O_WRONLY | O_CREAT | O_APPEND, 0600) : -1;

		if (fd >= 0)
			dup2(fd, 1), dup2(fd, 2), close(fd);
		execvp(argv[0], argv);
		_exit(127);
	}
	return p;
}

static pid_t spawn(char *const argv[])
{
	return spawn_logged(argv, NULL);
}

static void start_standins(struct env *e)
{
	char port[16];

	for (int i = 0; i < NSTANDINS; i++) {
		snprintf(e->out[i], sizeof(e->out[i]), "%s/%s.out", e->col.dir, kinds[i]);
		snprintf(port, sizeof(port), "%d", e->port0 + i);
		e->standin[i] = spawn((char *const[]){"python3", "tests/integration/standins/backend.py",
						      (char *)kinds[i], port, e->out[i],
						      (char *)faults[i], NULL});
	}
}

/* A CA, a server certificate for 127.0.0.1 signed by it, and an unrelated second CA. */
static void make_certs(const char *d)
{
	assert_int_equal(
		h_sh("(cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem "
		     "-days 2 -subj '/CN=c2d test CA' && "
		     "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem "
		     "-days 2 -subj '/CN=c2d other CA' && "
		     "openssl req -newkey rsa:2048 -nodes -keyout srv.key -out srv.csr "
		     "-subj '/CN=127.0.0.1' && printf 'subjectAltName=IP:127.0.0.1\\n' >srv.ext && "
		     "openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
		     "-out srv.pem -days 2 -extfile srv.ext) >/dev/null 2>&1",
		     d),
		0);
}

static void start_rsyslog(struct env *e)
{
	char conf[300], pid[300], work[300];
	const char *d = e->col.dir;
	FILE *f;

	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", d);
	snprintf(pid, sizeof(pid), "%s/rsyslog.pid", d);
	snprintf(work, sizeof(work), "%s/rsyslog.d", d);
	snprintf(e->sysout, sizeof(e->sysout), "%s/syslog.out", d);
	snprintf(e->tlsout, sizeof(e->tlsout), "%s/syslog-tls.out", d);
	mkdir(work, 0700);
	make_certs(d);
	f = fopen(conf, "w");
	assert_non_null(f);
	/* imtcp takes octet-counted frames (RFC 6587 3.4.1) as well as LF-ended ones; the TLS
	 * input (RFC 5425) uses the gtls stream driver of the rsyslog-gnutls package */
	fprintf(f, "global(workDirectory=\"%s\")\n"
		   "module(load=\"imtcp\")\n"
		   "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"plain\")\n"
		   "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"%d\" ruleset=\"tls\"\n"
		   "  streamDriver.name=\"gtls\" streamDriver.mode=\"1\" "
		   "streamDriver.authMode=\"anon\"\n"
		   "  streamDriver.CAFile=\"%s/ca.pem\" streamDriver.CertFile=\"%s/srv.pem\" "
		   "streamDriver.KeyFile=\"%s/srv.key\")\n"
		   "template(name=\"raw\" type=\"string\" string=\"%%rawmsg%%\\n\")\n"
		   "ruleset(name=\"plain\") { action(type=\"omfile\" file=\"%s\" template=\"raw\") }\n"
		   "ruleset(name=\"tls\") { action(type=\"omfile\" file=\"%s\" template=\"raw\") }\n",
		work, e->port0 + NSTANDINS, e->port0 + NSTANDINS + 1, d, d, d, e->sysout, e->tlsout);
	fclose(f);
	/* its log holds the wrong-CA forwarder's refused handshakes, expected noise */
	snprintf(work, sizeof(work), "%s/rsyslog.log", d);
	e->rsyslog = spawn_logged((char *const[]){"rsyslogd", "-n", "-f", conf, "-i", pid, NULL},
				  work);
}

static void write_config(struct env *e)
{
	char tok[300];
	FILE *f;

	snprintf(tok, sizeof(tok), "%s/backend-token", e->col.dir);
	f = fopen(tok, "w");
	fputs("standin-token\n", f);
	fclose(f);
	snprintf(e->col.config, sizeof(e->col.config), "%s/collector.conf", e->col.dir);
	f = fopen(e->col.config, "w");
	assert_non_null(f);
	for (int i = 0; i < NSTANDINS; i++)
		fprintf(f, "forwarder.%s.type = %s\nforwarder.%s.url = http://127.0.0.1:%d%s\n"
			   "forwarder.%s.token_file = %s\nforwarder.%s.batch = 7\n"
			   "forwarder.%s.timeout_ms = 1000\n", kinds[i], kinds[i], kinds[i],
			e->port0 + i, paths[i], kinds[i], tok, kinds[i], kinds[i]);
	fprintf(f, "forwarder.loki.gzip = true\n"); /* OTLP's default; opt-in for the others */
	fprintf(f, "forwarder.sys.type = syslog\nforwarder.sys.url = tcp://127.0.0.1:%d\n"
		   "forwarder.sys.batch = 5\n", e->port0 + NSTANDINS);
	fprintf(f, "forwarder.systls.type = syslog\nforwarder.systls.url = tls://127.0.0.1:%d\n"
		   "forwarder.systls.tls_ca = %s/ca.pem\nforwarder.systls.batch = 6\n",
		e->port0 + NSTANDINS + 1, e->col.dir);
	/* the same server, but trusting a CA that did not sign its certificate */
	fprintf(f, "forwarder.wrongca.type = syslog\nforwarder.wrongca.url = tls://127.0.0.1:%d\n"
		   "forwarder.wrongca.tls_ca = %s/other.pem\nforwarder.wrongca.timeout_ms = 1000\n",
		e->port0 + NSTANDINS + 1, e->col.dir);
	fclose(f);
}

static char *event(int seq)
{
	char *s = NULL;

	assert_true(asprintf(&s,
		"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"c2d0f0a0b0c0d0e0-%016x\","
		"\"time\":\"2025-06-01T12:00:%02d.123456789Z\",\"kind\":\"credential_read\","
		"\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"high\",\"outcome\":\"success\","
		"\"node\":{\"name\":\"node-1\"},\"process\":{\"pid\":%d,\"uid\":0,\"euid\":0,"
		"\"comm\":\"cat\",\"executable\":\"/bin/cat\"},\"syscall\":{\"name\":\"openat\"},\"file\":{\"path\":\"/etc/shadow\"},"
		"\"container\":{\"id\":\"3f2a9c0d5e6b7a8190a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8\"},"
		"\"k8s\":{\"namespace\":\"shop\",\"pod\":\"web-1\",\"workload\":{\"kind\":\"Deployment\","
		"\"name\":\"web\"}},\"provenance\":{\"commit\":\"" REV "\",\"pipeline_id\":\"4711\","
		"\"repository\":\"https://github.com/acme/web\"}}\n", seq, seq % 60, 1000 + seq) > 0);
	return s;
}

/* POST events [from, to) as one NDJSON body. */
static void post(const struct h_collector *c, int from, int to)
{
	char *body = calloc(1, 1 << 20);
	long code;

	for (int i = from; i < to; i++) {
		char *ev = event(i);

		strcat(body, ev);
		free(ev);
	}
	code = h_collector_post(c, body);
	assert_true(code >= 200 && code < 300);
	free(body);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[16384];
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n++;
	if (f)
		fclose(f);
	return n;
}

static void wait_all(struct env *e, int n)
{
	for (int t = 0; t < WAIT_MS / 200; t++) {
		int done = count_lines(e->sysout) >= n && count_lines(e->tlsout) >= n;

		for (int i = 0; i < NSTANDINS; i++)
			done &= count_lines(e->out[i]) >= n;
		if (done)
			return;
		usleep(200000);
	}
}

/* Line i of path holds event i (once, in order), with its commit (and pipeline for syslog). */
static void check_file(const char *path, int n, bool otlp, bool syslog)
{
	FILE *f = fopen(path, "r");
	char line[16384], id[64];
	int i = 0;

	if (!f)
		fail_msg("%s: missing", path);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "INVALID", 7) == 0)
			fail_msg("%s: %s", path, line);
		if (i >= n)
			fail_msg("%s: more than %d deliveries (duplicate): %s", path, n, line);
		snprintf(id, sizeof(id), "c2d0f0a0b0c0d0e0-%016x", i);
		if (!strstr(line, id))
			fail_msg("%s: line %d is not event %s (lost or out of order): %.200s", path, i, id,
				 line);
		if (otlp && !strstr(line, " " REV))
			fail_msg("%s: line %d lacks the revision", path, i);
		if (syslog && (!strstr(line, "commit=\"" REV "\"") || !strstr(line, "pipeline_id=\"4711\"") ||
			       !strstr(line, "[cloud2dev@32473 ") || strncmp(line, "<131>1 ", 7)))
			fail_msg("%s: line %d: %.300s", path, i, line);
		i++;
	}
	fclose(f);
	if (i != n)
		fail_msg("%s: %d of %d events", path, i, n);
}

static void check_all(struct env *e, int n)
{
	wait_all(e, n);
	for (int i = 0; i < NSTANDINS; i++)
		check_file(e->out[i], n, i == 0, false);
	check_file(e->sysout, n, false, true);
	check_file(e->tlsout, n, false, true); /* the untrusting forwarder added nothing */
}

/* The forwarder whose CA does not match fails, counted, and never delivers. */
static void check_wrong_ca(struct env *e)
{
	long long failed = h_metric(e->col.url, "c2d_collector_forwarder_failures_total"
						"{forwarder=\"wrongca\",type=\"syslog\"}");
	long long sent = h_metric(e->col.url, "c2d_collector_forwarder_sent_events_total"
					      "{forwarder=\"wrongca\",type=\"syslog\"}");
	long long tls = h_metric(e->col.url, "c2d_collector_forwarder_sent_events_total"
					     "{forwarder=\"systls\",type=\"syslog\"}");

	assert_true(failed > 0);
	assert_int_equal(sent, 0);
	assert_true(tls > 0);
}

static struct env e;

/* Also after a failed check: no stand-in or rsyslogd is left behind. */
static int teardown(void **state)
{
	for (int i = 0; i < NSTANDINS; i++)
		if (e.standin[i] > 0)
			kill(e.standin[i], SIGTERM), waitpid(e.standin[i], NULL, 0);
	if (e.rsyslog > 0)
		kill(e.rsyslog, SIGTERM), waitpid(e.rsyslog, NULL, 0);
	h_collector_free(&e.col);
	memset(&e, 0, sizeof(e));
	return 0;
}

static void test_forward(void **state)
{

	e.port0 = 19000 + (getpid() % 190) * 6;
	assert_int_equal(h_collector_start(&e.col), 0); /* creates the dir; restarted below */
	assert_int_equal(h_collector_stop(&e.col, SIGTERM), 0);
	start_standins(&e);
	start_rsyslog(&e);
	write_config(&e);
	usleep(500000); /* the stand-ins bind; a forwarder that comes early just retries */
	assert_int_equal(h_collector_start(&e.col), 0);
	post(&e.col, 0, 10);
	post(&e.col, 10, 25);
	post(&e.col, 25, 40);
	check_all(&e, 40);
	check_wrong_ca(&e);
	/* the cursors are durable: a restart sends only what is new */
	assert_int_equal(h_collector_stop(&e.col, SIGTERM), 0);
	assert_int_equal(h_collector_start(&e.col), 0);
	post(&e.col, 40, 50);
	check_all(&e, 50);
	assert_int_equal(h_collector_stop(&e.col, SIGTERM), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_forward, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_canary.c - secret values never leave the node through cloud2dev. A random canary is
 * put where secrets live: the content of credential files (a host file under a policy rule,
 * a container's service-account token bind-mounted like a Secret volume), the environment of
 * a container and of a host process (AWS_SECRET_ACCESS_KEY, GITHUB_TOKEN, next to an
 * allowlisted CI_COMMIT_SHA the agent does read), and a `--password=` argument. The findings
 * happen and are delivered; then the canary is searched, byte for byte, in everything the
 * system wrote: the agent's NDJSON output and its log, the collector's database files
 * (main and WAL) and log, the payloads a forwarder sent to its backend, and both /metrics.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"
#include "harness_collector.h"

#define NS "default"
#define IMAGE "c2d/canary:rev-1"
#define WAIT_MS 60000

static char canary[40];
static char *dir;
static struct h_collector col;
static pid_t standin;
static char raw[300], cred[300], policy[300], ctr_id[64];
static int mport, sport;

static void write_text(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The whole file, NUL-terminated (malloc'd; empty if missing). */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	while (f) {
		if (n + 65536 + 1 > cap && !(buf = realloc(buf, cap = 2 * cap + 65536 + 1)))
			break;
		size_t r = fread(buf + n, 1, 65536, f);

		if (!r)
			break;
		n += r;
	}
	if (f)
		fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	buf[n] = 0;
	*len = n;
	return buf;
}

static void expect_no_canary_in(const char *what, const char *data, size_t len)
{
	if (memmem(data, len, canary, strlen(canary)))
		fail_msg("the canary appears in %s", what);
}

static void expect_no_canary_in_file(const char *path)
{
	size_t n;
	char *d = slurp(path, &n);

	expect_no_canary_in(path, d, n);
	free(d);
}

static int setup(void **state)
{
	unsigned char r[12];
	char conf[600], port[16];
	int fd = open("/dev/urandom", O_RDONLY);
	FILE *f;

	if (fd < 0 || read(fd, r, sizeof(r)) != sizeof(r))
		return -1;
	close(fd);
	snprintf(canary, sizeof(canary), "c2dCANARY");
	for (size_t i = 0; i < sizeof(r); i++)
		snprintf(canary + 9 + 2 * i, 3, "%02x", r[i]);
	dir = h_mkdtemp();
	if (!dir)
		return -1;
	snprintf(cred, sizeof(cred), "%s/app-credentials", dir);
	snprintf(policy, sizeof(policy), "%s/policy.json", dir);
	snprintf(raw, sizeof(raw), "%s/forwarded.raw", dir);
	snprintf(conf, sizeof(conf), "aws_secret_access_key = %s\n", canary);
	write_text(cred, conf, 0600);
	f = fopen(policy, "w");
	if (!f)
		return -1;
	fprintf(f, "{\"rules\": [{\"name\": \"app-credentials\", \"kind\": \"credential_read\", "
		   "\"path\": \"%s\", \"severity\": \"high\"}]}\n", cred);
	fclose(f);
	/* the backend a webhook forwarder sends to, keeping every body as received */
	sport = h_free_port();
	snprintf(port, sizeof(port), "%d", sport);
	standin = fork();
	if (standin == 0) {
		char out[320];

		snprintf(out, sizeof(out), "%s/webhook.ids", dir);
		setenv("C2D_STANDIN_RAW", raw, 1);
		execlp("python3", "python3", "tests/integration/standins/backend.py", "webhook", port,
		       out, "", (char *)NULL);
		_exit(127);
	}
	if (h_collector_start(&col) != 0)
		return -1;
	h_collector_stop(&col, SIGTERM);
	snprintf(col.config, sizeof(col.config), "%s/collector.conf", col.dir);
	snprintf(conf, sizeof(conf), "%s/backend-token", dir);
	write_text(conf, "standin-token\n", 0600);
	f = fopen(col.config, "w");
	fprintf(f, "forwarder.hook.type = webhook\nforwarder.hook.url = http://127.0.0.1:%d/hook\n"
		   "forwarder.hook.token_file = %s\n", sport, conf);
	fclose(f);
	snprintf(ctr_id, sizeof(ctr_id), "c2d-canary-%d", getpid());
	if (h_sh("tests/integration/images/build_image.sh %s %s "
		 "org.opencontainers.image.source=https://git.example/acme/canary >/dev/null",
		 NS, IMAGE) != 0)
		return -1;
	return h_collector_start(&col);
}

static int teardown(void **state)
{
	if (standin > 0)
		kill(standin, SIGTERM), waitpid(standin, NULL, 0);
	h_collector_free(&col);
	h_sh("ctr -n %s containers rm %s >/dev/null 2>&1", NS, ctr_id);
	h_sh("ctr -n %s images rm %s c2d/canary:img >/dev/null 2>&1", NS, IMAGE);
	h_rm_rf(dir);
	free(dir);
	return 0;
}

/* The secret_exposure of the test's container for one variable ("ID/NAME"). */
static bool of_exposure(const cJSON *ev, const void *want)
{
	const char *id = h_str(ev, "container.id"), *name = h_str(ev, "exposure.name");
	const char *slash = strchr(want, '/');

	return id && name && h_str(ev, "kind") && !strcmp(h_str(ev, "kind"), "secret_exposure") &&
	       !strncmp(id, want, (size_t)(slash - (const char *)want)) &&
	       !id[slash - (const char *)want] && !strcmp(name, slash + 1);
}

static bool of_container(const cJSON *ev, const void *id)
{
	return h_str(ev, "container.id") && !strcmp(h_str(ev, "container.id"), id) &&
	       h_str(ev, "rule") && !strcmp(h_str(ev, "rule"), "k8s-serviceaccount-token");
}

static void test_canary_never_leaves(void **state)
{
	const char *args[24];
	char metrics[32], sd[320], pw[80], mounted[320], url[128], sql[700], key[320], want[128];
	char hmac[160];
	static char buf[1 << 20];
	struct h_agent *a;
	struct h_proc p;
	const cJSON *ev;
	size_t n;
	char *d;

	h_collector_agent_args(&col, args);
	mport = h_free_port();
	snprintf(metrics, sizeof(metrics), "127.0.0.1:%d", mport);
	snprintf(sd, sizeof(sd), "%s/state", dir);
	snprintf(key, sizeof(key), "%s/fingerprint-key", dir);
	write_text(key, "c2d-test-cluster-key-0123456789\n", 0600);
	{
		const char *more[] = {"--policy", policy, "--metrics-addr", metrics, "--state-dir", sd,
				      "--batch-age-ms", "200", "--log-level", "info", "--k8s-api",
				      "none", "--secret-key-file", key, NULL};

		for (int i = 0; more[i]; i++)
			args[4 + i] = more[i], args[5 + i] = NULL;
	}
	a = h_agent_start(args);
	assert_non_null(a);
	assert_int_equal(h_agent_keep(a, ctr_id), 0);

	/* a container: secrets in its environment, its token file holds the canary. (CI once
	 * showed the allowlisted CI_COMMIT_SHA missing: the environment was read at TaskStart,
	 * before runc's init had exec'd; runtime_events.c no longer does that.) */
	snprintf(mounted, sizeof(mounted), "%s/token", dir);
	write_text(mounted, canary, 0644);
	assert_int_equal(
		h_sh("ctr -n %s run --rm --env AWS_SECRET_ACCESS_KEY=%s --env GITHUB_TOKEN=%s "
		     "--env CI_COMMIT_SHA=cafe1234cafe1234 --label io.kubernetes.pod.name=web-0 "
		     "--label io.kubernetes.pod.namespace=shop "
		     "--mount type=bind,src=%s,dst=/var/run/secrets/kubernetes.io/serviceaccount/token,"
		     "options=rbind:ro %s %s sh -c 'sleep 0.5; cat /var/run/secrets/kubernetes.io/"
		     "serviceaccount/token >/dev/null; sleep 1'",
		     NS, canary, canary, mounted, IMAGE, ctr_id),
		0);
	ev = h_agent_wait(a, of_container, ctr_id, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "provenance.commit", "cafe1234cafe1234"); /* the env was read: allowlist */
	/* the secrets it was started with: by name, detector and keyed fingerprint (the first 128
	 * bits of HMAC-SHA-256 under the key file, as openssl computes it), never the value */
	snprintf(want, sizeof(want), "%s/GITHUB_TOKEN", ctr_id);
	ev = h_agent_wait(a, of_exposure, want, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "rule", "secret-exposure");
	h_expect_str(ev, "exposure.source", "env");
	h_expect_str(ev, "exposure.detector", "named-secret");
	h_expect_str(ev, "k8s.namespace", "shop");
	{
		FILE *o;

		snprintf(sql, sizeof(sql),
			 "printf %%s '%s' | openssl dgst -sha256 -hmac c2d-test-cluster-key-0123456789 "
			 "| sed 's/.*= //' | cut -c1-32",
			 canary);
		o = popen(sql, "r");
		assert_non_null(o);
		assert_non_null(fgets(want, sizeof(want), o));
		pclose(o);
		want[strcspn(want, "\n")] = 0;
		snprintf(hmac, sizeof(hmac), "hmac-sha256:%s", want);
		h_expect_str(ev, "exposure.fingerprint", hmac);
	}
	snprintf(want, sizeof(want), "%s/AWS_SECRET_ACCESS_KEY", ctr_id);
	ev = h_agent_wait(a, of_exposure, want, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "exposure.fingerprint", hmac); /* the same secret: the same name */
	snprintf(want, sizeof(want), "%s/CI_COMMIT_SHA", ctr_id);
	assert_null(h_agent_wait(a, of_exposure, want, 0)); /* a commit id is no secret */

	/* a host process: a secret in its environment and in an argument, reading the file */
	snprintf(pw, sizeof(pw), "--password=%s", canary);
	setenv("AWS_SECRET_ACCESS_KEY", canary, 1);
	{
		char *argv[] = {(char *)h_trigger("many_opens"), "--", cred, pw, NULL};

		assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	}
	unsetenv("AWS_SECRET_ACCESS_KEY");
	ev = h_expect_event(a, &p, "credential_read", "app-credentials", NULL);
	assert_non_null(ev);

	/* delivered to the collector and forwarded before anything is searched */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE rule = 'app-credentials' AND "
		 "json_extract(body, '$.process.pid') = %d", (int)p.pid);
	for (int w = 0; w < WAIT_MS && h_collector_count(&col, sql) < 1; w += 250)
		h_agent_pump(a, 250);
	assert_int_equal(h_collector_count(&col, sql), 1);
	for (int w = 0; w < WAIT_MS; w += 250) {
		d = slurp(raw, &n);
		bool there = strstr(d, "app-credentials") && strstr(d, ctr_id);

		free(d);
		if (there)
			break;
		h_agent_pump(a, 250);
	}
	d = slurp(raw, &n);
	assert_non_null(strstr(d, "app-credentials")); /* the search below is over real payloads */
	expect_no_canary_in("the forwarded payloads", d, n);
	free(d);

	/* the agent: every event it printed, its log, its metrics */
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		char *t = cJSON_PrintUnformatted(h_agent_event(a, i));

		expect_no_canary_in("an event on stdout", t, strlen(t));
		free(t);
	}
	n = h_agent_stderr(a, buf, sizeof(buf));
	assert_true(n > 0);
	expect_no_canary_in("the agent's log", buf, n);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", mport);
	assert_int_equal(h_http_get(url, buf, sizeof(buf)), 200);
	expect_no_canary_in("the agent's /metrics", buf, strlen(buf));
	snprintf(url, sizeof(url), "%s/metrics", col.url);
	assert_int_equal(h_http_get(url, buf, sizeof(buf)), 200);
	expect_no_canary_in("the collector's /metrics", buf, strlen(buf));
	assert_int_equal(h_agent_stop(a), 0);

	/* the collector: its store, byte for byte, and its log */
	assert_int_equal(h_collector_stop(&col, SIGTERM), 0);
	expect_no_canary_in_file(col.db);
	snprintf(sql, sizeof(sql), "%s-wal", col.db);
	expect_no_canary_in_file(sql);
	snprintf(sql, sizeof(sql), "%s/collector.log", col.dir);
	expect_no_canary_in_file(sql);
	/* and the agent's spool */
	snprintf(sql, sizeof(sql), "grep -rqa %s %s", canary, sd);
	assert_int_not_equal(system(sql), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canary_never_leaves),
	};

	return cmocka_run_group_tests_name("canary", tests, setup, teardown);
}

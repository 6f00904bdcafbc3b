// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_metrics.c - the agent's and the collector's Prometheus endpoints, scraped by a real
 * Prometheus (Debian's package) started here. The test asks Prometheus's HTTP API, not our
 * endpoints, so what it sees went through Prometheus's own parser: both targets are up, and
 * the counters move as credential reads flow from the kernel through the agent, the collector
 * and a forwarder whose backend is down (its failures and queue grow). /healthz and /readyz
 * are checked directly.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "harness.h"
#include "harness_collector.h"

#define PROM_WAIT_MS 60000
#define N_READS 40

static struct h_collector col;
static struct h_agent *agent;
static char *dir;
static pid_t prom_pid;
static int agent_port, prom_port, dead_port;
static char prom_url[96];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* The value of a PromQL expression that yields one sample; false if none (yet). */
static bool prom_query(const char *expr, double *out)
{
	static char body[1 << 16];
	char url[1024];
	CURL *h = curl_easy_init();
	char *q = h ? curl_easy_escape(h, expr, 0) : NULL;
	cJSON *j, *v;
	bool ok = false;

	if (!q) {
		curl_easy_cleanup(h);
		return false;
	}
	snprintf(url, sizeof(url), "%s/api/v1/query?query=%s", prom_url, q);
	curl_free(q);
	curl_easy_cleanup(h);
	if (h_http_get(url, body, sizeof(body)) != 200)
		return false;
	j = cJSON_Parse(body);
	v = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "result"), 0);
	v = cJSON_GetArrayItem(cJSON_GetObjectItem(v, "value"), 1); /* [time, "value"] */
	if (cJSON_IsString(v)) {
		*out = strtod(v->valuestring, NULL);
		ok = true;
	}
	cJSON_Delete(j);
	return ok;
}

/* Wait until expr >= want; the last value seen (or -1). */
static double prom_wait_ge(const char *expr, double want)
{
	double v = -1;

	for (int waited = 0; waited < PROM_WAIT_MS; waited += 500) {
		if (prom_query(expr, &v) && v >= want)
			return v;
		h_agent_pump(agent, 500);
	}
	print_message("prometheus: %s = %g after %d s, wanted >= %g\n", expr, v,
		      PROM_WAIT_MS / 1000, want);
	return v;
}

static double prom_now(const char *expr)
{
	double v = 0;

	prom_query(expr, &v);
	return v;
}

static int start_prometheus(void)
{
	char cfg[512], yml[1024], tsdb[512], addr[64], log[512];
	char *argv[] = {"prometheus", NULL, NULL, NULL, "--log.level=warn", NULL};
	static char a1[600], a2[600], a3[100];
	int fd;

	snprintf(cfg, sizeof(cfg), "%s/prometheus.yml", dir);
	snprintf(yml, sizeof(yml),
		 "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
		 "scrape_configs:\n"
		 "  - job_name: c2d-agent\n    static_configs:\n"
		 "      - targets: ['127.0.0.1:%d']\n"
		 "  - job_name: c2d-collector\n    static_configs:\n"
		 "      - targets: ['127.0.0.1:%d']\n",
		 agent_port, col.port);
	write_file(cfg, yml);
	snprintf(tsdb, sizeof(tsdb), "%s/tsdb", dir);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", prom_port);
	snprintf(a1, sizeof(a1), "--config.file=%s", cfg);
	snprintf(a2, sizeof(a2), "--storage.tsdb.path=%s", tsdb);
	snprintf(a3, sizeof(a3), "--web.listen-address=%s", addr);
	argv[1] = a1, argv[2] = a2, argv[3] = a3;
	snprintf(log, sizeof(log), "%s/prometheus.log", dir);
	prom_pid = fork();
	if (prom_pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	snprintf(prom_url, sizeof(prom_url), "http://%s", addr);
	for (int i = 0; i < 300; i++) { /* 30 s: a first start creates its TSDB */
		char url[160], body[256];
		int st;

		snprintf(url, sizeof(url), "%s/-/ready", prom_url);
		if (h_http_get(url, body, sizeof(body)) == 200)
			return 0;
		if (waitpid(prom_pid, &st, WNOHANG) == prom_pid) {
			fprintf(stderr, "prometheus exited (%d): is the prometheus package installed "
					"(bash .ci/setup)? see %s\n", st, log);
			prom_pid = 0;
			return -1;
		}
		usleep(100 * 1000);
	}
	fprintf(stderr, "prometheus not ready in 30 s (see %s)\n", log);
	return -1;
}

static int setup(void **state)
{
	const char *args[20];
	static char metrics[64], sd[300];
	char conf[600];

	dir = h_mkdtemp();
	if (!dir)
		return -1;
	agent_port = h_free_port();
	prom_port = h_free_port();
	dead_port = h_free_port(); /* nothing listens here: the forwarder's backend is down */
	if (h_collector_start(&col) != 0) /* once, to have its directory */
		return -1;
	h_collector_stop(&col, SIGTERM);
	snprintf(col.config, sizeof(col.config), "%s/collector.conf", col.dir);
	snprintf(conf, sizeof(conf),
		 "forwarder.down.type = webhook\nforwarder.down.url = http://127.0.0.1:%d/hook\n"
		 "forwarder.down.batch = 10\nforwarder.down.timeout_ms = 500\n",
		 dead_port);
	write_file(col.config, conf);
	if (h_collector_start(&col) != 0)
		return -1;
	h_collector_agent_args(&col, args);
	snprintf(metrics, sizeof(metrics), "127.0.0.1:%d", agent_port);
	snprintf(sd, sizeof(sd), "%s/state", dir);
	args[4] = "--metrics-addr";
	args[5] = metrics;
	args[6] = "--state-dir";
	args[7] = sd;
	args[8] = "--batch-age-ms";
	args[9] = "200";
	args[10] = "--containerd-socket";
	args[11] = "none";
	args[12] = "--k8s-api";
	args[13] = "none";
	args[14] = NULL;
	agent = h_agent_start(args);
	if (!agent)
		return -1;
	return start_prometheus();
}

static int teardown(void **state)
{
	if (prom_pid > 0) {
		kill(prom_pid, SIGTERM);
		waitpid(prom_pid, NULL, 0);
	}
	if (agent)
		h_agent_stop(agent);
	h_collector_free(&col);
	h_rm_rf(dir);
	free(dir);
	return 0;
}

static void test_endpoints(void **state)
{
	char url[128], body[1 << 16];

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/healthz", agent_port);
	assert_int_equal(h_http_get(url, body, sizeof(body)), 200);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/readyz", agent_port);
	assert_int_equal(h_http_get(url, body, sizeof(body)), 200);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", agent_port);
	assert_int_equal(h_http_get(url, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "# TYPE c2d_agent_events_total counter\n"));
	assert_non_null(strstr(body, "c2d_agent_kernel_drops_total{reason=\"ring_full\"} "));
	assert_non_null(strstr(body, "c2d_agent_spool_bytes "));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/nope", agent_port);
	assert_int_equal(h_http_get(url, body, sizeof(body)), 404);
	snprintf(url, sizeof(url), "%s/metrics", col.url);
	assert_int_equal(h_http_get(url, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "c2d_collector_forwarder_queue_events{forwarder=\"down\","
				     "type=\"webhook\"} "));
	assert_non_null(strstr(body, "c2d_collector_store_bytes "));
}

/* Sample lines in what url serves: what Prometheus must have kept of one scrape. */
static int samples_at(const char *url)
{
	static char body[1 << 16];
	int n = 0;

	assert_int_equal(h_http_get(url, body, sizeof(body)), 200);
	for (const char *l = body; *l; l = strchr(l, '\n') + 1) {
		n += l[0] != '#';
		if (!strchr(l, '\n'))
			break;
	}
	return n;
}

static void test_prometheus_scrapes_both(void **state)
{
	char url[128];
	int na, nc;

	assert_true(prom_wait_ge("up{job=\"c2d-agent\"}", 1) >= 1);
	assert_true(prom_wait_ge("up{job=\"c2d-collector\"}", 1) >= 1);
	/* every sample parsed: none dropped by Prometheus's reader */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/metrics", agent_port);
	na = samples_at(url);
	snprintf(url, sizeof(url), "%s/metrics", col.url);
	nc = samples_at(url);
	assert_true(na > 40 && nc > 20);
	assert_int_equal(prom_wait_ge("scrape_samples_scraped{job=\"c2d-agent\"}", na), na);
	assert_int_equal(prom_wait_ge("scrape_samples_scraped{job=\"c2d-collector\"}", nc), nc);
}

static void test_counters_move(void **state)
{
	static const char *const agent_ev =
		"c2d_agent_events_total{job=\"c2d-agent\",kind=\"credential_read\"}";
	static const char *const kernel_ev =
		"c2d_agent_kernel_findings_total{job=\"c2d-agent\",kind=\"credential_read\"}";
	static const char *const shipped = "c2d_agent_events_shipped_total{job=\"c2d-agent\"}";
	static const char *const received =
		"c2d_collector_events_received_total{job=\"c2d-collector\",kind=\"credential_read\"}";
	static const char *const fwd_fail =
		"c2d_collector_forwarder_failures_total{forwarder=\"down\"}";
	static const char *const fwd_queue = "c2d_collector_forwarder_queue_events{forwarder=\"down\"}";
	char *argv[] = {(char *)h_trigger("many_opens"), "-n", "40", "/etc/shadow", NULL};
	double a0, k0, s0, r0;
	struct h_proc p;

	assert_true(prom_wait_ge(agent_ev, 0) >= 0); /* the series exist before the reads */
	assert_true(prom_wait_ge(received, 0) >= 0);
	a0 = prom_now(agent_ev);
	k0 = prom_now(kernel_ev);
	s0 = prom_now(shipped);
	r0 = prom_now(received);
	assert_int_equal(h_run(&p, agent, argv, H_KEEP_ID, H_KEEP_ID), 0);

	assert_true(prom_wait_ge(kernel_ev, k0 + N_READS) >= k0 + N_READS);
	assert_true(prom_wait_ge(agent_ev, a0 + N_READS) >= a0 + N_READS);
	assert_true(prom_wait_ge(shipped, s0 + N_READS) >= s0 + N_READS);
	assert_true(prom_wait_ge(received, r0 + N_READS) >= r0 + N_READS);
	/* the webhook's backend is down: it fails, retries, and its queue holds the reads */
	assert_true(prom_wait_ge(fwd_fail, 1) >= 1);
	assert_true(prom_wait_ge(fwd_queue, N_READS) >= N_READS);
	/* nothing was lost on the way */
	assert_int_equal(prom_now("sum(c2d_agent_kernel_drops_total{job=\"c2d-agent\"})"), 0);
	assert_int_equal(prom_now("sum(c2d_agent_events_lost_total{job=\"c2d-agent\"})"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_prometheus_scrapes_both),
		cmocka_unit_test(test_counters_move),
	};

	return cmocka_run_group_tests_name("metrics", tests, setup, teardown);
}

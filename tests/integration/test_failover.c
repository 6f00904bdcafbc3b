// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_failover.c - three collector replicas over one ClickHouse (issue 15): each replica keeps
 * its events in the same ClickHouse database and in its own SQLite store, and forwards from that
 * store to its own webhook stand-in (standins/backend.py).
 *
 * (1) A client here POSTs N distinct findings in batches round-robin over the three; a batch
 *     that gets no answer or anything but 202 goes to the next replica (the same batch, the same
 *     ids). A third of the way in, replica 2 is SIGKILLed while a batch to it is in flight; the
 *     load goes on over the other two. Some acknowledged batches are also sent again to another
 *     replica, as a client that lost the answer would: those events are stored by two replicas.
 *     Then ClickHouse holds N distinct ids, /v1/findings on a surviving replica says total N,
 *     and paging through it with the cursor gives the N ids, none twice. Replica 2, restarted on
 *     its own --db, answers the same; the union of the three webhook sinks ends up with every id
 *     (at least once: forwarding is at-least-once, per replica).
 * (2) A real agent with --collector DEAD,R2,R3 (nothing listens on DEAD) ships K credential
 *     reads: all K are in ClickHouse, each counted once, and the agent's /metrics shows
 *     c2d_agent_ship_failovers_total >= 1.
 *
 * Skipped, saying so, when clickhouse-server is not installed.
 */
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "harness.h"
#include "harness_clickhouse.h"
#include "harness_collector.h"

#define NREP	    3
#define KILLED	    1	  /* replica 2 */
#define N	    6000  /* findings of test 1 */
#define BATCH	    100
#define NBATCH	    (N / BATCH)
#define KILL_BATCH  19	  /* about a third in; 19 % NREP == KILLED: its batch is in flight */
#define KILL_AFTER_US 30000 /* into that request */
#define RESEND_EVERY 7	  /* every 7th acknowledged batch is sent again to the next replica */
#define SINK_WAIT_MS 60000
#define DB	    "fo"
#define ID_PREFIX   "fa11fa11fa11fa11"
#define K	    300	  /* credential reads of test 2 */
#define DELIVER_MS  60000

struct replica {
	struct h_collector c;
	pid_t sink;
	int sink_port;
	char out[300]; /* the sink's id file */
};

static struct h_clickhouse ch;
static int ch_state = -1; /* h_clickhouse_start's: 0 running, 1 not installed */
static struct replica rep[NREP];
static char *tmp;		/* sinks' files, the agent's state */
static struct h_agent *agent; /* test 2's, stopped by its teardown after a failed check */

/* ---- HTTP ------------------------------------------------------------------------------- */

/* GET path on c with its token; the parsed answer, or NULL (the status printed). */
static cJSON *get_json(const struct h_collector *c, const char *path)
{
	char *body;
	long code = h_collector_get(c, path, &body);
	cJSON *j = code == 200 ? cJSON_Parse(body) : NULL;

	if (code != 200)
		print_message("GET %s%s: %ld %.300s\n", c->url, path, code, body);
	free(body);
	return j;
}

/* ---- set-up ------------------------------------------------------------------------------ */

static pid_t start_sink(struct replica *r, int i)
{
	char port[16];
	pid_t p;

	snprintf(r->out, sizeof(r->out), "%s/sink%d.ids", tmp, i);
	snprintf(port, sizeof(port), "%d", r->sink_port);
	p = fork();
	if (p == 0) {
		execlp("python3", "python3", "tests/integration/standins/backend.py", "webhook", port,
		       r->out, "", (char *)NULL);
		_exit(127);
	}
	return p;
}

static int start_replica(struct replica *r, int i)
{
	char extra[1024], tok[300];
	FILE *f;

	snprintf(tok, sizeof(tok), "%s/sink-token", tmp);
	f = fopen(tok, "w");
	if (!f)
		return -1;
	fputs("standin-token\n", f);
	fclose(f);
	if ((r->sink_port = h_free_port()) < 0 || (r->sink = start_sink(r, i)) < 0)
		return -1;
	snprintf(extra, sizeof(extra),
		 "forwarder.hook.type = webhook\nforwarder.hook.url = http://127.0.0.1:%d/hook\n"
		 "forwarder.hook.token_file = %s\nforwarder.hook.batch = 500\n"
		 "forwarder.hook.timeout_ms = 3000\n",
		 r->sink_port, tok);
	if (h_collector_use_clickhouse(&r->c, &ch, DB, extra) < 0)
		return -1;
	return h_collector_start(&r->c);
}

static int group_setup(void **state)
{
	tmp = h_mkdtemp();
	if (!tmp)
		return -1;
	ch_state = h_clickhouse_start(&ch);
	if (ch_state == 1)
		return 0; /* every test skips, saying why */
	if (ch_state < 0)
		return -1;
	for (int i = 0; i < NREP; i++)
		if (start_replica(&rep[i], i) < 0) {
			fprintf(stderr, "replica %d did not start (log in %s)\n", i + 1, rep[i].c.dir);
			return -1;
		}
	return 0;
}

static int group_teardown(void **state)
{
	for (int i = 0; i < NREP; i++) {
		h_collector_free(&rep[i].c);
		if (rep[i].sink > 0)
			kill(rep[i].sink, SIGTERM), waitpid(rep[i].sink, NULL, 0);
	}
	h_clickhouse_stop(&ch);
	if (tmp && !getenv("C2D_KEEP_TMP"))
		h_rm_rf(tmp);
	free(tmp);
	return 0;
}

/* After each test: the agent a failed check left running stopped, every replica running. */
static int test_teardown(void **state)
{
	if (agent)
		h_agent_stop(agent);
	agent = NULL;
	for (int i = 0; ch_state == 0 && i < NREP; i++) {
		if (rep[i].sink <= 0 && (rep[i].sink = start_sink(&rep[i], i)) < 0)
			return -1;
		if (!rep[i].c.pid && h_collector_start(&rep[i].c) < 0)
			return -1;
	}
	return 0;
}

static void need_clickhouse(void)
{
	if (ch_state == 1) {
		print_message("clickhouse-server is not installed: replicas over one ClickHouse are "
			      "not tested (apt-get install clickhouse-server)\n");
		skip();
	}
}

/* ---- test 1 ------------------------------------------------------------------------------ */

static void event_id(char *out, size_t cap, int i)
{
	snprintf(out, cap, ID_PREFIX "-%016x", i);
}

/* The index of one of our ids, or -1. */
static int id_index(const char *s)
{
	char *end;
	unsigned long v;

	if (!s || strncmp(s, ID_PREFIX "-", 17) || strlen(s) != 33)
		return -1;
	v = strtoul(s + 17, &end, 16);
	return *end || v >= N ? -1 : (int)v;
}

/* Events [from, to) as NDJSON: valid findings, a millisecond apart, ten minutes ago. */
static char *batch_body(int from, int to, const struct timespec *base)
{
	size_t cap = (size_t)(to - from) * 1024, len = 0;
	char *body = malloc(cap), id[40], t[48];

	assert_non_null(body);
	for (int i = from; i < to; i++) {
		time_t s = base->tv_sec + i / 1000;
		struct tm tm;

		gmtime_r(&s, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		event_id(id, sizeof(id), i);
		len += (size_t)snprintf(
			body + len, cap - len,
			"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"%s\",\"time\":\"%s.%09ldZ\","
			"\"kind\":\"credential_read\",\"rule\":\"k8s-serviceaccount-token\","
			"\"severity\":\"high\",\"outcome\":\"success\",\"node\":{\"name\":\"node-1\"},"
			"\"process\":{\"pid\":%d,\"uid\":0,\"euid\":0,\"comm\":\"cat\","
			"\"executable\":\"/bin/cat\"},\"syscall\":{\"name\":\"openat\"},"
			"\"file\":{\"path\":\"/var/run/secrets/kubernetes.io/serviceaccount/token\"},"
			"\"k8s\":{\"namespace\":\"shop\",\"pod\":\"web-%d\",\"workload\":"
			"{\"kind\":\"Deployment\",\"name\":\"web\"}}}\n",
			id, t, (long)(i % 1000) * 1000000L, 1000 + i, i % 7);
		assert_true(len < cap);
	}
	return body;
}

struct killer {
	pid_t pid;
	pthread_t th;
};

static void *kill_later(void *arg)
{
	struct killer *k = arg;

	usleep(KILL_AFTER_US);
	kill(k->pid, SIGKILL);
	return NULL;
}

/* Round-robin from replica `first`; a batch without a 202 goes on to the next. The replica
 * that acknowledged it. */
static int send_batch(const char *body, int first, int b)
{
	for (int t = 0; t < NREP; t++) {
		int r = (first + t) % NREP;
		struct killer k = {.pid = rep[r].c.pid};
		long code;

		if (b == KILL_BATCH && r == KILLED && k.pid) /* SIGKILL while this batch is in flight */
			assert_int_equal(pthread_create(&k.th, NULL, kill_later, &k), 0);
		code = h_collector_post(&rep[r].c, body);
		if (b == KILL_BATCH && r == KILLED && k.pid) {
			pthread_join(k.th, NULL);
			assert_int_equal(h_collector_stop(&rep[r].c, SIGKILL), 0); /* reaped */
			print_message("batch %d: replica %d SIGKILLed %d ms into its request: %ld\n", b,
				      r + 1, KILL_AFTER_US / 1000, code);
			continue; /* even a 202 that raced the kill: the client goes on */
		}
		if (code == 202)
			return r;
	}
	fail_msg("batch %d: no replica acknowledged it", b);
	return -1;
}

/* Page through /v1/findings of c (limit 1000, cursor = next): N ids, each once. */
static void expect_pages(const struct replica *r)
{
	unsigned char *seen = calloc(N, 1);
	char path[256] = "/v1/findings?limit=1000";
	int got = 0, pages = 0;

	assert_non_null(seen);
	for (;;) {
		cJSON *j = get_json(&r->c, path), *f;
		const char *next;

		assert_non_null(j);
		assert_true(++pages <= N / 1000 + 2);
		cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(j, "findings"))
		{
			const char *id = h_str(f, "id");
			int i = id_index(id);

			if (i < 0)
				fail_msg("page %d: a finding that is not ours: %s", pages, id ? id : "?");
			if (seen[i])
				fail_msg("page %d: %s seen twice", pages, id);
			seen[i] = 1;
			got++;
		}
		next = h_str(j, "next");
		if (!next) {
			cJSON_Delete(j);
			break;
		}
		snprintf(path, sizeof(path), "/v1/findings?limit=1000&cursor=%s", next);
		cJSON_Delete(j);
	}
	free(seen);
	assert_int_equal(got, N);
}

static long long findings_total(const struct replica *r, const char *query)
{
	char path[256];
	cJSON *j;
	long long total;

	snprintf(path, sizeof(path), "/v1/findings?limit=1%s", query);
	j = get_json(&r->c, path);
	assert_non_null(j);
	assert_true(h_int(j, "total", &total));
	cJSON_Delete(j);
	return total;
}

/* Ids of the union of the three sinks; fails on a line the sink refused. */
static int sinks_union(unsigned char *seen)
{
	char line[256];
	int n = 0;

	memset(seen, 0, N);
	for (int r = 0; r < NREP; r++) {
		FILE *f = fopen(rep[r].out, "r");

		while (f && fgets(line, sizeof(line), f)) {
			int i;

			line[strcspn(line, "\n")] = 0;
			if (!strncmp(line, "INVALID", 7))
				fail_msg("sink %d: %s", r + 1, line);
			i = id_index(line);
			if (i < 0)
				fail_msg("sink %d: not one of ours: %s", r + 1, line);
			n += !seen[i];
			seen[i] = 1;
		}
		if (f)
			fclose(f);
	}
	return n;
}

static void test_replicas_kill_one(void **state)
{
	struct timespec base;
	unsigned char *seen = calloc(N, 1);
	long long stored = 0, dup_batches = 0;
	int have = 0;

	need_clickhouse();
	assert_non_null(seen);
	/* replica 2's sink is down until replica 2 restarts: what replica 2 acknowledged reaches
	 * a sink only from its own store, after its restart */
	assert_true(rep[KILLED].sink > 0);
	kill(rep[KILLED].sink, SIGTERM);
	waitpid(rep[KILLED].sink, NULL, 0);
	rep[KILLED].sink = 0;
	clock_gettime(CLOCK_REALTIME, &base);
	base.tv_sec -= 600;
	for (int b = 0; b < NBATCH; b++) {
		char *body = batch_body(b * BATCH, (b + 1) * BATCH, &base);
		int r = send_batch(body, b % NREP, b);

		/* a lost 202: the client cannot tell, and sends the batch to the next replica */
		if (b % RESEND_EVERY == 0) {
			int again = send_batch(body, (r + 1) % NREP, -1);

			dup_batches += again != r;
		}
		free(body);
	}
	assert_int_equal(rep[KILLED].c.pid, 0); /* it is down */
	assert_true(dup_batches > 0);

	/* every batch stored (by some replica's SQLite, so also in ClickHouse), some twice */
	for (int r = 0; r < NREP; r++) {
		long long n = h_collector_count(&rep[r].c, "SELECT count(*) FROM events");

		assert_true(n >= 0);
		print_message("replica %d stored %lld events\n", r + 1, n);
		stored += n;
	}
	assert_true(stored >= N + dup_batches * BATCH);

	/* ClickHouse: each event once by id; the replicas' answers count each once */
	assert_int_equal(h_clickhouse_count(&ch, "SELECT uniqExact(id) FROM " DB ".events"), N);
	assert_int_equal(h_clickhouse_count(&ch, "SELECT uniqExact(id) FROM " DB ".events WHERE "
						 "id LIKE '" ID_PREFIX "-%'"),
			 N);
	assert_true(h_clickhouse_count(&ch, "SELECT count() FROM " DB ".events") >= N);
	assert_int_equal(findings_total(&rep[0], ""), N);
	assert_int_equal(findings_total(&rep[2], ""), N);
	expect_pages(&rep[2]);

	/* the other two forward what they hold, not replica 2's batches */
	for (int waited = 0; waited <= SINK_WAIT_MS; waited += 250) {
		if (h_file_count(rep[0].out, "") + h_file_count(rep[2].out, "") >=
		    stored - h_collector_count(&rep[KILLED].c, "SELECT count(*) FROM events"))
			break;
		usleep(250000);
	}
	have = sinks_union(seen);
	print_message("before replica 2's restart the sinks hold %d of %d ids\n", have, N);
	assert_true(have < N);

	/* replica 2 again, on its own store: it reads ClickHouse too, and forwards what it had */
	assert_true((rep[KILLED].sink = start_sink(&rep[KILLED], KILLED)) > 0);
	assert_int_equal(h_collector_start(&rep[KILLED].c), 0);
	assert_int_equal(findings_total(&rep[KILLED], ""), N);
	expect_pages(&rep[KILLED]);
	for (int waited = 0; waited <= SINK_WAIT_MS; waited += 250) {
		if ((have = sinks_union(seen)) == N)
			break;
		usleep(250000);
	}
	for (int i = 0; i < N && have != N; i++)
		if (!seen[i]) {
			char id[40];

			event_id(id, sizeof(id), i);
			fail_msg("%d of %d ids reached a sink; the first missing: %s", have, N, id);
		}
	assert_int_equal(have, N);
	free(seen);
}

/* ---- test 2 ------------------------------------------------------------------------------ */

static long long shipped(pid_t pid, const char *what)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
		 "SELECT %s FROM " DB ".events WHERE rule = 'etc-shadow' AND "
		 "position(body, '\"process\":{\"pid\":%d,') > 0",
		 what, (int)pid);
	return h_clickhouse_count(&ch, sql);
}

static void test_agent_fails_over(void **state)
{
	static char list[256], sd[300], maddr[64], murl[80], nbuf[16];
	const char *args[16];
	struct h_proc p;
	char *argv[6];
	long long n = -1, fo;
	int dead = h_free_port(), mport = h_free_port();

	need_clickhouse();
	for (int r = 0; r < NREP; r++)
		assert_true(rep[r].c.pid > 0);
	snprintf(list, sizeof(list), "http://127.0.0.1:%d,%s,%s", dead, rep[1].c.url, rep[2].c.url);
	snprintf(sd, sizeof(sd), "%s/state", tmp);
	snprintf(maddr, sizeof(maddr), "127.0.0.1:%d", mport);
	snprintf(murl, sizeof(murl), "http://%s", maddr);
	h_collector_agent_args(&rep[1].c, args); /* the same token on every replica */
	args[1] = list;
	args[4] = "--state-dir";
	args[5] = sd;
	args[6] = "--batch-age-ms";
	args[7] = "200";
	args[8] = "--metrics-addr";
	args[9] = maddr;
	args[10] = "--containerd-socket";
	args[11] = "none";
	args[12] = "--k8s-api";
	args[13] = "none";
	args[14] = NULL;
	agent = h_agent_start(args);
	assert_non_null(agent);

	snprintf(nbuf, sizeof(nbuf), "%d", K);
	argv[0] = (char *)h_trigger("many_opens");
	argv[1] = "-n";
	argv[2] = nbuf;
	argv[3] = "/etc/shadow";
	argv[4] = NULL;
	assert_int_equal(h_spawn(&p, argv, H_KEEP_ID, H_KEEP_ID), 0);
	assert_int_equal(h_wait(&p, agent, H_RUN_TIMEOUT_MS), 0);
	for (int waited = 0; waited < DELIVER_MS; waited += 250) {
		h_agent_pump(agent, 250);
		if ((n = shipped(p.pid, "uniqExact(id)")) >= K)
			break;
	}
	h_agent_pump(agent, 1000); /* a late duplicate would be counted now */
	n = shipped(p.pid, "uniqExact(id)");
	if (n != K)
		h_agent_dump_stderr(agent);
	assert_int_equal(n, K);
	/* what the replicas answer: at least ours (other processes may read /etc/shadow too) */
	assert_true(findings_total(&rep[1], "&rule=etc-shadow") >= K);
	assert_true(findings_total(&rep[2], "&rule=etc-shadow") >= K);
	fo = h_metric(murl, "c2d_agent_ship_failovers_total");
	print_message("failovers: %lld, stored rows of ours: %lld\n", fo, shipped(p.pid, "count()"));
	assert_true(fo >= 1);
	assert_int_equal(h_agent_stop(agent), 0);
	agent = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_replicas_kill_one, test_teardown),
		cmocka_unit_test_teardown(test_agent_fails_over, test_teardown),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

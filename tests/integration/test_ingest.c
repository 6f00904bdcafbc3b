// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_ingest.c - the real collector ($C2D_COLLECTOR, default build/c2d-collector-san) on
 * 127.0.0.1, spoken to with libcurl: accepted batches are in the database (read back with the
 * sqlite3 tool), replays are duplicates, every refusal has its status, a gzip bomb does not
 * grow the collector past the cap, slow clients neither block others nor hold connections
 * past the idle timeout, and a 202 survives kill -9.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <zlib.h>

#define TOKEN "integ-token-0123456789"
#define SLOW_TIMEOUT_S "3" /* --connection-timeout: idle clients are cut after this */

static char dir[] = "/tmp/c2dtest.ingestXXXXXX";
static char db[256], url[128];
static int port;
static pid_t pid;

struct resp {
	long status;
	char body[4096];
	size_t len;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	size_t k = sz * n, room = sizeof(r->body) - 1 - r->len;

	memcpy(r->body + r->len, p, k < room ? k : room);
	r->len += k < room ? k : room;
	r->body[r->len] = 0;
	return k;
}

/* POST body to path with the given headers (NULL-terminated); chunked if len is 0 and
 * reader is set. */
static struct resp post(const char *path, const void *body, size_t len, const char *const *hdrs)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct resp r = {0};
	char u[256];

	for (size_t i = 0; hdrs && hdrs[i]; i++)
		h = curl_slist_append(h, hdrs[i]);
	snprintf(u, sizeof(u), "%s%s", url, path);
	curl_easy_setopt(c, CURLOPT_URL, u);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	if (body) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	}
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

static const char *const ndjson[] = {"Authorization: Bearer " TOKEN,
				     "Content-Type: application/x-ndjson", NULL};
static const char *const gzipped[] = {"Authorization: Bearer " TOKEN,
				      "Content-Type: application/x-ndjson",
				      "Content-Encoding: gzip", NULL};

static char *batch(unsigned first, unsigned n, size_t *len)
{
	size_t cap = (size_t)n * 700 + 1;
	char *b = malloc(cap);

	*len = 0;
	for (unsigned i = 0; i < n; i++)
		*len += (size_t)snprintf(b + *len, cap - *len,
			"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"1111222233334444-%016x\","
			"\"time\":\"2026-11-28T20:31:02.123456789Z\",\"kind\":\"credential_read\","
			"\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"high\","
			"\"outcome\":\"success\",\"node\":{\"name\":\"node-a\"},"
			"\"process\":{\"pid\":%u,\"executable\":\"/bin/cat\"},"
			"\"syscall\":{\"name\":\"openat\"},\"file\":{\"path\":\"/etc/shadow\"},"
			"\"k8s\":{\"namespace\":\"prod\",\"workload\":{\"kind\":\"Deployment\","
			"\"name\":\"payments\"}},\"provenance\":{\"commit\":\"c0ffee\"}}\n",
			first + i, 100 + i);
	return b;
}

static unsigned char *gz(const void *in, size_t n, size_t *outlen)
{
	uLongf cap = compressBound(n) + 64;
	unsigned char *out = malloc(cap);
	z_stream z = {0};

	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)in, z.avail_in = (uInt)n;
	z.next_out = out, z.avail_out = (uInt)cap;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	*outlen = z.total_out;
	deflateEnd(&z);
	return out;
}

static long sql_count(const char *where)
{
	char cmd[512], out[64] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "sqlite3 -readonly %s \"SELECT count(*) FROM events %s\"", db, where);
	p = popen(cmd, "r");
	assert_non_null(p);
	if (!fgets(out, sizeof(out), p))
		out[0] = 0;
	pclose(p);
	return out[0] ? atol(out) : -1;
}

static long rss_kb(void)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

static void start(void)
{
	const char *bin = getenv("C2D_COLLECTOR") ? getenv("C2D_COLLECTOR")
						  : "build/c2d-collector-san";
	char listen[64], tok[300];

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", port);
	snprintf(tok, sizeof(tok), "%s/token", dir);
	pid = fork();
	if (pid == 0) {
		char asan[512];

		/* a small quarantine: freed buffers must not count as the bomb's memory */
		snprintf(asan, sizeof(asan), "%s:quarantine_size_mb=4",
			 getenv("ASAN_OPTIONS") ? getenv("ASAN_OPTIONS") : "detect_leaks=1");
		setenv("ASAN_OPTIONS", asan, 1);
		execl(bin, bin, "--listen", listen, "--db", db, "--token-file", tok, "--log-level",
		      "warn", "--connection-timeout", SLOW_TIMEOUT_S, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) { /* until it answers */
		struct resp r = post("/healthz", NULL, 0, NULL);

		if (r.status == 200)
			return;
		usleep(50000);
	}
	fail_msg("collector did not answer /healthz");
}

static int setup(void **st)
{
	char tok[300];
	FILE *f;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/events.db", dir);
	snprintf(tok, sizeof(tok), "%s/token", dir);
	f = fopen(tok, "w");
	fputs("# test\n" TOKEN "\n", f);
	fclose(f);
	chmod(tok, 0600); /* a token file every user can read is refused */
	port = 18000 + getpid() % 1000;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", port);
	start();
	return 0;
}

static int teardown(void **st)
{
	int status = 0;
	char cmd[300];

	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd)) {}
	/* exit 0 also means ASan/LSan found nothing */
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void test_plain_and_gzip_then_replay(void **st)
{
	size_t n, zn;
	char *b = batch(1, 10, &n);
	unsigned char *z;
	struct resp r;

	r = post("/v1/events", b, n, ndjson);
	assert_int_equal(r.status, 202);
	assert_string_equal(r.body, "{\"accepted\":10,\"duplicates\":0}");
	assert_int_equal(sql_count("WHERE namespace = 'prod' AND workload_name = 'payments'"
				   " AND commit_sha = 'c0ffee' AND target = '/etc/shadow'"), 10);
	r = post("/v1/events", b, n, ndjson); /* replay */
	assert_int_equal(r.status, 202);
	assert_string_equal(r.body, "{\"accepted\":0,\"duplicates\":10}");
	assert_int_equal(sql_count(""), 10);
	free(b);
	b = batch(1000, 1000, &n);
	z = gz(b, n, &zn);
	r = post("/v1/events", z, zn, gzipped);
	assert_int_equal(r.status, 202);
	assert_string_equal(r.body, "{\"accepted\":1000,\"duplicates\":0}");
	assert_int_equal(sql_count(""), 1010);
	free(b);
	free(z);
}

static void test_refusals(void **st)
{
	static const char *const notoken[] = {"Content-Type: application/x-ndjson", NULL};
	static const char *const badtoken[] = {"Authorization: Bearer nope",
					       "Content-Type: application/x-ndjson", NULL};
	static const char *const text[] = {"Authorization: Bearer " TOKEN,
					   "Content-Type: text/plain", NULL};
	static const char *const br[] = {"Authorization: Bearer " TOKEN,
					 "Content-Type: application/json", "Content-Encoding: br",
					 NULL};
	size_t n;
	char *b = batch(5000, 3, &n);
	struct resp r;

	assert_int_equal(post("/v1/events", b, n, notoken).status, 401);
	assert_int_equal(post("/v1/events", b, n, badtoken).status, 401);
	assert_int_equal(post("/v1/events", b, n, text).status, 415);
	assert_int_equal(post("/v1/events", b, n, br).status, 415);
	/* line 2 is bad: nothing of the batch is stored */
	memcpy(strstr(strchr(b, '\n'), "\"pid\":") + 6, "1.5", 3);
	r = post("/v1/events", b, n, ndjson);
	assert_int_equal(r.status, 400);
	assert_string_equal(r.body, "{\"error\":\"line 2: process.pid: expected an integer\"}");
	assert_int_equal(sql_count("WHERE agent_seq >= 5000"), 0);
	free(b);
}

static void test_size_limits(void **st)
{
	static const char *const chunked[] = {"Authorization: Bearer " TOKEN,
					      "Content-Type: application/x-ndjson",
					      "Transfer-Encoding: chunked", NULL};
	size_t big = (8u << 20) + 100000, zn;
	char *b = calloc(1, big);
	unsigned char *z;
	long before = rss_kb(), after;
	struct resp r;

	memset(b, ' ', big);
	assert_int_equal(post("/v1/events", b, big, ndjson).status, 413); /* Content-Length */
	assert_int_equal(post("/v1/events", b, big, chunked).status, 413);
	free(b);
	/* 100 MiB of zeros → ~100 KiB of gzip: refused once 64 MiB are decompressed */
	b = calloc(1, 100u << 20);
	z = gz(b, 100u << 20, &zn);
	free(b);
	r = post("/v1/events", z, zn, gzipped);
	free(z);
	assert_int_equal(r.status, 413);
	assert_string_equal(r.body, "{\"error\":\"body larger than 67108864 bytes decompressed\"}");
	after = rss_kb();
	print_message("collector peak RSS: %ld KiB before the bomb, %ld KiB after\n", before, after);
	/* the 64 MiB cap plus slack; decompressing all 100 MiB would cross it */
	assert_true(after - before < 64 * 1024 + 24 * 1024);
}

static void test_depth(void **st)
{
	size_t n = 10000, len = 0;
	char *b = malloc(2 * n + 16);
	struct resp r;

	len += (size_t)sprintf(b, "{\"a\":");
	memset(b + len, '[', n), len += n;
	memset(b + len, ']', n), len += n;
	len += (size_t)sprintf(b + len, "}\n");
	r = post("/v1/events", b, len, ndjson);
	assert_int_equal(r.status, 400);
	assert_string_equal(r.body, "{\"error\":\"line 1: nested deeper than 32\"}");
	free(b);
	/* still serving after all the refusals above */
	assert_int_equal(post("/healthz", NULL, 0, NULL).status, 200);
}

/* A TCP connection from src (a loopback address) to the collector, or -1. */
static int connect_from(const char *src)
{
	struct sockaddr_in a = {.sin_family = AF_INET}, b = {.sin_family = AF_INET};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET, src, &a.sin_addr);
	inet_pton(AF_INET, "127.0.0.1", &b.sin_addr);
	b.sin_port = htons((uint16_t)port);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    connect(fd, (struct sockaddr *)&b, sizeof(b)) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Has the server closed fd (EOF or reset) within ms? */
static bool closed_within(int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char c[256];

	while (ms > 0) {
		if (poll(&p, 1, 100) == 1) {
			ssize_t n = recv(fd, c, sizeof(c), MSG_DONTWAIT);

			if (n == 0 || (n < 0 && errno != EAGAIN))
				return true;
		}
		ms -= 100;
	}
	return false;
}

/*
 * Slow clients (slowloris): from 127.0.0.2, as many connections as one address may hold,
 * each sending a header line and then stalling, plus one that stalls inside a body. The
 * collector keeps answering everyone else at once, refuses connections past the per-address
 * limit, closes the stalled ones after --connection-timeout, stores nothing of the half body,
 * and its memory does not grow.
 */
static void test_slow_clients(void **st)
{
	static const char head[] = "POST /v1/events HTTP/1.1\r\nHost: c\r\n";
	static const char body_head[] = "POST /v1/events HTTP/1.1\r\nHost: c\r\nAuthorization: "
					"Bearer " TOKEN "\r\nContent-Type: application/x-ndjson\r\n"
					"Content-Length: 100000\r\n\r\n{\"schema\":";
	int fds[8], extra, nfds = 0;
	long before = rss_kb();
	size_t n;
	char *b = batch(8000, 3, &n);
	long stored_before = sql_count("");

	for (int i = 0; i < 7; i++) {
		fds[nfds] = connect_from("127.0.0.2");
		assert_true(fds[nfds] >= 0);
		assert_int_equal(send(fds[nfds], head, sizeof(head) - 1, 0), sizeof(head) - 1);
		nfds++;
	}
	fds[nfds] = connect_from("127.0.0.2"); /* the 8th: a body that stops halfway */
	assert_true(fds[nfds] >= 0);
	assert_int_equal(send(fds[nfds], body_head, sizeof(body_head) - 1, 0),
			 sizeof(body_head) - 1);
	nfds++;
	/* past the per-address limit (8): closed at once */
	extra = connect_from("127.0.0.2");
	assert_true(extra >= 0);
	assert_true(closed_within(extra, 2000));
	close(extra);
	/* everyone else is served meanwhile: while the slow ones still hold their connections
	 * (an order, not a duration: none of them was cut before these answers came) */
	assert_int_equal(post("/healthz", NULL, 0, NULL).status, 200);
	assert_int_equal(post("/v1/events", b, n, ndjson).status, 202);
	for (int i = 0; i < nfds; i++)
		assert_false(closed_within(fds[i], 100));
	assert_int_equal(sql_count("WHERE agent_seq >= 8000 AND agent_seq < 9000"), 3);
	/* the stalled ones are cut after the idle timeout (3 s), and nothing half-sent is stored */
	for (int i = 0; i < nfds; i++) {
		assert_true(closed_within(fds[i], 8000));
		close(fds[i]);
	}
	assert_int_equal(sql_count(""), stored_before + 3);
	print_message("collector peak RSS: %ld KiB before the slow clients, %ld KiB after\n",
		      before, rss_kb());
	assert_true(rss_kb() - before < 16 * 1024);
	free(b);
}

static void test_kill9_after_202(void **st)
{
	size_t n;
	char *b = batch(9000, 5, &n);
	int status;

	assert_int_equal(post("/v1/events", b, n, ndjson).status, 202);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	assert_int_equal(sql_count("WHERE agent_seq >= 9000"), 5);
	start();
	assert_int_equal(post("/v1/events", b, n, ndjson).status, 202);
	assert_int_equal(sql_count("WHERE agent_seq >= 9000"), 5);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_gzip_then_replay),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_size_limits),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_slow_clients),
		cmocka_unit_test(test_kill9_after_202),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

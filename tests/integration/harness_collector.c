// SPDX-License-Identifier: BSD-2-Clause
/* harness_collector.c - see harness_collector.h. */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "harness.h"
#include "harness_collector.h"

/* A port the kernel says is free now (the collector binds it right after). */
int h_free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	close(fd);
	return port;
}

static size_t discard(char *p, size_t sz, size_t n, void *u)
{
	return sz * n;
}

struct sink {
	char *buf;
	size_t cap, len;
};

static size_t keep(char *p, size_t sz, size_t n, void *u)
{
	struct sink *k = u;
	size_t take = sz * n;

	if (take > k->cap - 1 - k->len)
		take = k->cap - 1 - k->len; /* truncated, still NUL-terminated */
	memcpy(k->buf + k->len, p, take);
	k->len += take;
	k->buf[k->len] = 0;
	return sz * n;
}

long h_http_get(const char *url, char *out, size_t cap)
{
	struct sink k = {out, cap, 0};
	long code = 0;
	CURL *h = curl_easy_init();

	if (!h || cap == 0)
		return 0;
	out[0] = 0;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 5000L);
	if (getenv("C2D_TEST_CA")) /* an https collector with a CA a test made */
		curl_easy_setopt(h, CURLOPT_CAINFO, getenv("C2D_TEST_CA"));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &k);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code;
}

/* "Authorization: Bearer <the first line of c's token file>"; -1 without the file. */
static int bearer(const struct h_collector *c, char *hdr, size_t cap)
{
	char tok[128] = "";
	FILE *f = fopen(c->token_file, "re");

	if (!f)
		return -1;
	if (!fgets(tok, sizeof(tok), f))
		tok[0] = 0;
	fclose(f);
	tok[strcspn(tok, "\n")] = 0;
	snprintf(hdr, cap, "Authorization: Bearer %s", tok);
	return 0;
}

struct grow {
	char *p;
	size_t len;
};

static size_t grow(char *p, size_t sz, size_t n, void *u)
{
	struct grow *g = u;
	size_t len = sz * n;
	char *np;

	if (g->len + len >= H_GET_MAX || !(np = realloc(g->p, g->len + len + 1)))
		return 0;
	g->p = np;
	memcpy(g->p + g->len, p, len);
	g->len += len;
	g->p[g->len] = 0;
	return len;
}

long h_collector_get(const struct h_collector *c, const char *path, char **body)
{
	char url[2048], auth[256];
	struct grow g = {.p = calloc(1, 1)};
	struct curl_slist *h = NULL;
	CURL *cu = curl_easy_init();
	long code = 0;

	*body = g.p;
	if (!cu || !g.p || bearer(c, auth, sizeof(auth)) < 0) {
		curl_easy_cleanup(cu);
		return 0;
	}
	snprintf(url, sizeof(url), "%s%s", c->url, path);
	h = curl_slist_append(h, auth);
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, 60000L);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, grow);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &g);
	if (curl_easy_perform(cu) == CURLE_OK)
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(cu);
	curl_slist_free_all(h);
	*body = g.p;
	return code;
}

long h_collector_post(const struct h_collector *c, const char *ndjson)
{
	char url[128], auth[256];
	struct curl_slist *h = NULL;
	CURL *cu;
	long code = 0;

	if (bearer(c, auth, sizeof(auth)) < 0)
		return 0;
	snprintf(url, sizeof(url), "%s/v1/events", c->url);
	h = curl_slist_append(curl_slist_append(h, auth), "Content-Type: application/x-ndjson");
	cu = curl_easy_init();
	if (cu) {
		curl_easy_setopt(cu, CURLOPT_URL, url);
		curl_easy_setopt(cu, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(cu, CURLOPT_POSTFIELDS, ndjson);
		/* an answer that never comes (a replica stopped mid-request) is no answer */
		curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, 60000L);
		curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, discard);
		if (curl_easy_perform(cu) == CURLE_OK)
			curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(cu);
	}
	curl_slist_free_all(h);
	return code;
}

long long h_metric(const char *base_url, const char *series)
{
	static char body[1 << 16];
	char url[160];
	size_t n = strlen(series);

	snprintf(url, sizeof(url), "%s/metrics", base_url);
	if (h_http_get(url, body, sizeof(body)) != 200)
		return -1;
	for (const char *p = body; (p = strstr(p, series)) != NULL; p += n)
		if ((p == body || p[-1] == '\n') && p[n] == ' ')
			return atoll(p + n + 1);
	return -1;
}

static long healthz(const struct h_collector *c)
{
	char url[128];
	long code = 0;
	CURL *h = curl_easy_init();

	if (!h)
		return 0;
	snprintf(url, sizeof(url), "%s/healthz", c->url);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1000L);
	if (getenv("C2D_TEST_CA"))
		curl_easy_setopt(h, CURLOPT_CAINFO, getenv("C2D_TEST_CA"));
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code;
}

static int first_setup(struct h_collector *c)
{
	char *dir = h_mkdtemp();
	FILE *f;

	if (!dir || (c->port = h_free_port()) < 0)
		return -1;
	snprintf(c->dir, sizeof(c->dir), "%s", dir);
	free(dir);
	snprintf(c->db, sizeof(c->db), "%s/c2d.db", c->dir);
	snprintf(c->token_file, sizeof(c->token_file), "%s/token", c->dir);
	snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%d", c->port);
	f = fopen(c->token_file, "w");
	if (!f)
		return -1;
	fprintf(f, "c2d-test-token-%d\n", getpid());
	/* the collector refuses a token file every local user can read */
	if (fchmod(fileno(f), 0600) < 0) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static void exec_collector(const struct h_collector *c)
{
	const char *bin = getenv("C2D_COLLECTOR") ? getenv("C2D_COLLECTOR")
						  : "build/c2d-collector-san";
	char listen[64], log[300];
	int fd;

	snprintf(listen, sizeof(listen), "127.0.0.1:%d", c->port);
	snprintf(log, sizeof(log), "%s/collector.log", c->dir);
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	/* no retention: tests post events with fixed dates, which the calendar ages past any
	 * window; a retention pass racing a test's POST would delete what it then waits for */
	execl(bin, bin, "--listen", listen, "--db", c->db, "--token-file", c->token_file,
	      "--retention-days", "0", c->config[0] ? "--config" : NULL, c->config, (char *)NULL);
	_exit(127);
}

int h_collector_start(struct h_collector *c)
{
	if (!c->dir[0] && first_setup(c) < 0)
		return -1;
	c->pid = fork();
	if (c->pid < 0)
		return -1;
	if (c->pid == 0)
		exec_collector(c);
	for (int i = 0; i < H_COLLECTOR_READY_MS / 50; i++) {
		int st;

		if (healthz(c) == 200)
			return 0;
		if (waitpid(c->pid, &st, WNOHANG) == c->pid) {
			fprintf(stderr, "collector exited at start-up (status %d); log in %s\n", st,
				c->dir);
			c->pid = 0;
			return -1;
		}
		usleep(50000);
	}
	fprintf(stderr, "collector not ready after %d ms\n", H_COLLECTOR_READY_MS);
	return -1;
}

int h_collector_stop(struct h_collector *c, int sig)
{
	int st = 0;

	if (!c->pid)
		return 0;
	kill(c->pid, sig);
	if (waitpid(c->pid, &st, 0) != c->pid)
		return -1;
	c->pid = 0;
	if (sig == SIGKILL)
		return 0;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		fprintf(stderr, "collector stopped with status %d; log in %s\n", st, c->dir);
		return -1;
	}
	return 0;
}

void h_collector_free(struct h_collector *c)
{
	h_collector_stop(c, SIGKILL);
	if (c->dir[0] && !getenv("C2D_KEEP_TMP"))
		h_rm_rf(c->dir);
	c->dir[0] = 0;
}

void h_collector_agent_args(const struct h_collector *c, const char **argv4)
{
	argv4[0] = "--collector";
	argv4[1] = c->url;
	argv4[2] = "--token-file";
	argv4[3] = c->token_file;
}

long long h_collector_count(const struct h_collector *c, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = NULL;
	long long n = -1;

	if (sqlite3_open_v2(c->db, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		sqlite3_close(db);
		return -1;
	}
	sqlite3_busy_timeout(db, 5000);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

int h_cli(const struct h_collector *c, char *out, size_t cap, const char *const *args)
{
	const char *bin = getenv("C2D_CLI") ? getenv("C2D_CLI") : "build/c2d";
	char *argv[32], err[4096];
	int n = 0, st;

	argv[n++] = (char *)bin;
	argv[n++] = "--server";
	argv[n++] = (char *)c->url;
	argv[n++] = "--token-file";
	argv[n++] = (char *)c->token_file;
	for (; *args && n < 31; args++)
		argv[n++] = (char *)*args;
	argv[n] = NULL;
	if (h_run_capture(argv, &st, out, cap, err, sizeof(err)) < 0)
		return -1;
	if (err[0])
		fprintf(stderr, "c2d: %s", err);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

cJSON *h_cli_json(const struct h_collector *c, const char *const *args)
{
	static char out[4 << 20];
	const char *full[32] = {"--json"};
	size_t n = 1;

	for (; *args && n < 31; args++)
		full[n++] = *args;
	full[n] = NULL;
	if (h_cli(c, out, sizeof(out), full) != 0)
		return NULL;
	return cJSON_Parse(out);
}

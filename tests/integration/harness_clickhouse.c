// SPDX-License-Identifier: BSD-2-Clause
/* harness_clickhouse.c - see harness_clickhouse.h. */
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "harness_clickhouse.h"

#define CH_SCRIPT "tests/integration/clickhouse.sh"

int h_clickhouse_start(struct h_clickhouse *ch)
{
	char cmd[600], out[64] = "";
	char *dir = h_mkdtemp();
	FILE *p;
	int st;

	memset(ch, 0, sizeof(*ch));
	if (!dir)
		return -1;
	snprintf(ch->dir, sizeof(ch->dir), "%s", dir);
	free(dir);
	snprintf(ch->password_file, sizeof(ch->password_file), "%s/password", ch->dir);
	snprintf(cmd, sizeof(cmd), "%s start %s", CH_SCRIPT, ch->dir);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (!fgets(out, sizeof(out), p))
		out[0] = 0;
	st = pclose(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		return 1;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || (ch->port = atoi(out)) <= 0) {
		fprintf(stderr, "clickhouse: %s failed (status %d)\n", cmd, st);
		return -1;
	}
	return 0;
}

void h_clickhouse_stop(struct h_clickhouse *ch)
{
	char cmd[600];

	if (!ch->dir[0])
		return;
	snprintf(cmd, sizeof(cmd), "%s stop %s >/dev/null 2>&1", CH_SCRIPT, ch->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "clickhouse: %s failed\n", cmd);
	if (!getenv("C2D_KEEP_TMP"))
		h_rm_rf(ch->dir);
	ch->dir[0] = 0;
}

int h_collector_use_clickhouse(struct h_collector *c, const struct h_clickhouse *ch,
			       const char *db, const char *extra)
{
	static int n;
	FILE *f;

	/* in the server's dir: removed with it */
	snprintf(c->config, sizeof(c->config), "%s/collector-%s-%d.conf", ch->dir, db, ++n);
	f = fopen(c->config, "w");
	if (!f)
		return -1;
	fprintf(f, "store = clickhouse://127.0.0.1:%d/%s\nstore-password-file = %s\n%s", ch->port,
		db, ch->password_file, extra ? extra : "");
	return fclose(f);
}

static size_t keep(char *p, size_t sz, size_t n, void *u)
{
	char *buf = u;
	size_t len = strlen(buf), add = sz * n;

	if (len + add >= 64)
		add = 63 - len;
	memcpy(buf + len, p, add);
	buf[len + add] = 0;
	return sz * n;
}

long long h_clickhouse_count(const struct h_clickhouse *ch, const char *sql)
{
	char url[64], pw[128] = "", body[64] = "";
	CURL *h = curl_easy_init();
	FILE *f = fopen(ch->password_file, "r");
	long code = 0;

	if (f) {
		if (fgets(pw, sizeof(pw), f))
			pw[strcspn(pw, "\r\n")] = 0;
		fclose(f);
	}
	if (!h)
		return -1;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", ch->port);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, sql);
	curl_easy_setopt(h, CURLOPT_USERNAME, "default");
	curl_easy_setopt(h, CURLOPT_PASSWORD, pw);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 30000L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	curl_easy_cleanup(h);
	return code == 200 && body[0] >= '0' && body[0] <= '9' ? atoll(body) : -1;
}

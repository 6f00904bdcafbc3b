// SPDX-License-Identifier: BSD-2-Clause
/* ch_client.c - see ch_client.h. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "ch_client.h"
#include "gzip.h"
#include "secret_line.h"

#define CH_PASSWORD_MAX 256
#define CH_ERR_BODY	4096 /* how much of an error answer is kept */

struct ch_client {
	char base[512]; /* http(s)://host:port/?database=DB */
	char root[400]; /* http(s)://host:port/ (CREATE DATABASE: before it exists) */
	char db[CH_DB_MAX + 1];
	char user[128];
	char password[CH_PASSWORD_MAX + 1];
	char *ca_file;
	long timeout_ms;
};

/* The answer goes to the caller's buffer (an error's text too: ClickHouse says what failed in
 * the body of a non-200 answer). */
struct answer {
	struct buf *out;
	int ret;
};

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
	struct answer *a = u;
	size_t len = sz * n;
	int ret;

	ret = buf_append(a->out, p, len);
	if (ret < 0) {
		a->ret = ret;
		return 0;
	}
	return len;
}

static bool db_name_ok(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > CH_DB_MAX || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

static int read_password(const char *path, char *out, size_t cap, char *err, size_t errlen)
{
	long n = secret_line_read(path, out, cap);

	if (n < 0) {
		snprintf(err, errlen, "--store-password-file %s: %s", path, strerror((int)-n));
		return -EINVAL;
	}
	return 0;
}

static int parse_url(struct ch_client *c, const char *url, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *query = NULL, *user = NULL;
	int ret = -EINVAL;
	bool tls;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		/* not echoed: what does not parse may still hold a password */
		snprintf(err, errlen, "--store: not a URL (clickhouse://HOST:PORT/DATABASE)");
		goto out;
	}
	/* credentials in the address would show in `ps` and in every message that echoes it:
	 * refused before any message does */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user) {
		snprintf(err, errlen, "--store: no user or password in the address (they go in "
			 "--store-user and --store-password-file)");
		goto out;
	}
	tls = !strcmp(scheme, "clickhouses");
	if (!tls && strcmp(scheme, "clickhouse")) {
		snprintf(err, errlen, "--store %s: scheme \"%s\" is not clickhouse:// or clickhouses://",
			 url, scheme);
		goto out;
	}
	curl_url_get(u, CURLUPART_PORT, &port, 0);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK && query && *query) {
		snprintf(err, errlen, "--store %s: no query part is read (credentials: "
			 "--store-user, --store-password-file)", url);
		goto out;
	}
	snprintf(c->db, sizeof(c->db), "%s", path && path[0] == '/' && path[1] ? path + 1 : "");
	if (!db_name_ok(c->db)) {
		snprintf(err, errlen, "--store %s: the database (the path) must be 1-%d letters, "
			 "digits or '_'", url, CH_DB_MAX);
		goto out;
	}
	snprintf(c->root, sizeof(c->root), "%s://%s:%s/", tls ? "https" : "http", host,
		 port ? port : tls ? "8443" : "8123");
	snprintf(c->base, sizeof(c->base), "%s?database=%s", c->root, c->db);
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(query);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

int ch_client_new(const struct ch_options *o, struct ch_client **out, char *err, size_t errlen)
{
	struct ch_client *c = calloc(1, sizeof(*c));
	int ret;

	if (!c)
		return -ENOMEM;
	snprintf(c->user, sizeof(c->user), "%s", o->user && *o->user ? o->user : "default");
	c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 30000;
	if ((ret = parse_url(c, o->url, err, errlen)) < 0 ||
	    (o->password_file &&
	     (ret = read_password(o->password_file, c->password, sizeof(c->password), err,
				  errlen)) < 0)) {
		ch_client_free(c);
		return ret;
	}
	if (o->ca_file && !(c->ca_file = strdup(o->ca_file))) {
		ch_client_free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

void ch_client_free(struct ch_client *c)
{
	if (!c)
		return;
	explicit_bzero(c->password, sizeof(c->password));
	free(c->ca_file);
	free(c);
}

const char *ch_client_db(const struct ch_client *c)
{
	return c->db;
}

/* ClickHouse's error text, one line, printable. */
static void error_text(char *err, size_t errlen, long status, const struct buf *b)
{
	size_t n = (size_t)snprintf(err, errlen, "clickhouse: HTTP %ld: ", status);

	for (size_t i = 0; b->p && i < b->len && n + 1 < errlen; i++) {
		unsigned char ch = (unsigned char)b->p[i];

		err[n++] = ch < 0x20 || ch == 0x7f ? ' ' : (char)ch;
	}
	while (n > 0 && err[n - 1] == ' ')
		n--;
	if (errlen)
		err[n < errlen ? n : errlen - 1] = 0;
}

static int perform(struct ch_client *c, const char *url, const void *body, size_t len,
		   bool gzipped, struct buf *out, char *err, size_t errlen)
{
	struct answer a = {.out = out};
	struct curl_slist *hdrs = NULL;
	CURL *h = curl_easy_init();
	long status = 0;
	CURLcode rc;
	int ret;

	if (!h)
		return -ENOMEM;
	hdrs = curl_slist_append(hdrs, gzipped ? "Content-Encoding: gzip" : "Content-Type: text/plain");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POST, 1L);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERNAME, c->user);
	curl_easy_setopt(h, CURLOPT_PASSWORD, c->password);
	curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &a);
	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (a.ret < 0) {
		ret = a.ret;
		snprintf(err, errlen, "clickhouse: answer larger than %zu bytes", out->max);
	} else if (rc != CURLE_OK) {
		ret = -EIO;
		snprintf(err, errlen, "clickhouse: %s", curl_easy_strerror(rc));
	} else if (status != 200) {
		ret = -EIO;
		error_text(err, errlen, status, out);
	} else {
		ret = 0;
	}
	curl_slist_free_all(hdrs);
	curl_easy_cleanup(h);
	return ret;
}

static int exec_at(struct ch_client *c, const char *url, const char *sql, struct buf *out,
		   char *err, size_t errlen)
{
	struct buf tmp;
	int ret;

	if (out)
		return perform(c, url, sql, strlen(sql), false, out, err, errlen);
	buf_init(&tmp, CH_ERR_BODY);
	ret = perform(c, url, sql, strlen(sql), false, &tmp, err, errlen);
	buf_free(&tmp);
	return ret;
}

int ch_exec(struct ch_client *c, const char *sql, struct buf *out, char *err, size_t errlen)
{
	return exec_at(c, c->base, sql, out, err, errlen);
}

int ch_exec_server(struct ch_client *c, const char *sql, char *err, size_t errlen)
{
	return exec_at(c, c->root, sql, NULL, err, errlen);
}

int ch_insert_json(struct ch_client *c, const char *table, const char *rows, size_t len,
		   char *err, size_t errlen)
{
	char url[768];
	size_t cap = gzip_bound(len);
	struct buf tmp;
	long n;
	char *gz;
	int ret;

	snprintf(url, sizeof(url), "%s&query=INSERT%%20INTO%%20%s.%s%%20FORMAT%%20JSONEachRow",
		 c->base, c->db, table);
	gz = malloc(cap);
	if (!gz)
		return -ENOMEM;
	n = gzip_compress(rows, len, gz, cap, 1);
	if (n < 0) {
		free(gz);
		return (int)n;
	}
	buf_init(&tmp, CH_ERR_BODY);
	ret = perform(c, url, gz, (size_t)n, true, &tmp, err, errlen);
	buf_free(&tmp);
	free(gz);
	return ret;
}

int ch_quote(struct buf *out, const char *s)
{
	char esc[8];
	int ret = buf_append(out, "'", 1);

	for (const unsigned char *p = (const unsigned char *)s; !ret && *p; p++) {
		if (*p == '\\' || *p == '\'')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02X", *p);
		else {
			ret = buf_append(out, p, 1);
			continue;
		}
		ret = buf_append(out, esc, strlen(esc));
	}
	return ret ? ret : buf_append(out, "'", 1);
}

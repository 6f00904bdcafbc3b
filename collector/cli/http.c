// SPDX-License-Identifier: BSD-2-Clause
/* http.c - see http.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "http.h"

int cli_read_token(const char *file, char *out, size_t len, char *err, size_t errlen)
{
	FILE *f = fopen(file, "re");
	size_t n, start = 0;

	if (!f) {
		snprintf(err, errlen, "token file %s: %s", file, strerror(errno));
		return -errno;
	}
	n = fread(out, 1, len - 1, f);
	if (n == len - 1 && fgetc(f) != EOF) {
		fclose(f);
		snprintf(err, errlen, "token file %s: longer than %zu bytes", file, len - 2);
		return -EFBIG;
	}
	fclose(f);
	while (n && isspace((unsigned char)out[n - 1]))
		n--;
	out[n] = 0;
	while (isspace((unsigned char)out[start]))
		start++;
	memmove(out, out + start, n - start + 1);
	if (!out[0] || strpbrk(out, "\r\n")) { /* a header must be one line */
		snprintf(err, errlen, "token file %s: %s", file,
			 out[0] ? "holds more than one line" : "is empty");
		return -EINVAL;
	}
	return 0;
}

struct sink {
	struct cli_http_resp *resp;
	size_t cap;
	bool too_big;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct sink *s = arg;
	size_t n = size * nmemb, cap;
	char *b;

	if (s->resp->len + n > CLI_HTTP_MAX_BODY) {
		s->too_big = true;
		return 0; /* curl aborts the transfer */
	}
	if (s->resp->len + n + 1 > s->cap) {
		cap = s->cap ? s->cap : 65536;
		while (cap < s->resp->len + n + 1)
			cap *= 2;
		b = realloc(s->resp->body, cap);
		if (!b)
			return 0;
		s->resp->body = b;
		s->cap = cap;
	}
	memcpy(s->resp->body + s->resp->len, data, n);
	s->resp->len += n;
	s->resp->body[s->resp->len] = 0;
	return n;
}

/* Every option checked: a silently ignored timeout or protocol limit is worse than failing. */
static CURLcode setup(CURL *c, const char *url, const char *ca, struct curl_slist *hdrs,
		      struct sink *s)
{
	CURLcode rc;

	/* a private CA instead of the system's: verification stays on either way */
	if (ca && (rc = curl_easy_setopt(c, CURLOPT_CAINFO, ca)))
		return rc;
	if ((rc = curl_easy_setopt(c, CURLOPT_URL, url)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_WRITEDATA, s)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)CLI_HTTP_CONNECT_TIMEOUT_S)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)CLI_HTTP_TIMEOUT_S)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "")) ||
	    (rc = curl_easy_setopt(c, CURLOPT_MAXFILESIZE, (long)CLI_HTTP_MAX_BODY)) ||
	    (rc = curl_easy_setopt(c, CURLOPT_USERAGENT, "c2d")))
		return rc;
	/* The token goes nowhere but HTTP(S) (redirects are not followed: curl's default). */
	return curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
}

static struct curl_slist *headers(const char *token)
{
	struct curl_slist *h = curl_slist_append(NULL, "Accept: application/json"), *h2;
	char *auth;

	if (!h || !token)
		return h;
	if (asprintf(&auth, "Authorization: Bearer %s", token) < 0) {
		curl_slist_free_all(h);
		return NULL;
	}
	h2 = curl_slist_append(h, auth);
	explicit_bzero(auth, strlen(auth));
	free(auth);
	if (!h2)
		curl_slist_free_all(h);
	return h2;
}

int cli_http_get(const char *server, const char *path, const char *token, const char *ca,
		 struct cli_http_resp *resp, char *err, size_t errlen)
{
	struct sink s = {.resp = resp};
	struct curl_slist *hdrs = headers(token);
	char url[CLI_PATH_MAX + 512];
	CURL *c = curl_easy_init();
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	size_t sl = strlen(server);
	int ret = -ENOMEM;

	memset(resp, 0, sizeof(*resp));

	if (sl && server[sl - 1] == '/') /* "http://host:8787/" + "/v1/..." */
		sl--;
	snprintf(url, sizeof(url), "%.*s%s", (int)sl, server, path);
	if (c && hdrs && (rc = setup(c, url, ca, hdrs, &s)) == CURLE_OK)
		rc = curl_easy_perform(c);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		ret = 0;
	} else if (s.too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "response from %s larger than %u MiB", server,
			 CLI_HTTP_MAX_BODY >> 20);
		ret = -EFBIG;
	} else if (rc != CURLE_OUT_OF_MEMORY) {
		snprintf(err, errlen, "cannot reach the collector at %s: %s", server,
			 curl_easy_strerror(rc));
		ret = -EIO;
	}
	if (ret)
		cli_http_resp_free(resp);
	curl_slist_free_all(hdrs); /* the header list holds the token: freed, not kept around */
	curl_easy_cleanup(c);
	return ret;
}

void cli_http_resp_free(struct cli_http_resp *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

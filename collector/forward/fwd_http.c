// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_http.c - one reused libcurl handle per forwarder (keep-alive to its backend), every
 * option checked (journal-upload style), the answer read into a bounded buffer and
 * Retry-After (seconds form) picked out of the headers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fwd_int.h"
#include "log.h"

static const struct {
	const char *ctype, *auth;
} per_type[FWD__N] = {
	[FWD_OTLP] = {"application/json", "Bearer"},
	[FWD_LOKI] = {"application/json", "Bearer"},
	[FWD_ELASTIC] = {"application/x-ndjson", "ApiKey"},
	[FWD_SPLUNK] = {"application/json", "Splunk"},
	[FWD_SYSLOG] = {NULL, NULL},
	[FWD_WEBHOOK] = {"application/json", "Bearer"},
};

static size_t on_body(char *p, size_t sz, size_t n, void *u)
{
	struct fwd_http *h = u;
	size_t len = sz * n, room = FWD_RESP_MAX - h->resp_len;
	char *np;

	if (len > room)
		len = room; /* the rest is dropped: only the start of an answer matters */
	np = realloc(h->resp, h->resp_len + len + 1);
	if (!np)
		return 0;
	h->resp = np;
	memcpy(h->resp + h->resp_len, p, len);
	h->resp_len += len;
	h->resp[h->resp_len] = 0;
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *u)
{
	struct fwd_http *h = u;
	size_t len = sz * n;

	if (len > 12 && strncasecmp(p, "retry-after:", 12) == 0) {
		char tmp[32];

		snprintf(tmp, sizeof(tmp), "%.*s", (int)(len - 12 < 31 ? len - 12 : 31), p + 12);
		h->retry_after = strtol(tmp, NULL, 10);
		if (h->retry_after <= 0) /* an HTTP date: treat as unknown, back off ourselves */
			h->retry_after = -1;
	}
	return len;
}

static int add_header(struct fwd_http *h, const char *name, const char *v)
{
	char line[1024];
	struct curl_slist *l;

	if (!v)
		return 0;
	snprintf(line, sizeof(line), "%s: %s", name, v);
	l = curl_slist_append(h->hdrs, line);
	explicit_bzero(line, sizeof(line)); /* may hold the token */
	if (!l)
		return -ENOMEM;
	h->hdrs = l;
	return 0;
}

static int headers(struct fwd_http *h, const struct fwd_conf *c, const char *token)
{
	const char *ctype = c->type == FWD_WEBHOOK && c->ndjson ? "application/x-ndjson"
								 : per_type[c->type].ctype;
	char auth[600];
	int ret = 0;

	if (token) {
		snprintf(auth, sizeof(auth), "%s %s", per_type[c->type].auth, token);
		ret = add_header(h, "Authorization", auth);
		explicit_bzero(auth, sizeof(auth));
	}
	if (ret || (ret = add_header(h, "Content-Type", ctype)) ||
	    (fwd_gzip_on(c) && (ret = add_header(h, "Content-Encoding", "gzip"))) ||
	    (c->type == FWD_LOKI && (ret = add_header(h, "X-Scope-OrgID", c->tenant))) ||
	    (c->type == FWD_SPLUNK && (ret = add_header(h, "X-Splunk-Request-Channel", c->channel))))
		return ret;
	return add_header(h, "Expect", ""); /* no 100-continue round trip per batch */
}

#define SET(opt, v)                                                                        \
	do {                                                                               \
		if (curl_easy_setopt(h->h, opt, v) != CURLE_OK) {                          \
			log_error("forwarder %s: curl option " #opt " refused", c->name);  \
			return -EINVAL;                                                    \
		}                                                                          \
	} while (0)

int fwd_http_init(struct fwd_http *h, const struct fwd_conf *c, const char *token)
{
	int ret;

	memset(h, 0, sizeof(*h));
	h->h = curl_easy_init();
	if (!h->h || (ret = headers(h, c, token)) < 0)
		return -ENOMEM;
	SET(CURLOPT_HTTPHEADER, h->hdrs);
	SET(CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	SET(CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, h);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, h);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	if (c->tls_ca)
		SET(CURLOPT_CAINFO, c->tls_ca);
	if (c->tls_insecure) {
		SET(CURLOPT_SSL_VERIFYPEER, 0L);
		SET(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	return 0;
}

long fwd_http_post(struct fwd_http *h, const char *url, const char *body, size_t len)
{
	long code = 0;
	CURLcode rc;

	h->resp_len = 0;
	h->retry_after = -1;
	if (h->resp)
		h->resp[0] = 0;
	curl_easy_setopt(h->h, CURLOPT_URL, url);
	curl_easy_setopt(h->h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(h->h);
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return -ETIMEDOUT;
	if (rc == CURLE_COULDNT_CONNECT)
		return -ECONNREFUSED;
	if (rc != CURLE_OK)
		return -EIO;
	curl_easy_getinfo(h->h, CURLINFO_RESPONSE_CODE, &code);
	return code;
}

void fwd_http_free(struct fwd_http *h)
{
	curl_easy_cleanup(h->h);
	curl_slist_free_all(h->hdrs);
	free(h->resp);
	memset(h, 0, sizeof(*h));
}

// SPDX-License-Identifier: BSD-2-Clause
/* k8s_http.c - see k8s_http.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "k8s_http.h"

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	const struct k8s_xfer *x = ud;

	return x->conn->stop && *x->conn->stop ? 1 : 0;
}

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct k8s_xfer *x = ud;
	struct buf *b = &x->body;
	size_t n = size * nmemb;

	if (buf_append(b, ptr, n) < 0) { /* over the cap, or out of memory */
		x->too_big = true;
		return 0;
	}
	while (x->on_line) { /* complete lines are events */
		char *nl = memchr(b->p, '\n', b->len);
		size_t ln;

		if (!nl)
			break;
		ln = (size_t)(nl - b->p);
		x->on_line(x->line_arg, b->p, ln);
		memmove(b->p, nl + 1, b->len - ln); /* the rest, and the NUL after it */
		b->len -= ln + 1;
	}
	return n;
}

/* The bearer token, re-read for every request: kubelet rotates projected tokens. */
static struct curl_slist *auth_header(const struct k8s_conn *conn)
{
	char tok[4096], hdr[4200];
	struct curl_slist *l;
	size_t n = 0;
	FILE *f = fopen(conn->token_file, "re");

	if (f) {
		n = fread(tok, 1, sizeof(tok) - 1, f);
		fclose(f);
	}
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
		n--;
	tok[n] = 0;
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok);
	l = curl_slist_append(NULL, hdr);
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(hdr, sizeof(hdr));
	return l;
}

long k8s_get(struct k8s_xfer *x, const char *path, k8s_line_fn on_line, void *arg)
{
	struct curl_slist *h = auth_header(x->conn);
	bool watch = on_line != NULL;
	CURL *c = x->curl;
	char url[1024];
	long status = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", x->conn->api, path);
	/* the same transfer serves lists and watches: the cap is the request's; the memory stays */
	x->body.len = 0;
	x->body.max = watch ? K8S_LINE_MAX - 1 : K8S_BODY_MAX;
	x->too_big = false;
	x->on_line = on_line;
	x->line_arg = arg;
	curl_easy_reset(c);
	if (!h || curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h) ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, x->conn->ca) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, x) ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)K8S_TIMEOUT_MS) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, watch ? 0L : (long)K8S_TIMEOUT_MS)) {
		curl_slist_free_all(h);
		x->on_line = NULL;
		return -EINVAL;
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	x->on_line = NULL;
	if (rc != CURLE_OK && !(watch && status == 200))
		return x->too_big ? -EMSGSIZE : -EIO;
	if (!watch && buf_reserve(&x->body, 0) == 0) /* "" for an empty body */
		x->body.p[x->body.len] = 0;
	return status;
}

int k8s_xfer_init(struct k8s_xfer *x, const struct k8s_conn *conn)
{
	memset(x, 0, sizeof(*x));
	buf_init(&x->body, K8S_BODY_MAX);
	x->conn = conn;
	x->curl = curl_easy_init();
	return x->curl ? 0 : -ENOMEM;
}

void k8s_xfer_free(struct k8s_xfer *x)
{
	if (x->curl)
		curl_easy_cleanup(x->curl);
	buf_free(&x->body);
	x->curl = NULL;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * grpc.c - see grpc.h. gRPC over HTTP/2 (doc/PROTOCOL-HTTP2.md): POST, content-type
 * application/grpc, te: trailers; each message framed by 1 byte "compressed" (0 here) and a
 * 4-byte big-endian length. The status is the grpc-status trailer (or header, for
 * trailers-only responses).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "grpc.h"
#include "log.h"

struct grpc_client {
	CURL *curl;
	char socket[108];
	long timeout_ms;
	uint8_t *body; /* response bytes (frame included) */
	size_t len, cap;
	bool too_big;
	int grpc_status; /* -1 until seen */
	uint8_t *req;	 /* framed request */
	size_t req_cap;
	/* server streaming: each complete message goes to on_msg as it arrives */
	grpc_msg_fn on_msg;
	void *msg_ctx;
	const volatile int *stop;
};

/* Hand every complete frame in the buffer to on_msg, keep the rest; false on a bad frame. */
static bool deliver_frames(struct grpc_client *c)
{
	size_t off = 0;

	while (c->len - off >= 5) {
		const uint8_t *f = c->body + off;
		size_t n = ((size_t)f[1] << 24) | ((size_t)f[2] << 16) | ((size_t)f[3] << 8) | f[4];

		if (f[0] != 0 || n > GRPC_RESPONSE_MAX)
			return false;
		if (c->len - off - 5 < n)
			break;
		c->on_msg(c->msg_ctx, f + 5, n);
		off += 5 + n;
	}
	memmove(c->body, c->body + off, c->len - off);
	c->len -= off;
	return true;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct grpc_client *c = ud;
	size_t n = size * nmemb;

	if (n > GRPC_RESPONSE_MAX - c->len) { /* bounded: abort the transfer */
		c->too_big = true;
		return 0;
	}
	if (c->len + n > c->cap) {
		size_t ncap = c->cap ? c->cap : 16384;
		uint8_t *nb;

		while (ncap < c->len + n)
			ncap *= 2;
		nb = realloc(c->body, ncap);
		if (!nb)
			return 0;
		c->body = nb;
		c->cap = ncap;
	}
	memcpy(c->body + c->len, ptr, n);
	c->len += n;
	if (c->on_msg && !deliver_frames(c))
		return 0; /* a frame no server would send: abort */
	return n;
}

/* Streams have no timeout: this is how a stop request ends one (libcurl calls it about once
 * a second even when nothing arrives). */
static int on_progress(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct grpc_client *c = ud;

	return c->stop && *c->stop ? 1 : 0;
}

/* Headers and trailers both come here: keep grpc-status. */
static size_t on_header(char *buf, size_t size, size_t nitems, void *ud)
{
	struct grpc_client *c = ud;
	size_t n = size * nitems;

	if (n > 12 && strncasecmp(buf, "grpc-status:", 12) == 0)
		c->grpc_status = atoi(buf + 12);
	return n;
}

struct grpc_client *grpc_client_new(const char *socket_path, long timeout_ms)
{
	struct grpc_client *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	if (strlen(socket_path) >= sizeof(c->socket)) {
		free(c);
		return NULL;
	}
	snprintf(c->socket, sizeof(c->socket), "%s", socket_path);
	c->timeout_ms = timeout_ms;
	c->curl = curl_easy_init();
	if (!c->curl) {
		free(c);
		return NULL;
	}
	return c;
}

void grpc_client_free(struct grpc_client *c)
{
	if (!c)
		return;
	curl_easy_cleanup(c->curl);
	free(c->body);
	free(c->req);
	free(c);
}

/* Every option checked: a silently ignored option is a wrong request. */
#define SETOPT(c, opt, val)                                                                       \
	do {                                                                                      \
		if (curl_easy_setopt((c)->curl, opt, val) != CURLE_OK)                            \
			goto setopt_failed;                                                       \
	} while (0)

static int prepare(struct grpc_client *c, const char *path, struct curl_slist *hdrs, size_t flen)
{
	char url[256];

	snprintf(url, sizeof(url), "http://localhost%s", path);
	SETOPT(c, CURLOPT_URL, url);
	SETOPT(c, CURLOPT_UNIX_SOCKET_PATH, c->socket);
	SETOPT(c, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE);
	SETOPT(c, CURLOPT_POST, 1L);
	SETOPT(c, CURLOPT_POSTFIELDS, c->req);
	SETOPT(c, CURLOPT_POSTFIELDSIZE, (long)flen);
	SETOPT(c, CURLOPT_HTTPHEADER, hdrs);
	SETOPT(c, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(c, CURLOPT_WRITEDATA, c);
	SETOPT(c, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(c, CURLOPT_HEADERDATA, c);
	/* a stream with a stop flag runs until told; one without (a blob read) has the timeout */
	SETOPT(c, CURLOPT_TIMEOUT_MS, c->on_msg && c->stop ? 0L : c->timeout_ms);
	SETOPT(c, CURLOPT_NOPROGRESS, c->on_msg ? 0L : 1L);
	SETOPT(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	SETOPT(c, CURLOPT_XFERINFODATA, c);
	SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms);
	SETOPT(c, CURLOPT_NOSIGNAL, 1L);
	/* libcurl 7.88 fails the second request on a reused h2c connection over a unix socket
	 * (CURLE_HTTP2); look-ups are rare (once per container), a local connect is cheap */
	SETOPT(c, CURLOPT_FORBID_REUSE, 1L);
	SETOPT(c, CURLOPT_VERBOSE, getenv("C2D_GRPC_DEBUG") ? 1L : 0L);
	return 0;
setopt_failed:
	return -EINVAL;
}

static int frame_request(struct grpc_client *c, const void *req, size_t len)
{
	if (len > GRPC_RESPONSE_MAX)
		return -EMSGSIZE;
	if (len + 5 > c->req_cap) {
		uint8_t *nb = realloc(c->req, len + 5);

		if (!nb)
			return -ENOMEM;
		c->req = nb;
		c->req_cap = len + 5;
	}
	c->req[0] = 0;
	c->req[1] = (uint8_t)(len >> 24);
	c->req[2] = (uint8_t)(len >> 16);
	c->req[3] = (uint8_t)(len >> 8);
	c->req[4] = (uint8_t)len;
	if (len)
		memcpy(c->req + 5, req, len);
	return 0;
}

static int map_curl_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

/* The one message of a unary response; 0 or -EPROTO. */
static int unframe(struct grpc_client *c, const uint8_t **resp, size_t *resp_len)
{
	size_t n;

	if (c->len == 0) { /* an empty message may come without a frame */
		*resp = c->body;
		*resp_len = 0;
		return 0;
	}
	if (c->len < 5 || c->body[0] != 0) /* compressed messages are never requested */
		return -EPROTO;
	n = ((size_t)c->body[1] << 24) | ((size_t)c->body[2] << 16) | ((size_t)c->body[3] << 8) |
	    c->body[4];
	if (n != c->len - 5)
		return -EPROTO;
	*resp = c->body + 5;
	*resp_len = n;
	return 0;
}

static struct curl_slist *request_headers(const char *ns)
{
	const char *fixed[] = {"content-type: application/grpc", "te: trailers", NULL};
	struct curl_slist *l = NULL, *t;
	char nsh[160];

	if (ns) {
		snprintf(nsh, sizeof(nsh), "containerd-namespace: %s", ns);
		fixed[2] = nsh;
	}
	for (int i = 0; i < 3 && fixed[i]; i++) {
		t = curl_slist_append(l, fixed[i]);
		if (!t) {
			curl_slist_free_all(l);
			return NULL;
		}
		l = t;
	}
	return l;
}

int grpc_call(struct grpc_client *c, const char *path, const char *ns, const void *req,
	      size_t req_len, const uint8_t **resp, size_t *resp_len)
{
	struct curl_slist *hdrs;
	CURLcode cr;
	int rc;

	c->len = 0;
	c->too_big = false;
	c->grpc_status = -1;
	rc = frame_request(c, req, req_len);
	if (rc < 0)
		return rc;
	hdrs = request_headers(ns);
	if (!hdrs)
		return -ENOMEM;
	rc = prepare(c, path, hdrs, req_len + 5);
	if (rc == 0) {
		cr = curl_easy_perform(c->curl);
		if (c->too_big)
			rc = -EMSGSIZE;
		else if (cr != CURLE_OK)
			rc = map_curl_error(cr);
		else if (c->grpc_status != 0)
			rc = c->grpc_status > 0 ? GRPC_ERR(c->grpc_status) : -EPROTO;
		else
			rc = unframe(c, resp, resp_len);
	}
	curl_easy_setopt(c->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hdrs);
	return rc;
}

int grpc_stream(struct grpc_client *c, const char *path, const char *ns, const void *req,
		size_t req_len, grpc_msg_fn on_msg, void *ctx, const volatile int *stop)
{
	const uint8_t *unused;
	size_t unused_len;
	int rc;

	c->on_msg = on_msg;
	c->msg_ctx = ctx;
	c->stop = stop;
	rc = grpc_call(c, path, ns, req, req_len, &unused, &unused_len);
	c->on_msg = NULL;
	c->stop = NULL;
	if (rc == -EPROTO && c->len == 0) /* frames were delivered as they came */
		rc = 0;
	return rc;
}

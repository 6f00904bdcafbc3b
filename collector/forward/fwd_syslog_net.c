// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_syslog_net.c - syslog over TCP (RFC 6587) or TLS (RFC 5425) with libcurl's connect-only
 * mode: curl does the connect, the TLS handshake and certificate checks (the same CA options
 * as the HTTP forwarders, no second TLS stack), curl_easy_send writes the frames.
 *
 * Plain syslog has no application-level ack: a batch counts as sent once the kernel took every
 * byte. Before each batch a readable socket is probed, so a peer that closed (restart) is
 * noticed and reconnected before writing, not after losing a batch into a dead connection.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fwd_int.h"
#include "log.h"

static int connect_(struct fwd_syslog_net *s, const struct fwd_conf *c)
{
	bool tls = strncmp(c->url, "tls://", 6) == 0;
	char url[512];

	if (!tls && strncmp(c->url, "tcp://", 6) != 0)
		return -EINVAL;
	/* connect-only: the scheme only picks plain TCP or TLS, no HTTP is spoken */
	snprintf(url, sizeof(url), "%s://%s", tls ? "https" : "http", c->url + 6);
	s->h = curl_easy_init();
	if (!s->h)
		return -ENOMEM;
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->timeout_ms);
	if (c->tls_ca)
		curl_easy_setopt(s->h, CURLOPT_CAINFO, c->tls_ca);
	if (c->tls_insecure) {
		curl_easy_setopt(s->h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(s->h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (curl_easy_perform(s->h) != CURLE_OK) {
		fwd_syslog_close(s);
		return -ECONNREFUSED;
	}
	s->connected = true;
	return 0;
}

static int sockfd(struct fwd_syslog_net *s)
{
	curl_socket_t fd = CURL_SOCKET_BAD;

	curl_easy_getinfo(s->h, CURLINFO_ACTIVESOCKET, &fd);
	return fd == CURL_SOCKET_BAD ? -1 : (int)fd;
}

/* A syslog server never writes to us: readable means closed (or reset). */
static bool peer_gone(struct fwd_syslog_net *s)
{
	struct pollfd p = {.fd = sockfd(s), .events = POLLIN};

	return p.fd < 0 || (poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int send_all(struct fwd_syslog_net *s, const struct fwd_conf *c, const char *buf,
		    size_t len)
{
	int64_t deadline = now_ms() + (int64_t)c->timeout_ms;

	while (len) {
		size_t n = 0;
		CURLcode rc = curl_easy_send(s->h, buf, len, &n);

		if (rc == CURLE_AGAIN) {
			struct pollfd p = {.fd = sockfd(s), .events = POLLOUT};

			if (now_ms() > deadline)
				return -ETIMEDOUT;
			poll(&p, 1, 100);
			continue;
		}
		if (rc != CURLE_OK)
			return -EIO;
		buf += n;
		len -= n;
	}
	return 0;
}

int fwd_syslog_send(struct fwd_syslog_net *s, const struct fwd_conf *c, const char *buf,
		    size_t len)
{
	int ret;

	if (s->connected && peer_gone(s))
		fwd_syslog_close(s);
	if (!s->connected && (ret = connect_(s, c)) < 0)
		return ret;
	ret = send_all(s, c, buf, len);
	if (ret < 0)
		fwd_syslog_close(s);
	return ret;
}

void fwd_syslog_close(struct fwd_syslog_net *s)
{
	curl_easy_cleanup(s->h);
	s->h = NULL;
	s->connected = false;
}

// SPDX-License-Identifier: BSD-2-Clause
/* sender.c - see sender.h. Every curl_easy_setopt is checked: an option silently ignored
 * (TLS verification, a limit) would be a hole, not a detail. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>

#include "log.h"
#include "sender.h"

struct sender {
	CURL *curl;
	char url[1024];
	const char *token_file;
	struct stat token_st; /* of the token last read: re-read when this changes */
	char auth[SENDER_TOKEN_MAX + 32];
	bool token_warned;
	char body[SENDER_BODY_MAX];
	size_t body_len;
	uint64_t retry_after_ms;
};

#define SETOPT(c, opt, val)                                                                        \
	do {                                                                                       \
		CURLcode e_ = curl_easy_setopt(c, opt, val);                                       \
		if (e_ != CURLE_OK) {                                                              \
			log_error("sender: curl option " #opt ": %s", curl_easy_strerror(e_));    \
			return -EINVAL;                                                            \
		}                                                                                  \
	} while (0)

static size_t on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct sender *s = arg;

	if (s->body_len + sz * n > sizeof(s->body))
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	memcpy(s->body + s->body_len, p, sz * n);
	s->body_len += sz * n;
	return sz * n;
}

static size_t on_header(char *p, size_t sz, size_t n, void *arg)
{
	struct sender *s = arg;
	size_t len = sz * n;
	char v[64];

	if (len > 12 && !strncasecmp(p, "Retry-After:", 12) && len - 12 < sizeof(v)) {
		char *end;
		unsigned long secs;
		time_t when;

		memcpy(v, p + 12, len - 12);
		v[len - 12] = 0;
		secs = strtoul(v, &end, 10);
		if (end != v && (*end == '\r' || *end == '\n' || !*end || isspace(*end)))
			s->retry_after_ms = (uint64_t)secs * 1000;
		else if ((when = curl_getdate(v, NULL)) > 0 && when > time(NULL))
			s->retry_after_ms = (uint64_t)(when - time(NULL)) * 1000;
	}
	return len;
}

static int setup(struct sender *s, const struct sender_opts *o)
{
	CURL *c = s->curl;

	SETOPT(c, CURLOPT_URL, s->url);
	SETOPT(c, CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(c, CURLOPT_NOSIGNAL, 1L); /* threads: no SIGALRM for DNS timeouts */
	SETOPT(c, CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_file)
		SETOPT(c, CURLOPT_CAINFO, o->ca_file);
	SETOPT(c, CURLOPT_CONNECTTIMEOUT_MS, (long)SENDER_CONNECT_MS);
	SETOPT(c, CURLOPT_FOLLOWLOCATION, 0L); /* a redirect must not carry the token elsewhere */
	SETOPT(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)SENDER_BODY_MAX);
	SETOPT(c, CURLOPT_WRITEFUNCTION, on_body);
	SETOPT(c, CURLOPT_WRITEDATA, s);
	SETOPT(c, CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(c, CURLOPT_HEADERDATA, s);
	SETOPT(c, CURLOPT_POST, 1L);
	SETOPT(c, CURLOPT_USERAGENT, "c2d-agent");
	/* CURLOPT_ACCEPT_ENCODING stays unset: the answer is never decompressed (E5) */
	return 0;
}

int sender_new(struct sender **out, const struct sender_opts *o)
{
	struct sender *s = calloc(1, sizeof(*s));
	size_t n;
	int rc;

	if (!s)
		return -ENOMEM;
	n = strlen(o->url);
	while (n && o->url[n - 1] == '/')
		n--;
	snprintf(s->url, sizeof(s->url), "%.*s/v1/events", (int)n, o->url);
	s->token_file = o->token_file;
	s->curl = curl_easy_init();
	rc = s->curl ? setup(s, o) : -ENOMEM;
	if (rc < 0) {
		sender_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void sender_free(struct sender *s)
{
	if (!s)
		return;
	if (s->curl)
		curl_easy_cleanup(s->curl);
	explicit_bzero(s->auth, sizeof(s->auth));
	free(s);
}

/* Re-read the token when the file changed (a rotation replaces it: new inode or mtime).
 * The value is never logged; a read failure keeps the previous token. */
static void token_refresh(struct sender *s)
{
	struct stat st;
	char tok[SENDER_TOKEN_MAX + 1];
	ssize_t n;
	int fd;

	if (!s->token_file || stat(s->token_file, &st) < 0) {
		if (s->token_file && !s->token_warned)
			log_warn("sender: token file %s: %s", s->token_file, strerror(errno));
		s->token_warned = true;
		return;
	}
	if (st.st_ino == s->token_st.st_ino && st.st_mtim.tv_sec == s->token_st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == s->token_st.st_mtim.tv_nsec && st.st_size == s->token_st.st_size)
		return;
	fd = open(s->token_file, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, tok, SENDER_TOKEN_MAX);
	if (fd >= 0)
		close(fd);
	if (n < 0)
		return;
	while (n > 0 && isspace((unsigned char)tok[n - 1]))
		n--;
	tok[n] = 0;
	snprintf(s->auth, sizeof(s->auth), "Authorization: Bearer %s", tok);
	explicit_bzero(tok, sizeof(tok));
	s->token_st = st;
	s->token_warned = false;
	log_info("sender: token read from %s (%zd bytes)", s->token_file, n);
}

static int perform(struct sender *s, const void *body, size_t len, long timeout_ms,
		   struct curl_slist *h, struct send_result *r)
{
	CURLcode e;

	SETOPT(s->curl, CURLOPT_HTTPHEADER, h);
	SETOPT(s->curl, CURLOPT_POSTFIELDS, body);
	SETOPT(s->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	SETOPT(s->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	s->body_len = 0;
	s->retry_after_ms = 0;
	e = curl_easy_perform(s->curl);
	if (e != CURLE_OK) {
		snprintf(r->error, sizeof(r->error), "%s%s", curl_easy_strerror(e),
			 e == CURLE_WRITE_ERROR ? " (answer longer than 64 KiB)" : "");
		return -EIO;
	}
	curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &r->status);
	r->retry_after_ms = s->retry_after_ms;
	for (size_t i = 0; i < s->body_len && i + 1 < sizeof(r->body); i++) /* printable only */
		r->body[i] = isprint((unsigned char)s->body[i]) ? s->body[i] : ' ';
	return 0;
}

int sender_post(struct sender *s, const void *body, size_t len, bool gzip, long timeout_ms,
		struct send_result *r)
{
	struct curl_slist *h = NULL, *t;
	const char *hdrs[4];
	int rc = -ENOMEM;

	memset(r, 0, sizeof(*r));
	token_refresh(s);
	hdrs[0] = "Content-Type: application/x-ndjson";
	hdrs[1] = gzip ? "Content-Encoding: gzip" : NULL;
	hdrs[2] = "Expect:"; /* no 100-continue round trip per batch */
	hdrs[3] = s->auth[0] ? s->auth : NULL;
	for (size_t i = 0; i < 4; i++) {
		if (!hdrs[i])
			continue;
		t = curl_slist_append(h, hdrs[i]);
		if (!t)
			goto out;
		h = t;
	}
	rc = perform(s, body, len, timeout_ms, h, r);
out:
	curl_easy_setopt(s->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(h); /* curl copies nothing: the list holds the token, freed now */
	return rc;
}

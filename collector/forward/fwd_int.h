/* SPDX-License-Identifier: BSD-2-Clause */
/* fwd_int.h - the forwarder engine's insides: its store connections (fwd_db.c), the HTTP
 * sender (fwd_http.c) and the syslog stream (fwd_syslog_net.c). Only forward.c uses them. */
#ifndef C2D_COLLECTOR_FWD_INT_H
#define C2D_COLLECTOR_FWD_INT_H

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>
#include <sqlite3.h>

#include "fwd.h"

#define FWD_RESP_MAX (1 << 20) /* a backend's answer we read, at most */

struct fwd_db {
	sqlite3 *ro; /* events: a reader never holds up the ingest writer (WAL) */
	sqlite3 *rw; /* forward_cursors only: one short write per batch */
	sqlite3_stmt *read, *max, *get, *set;
};

struct fwd_row {
	int64_t seq;
	char *body;
	size_t len;
};

int fwd_db_open(struct fwd_db *d, const char *path, char *err, size_t errlen);
int fwd_db_cursor(struct fwd_db *d, const char *name, int64_t *seq);
int fwd_db_set_cursor(struct fwd_db *d, const char *name, int64_t seq);
int fwd_db_max(struct fwd_db *d, int64_t *max);
/* Up to limit events with seq > after, in seq order; the bodies are the caller's to free. */
int fwd_db_read(struct fwd_db *d, int64_t after, size_t limit, struct fwd_row *rows, size_t *n);
void fwd_db_close(struct fwd_db *d);

struct fwd_http {
	CURL *h;
	struct curl_slist *hdrs;
	char *resp;
	size_t resp_len;
	long retry_after; /* seconds from Retry-After, or -1 */
};

/* The headers of this forwarder (type, auth with token, tenant, channel) and TLS settings. */
int fwd_http_init(struct fwd_http *h, const struct fwd_conf *c, const char *token);
/* POST body to url: the HTTP status, or -ETIMEDOUT / -ECONNREFUSED / -EIO for transport
 * failures. The answer (at most FWD_RESP_MAX bytes) is in h->resp, NUL-terminated. */
long fwd_http_post(struct fwd_http *h, const char *url, const char *body, size_t len);
void fwd_http_free(struct fwd_http *h);

struct fwd_syslog_net {
	CURL *h;
	bool connected;
};

/* Send the frames to tcp://host:port or tls://host:port, connecting if needed. 0 once the
 * kernel has taken every byte, or -errno (the connection is then dropped and redone). */
int fwd_syslog_send(struct fwd_syslog_net *s, const struct fwd_conf *c, const char *buf,
		    size_t len);
void fwd_syslog_close(struct fwd_syslog_net *s);

#endif

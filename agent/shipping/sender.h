/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sender.h - one POST of one batch to the collector (libcurl, one reused connection): bearer
 * token from a file re-read when it changes, TLS verified, the answer read to at most 64 KiB.
 */
#ifndef C2D_SENDER_H
#define C2D_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SENDER_BODY_MAX (64u << 10) /* a longer answer is aborted (RELIABILITY E5) */
#define SENDER_TOKEN_MAX 8192
#define SENDER_CONNECT_MS 5000
#define SENDER_TIMEOUT_MS 30000

struct sender_opts {
	const char *url;	/* http(s)://host:port; /v1/events is appended */
	const char *token_file; /* NULL: no Authorization header */
	const char *ca_file;	/* NULL: the system's CA store */
};

struct send_result {
	long status;		 /* HTTP status; 0: no complete answer */
	uint64_t retry_after_ms; /* from Retry-After, 0 if absent */
	char error[256];	 /* curl's reason when status is 0; never holds the token */
	char body[200];		 /* the start of the answer (for the log of a refusal) */
};

struct sender;

int sender_new(struct sender **out, const struct sender_opts *o);
void sender_free(struct sender *s);

/* POST body (NDJSON, gzip'd if gzip) within timeout_ms. 0 when an answer (any status) came,
 * else -errno with r->error set. */
int sender_post(struct sender *s, const void *body, size_t len, bool gzip, long timeout_ms,
		struct send_result *r);

#endif

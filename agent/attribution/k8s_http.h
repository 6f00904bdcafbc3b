/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * k8s_http.h - one GET against the Kubernetes API, shared by the pod watch (k8s.c) and the
 * GitOps watches (gitops.c): verified TLS with the cluster CA, a bearer token re-read for every
 * request (kubelet rotates projected tokens), bounded bodies, and for a watch each complete
 * line handed to a callback as it arrives. A transfer is cut short once *stop is set.
 */
#ifndef C2D_K8S_HTTP_H
#define C2D_K8S_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "buf.h"

#define K8S_BODY_MAX (16u << 20) /* one list response (a page of it, when paged) */
#define K8S_LINE_MAX (1u << 20)	 /* one watch event */
#define K8S_TIMEOUT_MS 10000

struct k8s_conn {
	char api[256], ca[256], token_file[256];
	const volatile int *stop;
};

/* A watch line: one JSON event, not NUL-terminated. */
typedef void (*k8s_line_fn)(void *arg, const char *line, size_t n);

/* One transfer; a handle cannot be re-entered from its own callback, so a look-up made while
 * a watch line is handled needs a transfer of its own. */
struct k8s_xfer {
	const struct k8s_conn *conn;
	CURL *curl;
	struct buf body; /* the response (NUL-terminated after k8s_get), or the watch line */
	bool too_big;
	k8s_line_fn on_line; /* non-NULL while watching */
	void *line_arg;
};

int k8s_xfer_init(struct k8s_xfer *x, const struct k8s_conn *conn); /* 0 or -ENOMEM */
void k8s_xfer_free(struct k8s_xfer *x);
/*
 * GET conn->api + path. on_line NULL: the body lands in x->body (x->body.len bytes at
 * x->body.p, NUL-terminated), at most K8S_BODY_MAX. on_line set: a watch without a timeout;
 * every complete line goes to on_line(arg, …); returns when the server ends it or *stop is set.
 * The HTTP status, or -errno.
 */
long k8s_get(struct k8s_xfer *x, const char *path, k8s_line_fn on_line, void *arg);

#endif

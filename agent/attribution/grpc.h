/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * grpc.h - unary gRPC calls over HTTP/2 cleartext on a unix socket (containerd, CRI), with
 * libcurl, one easy handle per client. Requests and responses are
 * protobuf bytes (pb.h); the response is bounded; grpc-status comes from the trailers.
 * Blocking, with a timeout: call it from the resolver thread, never the ring-buffer loop.
 */
#ifndef C2D_GRPC_H
#define C2D_GRPC_H

#include <stddef.h>
#include <stdint.h>

#define GRPC_RESPONSE_MAX (4u << 20) /* a container record with its OCI spec fits */

struct grpc_client;

struct grpc_client *grpc_client_new(const char *socket_path, long timeout_ms);
void grpc_client_free(struct grpc_client *c);

/*
 * Call `path` ("/containerd.services.containers.v1.Containers/Get") with the serialized
 * request; `ns` sets the containerd-namespace header (NULL: none). On success returns 0 and
 * points *resp at the message (owned by the client, valid until the next call).
 * Errors: -ECONNREFUSED/-ENOENT (socket), -ETIMEDOUT, -EMSGSIZE (response over the cap),
 * -EPROTO (bad framing), or -(1000 + grpc-status) for a gRPC error (5 NOT_FOUND → -1005).
 */
int grpc_call(struct grpc_client *c, const char *path, const char *ns, const void *req,
	      size_t req_len, const uint8_t **resp, size_t *resp_len);

typedef void (*grpc_msg_fn)(void *ctx, const uint8_t *msg, size_t len);

/*
 * A server-streaming call: every message goes to on_msg as it arrives; returns when the
 * server ends the stream, on an error, or when *stop becomes non-zero (within about a second).
 * No timeout; with stop NULL (a finite stream: a blob read) the client's timeout bounds it.
 * Same errors as grpc_call.
 */
int grpc_stream(struct grpc_client *c, const char *path, const char *ns, const void *req,
		size_t req_len, grpc_msg_fn on_msg, void *ctx, const volatile int *stop);

#define GRPC_ERR(status) (-(1000 + (status)))
#define GRPC_NOT_FOUND 5

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* server_int.h - what server.c (connections, routes) and events.c (POST /v1/events) share. */
#ifndef C2D_COLLECTOR_SERVER_INT_H
#define C2D_COLLECTOR_SERVER_INT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include <microhttpd.h>

#include "buf.h"
#include "gunzip.h"
#include "ingest.h"
#include "server.h"

struct server {
	struct MHD_Daemon *d; /* replaced on a certificate reload */
	int fd;		      /* the listening socket (server_bind), closed by main */
	const struct collector_config *cfg;
	struct store *store;
	struct ch_store *chs; /* NULL: SQLite only */
	struct auth *auth;
	struct collector_stats *stats;
	const struct forward *fwd; /* for /metrics; NULL: no forwarders */
	time_t start_time;
	struct ingest_limits lim;
	atomic_int active; /* requests between first callback and completion */
};

/* One request's state, from the first callback (headers) to MHD's completion notice. */
struct req {
	const struct route *route;
	bool responded;	  /* a response is queued: any more body is discarded */
	struct buf body;  /* identity body, or the gunzip output */
	struct gunzip *gz; /* NULL: identity */
	size_t received;  /* body bytes as sent */
	/* Refused while the body streams in: MHD 0.9.75 cannot queue a response mid-upload, so
	 * the rest is read and dropped (up to a grace, then the connection is closed) and the
	 * answer goes out after the last byte. */
	char node[AUTH_NODE_MAX + 1]; /* the node the ingest token is bound to, or "" */
	unsigned fail_status;
	enum reject_class fail_cls;
	char fail_msg[128];
};

typedef enum MHD_Result (*route_fn)(struct server *s, struct MHD_Connection *c, struct req *r,
				    const char *url, const char *data, size_t *size);

struct route {
	const char *method;
	const char *path;
	bool prefix;	 /* path is a prefix ("/v1/") */
	unsigned role;	 /* the token role it needs (auth.h AUTH_*), 0: none */
	route_fn fn;
};

/* Queue a JSON body {"error": msg}, count the rejection (stats_reject) and mark r. */
enum MHD_Result reply_error(struct server *s, struct MHD_Connection *c, struct req *r,
			    unsigned status, enum reject_class cls, const char *msg);
/* Queue text (copied) with a content type. */
enum MHD_Result reply(struct MHD_Connection *c, struct req *r, unsigned status,
		      const char *type, const char *text);

enum MHD_Result events_route(struct server *s, struct MHD_Connection *c, struct req *r,
			     const char *url, const char *data, size_t *size);
/* GET /ui/<file> and GET / (server_ui.c). */
enum MHD_Result ui_route(struct server *s, struct MHD_Connection *c, struct req *r,
			 const char *url, const char *data, size_t *size);
enum MHD_Result ui_root_route(struct server *s, struct MHD_Connection *c, struct req *r,
			      const char *url, const char *data, size_t *size);
/* nosniff, no referrer, no framing: on every response. */
void server_security_headers(struct MHD_Response *resp);

/* MHD's callbacks (server.c), registered by server_new() (server_listen.c). */
enum MHD_Result server_on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls);
void server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe);
void server_mhd_log(void *cls, const char *fmt, va_list ap);

#endif

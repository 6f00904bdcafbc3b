/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.h - the HTTP side of the collector (libmicrohttpd): routes, auth, limits, and the
 * POST /v1/events pipeline (headers → streamed body with caps → gunzip → batch → store).
 */
#ifndef C2D_COLLECTOR_SERVER_H
#define C2D_COLLECTOR_SERVER_H

#include "auth.h"
#include "ch_store.h"
#include "config.h"
#include "forward.h"
#include "stats.h"
#include "store.h"

struct server;

/* Bind and listen on --listen: first, before the store is touched. The fd, or -errno with err
 * naming the address. */
int server_bind(const struct collector_config *cfg, int *fd, char *err, size_t errlen);
/* Serve on fd (TLS with --tls-cert/--tls-key). chs: the ClickHouse store events go to first
 * and queries read (NULL: the SQLite store only). fwd: the running forwarders, for /metrics
 * (NULL: none). 0 or -errno (-EINVAL: a bad certificate or key) with err set. */
int server_new(const struct collector_config *cfg, int fd, struct store *store,
	       struct ch_store *chs, struct auth *auth, struct collector_stats *stats, const struct forward *fwd,
	       struct server **out, char *err, size_t errlen);
/* SIGHUP: re-read the certificate and key; a pair that does not load keeps the current one.
 * 0 or -EINVAL (logged). */
int server_reload(struct server *s);
/* Stop accepting, wait up to cfg->shutdown_timeout for requests in flight, close. */
void server_free(struct server *s);

#endif

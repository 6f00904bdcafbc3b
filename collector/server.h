/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * server.h - the HTTP side of the collector (libmicrohttpd): routes, auth, limits, and the
 * POST /v1/events pipeline (headers → streamed body with caps → gunzip → batch → store).
 */
#ifndef C2D_COLLECTOR_SERVER_H
#define C2D_COLLECTOR_SERVER_H

#include "auth.h"
#include "config.h"
#include "forward.h"
#include "stats.h"
#include "store.h"

struct server;

/* Listen and serve. fwd: the running forwarders, for /metrics (NULL: none). 0 or -errno
 * (-EINVAL: a bad --listen) with err set. */
int server_new(const struct collector_config *cfg, struct store *store, struct auth *auth,
	       struct collector_stats *stats, const struct forward *fwd, struct server **out,
	       char *err, size_t errlen);
/* Stop accepting, wait up to cfg->shutdown_timeout for requests in flight, close. */
void server_free(struct server *s);

#endif

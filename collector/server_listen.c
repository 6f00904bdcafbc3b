// SPDX-License-Identifier: BSD-2-Clause
/* server_listen.c - parse --listen and start/stop the daemon (server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "listen_addr.h"
#include "log.h"
#include "server_int.h"

int server_new(const struct collector_config *cfg, struct store *store, struct auth *auth,
	       struct collector_stats *stats, const struct forward *fwd, struct server **out,
	       char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	struct server *s;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;

	if (listen_addr_parse(cfg->listen, &ss) < 0) {
		snprintf(err, errlen, "--listen: \"%s\" is not ADDR:PORT", cfg->listen);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct server){.cfg = cfg, .store = store, .auth = auth, .stats = stats, .fwd = fwd,
			     .start_time = time(NULL)};
	s->lim = (struct ingest_limits){cfg->max_events,
					{(int)cfg->max_depth, cfg->max_path, cfg->max_args}};
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s->d = MHD_start_daemon(
		flags, 0, NULL, NULL, server_on_request, s,
		MHD_OPTION_EXTERNAL_LOGGER, server_mhd_log, NULL, /* first, or MHD logs itself */
		MHD_OPTION_SOCK_ADDR, &ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory,
		MHD_OPTION_NOTIFY_COMPLETED, server_on_completed, s, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, errlen, "--listen %s: cannot serve (address in use?)", cfg->listen);
		free(s);
		return -EADDRINUSE;
	}
	*out = s;
	return 0;
}

void server_free(struct server *s)
{
	struct timespec t0, now, pause = {0, 20 * 1000000};

	if (!s)
		return;
	/* stop accepting; requests in flight get shutdown_timeout to finish */
	MHD_quiesce_daemon(s->d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (atomic_load(&s->active) > 0) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= (time_t)s->cfg->shutdown_timeout) {
			log_warn("server: %d requests still in flight at shutdown",
				 atomic_load(&s->active));
			break;
		}
		nanosleep(&pause, NULL);
	}
	MHD_stop_daemon(s->d);
	free(s);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * main.c - c2d-collector: options, store, tokens, HTTP server, maintenance; then wait for
 * SIGTERM/SIGINT and shut down in reverse order (no request is cut off mid-commit).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "forward.h"
#include "log.h"
#include "maint.h"
#include "server.h"
#include "stats.h"
#include "ch_store.h"
#include "store.h"
#include "version.h"

static struct collector_stats stats;

/* Signals are taken by sigwait() in main only: every thread started later inherits the mask. */
static void block_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP); /* reload, not the default's death */
	pthread_sigmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN); /* a client that hangs up is an error return, not a death */
}

static void log_start(const struct collector_config *c)
{
	log_info("collector: listening on %s, db %s; limits: body %" PRIu64 " B, decompressed %"
		 PRIu64 " B, %" PRIu64 " events/batch, depth %" PRIu64 ", path %" PRIu64
		 " B, args %" PRIu64 " B; %" PRIu64 " threads, %" PRIu64 " connections per address, "
		 "timeout %" PRIu64 " s; retention %" PRIu64 " days, %" PRIu64 " B",
		 c->listen, c->db, c->max_body, c->max_decompressed, c->max_events, c->max_depth,
		 c->max_path, c->max_args, c->threads, c->per_ip_connections, c->connection_timeout,
		 c->retention_days, c->retention_bytes);
}

/* The token files of cfg, each with its roles. */
static int auth_open(const struct collector_config *cfg, struct auth **out, char *err,
		     size_t errlen)
{
	const struct {
		const char *path;
		unsigned roles;
	} files[] = {
	    {cfg->token_file, AUTH_INGEST | AUTH_READ},
	    {cfg->ingest_token_file, AUTH_INGEST},
	    {cfg->read_token_file, AUTH_READ},
	};
	struct auth *a = auth_new();
	int ret = 0;

	if (!a)
		return -ENOMEM;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]) && !ret; i++)
		if (files[i].path)
			ret = auth_add_file(a, files[i].path, files[i].roles, err, errlen);
	if (ret < 0) {
		auth_free(a);
		return ret;
	}
	if (cfg->token_file)
		log_info("auth: %s grants both ingest and read: one token for every agent and "
			 "reader (use --ingest-token-file and --read-token-file to separate them)",
			 cfg->token_file);
	*out = a;
	return 0;
}

static int run(const struct collector_config *cfg)
{
	struct store *store = NULL;
	struct ch_store *chs = NULL;
	struct auth *auth = NULL;
	struct server *srv = NULL;
	struct maint *maint = NULL;
	struct forward *fwd = NULL;
	char err[512];
	sigset_t set;
	int sig, ret, fd = -1;

	block_signals(&set);
	/* first: an address in use is reported before the store is opened or migrated */
	if ((ret = server_bind(cfg, &fd, err, sizeof(err))) < 0) {
		log_error("%s", err);
		return ret == -EINVAL ? EXIT_USAGE : 1;
	}
	if ((ret = store_open(cfg->db, &store, err, sizeof(err))) < 0) {
		log_error("store: %s", err);
		close(fd);
		return ret == -EPROTO ? EXIT_CONFIG : 1;
	}
	if (cfg->store_url) {
		struct ch_options o = {.url = cfg->store_url,
				       .user = cfg->store_user,
				       .password_file = cfg->store_password_file,
				       .ca_file = cfg->store_ca};

		if ((ret = ch_store_open(&o, &chs, err, sizeof(err))) < 0) {
			log_error("store: %s", err);
			ret = ret == -EINVAL ? EXIT_CONFIG : 1;
			goto out;
		}
		log_info("store: clickhouse %s: events are queried there; %s is this replica's "
			 "forwarding queue", cfg->store_url, cfg->db);
	}
	if ((ret = auth_open(cfg, &auth, err, sizeof(err))) < 0) {
		log_error("token file: %s", err);
		ret = ret == -ENOMEM ? 1 : EXIT_CONFIG;
		goto out;
	}
	if ((ret = forward_start(cfg->forwarders, cfg->db, &fwd, err, sizeof(err))) < 0) {
		log_error("%s", err);
		ret = ret == -EINVAL ? EXIT_CONFIG : 1;
		goto out;
	}
	if ((ret = server_new(cfg, fd, store, chs, auth, &stats, fwd, &srv, err, sizeof(err))) < 0) {
		log_error("%s", err);
		ret = ret == -EINVAL ? EXIT_CONFIG : 1;
		goto out;
	}
	if ((ret = maint_new(cfg, store, chs, &maint)) < 0) {
		log_error("maintenance thread: %s", strerror(-ret));
		ret = 1;
		goto out;
	}
	log_start(cfg);
	while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
		log_info("collector: SIGHUP: re-reading the token files and the certificate");
		auth_reload(auth);
		server_reload(srv);
	}
	log_info("collector: %s: shutting down", strsignal(sig));
	ret = 0;
out:
	server_free(srv); /* first: /metrics reads the forwarders' counters */
	forward_free(fwd); /* a request in flight is abandoned, not waited for */
	maint_free(maint);
	store_free(store);
	ch_store_free(chs);
	auth_free(auth);
	close(fd);
	stats_log(&stats, "exit");
	return ret;
}

int main(int argc, char **argv)
{
	struct collector_config cfg;
	char err[512];
	int ret;

	ret = config_load(&cfg, argc, argv, err, sizeof(err));
	if (ret < 0) {
		fprintf(stderr, "c2d-collector: %s\n", err);
		config_free(&cfg);
		return ret == -EBADMSG ? EXIT_CONFIG : EXIT_USAGE;
	}
	if (cfg.help || cfg.version) {
		if (cfg.version)
			printf("c2d-collector %s (git %s)\n", C2D_VERSION, C2D_GIT_REV);
		else
			config_usage(stdout, argv[0]);
		config_free(&cfg);
		return fflush(stdout) == 0 ? 0 : 1;
	}
	c2d_log_set_level(cfg.log_level);
	c2d_log_set_format(cfg.log_format);
	ret = run(&cfg);
	config_free(&cfg);
	return ret;
}

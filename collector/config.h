/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h - the collector's settings, one table (name, type, default, bounds, help) on the
 * shared engine (common/opt_table.h) that drives the command line, the config file
 * (`key = value` lines, `#` comments), validation and --help. Every key is accepted in both
 * places; the command line wins over the file.
 */
#ifndef C2D_COLLECTOR_CONFIG_H
#define C2D_COLLECTOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"
#include "opt_table.h"

#define EXIT_USAGE 2
#define EXIT_CONFIG 78 /* EX_CONFIG */

struct fwd_conf;

struct collector_config {
	char *listen;
	char *db;
	char *store_url; /* ClickHouse (ch_store.h), or NULL: SQLite only */
	char *store_user, *store_password_file, *store_ca;
	char *token_file;	 /* both roles */
	char *ingest_token_file; /* POST /v1/events only */
	char *read_token_file;	 /* queries only */
	char *tls_cert, *tls_key; /* HTTPS when set */
	char *config;
	enum c2d_log_level log_level;
	enum c2d_log_format log_format;
	bool help, version;
	uint64_t max_body;	   /* compressed (as sent) request body, bytes */
	uint64_t max_decompressed; /* after gunzip, bytes */
	uint64_t max_events;	   /* per batch */
	uint64_t max_depth;	   /* JSON nesting */
	uint64_t max_path;	   /* file.path bytes */
	uint64_t max_args;	   /* process.args bytes */
	uint64_t retention_days;   /* 0: keep forever */
	uint64_t retention_bytes;  /* 0: no size cap */
	uint64_t retention_interval;
	uint64_t threads;
	uint64_t max_connections;
	uint64_t per_ip_connections;
	uint64_t connection_timeout;
	uint64_t connection_memory;
	uint64_t shutdown_timeout;
	struct fwd_conf *forwarders; /* `forwarder.<name>.<key>` lines (fwd_config.c) */
};

/* Defaults, then --config's file, then the command line. 0, or -EINVAL (command line: exit
 * EXIT_USAGE) / -EBADMSG (config file: exit EXIT_CONFIG) with the offending key in err. */
int config_load(struct collector_config *c, int argc, char **argv, char *err, size_t errlen);
/* Parse config-file text (for tests and config_load). 0 or -EBADMSG. */
int config_parse_text(struct collector_config *c, const char *text, const char *name, char *err,
		      size_t errlen);
void config_defaults(struct collector_config *c);
void config_usage(FILE *f, const char *prog);
void config_free(struct collector_config *c);

/* The table (config.c) that config_load.c runs the command line and --help over. */
extern const struct opt_table config_table;

#endif

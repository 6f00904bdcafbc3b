// SPDX-License-Identifier: BSD-2-Clause
/* config.c - see config.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "forward.h"

#define OFF(f) offsetof(struct collector_config, f)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static const struct opt_def defs[] = {
	OPT_DEF("listen", OPT_STR, OFF(listen), NULL, 0, 0, "ADDR:PORT",
		"address to serve on (required; [v6addr]:port for IPv6)"),
	OPT_DEF("db", OPT_STR, OFF(db), NULL, 0, 0, "FILE",
		"SQLite store, created 0600 (required); with --store, this replica's durable queue "
		"for its forwarders"),
	OPT_DEF("store", OPT_STR, OFF(store_url), NULL, 0, 0, "URL",
		"clickhouse://HOST:PORT/DATABASE (or clickhouses://): keep and query events in "
		"ClickHouse, shared by any number of collector replicas"),
	OPT_DEF("store-user", OPT_STR, OFF(store_user), NULL, 0, 0, "NAME",
		"ClickHouse user (default)"),
	OPT_DEF("store-password-file", OPT_STR, OFF(store_password_file), NULL, 0, 0, "FILE",
		"ClickHouse password, the file's first line"),
	OPT_DEF("store-ca", OPT_STR, OFF(store_ca), NULL, 0, 0, "FILE",
		"CA certificates for clickhouses:// (default: the system's)"),
	OPT_DEF("ingest-token-file", OPT_STR, OFF(ingest_token_file), NULL, 0, 0, "FILE",
		"tokens that may only POST events, one per line (`TOKEN node=NAME`: only that "
		"node's events); re-read when the file changes and on SIGHUP"),
	OPT_DEF("read-token-file", OPT_STR, OFF(read_token_file), NULL, 0, 0, "FILE",
		"tokens that may only query (c2d, the UI), one per line"),
	OPT_DEF("token-file", OPT_STR, OFF(token_file), NULL, 0, 0, "FILE",
		"tokens with both roles (one token for everything: a single-node setup); at least "
		"one of the three token files is required, none readable by every user"),
	OPT_DEF("tls-cert", OPT_STR, OFF(tls_cert), NULL, 0, 0, "FILE",
		"serve HTTPS with this PEM certificate (chain), re-read on SIGHUP"),
	OPT_DEF("tls-key", OPT_STR, OFF(tls_key), NULL, 0, 0, "FILE",
		"the certificate's PEM private key, re-read on SIGHUP"),
	OPT_DEF("config", OPT_STR, OFF(config), NULL, 0, 0, "FILE",
		"`key = value` lines for any option below (the command line wins)"),
	OPT_DEF("log-level", OPT_LOG_LEVEL, OFF(log_level), "info", 0, 0, "LEVEL",
		"error, warn, info or debug"),
	OPT_DEF("log-format", OPT_LOG_FORMAT, OFF(log_format), "text", 0, 0, "FORMAT",
		"text, or json: one {\"time\",\"level\",\"msg\"} object per line"),
	OPT_DEF("max-body", OPT_SIZE, OFF(max_body), "8M", 1024, 1 * GiB, "BYTES",
		"largest request body as sent (compressed); K/M/G suffixes"),
	OPT_DEF("max-decompressed", OPT_SIZE, OFF(max_decompressed), "64M", 1024, 4 * GiB, "BYTES",
		"largest request body after gunzip"),
	OPT_DEF("max-events", OPT_UINT, OFF(max_events), "10000", 1, 1000000, "N",
		"events per batch"),
	OPT_DEF("max-depth", OPT_UINT, OFF(max_depth), "32", 4, 256, "N", "JSON nesting levels"),
	OPT_DEF("max-path", OPT_SIZE, OFF(max_path), "4096", 256, 65536, "BYTES",
		"file.path length"),
	OPT_DEF("max-args", OPT_SIZE, OFF(max_args), "32K", 1024, 1 * MiB, "BYTES",
		"process.args, all strings together"),
	OPT_DEF("retention-days", OPT_UINT, OFF(retention_days), "30", 0, 36500, "DAYS",
		"delete events older than this (0: keep)"),
	OPT_DEF("retention-bytes", OPT_SIZE, OFF(retention_bytes), "0", 0, UINT64_MAX / 2, "BYTES",
		"delete the oldest events while the store is larger (0: no cap)"),
	OPT_DEF("retention-interval", OPT_UINT, OFF(retention_interval), "300", 1, 86400, "SECONDS",
		"how often retention runs"),
	OPT_DEF("threads", OPT_UINT, OFF(threads), "4", 1, 64, "N", "HTTP worker threads"),
	OPT_DEF("max-connections", OPT_UINT, OFF(max_connections), "1024", 1, 65536, "N",
		"open connections in all"),
	OPT_DEF("per-ip-connections", OPT_UINT, OFF(per_ip_connections), "8", 1, 65536, "N",
		"open connections from one address"),
	OPT_DEF("connection-timeout", OPT_UINT, OFF(connection_timeout), "30", 1, 3600, "SECONDS",
		"a connection idle this long (headers or body stalled) is closed"),
	OPT_DEF("connection-memory", OPT_SIZE, OFF(connection_memory), "64K", 16384, 16 * MiB,
		"BYTES", "per-connection memory for request headers"),
	OPT_DEF("shutdown-timeout", OPT_UINT, OFF(shutdown_timeout), "20", 0, 600, "SECONDS",
		"on SIGTERM, wait this long for requests in flight"),
	OPT_DEF("help", OPT_FLAG, OFF(help), NULL, 0, 0, NULL, "show this help"),
	OPT_DEF("version", OPT_FLAG, OFF(version), NULL, 0, 0, NULL,
		"print the version and git revision"),
};

const struct opt_table config_table = OPT_TABLE(defs);

void config_defaults(struct collector_config *c)
{
	memset(c, 0, sizeof(*c));
	opt_defaults(&config_table, c); /* none is a string: nothing to allocate, nothing fails */
}

/* One `key = value` line, trimmed; 0 or -EBADMSG. */
static int config_line(struct collector_config *c, char *line, const char *where, char *err,
		       size_t errlen)
{
	char *eq = strchr(line, '='), *k = line, *v, *e;
	const struct opt_def *d;

	while (*k == ' ' || *k == '\t')
		k++;
	if (!*k || *k == '#')
		return 0;
	if (!eq) {
		snprintf(err, errlen, "%sexpected `key = value`", where);
		return -EBADMSG;
	}
	for (e = eq; e > k && (e[-1] == ' ' || e[-1] == '\t'); e--)
		;
	*e = 0;
	for (v = eq + 1; *v == ' ' || *v == '\t'; v++)
		;
	for (e = v + strlen(v); e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'); e--)
		;
	*e = 0;
	if (strncmp(k, "forwarder.", 10) == 0) { /* a table of their own: fwd_config.c */
		size_t w = strnlen(where, errlen - 1);

		snprintf(err, errlen, "%.*s", (int)w, where);
		return fwd_config_key(&c->forwarders, k, v, err + w, errlen - w) < 0 ? -EBADMSG : 0;
	}
	d = opt_find(&config_table, k);
	if (!d || d->type == OPT_FLAG || strcmp(k, "config") == 0) {
		snprintf(err, errlen, "%sunknown key \"%.64s\"", where, k);
		return -EBADMSG;
	}
	return opt_set(d, c, v, where, err, errlen) < 0 ? -EBADMSG : 0;
}

int config_parse_text(struct collector_config *c, const char *text, const char *name, char *err,
		      size_t errlen)
{
	char *copy = strdup(text), *line, where[300];
	int ret = 0, lineno = 0;

	if (!copy)
		return -ENOMEM;
	/* strsep, not strtok: blank lines must still count for the line numbers */
	for (char *p = copy; (line = strsep(&p, "\n")) && !ret;) {
		snprintf(where, sizeof(where), "%s:%d: ", name, ++lineno);
		ret = config_line(c, line, where, err, errlen);
	}
	free(copy);
	return ret;
}

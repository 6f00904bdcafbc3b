// SPDX-License-Identifier: BSD-2-Clause
/* config.c - see config.h. */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "forward.h"

enum opt_type { OPT_FLAG, OPT_STR, OPT_UINT, OPT_SIZE, OPT_LOGLEVEL, OPT_LOGFORMAT };

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t off;
	const char *def;
	uint64_t min, max;
	const char *arg;
	const char *help;
};

#define OFF(f) offsetof(struct collector_config, f)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static const struct opt_def defs[] = {
	{"listen", OPT_STR, OFF(listen), NULL, 0, 0, "ADDR:PORT",
	 "address to serve on (required; [v6addr]:port for IPv6)"},
	{"db", OPT_STR, OFF(db), NULL, 0, 0, "FILE",
	 "SQLite store, created 0600 (required); with --store, this replica's durable queue for "
	 "its forwarders"},
	{"store", OPT_STR, OFF(store_url), NULL, 0, 0, "URL",
	 "clickhouse://HOST:PORT/DATABASE (or clickhouses://): keep and query events in "
	 "ClickHouse, shared by any number of collector replicas"},
	{"store-user", OPT_STR, OFF(store_user), NULL, 0, 0, "NAME", "ClickHouse user (default)"},
	{"store-password-file", OPT_STR, OFF(store_password_file), NULL, 0, 0, "FILE",
	 "ClickHouse password, the file's first line"},
	{"store-ca", OPT_STR, OFF(store_ca), NULL, 0, 0, "FILE",
	 "CA certificates for clickhouses:// (default: the system's)"},
	{"ingest-token-file", OPT_STR, OFF(ingest_token_file), NULL, 0, 0, "FILE",
	 "tokens that may only POST events, one per line (`TOKEN node=NAME`: only that node's "
	 "events); re-read when the file changes and on SIGHUP"},
	{"read-token-file", OPT_STR, OFF(read_token_file), NULL, 0, 0, "FILE",
	 "tokens that may only query (c2d, the UI), one per line"},
	{"token-file", OPT_STR, OFF(token_file), NULL, 0, 0, "FILE",
	 "tokens with both roles (one token for everything: a single-node setup); at least one "
	 "of the three token files is required, none readable by every user"},
	{"tls-cert", OPT_STR, OFF(tls_cert), NULL, 0, 0, "FILE",
	 "serve HTTPS with this PEM certificate (chain), re-read on SIGHUP"},
	{"tls-key", OPT_STR, OFF(tls_key), NULL, 0, 0, "FILE",
	 "the certificate's PEM private key, re-read on SIGHUP"},
	{"config", OPT_STR, OFF(config), NULL, 0, 0, "FILE",
	 "`key = value` lines for any option below (the command line wins)"},
	{"log-level", OPT_LOGLEVEL, OFF(log_level), "info", 0, 0, "LEVEL",
	 "error, warn, info or debug"},
	{"log-format", OPT_LOGFORMAT, OFF(log_format), "text", 0, 0, "FORMAT",
	 "text, or json: one {\"time\",\"level\",\"msg\"} object per line"},
	{"max-body", OPT_SIZE, OFF(max_body), "8M", 1024, 1 * GiB, "BYTES",
	 "largest request body as sent (compressed); K/M/G suffixes"},
	{"max-decompressed", OPT_SIZE, OFF(max_decompressed), "64M", 1024, 4 * GiB, "BYTES",
	 "largest request body after gunzip"},
	{"max-events", OPT_UINT, OFF(max_events), "10000", 1, 1000000, "N", "events per batch"},
	{"max-depth", OPT_UINT, OFF(max_depth), "32", 4, 256, "N", "JSON nesting levels"},
	{"max-path", OPT_SIZE, OFF(max_path), "4096", 256, 65536, "BYTES", "file.path length"},
	{"max-args", OPT_SIZE, OFF(max_args), "32K", 1024, 1 * MiB, "BYTES",
	 "process.args, all strings together"},
	{"retention-days", OPT_UINT, OFF(retention_days), "30", 0, 36500, "DAYS",
	 "delete events older than this (0: keep)"},
	{"retention-bytes", OPT_SIZE, OFF(retention_bytes), "0", 0, UINT64_MAX / 2, "BYTES",
	 "delete the oldest events while the store is larger (0: no cap)"},
	{"retention-interval", OPT_UINT, OFF(retention_interval), "300", 1, 86400, "SECONDS",
	 "how often retention runs"},
	{"threads", OPT_UINT, OFF(threads), "4", 1, 64, "N", "HTTP worker threads"},
	{"max-connections", OPT_UINT, OFF(max_connections), "1024", 1, 65536, "N",
	 "open connections in all"},
	{"per-ip-connections", OPT_UINT, OFF(per_ip_connections), "8", 1, 65536, "N",
	 "open connections from one address"},
	{"connection-timeout", OPT_UINT, OFF(connection_timeout), "30", 1, 3600, "SECONDS",
	 "a connection idle this long (headers or body stalled) is closed"},
	{"connection-memory", OPT_SIZE, OFF(connection_memory), "64K", 16384, 16 * MiB, "BYTES",
	 "per-connection memory for request headers"},
	{"shutdown-timeout", OPT_UINT, OFF(shutdown_timeout), "20", 0, 600, "SECONDS",
	 "on SIGTERM, wait this long for requests in flight"},
	{"help", OPT_FLAG, OFF(help), NULL, 0, 0, NULL, "show this help"},
	{"version", OPT_FLAG, OFF(version), NULL, 0, 0, NULL, "print the version and git revision"},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

static int parse_uint(const struct opt_def *d, const char *v, uint64_t *out)
{
	char *end;
	uint64_t u, mul = 1;

	errno = 0;
	u = strtoull(v, &end, 10);
	if (errno || end == v || v[0] == '-')
		return -EINVAL;
	if (d->type == OPT_SIZE && *end) {
		const char *sfx = "KMG";
		const char *p = strchr(sfx, *end);

		if (!p || end[1])
			return -EINVAL;
		mul = 1ULL << (10 * (p - sfx + 1));
		end++;
	}
	if (*end || (u && mul > UINT64_MAX / u))
		return -EINVAL;
	u *= mul;
	if (u < d->min || u > d->max)
		return -EINVAL;
	*out = u;
	return 0;
}

static int set_value(struct collector_config *c, const struct opt_def *d, const char *v,
		     const char *where, char *err, size_t errlen)
{
	char *p = (char *)c + d->off;

	switch (d->type) {
	case OPT_FLAG:
		*(bool *)p = true;
		return 0;
	case OPT_STR:
		if (!v || !*v) {
			snprintf(err, errlen, "%s%s: needs a non-empty value", where, d->name);
			return -EINVAL;
		}
		free(*(char **)p);
		*(char **)p = strdup(v);
		return *(char **)p ? 0 : -ENOMEM;
	case OPT_LOGLEVEL:
		if (c2d_log_parse_level(v, (enum c2d_log_level *)p) < 0) {
			snprintf(err, errlen, "%s%s: \"%s\" is not one of error, warn, info, debug",
				 where, d->name, v);
			return -EINVAL;
		}
		return 0;
	case OPT_LOGFORMAT:
		if (c2d_log_parse_format(v, (enum c2d_log_format *)p) < 0) {
			snprintf(err, errlen, "%s%s: \"%s\" is not text or json", where, d->name, v);
			return -EINVAL;
		}
		return 0;
	case OPT_UINT:
	case OPT_SIZE:
		if (parse_uint(d, v, (uint64_t *)p) < 0) {
			snprintf(err, errlen, "%s%s: \"%.64s\" is not a whole number%s in [%" PRIu64
				 ", %" PRIu64 "]", where, d->name, v,
				 d->type == OPT_SIZE ? " (K/M/G)" : "", d->min, d->max);
			return -EINVAL;
		}
		return 0;
	}
	return 0;
}

void config_defaults(struct collector_config *c)
{
	char err[64];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NDEFS; i++)
		if (defs[i].def)
			set_value(c, &defs[i], defs[i].def, "", err, sizeof(err));
}

static const struct opt_def *find_def(const char *name)
{
	for (size_t i = 0; i < NDEFS; i++)
		if (strcmp(defs[i].name, name) == 0)
			return &defs[i];
	return NULL;
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
	d = find_def(k);
	if (!d || d->type == OPT_FLAG || strcmp(k, "config") == 0) {
		snprintf(err, errlen, "%sunknown key \"%.64s\"", where, k);
		return -EBADMSG;
	}
	return set_value(c, d, v, where, err, errlen) < 0 ? -EBADMSG : 0;
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

size_t config_nopts(void)
{
	return NDEFS;
}

void config_opt(size_t i, struct opt_view *v)
{
	*v = (struct opt_view){defs[i].name, defs[i].arg, defs[i].help, defs[i].def,
			       defs[i].type == OPT_FLAG};
}

int config_set(struct collector_config *c, size_t i, const char *v, char *err, size_t errlen)
{
	return set_value(c, &defs[i], v, "--", err, errlen);
}

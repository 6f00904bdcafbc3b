// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_config.c - `forwarder.<name>.<setting> = value` lines (forward.h): one table of settings
 * (name, type, default, bounds) on the engine config.c's runs on (common/opt_table.h), so that
 * FORWARDERS.md, the defaults and the checks cannot drift apart. Here: the per-name sections.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "opt_table.h"

#define O(f) offsetof(struct fwd_conf, f)

static int parse_type(const char *v, void *field)
{
	return fwd_type_parse(v, field);
}

/* "auto" (-1): the type decides (fwd_gzip_on) */
static int parse_auto_bool(const char *v, void *field)
{
	if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "auto"))
		return -EINVAL;
	*(int *)field = !strcmp(v, "auto") ? -1 : !strcmp(v, "true");
	return 0;
}

/* No help or metavar: FORWARDERS.md documents these. */
static const struct opt_def fdefs[] = {
	OPT_DEF("type", OPT_PARSE, O(type), NULL, 0, 0, NULL, NULL, .parse = parse_type,
		.expect = "otlp, loki, elastic, splunk, syslog or webhook"),
	OPT_DEF("url", OPT_STR, O(url), NULL, 0, 0, NULL, NULL),
	OPT_DEF("token_file", OPT_STR, O(token_file), NULL, 0, 0, NULL, NULL),
	OPT_DEF("index", OPT_STR, O(index), NULL, 0, 0, NULL, NULL),
	OPT_DEF("kinds", OPT_STR, O(kinds), NULL, 0, 0, NULL, NULL),
	OPT_DEF("namespaces", OPT_STR, O(namespaces), NULL, 0, 0, NULL, NULL),
	OPT_DEF("min_severity", OPT_ENUM, O(min_severity), "info", 0, 0, NULL, NULL,
		.words = fwd_severities, .expect = "info, low, medium, high or critical"),
	OPT_DEF("batch", OPT_UINT, O(batch), "500", 1, 10000, NULL, NULL),
	OPT_DEF("timeout_ms", OPT_UINT, O(timeout_ms), "10000", 100, 600000, NULL, NULL),
	OPT_DEF("max_payload", OPT_UINT, O(max_payload), "4194304", 4096, 1ULL << 30, NULL, NULL),
	OPT_DEF("tls_ca", OPT_STR, O(tls_ca), NULL, 0, 0, NULL, NULL),
	OPT_DEF("tls_insecure", OPT_BOOL, O(tls_insecure), "false", 0, 0, NULL, NULL),
	OPT_DEF("cluster", OPT_STR, O(cluster), NULL, 0, 0, NULL, NULL),
	OPT_DEF("tenant", OPT_STR, O(tenant), NULL, 0, 0, NULL, NULL),
	OPT_DEF("channel", OPT_STR, O(channel), NULL, 0, 0, NULL, NULL),
	OPT_DEF("ack", OPT_BOOL, O(ack), "false", 0, 0, NULL, NULL),
	OPT_DEF("ack_timeout_ms", OPT_UINT, O(ack_timeout_ms), "30000", 100, 600000, NULL, NULL),
	OPT_DEF("facility", OPT_UINT, O(facility), "16", 0, 23, NULL, NULL),
	OPT_DEF("ndjson", OPT_BOOL, O(ndjson), "false", 0, 0, NULL, NULL),
	OPT_DEF("gzip", OPT_PARSE, O(gzip), "auto", 0, 0, NULL, NULL, .parse = parse_auto_bool,
		.expect = "true, false or auto"),
};

static const struct opt_table ftable = OPT_TABLE(fdefs);

static struct fwd_conf *find_or_add(struct fwd_conf **list, const char *name, size_t n)
{
	struct fwd_conf **pp, *c;

	for (pp = list; *pp; pp = &(*pp)->next)
		if (strlen((*pp)->name) == n && memcmp((*pp)->name, name, n) == 0)
			return *pp;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	memcpy(c->name, name, n);
	opt_defaults(&ftable, c); /* none is a string: nothing to allocate, nothing fails */
	*pp = c;
	return c;
}

static bool valid_name(const char *s, size_t n)
{
	if (!n || n > FWD_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

int fwd_config_key(struct fwd_conf **list, const char *key, const char *val, char *err,
		   size_t errlen)
{
	const char *name = key + strlen("forwarder."), *dot = strchr(name, '.');
	char prefix[sizeof("forwarder.") + FWD_NAME_MAX + 1];
	const struct opt_def *d;
	struct fwd_conf *c;
	int ret;

	if (!dot || !valid_name(name, (size_t)(dot - name))) {
		snprintf(err, errlen, "\"%.64s\": expected forwarder.<name>.<setting> with a name "
			 "of 1-%d [a-z0-9_-]", key, FWD_NAME_MAX);
		return -EINVAL;
	}
	d = opt_find(&ftable, dot + 1);
	if (!d) {
		snprintf(err, errlen, "unknown key \"%.64s\"", key);
		return -EINVAL;
	}
	c = find_or_add(list, name, (size_t)(dot - name));
	if (!c)
		return -ENOMEM;
	/* the engine names the setting after this prefix: the whole key */
	snprintf(prefix, sizeof(prefix), "%.*s", (int)(dot + 1 - key), key);
	ret = opt_set(d, c, val, prefix, err, errlen);
	if (!ret && d->off == O(type))
		c->type_set = true; /* no default type: a forwarder must say which it is */
	return ret;
}

int fwd_config_check(const struct fwd_conf *list, char *err, size_t errlen)
{
	for (const struct fwd_conf *c = list; c; c = c->next) {
		if (!c->type_set || !c->url) {
			snprintf(err, errlen, "forwarder.%s: needs .%s", c->name,
				 !c->type_set ? "type" : "url");
			return -EINVAL;
		}
		if (c->ack && !c->channel) {
			snprintf(err, errlen, "forwarder.%s.ack: needs .channel (a GUID)", c->name);
			return -EINVAL;
		}
		if (c->type == FWD_SYSLOG && strncmp(c->url, "tcp://", 6) &&
		    strncmp(c->url, "tls://", 6)) {
			snprintf(err, errlen, "forwarder.%s.url: syslog needs tcp://HOST:PORT or "
				 "tls://HOST:PORT", c->name);
			return -EINVAL;
		}
		if (c->type == FWD_SYSLOG && c->gzip == 1) {
			snprintf(err, errlen, "forwarder.%s.gzip: syslog frames are not compressed",
				 c->name);
			return -EINVAL;
		}
	}
	return 0;
}

void fwd_config_free(struct fwd_conf *list)
{
	while (list) {
		struct fwd_conf *next = list->next;

		opt_free(&ftable, list);
		free(list);
		list = next;
	}
}

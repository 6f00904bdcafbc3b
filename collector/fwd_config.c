// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_config.c - `forwarder.<name>.<setting> = value` lines (forward.h): one table of settings
 * (name, type, default, bounds), like config.c's, so that FORWARDERS.md, the defaults and the
 * checks cannot drift apart.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"

enum ftype { F_TYPE, F_STR, F_UINT, F_BOOL, F_SEVERITY, F_AUTO_BOOL };

struct fdef {
	const char *name;
	enum ftype type;
	size_t off;
	const char *def;
	uint64_t min, max;
};

#define O(f) offsetof(struct fwd_conf, f)

static const struct fdef fdefs[] = {
	{"type", F_TYPE, O(type), NULL, 0, 0},
	{"url", F_STR, O(url), NULL, 0, 0},
	{"token_file", F_STR, O(token_file), NULL, 0, 0},
	{"index", F_STR, O(index), NULL, 0, 0},
	{"kinds", F_STR, O(kinds), NULL, 0, 0},
	{"namespaces", F_STR, O(namespaces), NULL, 0, 0},
	{"min_severity", F_SEVERITY, O(min_severity), "info", 0, 0},
	{"batch", F_UINT, O(batch), "500", 1, 10000},
	{"timeout_ms", F_UINT, O(timeout_ms), "10000", 100, 600000},
	{"max_payload", F_UINT, O(max_payload), "4194304", 4096, 1ULL << 30},
	{"tls_ca", F_STR, O(tls_ca), NULL, 0, 0},
	{"tls_insecure", F_BOOL, O(tls_insecure), "false", 0, 0},
	{"cluster", F_STR, O(cluster), NULL, 0, 0},
	{"tenant", F_STR, O(tenant), NULL, 0, 0},
	{"channel", F_STR, O(channel), NULL, 0, 0},
	{"ack", F_BOOL, O(ack), "false", 0, 0},
	{"ack_timeout_ms", F_UINT, O(ack_timeout_ms), "30000", 100, 600000},
	{"facility", F_UINT, O(facility), "16", 0, 23},
	{"ndjson", F_BOOL, O(ndjson), "false", 0, 0},
	{"gzip", F_AUTO_BOOL, O(gzip), "auto", 0, 0},
};

#define NFDEFS (sizeof(fdefs) / sizeof(fdefs[0]))

static int set_uint(const struct fdef *d, const char *v, uint64_t *out)
{
	char *end;
	uint64_t u;

	errno = 0;
	u = strtoull(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || u < d->min || u > d->max)
		return -EINVAL;
	*out = u;
	return 0;
}

static int set_one(struct fwd_conf *c, const struct fdef *d, const char *v)
{
	char *p = (char *)c + d->off;

	switch (d->type) {
	case F_TYPE:
		if (fwd_type_parse(v, (enum fwd_type *)p) < 0)
			return -EINVAL;
		c->type_set = true;
		return 0;
	case F_STR:
		if (!*v)
			return -EINVAL;
		free(*(char **)p);
		*(char **)p = strdup(v);
		return *(char **)p ? 0 : -ENOMEM;
	case F_UINT:
		return set_uint(d, v, (uint64_t *)p);
	case F_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return -EINVAL;
		*(bool *)p = strcmp(v, "true") == 0;
		return 0;
	case F_AUTO_BOOL: /* "auto" (-1): the type decides (fwd_gzip_on) */
		if (strcmp(v, "true") && strcmp(v, "false") && strcmp(v, "auto"))
			return -EINVAL;
		*(int *)p = !strcmp(v, "auto") ? -1 : !strcmp(v, "true");
		return 0;
	case F_SEVERITY:
		for (int i = 0; fwd_severities[i]; i++)
			if (strcmp(v, fwd_severities[i]) == 0) {
				*(int *)p = i;
				return 0;
			}
		return -EINVAL;
	}
	return -EINVAL;
}

static const char *const expect[] = {
	[F_TYPE] = "otlp, loki, elastic, splunk, syslog or webhook",
	[F_STR] = "a non-empty string",
	[F_UINT] = "a whole number",
	[F_BOOL] = "true or false",
	[F_SEVERITY] = "info, low, medium, high or critical",
	[F_AUTO_BOOL] = "true, false or auto",
};

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
	for (size_t i = 0; i < NFDEFS; i++)
		if (fdefs[i].def)
			set_one(c, &fdefs[i], fdefs[i].def);
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
	struct fwd_conf *c;

	if (!dot || !valid_name(name, (size_t)(dot - name))) {
		snprintf(err, errlen, "\"%.64s\": expected forwarder.<name>.<setting> with a name "
			 "of 1-%d [a-z0-9_-]", key, FWD_NAME_MAX);
		return -EINVAL;
	}
	for (size_t i = 0; i < NFDEFS; i++) {
		if (strcmp(dot + 1, fdefs[i].name) != 0)
			continue;
		c = find_or_add(list, name, (size_t)(dot - name));
		if (!c)
			return -ENOMEM;
		if (set_one(c, &fdefs[i], val) == 0)
			return 0;
		snprintf(err, errlen, "%.64s: \"%.64s\" is not %s", key, val, expect[fdefs[i].type]);
		if (fdefs[i].type == F_UINT)
			snprintf(err + strlen(err), errlen - strlen(err), " in [%" PRIu64 ", %" PRIu64
				 "]", fdefs[i].min, fdefs[i].max);
		return -EINVAL;
	}
	snprintf(err, errlen, "unknown key \"%.64s\"", key);
	return -EINVAL;
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

		for (size_t i = 0; i < NFDEFS; i++)
			if (fdefs[i].type == F_STR)
				free(*(char **)((char *)list + fdefs[i].off));
		free(list);
		list = next;
	}
}

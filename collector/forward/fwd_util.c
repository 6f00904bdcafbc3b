// SPDX-License-Identifier: BSD-2-Clause
/* fwd_util.c - what every formatter and the engine share (fwd.h): field look-ups, severity
 * mappings and the per-forwarder filter. */
#include <errno.h>
#include <string.h>

#include "fwd.h"
#include "gzip.h"
#include "validate.h"

const char *const fwd_severities[] = {"info", "low", "medium", "high", "critical", NULL};

static const char *const type_names[FWD__N] = {
	[FWD_OTLP] = "otlp",	   [FWD_LOKI] = "loki",	    [FWD_ELASTIC] = "elastic",
	[FWD_SPLUNK] = "splunk", [FWD_SYSLOG] = "syslog", [FWD_WEBHOOK] = "webhook",
};

/* info → INFO, low → WARN, medium → WARN2, high → ERROR, critical → FATAL */
static const int otlp_sev[] = {9, 13, 14, 17, 21};
/* info → informational, low → notice, medium → warning, high → err, critical → crit */
static const int syslog_sev[] = {6, 5, 4, 3, 2};

int fwd_severity_rank(const char *s)
{
	for (int i = 0; s && fwd_severities[i]; i++)
		if (strcmp(s, fwd_severities[i]) == 0)
			return i;
	return 0;
}

int fwd_otlp_severity(int rank)
{
	return rank >= 0 && rank < 5 ? otlp_sev[rank] : 0;
}

int fwd_syslog_severity(int rank)
{
	return rank >= 0 && rank < 5 ? syslog_sev[rank] : 6;
}

const char *fwd_type_name(enum fwd_type t)
{
	return t < FWD__N ? type_names[t] : "?";
}

int fwd_type_parse(const char *s, enum fwd_type *t)
{
	for (int i = 0; i < FWD__N; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*t = (enum fwd_type)i;
			return 0;
		}
	return -EINVAL;
}

const cJSON *fwd_item(const cJSON *ev, const char *path)
{
	char name[64];
	const char *dot;

	while (ev && (dot = strchr(path, '.'))) {
		if ((size_t)(dot - path) >= sizeof(name))
			return NULL;
		memcpy(name, path, (size_t)(dot - path));
		name[dot - path] = 0;
		ev = cJSON_GetObjectItemCaseSensitive(ev, name);
		path = dot + 1;
	}
	return ev ? cJSON_GetObjectItemCaseSensitive(ev, path) : NULL;
}

const char *fwd_str(const cJSON *ev, const char *path)
{
	const cJSON *it = fwd_item(ev, path);

	return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

int64_t fwd_time_ns(const cJSON *ev)
{
	const char *s = fwd_str(ev, "time");
	int64_t t = 0;

	if (!s || parse_time_ns(s, &t) < 0)
		return 0;
	return t;
}

/* Is s one of the comma-separated words of list? */
static bool in_list(const char *list, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s)
		return false;
	for (const char *p = list; *p;) {
		size_t w = strcspn(p, ",");

		if (w == n && memcmp(p, s, n) == 0)
			return true;
		p += w;
		if (*p)
			p++;
	}
	return false;
}

bool fwd_gzip_on(const struct fwd_conf *c)
{
	return c->gzip < 0 ? c->type == FWD_OTLP : c->gzip == 1;
}

long fwd_gzip(const char *in, size_t n, char *out, size_t cap)
{
	/* level 1: telemetry is compressed for the wire, not archived */
	return gzip_compress(in, n, out, cap, 1);
}

bool fwd_filter(const struct fwd_conf *c, const cJSON *ev)
{
	if (c->kinds && !in_list(c->kinds, fwd_str(ev, "kind")))
		return false;
	if (c->namespaces && !in_list(c->namespaces, fwd_str(ev, "k8s.namespace")))
		return false;
	/* agent_gap markers carry no severity of their own and are always worth seeing */
	if (c->min_severity && !fwd_str(ev, "severity"))
		return true;
	return fwd_severity_rank(fwd_str(ev, "severity")) >= c->min_severity;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_syslog.c - RFC 5424 messages with RFC 6587 octet-counting framing (`LEN SP MSG`, the
 * framing that survives newlines in the message; INTEGRATION.md §6.6). One frame per event:
 * PRI from the facility and the event severity, the event time with microseconds, the node as
 * HOSTNAME, the kind as MSGID, the attribution as one SD-ELEMENT, and the event JSON as MSG
 * (no BOM: MSG-ANY, which rsyslog and syslog-ng take as UTF-8 anyway).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fwd.h"

#define HDR_MAX 4096 /* header + structured data of one message */

static const struct {
	const char *name, *path;
} sd_params[] = {
	{"rule", "rule"},
	{"commit", "provenance.commit"},
	{"pipeline_id", "provenance.pipeline_id"},
	{"repository", "provenance.repository"},
	{"namespace", "k8s.namespace"},
	{"workload", "k8s.workload.name"},
	{"pod", "k8s.pod"},
	{"container_id", "container.id"},
	{"image_digest", "container.image.digest"},
};

struct out {
	char *p;
	size_t len, cap;
	bool overflow;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

/* PARAM-VALUE: '"', '\' and ']' escaped with '\' (RFC 5424 §6.3.3). */
static void put_escaped(struct out *o, const char *s)
{
	for (; *s; s++) {
		if (*s == '"' || *s == '\\' || *s == ']')
			put(o, "\\", 1);
		put(o, s, 1);
	}
}

/* HOSTNAME, MSGID: 1*N PRINTUSASCII, else the NILVALUE. */
static void put_token(struct out *o, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] < 33 || s[i] > 126)
			n = 0;
	if (!n || n > max)
		put(o, "-", 1);
	else
		put(o, s, n);
}

static void put_time(struct out *o, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	char ts[64];
	int n;

	gmtime_r(&sec, &tm);
	n = snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ", tm.tm_year + 1900,
		     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     (long)(ns % 1000000000 / 1000));
	put(o, ts, (size_t)n);
}

/* Everything before MSG, into o. */
static void header(const struct fwd_conf *c, struct out *o, const cJSON *ev)
{
	int prival = (int)c->facility * 8 +
		     fwd_syslog_severity(fwd_severity_rank(fwd_str(ev, "severity")));
	char pri[16];

	put(o, pri, (size_t)snprintf(pri, sizeof(pri), "<%d>1 ", prival));
	put_time(o, fwd_time_ns(ev));
	put(o, " ", 1);
	put_token(o, fwd_str(ev, "node.name"), 255);
	put(o, " cloud2dev - ", 13);
	put_token(o, fwd_str(ev, "kind"), 32);
	put(o, " [cloud2dev@32473", 17);
	for (size_t i = 0; i < sizeof(sd_params) / sizeof(sd_params[0]); i++) {
		const char *v = fwd_str(ev, sd_params[i].path);

		if (!v)
			continue;
		put(o, " ", 1);
		put(o, sd_params[i].name, strlen(sd_params[i].name));
		put(o, "=\"", 2);
		put_escaped(o, v);
		put(o, "\"", 1);
	}
	put(o, "] ", 2);
}

static int frame(const struct fwd_conf *c, struct out *o, const struct fwd_event *e)
{
	char hdr[HDR_MAX], len[24];
	struct out h = {hdr, 0, sizeof(hdr), false};
	int n;

	header(c, &h, e->ev);
	if (h.overflow)
		return -ENOSPC;
	n = snprintf(len, sizeof(len), "%zu ", h.len + e->body_len);
	put(o, len, (size_t)n);
	put(o, hdr, h.len);
	put(o, e->body, e->body_len);
	return o->overflow ? -ENOSPC : 0;
}

long fwd_format_syslog(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		       size_t cap)
{
	struct out o = {buf, 0, cap, false};

	for (size_t i = 0; i < n; i++)
		if (frame(c, &o, &e[i]) < 0)
			return -ENOSPC;
	return (long)o.len;
}

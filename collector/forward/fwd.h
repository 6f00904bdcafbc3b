/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fwd.h - the forwarders' shared parts: one forwarder's settings (fwd_config.c fills them from
 * the `forwarder.<name>.<key>` lines of the config file), the event as a formatter sees it, and
 * the pure formatters (fwd_<type>.c), one per backend: a batch in, the request body out, into
 * a caller's bounded buffer, no network. forward.c runs them (FORWARDERS.md).
 */
#ifndef C2D_COLLECTOR_FWD_H
#define C2D_COLLECTOR_FWD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

enum fwd_type { FWD_OTLP, FWD_LOKI, FWD_ELASTIC, FWD_SPLUNK, FWD_SYSLOG, FWD_WEBHOOK, FWD__N };

#define FWD_NAME_MAX 32

struct fwd_conf {
	char name[FWD_NAME_MAX + 1];
	enum fwd_type type;
	bool type_set;
	char *url;
	char *token_file;  /* a secret: read, never logged */
	char *index;	   /* elastic: _index; splunk: index */
	char *kinds;	   /* comma list; NULL: every kind */
	char *namespaces;  /* comma list; NULL: every namespace */
	char *tls_ca;
	char *cluster;	   /* k8s.cluster.name for OTLP, when set */
	char *channel;	   /* splunk: X-Splunk-Request-Channel */
	char *tenant;	   /* loki: X-Scope-OrgID */
	int min_severity;  /* index into fwd_severities */
	uint64_t batch;	   /* events per request */
	uint64_t timeout_ms;
	uint64_t max_payload; /* request body bytes */
	uint64_t facility;    /* syslog */
	uint64_t ack_timeout_ms; /* splunk indexer ack */
	bool ack;	      /* splunk: wait for the indexer ack */
	bool ndjson;	      /* webhook: NDJSON instead of a JSON array */
	bool tls_insecure;    /* skip certificate checks (tests only) */
	int gzip;	      /* request bodies gzip'd: 1, 0, or -1 (auto: OTLP only) */
	struct fwd_conf *next;
};

/* One stored event: its ingest order, the body as stored, and the body parsed. */
struct fwd_event {
	int64_t seq;
	const char *body;
	size_t body_len;
	const cJSON *ev;
};

/* "info" "low" "medium" "high" "critical", in order. */
extern const char *const fwd_severities[];
int fwd_severity_rank(const char *s); /* 0..4, or 0 for unknown/missing */
const char *fwd_type_name(enum fwd_type t);
int fwd_type_parse(const char *s, enum fwd_type *t);

/* The string/number at a dotted path of ev, or NULL. */
const char *fwd_str(const cJSON *ev, const char *path);
const cJSON *fwd_item(const cJSON *ev, const char *path);
/* Event time in ns since the epoch (0 if missing). */
int64_t fwd_time_ns(const cJSON *ev);
/* Are this forwarder's request bodies gzip'd (Content-Encoding: gzip)? */
bool fwd_gzip_on(const struct fwd_conf *c);
/* gzip in[0..n) into out (cap bytes), fast level: the length, or -ENOSPC / -ENOMEM. */
long fwd_gzip(const char *in, size_t n, char *out, size_t cap);

/* Does the forwarder want this event (kinds, namespaces, min_severity)? */
bool fwd_filter(const struct fwd_conf *c, const cJSON *ev);

/* Formatters: the request body for events[0..n), or -ENOSPC if it does not fit in cap. */
long fwd_format_otlp(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		     size_t cap);
long fwd_format_loki(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		     size_t cap);
long fwd_format_elastic(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
			size_t cap);
long fwd_format_splunk(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		       size_t cap);
long fwd_format_syslog(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		       size_t cap);
long fwd_format_webhook(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
			size_t cap);

/* How a backend answered a batch of n events. */
struct fwd_ack {
	size_t done;	  /* events [0, done) are finished (delivered or permanently refused) */
	size_t refused;	  /* of those, permanently refused */
	int refused_status; /* an HTTP status of a refused one, for the log */
	bool retry;	  /* events [done, n) must be sent again */
};

/* An Elasticsearch `_bulk` response for n `create` actions: items with 2xx or 409 (already
 * there) are delivered, 429 and 5xx stop the prefix (sent again), other 4xx are refused.
 * 0, or -EPROTO if the answer does not describe n items. */
int fwd_elastic_parse(const char *resp, size_t len, size_t n, struct fwd_ack *ack);

/* Syslog severity (RFC 5424) and OTLP SeverityNumber for an event severity rank. */
int fwd_syslog_severity(int rank);
int fwd_otlp_severity(int rank);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/* metrics_http.c - /metrics, /healthz and /readyz of the agent (metrics_http.h). */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "listen_addr.h"
#include "log.h"
#include "metrics_http.h"
#include "prom.h"

struct metrics_http {
	struct MHD_Daemon *d;
	pthread_mutex_t lock; /* text, len */
	char *text;
	size_t len;
	atomic_bool ready;
	_Atomic long long beat; /* CLOCK_MONOTONIC seconds of the last publish (or start) */
};

static long long mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *type,
			       const char *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned status, const char *s)
{
	return respond(c, status, "text/plain", s, strlen(s));
}

static enum MHD_Result serve_metrics(struct metrics_http *m, struct MHD_Connection *c)
{
	enum MHD_Result ret;

	pthread_mutex_lock(&m->lock);
	ret = m->len ? respond(c, MHD_HTTP_OK, PROM_CONTENT_TYPE, m->text, m->len)
		     : text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "no metrics yet\n");
	pthread_mutex_unlock(&m->lock);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **state)
{
	struct metrics_http *m = cls;

	if (!*state) { /* headers only so far: a GET has no body to wait for */
		*state = m;
		return MHD_YES;
	}
	if (*size) { /* a body on a GET: refuse it, do not buffer it */
		*size = 0;
		return MHD_YES;
	}
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET only\n");
	if (!strcmp(url, "/metrics"))
		return serve_metrics(m, c);
	if (!strcmp(url, "/healthz"))
		return mono_s() - atomic_load(&m->beat) < METRICS_STALL_S
			       ? text(c, MHD_HTTP_OK, "ok\n")
			       : text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "event loop stalled\n");
	if (!strcmp(url, "/readyz"))
		return atomic_load(&m->ready) ? text(c, MHD_HTTP_OK, "ok\n")
					      : text(c, MHD_HTTP_SERVICE_UNAVAILABLE, "not ready\n");
	return text(c, MHD_HTTP_NOT_FOUND, "not found: /metrics, /healthz, /readyz\n");
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[256];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = 0;
	log_debug("metrics endpoint: %s", line);
}

int metrics_http_start(struct metrics_http **out, const char *addr, char *err, size_t errlen)
{
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG;
	struct sockaddr_storage ss;
	struct metrics_http *m;

	if (listen_addr_parse(addr, &ss) < 0) {
		snprintf(err, errlen, "\"%s\" is not ADDR:PORT", addr);
		return -EINVAL;
	}
	m = calloc(1, sizeof(*m));
	if (!m || !(m->text = malloc(METRICS_TEXT_MAX))) {
		free(m);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&m->lock, NULL);
	atomic_store(&m->beat, mono_s());
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* a scraper or a probe at a time: few connections, little memory, short timeouts */
	m->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, m,
				MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
				MHD_OPTION_SOCK_ADDR, &ss,
				MHD_OPTION_CONNECTION_LIMIT, 16u,
				MHD_OPTION_PER_IP_CONNECTION_LIMIT, 8u,
				MHD_OPTION_CONNECTION_TIMEOUT, 10u,
				MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32u << 10),
				MHD_OPTION_END);
	if (!m->d) {
		snprintf(err, errlen, "cannot listen on %s (address in use?)", addr);
		pthread_mutex_destroy(&m->lock);
		free(m->text);
		free(m);
		return -EADDRINUSE;
	}
	*out = m;
	return 0;
}

void metrics_http_publish(struct metrics_http *m, const char *t, size_t len)
{
	if (len > METRICS_TEXT_MAX)
		len = METRICS_TEXT_MAX; /* the writer never makes more; a guard, not a cut */
	pthread_mutex_lock(&m->lock);
	memcpy(m->text, t, len);
	m->len = len;
	pthread_mutex_unlock(&m->lock);
	atomic_store(&m->beat, mono_s());
}

void metrics_http_set_ready(struct metrics_http *m, bool ready)
{
	atomic_store(&m->ready, ready);
}

void metrics_http_stop(struct metrics_http *m)
{
	if (!m)
		return;
	MHD_stop_daemon(m->d);
	pthread_mutex_destroy(&m->lock);
	free(m->text);
	free(m);
}

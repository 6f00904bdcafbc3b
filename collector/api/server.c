// SPDX-License-Identifier: BSD-2-Clause
/*
 * server.c - the libmicrohttpd daemon (server.h): limits on connections, one route table, the
 * small GET routes; the query routes go to query_dispatch() (query.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "server_int.h"

#include "metrics_export.h"
#include "prom.h"
#include "query.h"
#include "version.h"

enum MHD_Result reply(struct MHD_Connection *c, struct req *r, unsigned status,
		      const char *type, const char *text)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	server_security_headers(resp);
	/* answers hold findings: no cache keeps them */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"cloud2dev\"");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, "5");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	r->responded = true;
	return ret;
}

/* The client's address, for a log line (only a rejection that is logged needs it). */
static void peer_name(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(out, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out,
			  (socklen_t)len);
}

enum MHD_Result reply_error(struct server *s, struct MHD_Connection *c, struct req *r,
			    unsigned status, enum reject_class cls, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	char *text = NULL, peer[64];
	enum MHD_Result ret;

	peer_name(c, peer, sizeof(peer));
	stats_reject(s->stats, cls, peer, msg);
	if (o && cJSON_AddStringToObject(o, "error", msg))
		text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	ret = reply(c, r, status, "application/json", text ? text : "{\"error\":\"?\"}");
	cJSON_free(text);
	return ret;
}

static enum MHD_Result healthz(struct server *s, struct MHD_Connection *c, struct req *r,
			       const char *url, const char *data, size_t *size)
{
	return reply(c, r, MHD_HTTP_OK, "text/plain", "ok\n");
}

static enum MHD_Result readyz(struct server *s, struct MHD_Connection *c, struct req *r,
			      const char *url, const char *data, size_t *size)
{
	if (!store_writable(s->store))
		return reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "store not writable\n");
	if (s->chs && !ch_store_ready(s->chs))
		return reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain",
			     "clickhouse store not answering\n");
	return reply(c, r, MHD_HTTP_OK, "text/plain", "ok\n");
}

#define METRICS_MAX (256u << 10) /* forwarders are a few hundred bytes each */

static enum MHD_Result metrics(struct server *s, struct MHD_Connection *c, struct req *r,
			       const char *url, const char *data, size_t *size)
{
	struct collector_metrics_in in = {.version = C2D_VERSION,
					  .start_time_s = (uint64_t)s->start_time,
					  .stats = s->stats,
					  .forwarders = s->cfg->forwarders,
					  .fwd_stats = s->fwd ? forward_stats : NULL,
					  .fwd = s->fwd,
					  .clickhouse = s->chs != NULL};
	char *text = malloc(METRICS_MAX);
	uint64_t bytes;
	enum MHD_Result ret;

	if (!text)
		return reply(c, r, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", "out of memory\n");
	if (store_used_bytes(s->store, &bytes) == 0)
		in.store_bytes = &bytes;
	collector_metrics_render(text, METRICS_MAX, &in); /* -ENOSPC: the lines that fit */
	ret = reply(c, r, MHD_HTTP_OK, PROM_CONTENT_TYPE, text);
	free(text);
	return ret;
}

static const char *query_param(void *ctx, const char *name)
{
	return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, name);
}

static enum MHD_Result query(struct server *s, struct MHD_Connection *c, struct req *r,
			     const char *url, const char *data, size_t *size)
{
	int status = MHD_HTTP_OK;
	struct query_source src = {.db_path = s->cfg->db,
				   .ch = s->chs ? ch_store_client(s->chs) : NULL};
	cJSON *res = query_dispatch(&src, url, query_param, c, &status);
	char *text = res ? cJSON_PrintUnformatted(res) : NULL;
	enum MHD_Result ret;

	cJSON_Delete(res);
	if (!text)
		return reply(c, r, MHD_HTTP_INTERNAL_SERVER_ERROR, "application/json",
			     "{\"error\":\"out of memory\"}");
	ret = reply(c, r, (unsigned)status, "application/json", text);
	cJSON_free(text);
	return ret;
}

static const struct route routes[] = {
	{"POST", "/v1/events", false, AUTH_INGEST, events_route},
	{"GET", "/healthz", false, 0, healthz},
	{"GET", "/readyz", false, 0, readyz},
	{"GET", "/metrics", false, 0, metrics},
	{"GET", "/v1/", true, AUTH_READ, query},
	{"GET", "/ui/", true, 0, ui_route},
	{"GET", "/", false, 0, ui_root_route},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* The route for url and method; NULL with *status 404 or 405. */
static const struct route *find_route(const char *url, const char *method, unsigned *status)
{
	bool path_known = false;

	for (size_t i = 0; i < NROUTES; i++) {
		const struct route *rt = &routes[i];
		bool match = rt->prefix ? strncmp(url, rt->path, strlen(rt->path)) == 0
					: strcmp(url, rt->path) == 0;

		if (!match)
			continue;
		if (strcmp(method, rt->method) == 0)
			return rt;
		path_known = true;
	}
	*status = path_known ? MHD_HTTP_METHOD_NOT_ALLOWED : MHD_HTTP_NOT_FOUND;
	return NULL;
}

/* The first callback of a request: route, method, token. */
static enum MHD_Result begin(struct server *s, struct MHD_Connection *c, struct req *r,
			     const char *url, const char *method)
{
	unsigned status;
	const char *authz;

	atomic_fetch_add(&s->stats->requests, 1);
	r->route = find_route(url, method, &status);
	if (!r->route)
		return reply_error(s, c, r, status, REJ_ROUTE,
				   status == MHD_HTTP_NOT_FOUND ? "no such route"
								: "method not allowed");
	authz = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	if (!r->route->role)
		return MHD_YES;
	switch (auth_check(s->auth, authz, r->route->role, r->node, sizeof(r->node))) {
	case AUTH_OK:
		return MHD_YES;
	case AUTH_WRONG_ROLE:
		return reply_error(s, c, r, MHD_HTTP_FORBIDDEN, REJ_AUTH,
				   r->route->role == AUTH_INGEST
				       ? "this token may not write events (a read token)"
				       : "this token may not read (an ingest token)");
	default:
		return reply_error(s, c, r, MHD_HTTP_UNAUTHORIZED, REJ_AUTH,
				   authz ? "bad bearer token" : "no bearer token");
	}
}

enum MHD_Result server_on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *data,
				  size_t *size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	enum MHD_Result ret;

	if (!r) {
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->active, 1);
		ret = begin(s, c, r, url, method);
		if (r->responded || ret == MHD_NO)
			return ret;
	}
	if (r->responded) { /* refused already: the rest of the body is not looked at */
		*size = 0;
		return MHD_YES;
	}
	return r->route->fn(s, c, r, url, data, size);
}

void server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *con_cls;

	if (!r)
		return;
	gunzip_free(r->gz);
	buf_free(&r->body);
	free(r);
	*con_cls = NULL;
	atomic_fetch_sub(&s->active, 1);
}

void server_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char line[512];

	vsnprintf(line, sizeof(line), fmt, ap);
	line[strcspn(line, "\n")] = 0;
	log_warn("http: %s", line);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * server_ui.c - GET /ui/<file>: the read-only web UI (collector/ui/, ui_assets.h), and GET /
 * sends a browser there. The files hold no data and need no token; the page asks for a read
 * token and sends it in the Authorization header of its API calls only (never in a URL). A
 * strict Content-Security-Policy: scripts and styles from these files only (no inline script,
 * no eval), connections to this origin only, no framing, no form posts.
 */
#include <string.h>

#include "server_int.h"
#include "ui_assets.h"

#define CSP                                                                                      \
	"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "       \
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

void server_security_headers(struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
}

static enum MHD_Result send_asset(struct MHD_Connection *c, struct req *r,
				  const struct ui_asset *a)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    a->len, (void *)a->data, MHD_RESPMEM_PERSISTENT); /* in the binary: never freed */
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, a->type);
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	server_security_headers(resp);
	ret = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	r->responded = true;
	return ret;
}

enum MHD_Result ui_route(struct server *s, struct MHD_Connection *c, struct req *r,
			 const char *url, const char *data, size_t *size)
{
	const char *name = url + strlen("/ui/");
	struct ui_asset a;

	if (!*name)
		name = "index.html";
	if (!ui_asset_get(name, &a))
		return reply_error(s, c, r, MHD_HTTP_NOT_FOUND, REJ_ROUTE, "no such file");
	return send_asset(c, r, &a);
}

enum MHD_Result ui_root_route(struct server *s, struct MHD_Connection *c, struct req *r,
			      const char *url, const char *data, size_t *size)
{
	struct MHD_Response *resp =
	    MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, "/ui/");
	server_security_headers(resp);
	ret = MHD_queue_response(c, MHD_HTTP_FOUND, resp);
	MHD_destroy_response(resp);
	r->responded = true;
	return ret;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/* http.h - one bounded GET to the collector with libcurl, bearer token from a file. */
#ifndef C2D_CLI_HTTP_H
#define C2D_CLI_HTTP_H

#include <stddef.h>

#define CLI_HTTP_MAX_BODY	   (16u << 20) /* a query answer is bounded by `limit`; past it, refuse */
#define CLI_HTTP_CONNECT_TIMEOUT_S 5
#define CLI_HTTP_TIMEOUT_S	   60
#define CLI_TOKEN_MAX		   4096

struct cli_http_resp {
	long status;
	char *body; /* NUL-terminated, malloc'd */
	size_t len;
};

/* Reads the token (surrounding whitespace trimmed). 0 or -errno (why in err, never the token). */
int cli_read_token(const char *file, char *out, size_t len, char *err, size_t errlen);
/* GET server+path. 0 with resp filled (any HTTP status), or -EIO (connection, TLS, timeout;
 * why in err), -EFBIG (body over CLI_HTTP_MAX_BODY), -ENOMEM. token may be NULL; ca: a CA
 * bundle file the server's certificate must chain to (NULL: the system's). */
int cli_http_get(const char *server, const char *path, const char *token, const char *ca,
		 struct cli_http_resp *resp, char *err, size_t errlen);
void cli_http_resp_free(struct cli_http_resp *resp);

#endif

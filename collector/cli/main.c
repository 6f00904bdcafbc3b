// SPDX-License-Identifier: BSD-2-Clause
/*
 * main.c - c2d: parse (commands.c), GET (http.c), then print the JSON as-is (--json) or as
 * tables (render_*.c). Exit 0 on success, 1 on a server or connection error, 2 on a usage error
 * (ours or, with 400, the server's view of a parameter).
 */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "http.h"

/* One line for a failed request: the server's {"error": ...} where it sent one. */
static int report_status(const struct cli_request *req, const struct cli_http_resp *resp,
			 const cJSON *json)
{
	const char *msg = cli_str(json, "error");

	switch (resp->status) {
	case 401:
		fprintf(stderr, "c2d: %s refused the token (401): %s\n", req->server,
			req->token_file ? "check the token in --token-file / $C2D_TOKEN_FILE"
					: "no --token-file or $C2D_TOKEN_FILE given");
		return 1;
	case 404:
		fprintf(stderr, "c2d: not found (404): %s\n", msg ? msg : req->path);
		return 1;
	case 400:
		fprintf(stderr, "c2d: the collector refused a parameter (400): %s\n",
			msg ? msg : "no reason given");
		return CLI_EXIT_USAGE;
	default:
		fprintf(stderr, "c2d: %s answered %ld%s%s\n", req->server, resp->status,
			msg ? ": " : "", msg ? msg : "");
		return 1;
	}
}

static int show(const struct cli_request *req, const cJSON *json)
{
	char *s;

	if (!req->json) {
		if (req->render(json, stdout) == 0)
			return 0;
		fprintf(stderr, "c2d: unexpected answer from %s for %s\n", req->server,
			req->command);
		return 1;
	}
	s = cJSON_Print(json);
	if (!s)
		return 1;
	puts(s);
	free(s);
	return 0;
}

static int run(const struct cli_request *req, const char *token)
{
	struct cli_http_resp resp;
	char err[512];
	cJSON *json;
	int rc;

	if (cli_http_get(req->server, req->path, token, &resp, err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d: %s\n", err[0] ? err : "out of memory");
		return 1;
	}
	json = resp.body ? cJSON_ParseWithLength(resp.body, resp.len) : NULL;
	if (resp.status != 200)
		rc = report_status(req, &resp, json);
	else if (!json)
		rc = (fprintf(stderr, "c2d: %s answered with something that is not JSON\n",
			      req->server),
		      1);
	else
		rc = show(req, json);
	cJSON_Delete(json);
	cli_http_resp_free(&resp);
	return rc;
}

int main(int argc, char **argv)
{
	struct cli_request req;
	char err[512], token[CLI_TOKEN_MAX];
	int rc;

	/* display widths of what the collector sends (UTF-8), whatever the user's locale; without
	 * it every non-ASCII character is escaped, which is safe too */
	setlocale(LC_CTYPE, "C.UTF-8");
	if (cli_parse(argc, argv, &req, err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d: %s\n\n", err);
		cli_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	if (req.help) {
		cli_usage(stdout);
		return 0;
	}
	if (req.token_file &&
	    cli_read_token(req.token_file, token, sizeof(token), err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d: %s\n", err);
		return 1;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "c2d: libcurl initialisation failed\n");
		return 1;
	}
	rc = run(&req, req.token_file ? token : NULL);
	explicit_bzero(token, sizeof(token));
	curl_global_cleanup();
	return rc;
}

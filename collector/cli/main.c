// SPDX-License-Identifier: BSD-2-Clause
/*
 * main.c - c2d: parse (commands.c), GET (http.c), then print the answer as a table for people
 * (render_*.c), the server's JSON, or one JSON object per line. Exit status: cli.h CLI_EXIT_*.
 */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "cli.h"
#include "http.h"
#include "version.h"

#define MAX_PAGES 100000 /* --all: 100 M findings at 1000 a page; a loop guard, not a limit */

/* One line for a failed request: the server's {"error": ...} where it sent one. */
static int report_status(const struct cli_request *req, const struct cli_http_resp *resp,
			 const cJSON *json)
{
	const char *msg = cli_str(json, "error");

	switch (resp->status) {
	case 401:
	case 403:
		fprintf(stderr, "c2d: %s refused the token (%ld): %s\n", req->server, resp->status,
			req->token_file ? "check the token in --token-file / $C2D_TOKEN_FILE"
					: "no --token-file or $C2D_TOKEN_FILE given");
		return CLI_EXIT_SERVER;
	case 404:
		fprintf(stderr, "c2d: not found (404): %s\n", msg ? msg : req->path);
		return CLI_EXIT_NONE;
	case 400:
		fprintf(stderr, "c2d: the collector refused a parameter (400): %s\n",
			msg ? msg : "no reason given");
		return CLI_EXIT_USAGE;
	default:
		fprintf(stderr, "c2d: %s answered %ld%s%s\n", req->server, resp->status,
			msg ? ": " : "", msg ? msg : "");
		return CLI_EXIT_SERVER;
	}
}

/* GET path; *json is the parsed answer on CLI_EXIT_OK. */
static int fetch(const struct cli_request *req, const char *path, const char *token, cJSON **json)
{
	struct cli_http_resp resp;
	char err[512];
	int rc = CLI_EXIT_OK;

	*json = NULL;
	if (cli_http_get(req->server, path, token, req->ca_file, &resp, err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d: %s\n", err[0] ? err : "out of memory");
		return CLI_EXIT_SERVER;
	}
	*json = resp.body ? cJSON_ParseWithLength(resp.body, resp.len) : NULL;
	if (resp.status != 200) {
		rc = report_status(req, &resp, *json);
	} else if (!*json) {
		fprintf(stderr, "c2d: %s answered with something that is not JSON\n", req->server);
		rc = CLI_EXIT_SERVER;
	}
	if (rc != CLI_EXIT_OK) {
		cJSON_Delete(*json);
		*json = NULL;
	}
	cli_http_resp_free(&resp);
	return rc;
}

/* --all: the following pages' findings appended to the first answer's array. */
static int fetch_rest(const struct cli_request *req, const char *token, cJSON *first)
{
	cJSON *items = cJSON_GetObjectItemCaseSensitive(first, req->items);

	for (int page = 0; page < MAX_PAGES; page++) {
		const char *next = cli_str(first, "next");
		char path[CLI_PATH_MAX];
		cJSON *json, *it;
		int rc;

		if (!next)
			return CLI_EXIT_OK;
		snprintf(path, sizeof(path), "%s", req->path);
		if (cli_path_append(path, sizeof(path), strchr(path, '?') ? "&cursor=" : "?cursor=",
				    next) < 0)
			return CLI_EXIT_USAGE;
		rc = fetch(req, path, token, &json);
		if (rc)
			return rc;
		while ((it = cJSON_DetachItemFromArray(
			    cJSON_GetObjectItemCaseSensitive(json, req->items), 0)) != NULL)
			cJSON_AddItemToArray(items, it);
		/* the merged answer says what the last page said of what follows */
		it = cJSON_DetachItemFromObjectCaseSensitive(json, "next");
		cJSON_DeleteItemFromObjectCaseSensitive(first, "next");
		if (it)
			cJSON_AddItemToObject(first, "next", it);
		cJSON_ReplaceItemInObjectCaseSensitive(first, "count",
						       cJSON_CreateNumber(cJSON_GetArraySize(items)));
		cJSON_ReplaceItemInObjectCaseSensitive(first, "truncated", cJSON_CreateBool(it != NULL));
		cJSON_Delete(json);
	}
	return CLI_EXIT_OK;
}

static int print_json(const cJSON *json, bool pretty)
{
	char *s = pretty ? cJSON_Print(json) : cJSON_PrintUnformatted(json);
	int rc;

	if (!s)
		return -ENOMEM;
	rc = puts(s) == EOF ? -EIO : 0;
	free(s);
	return rc;
}

static int show(const struct cli_request *req, const cJSON *json)
{
	const cJSON *items = req->items ? cJSON_GetObjectItemCaseSensitive(json, req->items) : NULL;
	const cJSON *it;

	switch (req->output) {
	case CLI_OUT_JSON:
		return print_json(json, true);
	case CLI_OUT_NDJSON:
		if (!cJSON_IsArray(items))
			return print_json(json, false);
		cJSON_ArrayForEach(it, items) if (print_json(it, false) < 0) return -EIO;
		return 0;
	default:
		if (req->render(json, stdout) == 0)
			return 0;
		fprintf(stderr, "c2d: unexpected answer from %s for %s\n", req->server,
			req->command);
		return -EINVAL;
	}
}

/* "showing 100 of 3,011" on stderr when a page is not everything. */
static void paging_note(const struct cli_request *req, const cJSON *json)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(json, req->items);
	const cJSON *total = cJSON_GetObjectItemCaseSensitive(json, "total");
	char tb[32];
	long long t;
	int len;

	if (!cli_str(json, "next") || !cJSON_IsNumber(total))
		return;
	t = (long long)total->valuedouble;
	len = snprintf(tb, sizeof(tb), "%lld", t);
	for (int i = 0; i < len; i++) { /* thousands separators, whatever the locale */
		if (i && (len - i) % 3 == 0)
			fputc(',', stderr);
		fputc(tb[i], stderr);
	}
	fprintf(stderr, " findings match; showing %d (all: --all; next page: --cursor %s)\n",
		cJSON_GetArraySize(items), cli_str(json, "next"));
}

static int run(const struct cli_request *req, const char *token)
{
	cJSON *json;
	int rc = fetch(req, req->path, token, &json);

	if (rc == CLI_EXIT_OK && req->all)
		rc = fetch_rest(req, token, json);
	if (rc == CLI_EXIT_OK) {
		const cJSON *items = req->items ? cJSON_GetObjectItem(json, req->items) : NULL;

		if (show(req, json) < 0)
			rc = ferror(stdout) ? CLI_EXIT_OUTPUT : CLI_EXIT_SERVER;
		else if (req->items && !strcmp(req->items, "findings") &&
			 cJSON_GetArraySize(items) == 0)
			rc = CLI_EXIT_NONE; /* like grep: nothing found */
		if (req->output != CLI_OUT_JSON && req->output != CLI_OUT_NDJSON && req->items &&
		    !strcmp(req->items, "findings"))
			paging_note(req, json);
	}
	cJSON_Delete(json);
	return rc;
}

/* Everything written reached stdout: a full disk or closed pipe is an error, not a success. */
static int flush_stdout(int rc)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "c2d: writing the output failed: %s\n", strerror(errno));
		return CLI_EXIT_OUTPUT;
	}
	return rc;
}

static int local(const struct cli_request *req)
{
	if (req->version)
		printf("c2d %s (git %s)\n", C2D_VERSION, C2D_GIT_REV);
	else if (req->completion)
		cli_completion(stdout, req->completion);
	else if (req->help_for)
		cli_command_help(stdout, req->help_for);
	else
		cli_usage(stdout);
	return flush_stdout(CLI_EXIT_OK);
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
		fprintf(stderr, "c2d: %s\nrun 'c2d help' for the commands and flags\n", err);
		return CLI_EXIT_USAGE;
	}
	if (req.help || req.version || req.completion)
		return local(&req);
	if (req.token_file &&
	    cli_read_token(req.token_file, token, sizeof(token), err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d: %s\n", err);
		return CLI_EXIT_SERVER;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT)) {
		fprintf(stderr, "c2d: libcurl initialisation failed\n");
		return CLI_EXIT_SERVER;
	}
	rc = run(&req, req.token_file ? token : NULL);
	explicit_bzero(token, sizeof(token));
	curl_global_cleanup();
	return flush_stdout(rc);
}

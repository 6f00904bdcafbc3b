// SPDX-License-Identifier: BSD-2-Clause
/*
 * commands.c - the command table: each command's options, the API route they become and the
 * renderer of the answer. Options map one to one onto query parameters, so the CLI never
 * knows more about a query than its name.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTS 8

struct cmd_opt {
	const char *name; /* --name VALUE, sent as name=VALUE */
	bool required;
	const char *arg;
};

static const struct command {
	const char *name;
	const char *route;
	const char *positional; /* an argument appended to the route ("/v1/trace/<id>"), or NULL */
	struct cmd_opt opts[MAX_OPTS];
	cli_render_fn render;
	const char *help;
} commands[] = {
    {"findings",
     "/v1/findings",
     NULL,
     {{"namespace", false, "N"},
      {"workload", false, "W"},
      {"kind", false, "K"},
      {"rule", false, "R"},
      {"commit", false, "C"},
      {"pipeline", false, "P"},
      {"since", false, "S"},
      {"limit", false, "N"}},
     cli_render_findings,
     "findings, newest first (S: RFC 3339 or 30m, 1h, 7d)"},
    {"trace",
     "/v1/trace/",
     "EVENT_ID",
     {{NULL}},
     cli_render_trace,
     "one event's chain: process, container, pod, workload, image, commit, pipeline, links"},
    {"introduced",
     "/v1/introduced",
     NULL,
     {{"workload", true, "NAMESPACE/NAME"}, {"limit", false, "N"}},
     cli_render_introduced,
     "which revision of a workload introduced each behaviour"},
    {"origins",
     "/v1/origins",
     NULL,
     {{"by", true, "commit|pipeline|repository"},
      {"namespace", false, "N"},
      {"since", false, "S"},
      {"limit", false, "N"}},
     cli_render_origins,
     "findings grouped by commit, pipeline or repository"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_url_escape(const char *s, char *out, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || strchr("-._~", c);

		if (n + (plain ? 1 : 3) >= len)
			return -ENOSPC;
		if (plain) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = 0;
	return 0;
}

static int append(struct cli_request *req, const char *prefix, const char *value)
{
	size_t n = strlen(req->path);
	char esc[CLI_PATH_MAX];

	if (cli_url_escape(value, esc, sizeof(esc)) < 0 ||
	    (size_t)snprintf(req->path + n, sizeof(req->path) - n, "%s%s", prefix, esc) >=
		sizeof(req->path) - n)
		return -ENOSPC;
	return 0;
}

/* "--name" or "--name=value" against the command's options; the value may be the next arg. */
static const struct cmd_opt *match_opt(const struct command *c, const char *arg, const char **inl)
{
	size_t n = strcspn(arg + 2, "=");

	*inl = arg[2 + n] == '=' ? arg + 3 + n : NULL;
	for (int i = 0; i < MAX_OPTS && c->opts[i].name; i++)
		if (strlen(c->opts[i].name) == n && !strncmp(arg + 2, c->opts[i].name, n))
			return &c->opts[i];
	return NULL;
}

static int take_value(char **argv, int argc, int *i, const char *name, const char *inl,
		      const char **v, char *err, size_t errlen)
{
	*v = inl ? inl : *i + 1 < argc ? argv[++*i] : NULL;
	if (!*v || !**v || (!inl && !strncmp(*v, "--", 2))) {
		snprintf(err, errlen, "--%s: needs a value", name);
		return -EINVAL;
	}
	return 0;
}

static int parse_command(const struct command *c, int argc, char **argv, struct cli_request *req,
			 char *err, size_t errlen)
{
	const char *given[MAX_OPTS] = {0}, *pos = NULL, *inl, *v;
	const struct cmd_opt *o;
	int nq = 0;

	for (int i = 0; i < argc; i++) {
		if (strncmp(argv[i], "--", 2)) {
			if (!c->positional || pos) {
				snprintf(err, errlen, "%s: unexpected argument \"%s\"", c->name,
					 argv[i]);
				return -EINVAL;
			}
			pos = argv[i];
			continue;
		}
		o = match_opt(c, argv[i], &inl);
		if (!o) {
			snprintf(err, errlen, "%s: unknown option \"%s\"", c->name, argv[i]);
			return -EINVAL;
		}
		if (take_value(argv, argc, &i, o->name, inl, &v, err, errlen) < 0)
			return -EINVAL;
		given[o - c->opts] = v;
	}
	if (c->positional && !pos) {
		snprintf(err, errlen, "%s: needs %s", c->name, c->positional);
		return -EINVAL;
	}
	snprintf(req->path, sizeof(req->path), "%s", c->route);
	if (pos && append(req, "", pos) < 0)
		goto too_long;
	for (int i = 0; i < MAX_OPTS && c->opts[i].name; i++) {
		char key[64];

		if (!given[i] && c->opts[i].required) {
			snprintf(err, errlen, "%s: --%s %s is required", c->name, c->opts[i].name,
				 c->opts[i].arg);
			return -EINVAL;
		}
		if (!given[i])
			continue;
		snprintf(key, sizeof(key), "%c%s=", nq++ ? '&' : '?', c->opts[i].name);
		if (append(req, key, given[i]) < 0)
			goto too_long;
	}
	req->render = c->render;
	return 0;
too_long:
	snprintf(err, errlen, "%s: arguments too long", c->name);
	return -EINVAL;
}

static int parse_global(int argc, char **argv, int *i, struct cli_request *req, char *err,
			size_t errlen)
{
	const char *a = argv[*i], *eq = strchr(a, '='), *v;
	size_t n = eq ? (size_t)(eq - a) : strlen(a);

	if (!strcmp(a, "--json")) {
		req->json = true;
		return 0;
	}
	if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
		req->help = true;
		return 0;
	}
	if ((n == 8 && !strncmp(a, "--server", n)) || (n == 12 && !strncmp(a, "--token-file", n))) {
		if (take_value(argv, argc, i, a + 2, eq ? eq + 1 : NULL, &v, err, errlen) < 0)
			return -EINVAL;
		if (n == 8)
			req->server = v;
		else
			req->token_file = v;
		return 0;
	}
	snprintf(err, errlen, "unknown option \"%s\"", a);
	return -EINVAL;
}

int cli_parse(int argc, char **argv, struct cli_request *req, char *err, size_t errlen)
{
	const char *env_server = getenv("C2D_SERVER"), *env_token = getenv("C2D_TOKEN_FILE");
	int i;

	memset(req, 0, sizeof(*req));
	req->server = env_server && *env_server ? env_server : CLI_DEFAULT_SERVER;
	req->token_file = env_token && *env_token ? env_token : NULL;
	for (i = 1; i < argc && !strncmp(argv[i], "-", 1); i++)
		if (parse_global(argc, argv, &i, req, err, errlen) < 0)
			return -EINVAL;
	if (req->help)
		return 0;
	if (i == argc) {
		snprintf(err, errlen, "no command");
		return -EINVAL;
	}
	req->command = argv[i];
	for (size_t c = 0; c < NCOMMANDS; c++)
		if (!strcmp(argv[i], commands[c].name))
			return parse_command(&commands[c], argc - i - 1, argv + i + 1, req, err,
					     errlen);
	snprintf(err, errlen, "unknown command \"%s\"", argv[i]);
	return -EINVAL;
}

void cli_usage(FILE *f)
{
	fprintf(f,
		"usage: c2d [--server URL] [--token-file FILE] [--json] COMMAND ...\n\n"
		"Queries a cloud2dev collector: which commit, pipeline and deploy a runtime\n"
		"finding comes from.\n\n"
		"  --server URL        collector (default: $C2D_SERVER, else %s)\n"
		"  --token-file FILE   bearer token for the API (default: $C2D_TOKEN_FILE)\n"
		"  --json              print the server's JSON instead of tables\n\n"
		"commands:\n",
		CLI_DEFAULT_SERVER);
	for (size_t c = 0; c < NCOMMANDS; c++) {
		const struct command *cmd = &commands[c];

		int col = fprintf(f, "  %s", cmd->name);

		if (cmd->positional)
			col += fprintf(f, " %s", cmd->positional);
		for (int i = 0; i < MAX_OPTS && cmd->opts[i].name; i++) {
			char o[96];

			snprintf(o, sizeof(o), cmd->opts[i].required ? " --%s %s" : " [--%s %s]",
				 cmd->opts[i].name, cmd->opts[i].arg);
			if (col + (int)strlen(o) > 80) /* wrap under the command name */
				col = fprintf(f, "\n   ");
			col += fprintf(f, "%s", o);
		}
		fprintf(f, "\n      %s\n", cmd->help);
	}
}

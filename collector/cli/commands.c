// SPDX-License-Identifier: BSD-2-Clause
/*
 * commands.c - the command table and the command line: each command's options, the API route
 * they become and the renderer of the answer. Options map one to one onto query parameters, so
 * the CLI never knows more about a query than its name.
 *
 * Parsed with getopt_long like kubectl or gh users expect: global and command flags before or
 * after the command, `--flag value` or `--flag=value`, unambiguous prefixes, `--` to end the
 * flags. A flag that exists for another command only is a usage error naming the command.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Every query parameter some command takes; a command lists the ones it accepts. */
static const char *const params[] = {"namespace", "workload", "kind", "rule", "commit", "pipeline",
				     "since",	  "limit",    "by",   "cursor", "from",	  "to",
				     "image"};
#define NPARAMS (sizeof(params) / sizeof(params[0]))
#define MAX_OPTS 10

struct cmd_opt {
	const char *name; /* --name VALUE, sent as name=VALUE */
	bool required;
	const char *arg;
};

struct command {
	const char *name;
	const char *route;
	const char *positional; /* an argument appended to the route ("/v1/trace/<id>"), or NULL */
	/* or optional arguments that stand for these options, in order (`diff [FROM] [TO]`) */
	const char *pos_opts[2];
	struct cmd_opt opts[MAX_OPTS];
	cli_render_fn render, render_wide;
	const char *items;	/* the array member of the answer: -o ndjson lines, --all pages */
	const char *help;
};

static const struct command commands[] = {
    {"findings",
     "/v1/findings",
     NULL,
     {NULL},
     {{"namespace", false, "N"},
      {"workload", false, "W"},
      {"kind", false, "K"},
      {"rule", false, "R"},
      {"commit", false, "C"},
      {"pipeline", false, "P"},
      {"image", false, "DIGEST"},
      {"since", false, "S"},
      {"limit", false, "N"},
      {"cursor", false, "NEXT"}},
     cli_render_findings,
     cli_render_findings_wide,
     "findings",
     "findings, newest first. S: RFC 3339 or a duration back from now (30s, 30m, 1h, 7d, 1w);\n"
     "W: NAME or NAMESPACE/NAME; C: a commit or a prefix of at least 4 hex digits; DIGEST: an\n"
     "image digest (sha256:…). A page holds --limit findings (default 100, at most 1000);\n"
     "--all follows every page, --cursor NEXT starts after a page whose JSON said \"next\"."},
    {"trace",
     "/v1/trace/",
     "EVENT_ID",
     {NULL},
     {{NULL}},
     cli_render_trace,
     NULL,
     NULL,
     "one event's chain: what was touched and how, process, container, pod, workload, image,\n"
     "commit, pipeline, deploy, links to the forge and the CI"},
    {"introduced",
     "/v1/introduced",
     NULL,
     {NULL},
     {{"workload", true, "NAMESPACE/NAME"}, {"limit", false, "N"}},
     cli_render_introduced,
     NULL,
     "behaviours",
     "which revision of a workload introduced (or reintroduced) each behaviour"},
    {"origins",
     "/v1/origins",
     NULL,
     {NULL},
     {{"by", true, "commit|pipeline|repository"},
      {"namespace", false, "N"},
      {"since", false, "S"},
      {"limit", false, "N"}},
     cli_render_origins,
     NULL,
     "origins",
     "findings grouped by commit, pipeline or repository, largest first"},
    {"exposures",
     "/v1/exposures",
     NULL,
     {NULL},
     {{"workload", false, "NAMESPACE/NAME"}, {"limit", false, "N"}},
     cli_render_exposures,
     NULL,
     "exposures",
     "the secrets containers were started with, one per fingerprint (never the value): the\n"
     "names it was seen under, where it came from, every workload it is in, the first commit\n"
     "and pipeline that carried it; with --workload, the secrets of that workload"},
    {"diff",
     "/v1/diff",
     NULL,
     {"from", "to"},
     {{"workload", true, "NAMESPACE/NAME"}, {"from", false, "A"}, {"to", false, "B"}},
     cli_render_diff,
     NULL,
     NULL,
     "what changed between two revisions of a workload (default: the last two it ran):\n"
     "behaviours and exposures added and removed, the identities its containers ran with\n"
     "(service account, cloud role, privileges), the deploy commits. A and B: revisions\n"
     "(commit or image digest) or prefixes of at least 4 characters; c2d diff --workload W A B"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const struct command *find_command(const char *name)
{
	for (size_t c = 0; c < NCOMMANDS; c++)
		if (!strcmp(name, commands[c].name))
			return &commands[c];
	return NULL;
}

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

int cli_path_append(char *path, size_t size, const char *prefix, const char *value)
{
	size_t n = strlen(path);
	char esc[CLI_PATH_MAX];

	if (cli_url_escape(value, esc, sizeof(esc)) < 0 ||
	    (size_t)snprintf(path + n, size - n, "%s%s", prefix, esc) >= size - n)
		return -ENOSPC;
	return 0;
}

enum {
	OPT_SERVER = 256,
	OPT_TOKEN_FILE,
	OPT_CA,
	OPT_JSON,
	OPT_VERSION,
	OPT_ALL,
	OPT_PARAM, /* OPT_PARAM + i: params[i] */
};

static const struct option global_opts[] = {
    {"server", required_argument, NULL, OPT_SERVER},
    {"token-file", required_argument, NULL, OPT_TOKEN_FILE},
    {"ca", required_argument, NULL, OPT_CA},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"all", no_argument, NULL, OPT_ALL},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, OPT_VERSION},
};
#define NGLOBAL (sizeof(global_opts) / sizeof(global_opts[0]))

static int parse_output(const char *v, struct cli_request *req, char *err, size_t errlen)
{
	static const char *const names[] = {"table", "wide", "json", "ndjson"};

	for (int i = 0; i < 4; i++)
		if (!strcmp(v, names[i])) {
			req->output = (enum cli_output)i;
			return 0;
		}
	snprintf(err, errlen, "-o: \"%s\" is not one of table, wide, json, ndjson", v);
	return -EINVAL;
}

/* A flag's value: present, not empty, not the next flag (`--namespace --kind x`). */
static int check_value(const char *name, const char *v, char *err, size_t errlen)
{
	if (!v || !*v || !strncmp(v, "--", 2)) {
		snprintf(err, errlen, "--%s: needs a value", name);
		return -EINVAL;
	}
	return 0;
}

/* The flags of one getopt_long pass into req and given[] (values by params index). */
static int parse_flags(int argc, char **argv, struct cli_request *req, const char **given,
		       char *err, size_t errlen)
{
	struct option opts[NGLOBAL + NPARAMS + 1];
	int c, li = -1;

	memcpy(opts, global_opts, sizeof(global_opts));
	for (size_t i = 0; i < NPARAMS; i++)
		opts[NGLOBAL + i] = (struct option){params[i], required_argument, NULL,
						    OPT_PARAM + (int)i};
	memset(&opts[NGLOBAL + NPARAMS], 0, sizeof(opts[0]));
	optind = 0; /* GNU: start over (and permute: flags may follow the command) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, &li)) != -1) {
		const char *name = li >= 0 ? opts[li].name : "o";

		switch (c) {
		case 'h':
			req->help = true;
			break;
		case 'o':
			if (check_value("output", optarg, err, errlen) < 0 ||
			    parse_output(optarg, req, err, errlen) < 0)
				return -EINVAL;
			break;
		case OPT_JSON:
			req->output = CLI_OUT_JSON;
			break;
		case OPT_VERSION:
			req->version = true;
			break;
		case OPT_ALL:
			req->all = true;
			break;
		case OPT_SERVER:
		case OPT_TOKEN_FILE:
		case OPT_CA:
			if (check_value(name, optarg, err, errlen) < 0)
				return -EINVAL;
			*(c == OPT_SERVER ? &req->server
			  : c == OPT_CA	  ? &req->ca_file
					  : &req->token_file) = optarg;
			break;
		case ':':
			snprintf(err, errlen, "%s: needs a value", argv[optind - 1]);
			return -EINVAL;
		case '?':
			snprintf(err, errlen, "unknown option \"%s\"", argv[optind - 1]);
			return -EINVAL;
		default:
			if (check_value(name, optarg, err, errlen) < 0)
				return -EINVAL;
			given[c - OPT_PARAM] = optarg;
		}
		li = -1;
	}
	return optind;
}

static int param_index(const char *name)
{
	for (size_t i = 0; i < NPARAMS; i++)
		if (!strcmp(params[i], name))
			return (int)i;
	return -1;
}

/* The route and query string of cmd from its positional argument and flags. */
static int build_path(const struct command *cmd, const char *pos, const char **given,
		      struct cli_request *req, char *err, size_t errlen)
{
	int nq = 0;

	for (size_t i = 0; i < NPARAMS; i++) { /* a flag of another command */
		bool ok = false;

		for (int j = 0; j < MAX_OPTS && cmd->opts[j].name; j++)
			ok |= !strcmp(cmd->opts[j].name, params[i]);
		if (given[i] && !ok) {
			snprintf(err, errlen, "%s: unknown option \"--%s\" (see c2d help %s)",
				 cmd->name, params[i], cmd->name);
			return -EINVAL;
		}
	}
	snprintf(req->path, sizeof(req->path), "%s", cmd->route);
	if (pos && cli_path_append(req->path, sizeof(req->path), "", pos) < 0)
		goto too_long;
	for (int j = 0; j < MAX_OPTS && cmd->opts[j].name; j++) {
		const char *v = given[param_index(cmd->opts[j].name)];
		char key[64];

		if (!v && cmd->opts[j].required) {
			snprintf(err, errlen, "%s: --%s %s is required", cmd->name,
				 cmd->opts[j].name, cmd->opts[j].arg);
			return -EINVAL;
		}
		if (!v)
			continue;
		snprintf(key, sizeof(key), "%c%s=", nq++ ? '&' : '?', cmd->opts[j].name);
		if (cli_path_append(req->path, sizeof(req->path), key, v) < 0)
			goto too_long;
	}
	return 0;
too_long:
	snprintf(err, errlen, "%s: arguments too long", cmd->name);
	return -EINVAL;
}

/* `help [CMD]` and `completion bash|zsh`: commands that ask no server. */
static int local_command(const char *name, char **rest, int nrest, struct cli_request *req,
			 char *err, size_t errlen)
{
	if (!strcmp(name, "help")) {
		req->help = true;
		req->help_for = nrest ? rest[0] : NULL;
		if (nrest > 1 || (req->help_for && !find_command(req->help_for) &&
				  strcmp(req->help_for, "completion")))
			return snprintf(err, errlen, "help: no command \"%s\"", rest[nrest - 1]),
			       -EINVAL;
		return 0;
	}
	if (nrest != 1 || (strcmp(rest[0], "bash") && strcmp(rest[0], "zsh"))) {
		snprintf(err, errlen, "completion: needs one shell: bash or zsh");
		return -EINVAL;
	}
	req->completion = rest[0];
	return 0;
}

int cli_parse(int argc, char **argv, struct cli_request *req, char *err, size_t errlen)
{
	const char *env_server = getenv("C2D_SERVER"), *env_token = getenv("C2D_TOKEN_FILE");
	const char *env_ca = getenv("C2D_CA_FILE");
	const char *given[NPARAMS] = {0};
	const struct command *cmd;
	int first, npos;

	memset(req, 0, sizeof(*req));
	req->server = env_server && *env_server ? env_server : CLI_DEFAULT_SERVER;
	req->token_file = env_token && *env_token ? env_token : NULL;
	req->ca_file = env_ca && *env_ca ? env_ca : NULL;
	first = parse_flags(argc, argv, req, given, err, errlen);
	if (first < 0)
		return -EINVAL;
	npos = argc - first;
	if (npos == 0) {
		if (req->help || req->version)
			return 0;
		snprintf(err, errlen, "no command");
		return -EINVAL;
	}
	req->command = argv[first];
	if (!strcmp(req->command, "help") || !strcmp(req->command, "completion"))
		return local_command(req->command, argv + first + 1, npos - 1, req, err, errlen);
	cmd = find_command(req->command);
	if (!cmd) {
		snprintf(err, errlen, "unknown command \"%s\"", req->command);
		return -EINVAL;
	}
	if (req->help) { /* `CMD --help`, `CMD -h`: never sent to the server */
		req->help_for = cmd->name;
		return 0;
	}
	if (npos > (cmd->positional ? 2 : 1) + (cmd->pos_opts[0] != NULL) +
			   (cmd->pos_opts[1] != NULL)) {
		snprintf(err, errlen, "%s: unexpected argument \"%s\"", cmd->name, argv[argc - 1]);
		return -EINVAL;
	}
	for (int i = 0; i < 2 && cmd->pos_opts[i] && i + 1 < npos; i++) {
		const char **g = &given[param_index(cmd->pos_opts[i])];

		if (*g) {
			snprintf(err, errlen, "%s: %s given twice (argument and --%s)", cmd->name,
				 cmd->pos_opts[i], cmd->pos_opts[i]);
			return -EINVAL;
		}
		*g = argv[first + 1 + i];
	}
	if (cmd->positional && npos < 2) {
		snprintf(err, errlen, "%s: needs %s", cmd->name, cmd->positional);
		return -EINVAL;
	}
	if (req->all && strcmp(cmd->name, "findings")) {
		snprintf(err, errlen, "%s: --all pages through findings only", cmd->name);
		return -EINVAL;
	}
	if (build_path(cmd, cmd->positional ? argv[first + 1] : NULL, given, req, err, errlen) < 0)
		return -EINVAL;
	req->render = req->output == CLI_OUT_WIDE && cmd->render_wide ? cmd->render_wide
								       : cmd->render;
	req->items = cmd->items;
	return 0;
}

static void command_line(FILE *f, const struct command *cmd)
{
	int col = fprintf(f, "  %s", cmd->name);

	if (cmd->positional)
		col += fprintf(f, " %s", cmd->positional);
	for (int i = 0; i < 2 && cmd->pos_opts[i]; i++)
		col += fprintf(f, " [%s]", cmd->pos_opts[i]);
	for (int i = 0; i < MAX_OPTS && cmd->opts[i].name; i++) {
		char o[96];

		snprintf(o, sizeof(o), cmd->opts[i].required ? " --%s %s" : " [--%s %s]",
			 cmd->opts[i].name, cmd->opts[i].arg);
		if (col + (int)strlen(o) > 80) /* wrap under the command name */
			col = fprintf(f, "\n   ");
		col += fprintf(f, "%s", o);
	}
	if (cmd->items && !strcmp(cmd->name, "findings"))
		fprintf(f, " [--all]");
	fprintf(f, "\n");
}

static const char global_help[] =
    "global flags (before or after the command):\n"
    "  --server URL        collector (default: $C2D_SERVER, else " CLI_DEFAULT_SERVER ")\n"
    "  --token-file FILE   read token for the API (default: $C2D_TOKEN_FILE)\n"
    "  --ca FILE           CA bundle an https:// collector must chain to (default:\n"
    "                      $C2D_CA_FILE, else the system's)\n"
    "  -o, --output FMT    table (default), wide, json (the server's answer), ndjson (one\n"
    "                      JSON object per line); --json is -o json\n"
    "  -h, --help          this help; c2d help COMMAND, or COMMAND --help, for one command\n"
    "  --version           version and git revision\n\n"
    "exit status: 0 ok, 1 nothing found (404, or no findings), 2 usage error, 3 server,\n"
    "connection or authentication error, 4 output error (e.g. stdout is full).\n";

int cli_command_help(FILE *f, const char *name)
{
	const struct command *cmd = find_command(name);

	if (!strcmp(name, "completion")) {
		fprintf(f, "usage: c2d completion bash|zsh\n\nprints a completion script: "
			   "source <(c2d completion bash)\n");
		return 0;
	}
	if (!cmd)
		return -ENOENT;
	fprintf(f, "usage:\n");
	command_line(f, cmd);
	fprintf(f, "\n%s\n\n%s", cmd->help, global_help);
	return 0;
}

void cli_usage(FILE *f)
{
	fprintf(f, "usage: c2d [flags] COMMAND [flags]\n\n"
		   "Queries a cloud2dev collector: which commit, pipeline and deploy a runtime\n"
		   "finding comes from.\n\ncommands:\n");
	for (size_t c = 0; c < NCOMMANDS; c++) {
		command_line(f, &commands[c]);
		fprintf(f, "      %.*s\n", (int)strcspn(commands[c].help, ".\n"), commands[c].help);
	}
	fprintf(f, "  help [COMMAND]\n  completion bash|zsh\n\n%s", global_help);
}

/* The per-command cases of the completion script: each command adds its flags. */
void cli_completion_words(FILE *f)
{
	for (size_t c = 0; c < NCOMMANDS; c++) {
		fprintf(f, "\t%s) flags=\"$flags", commands[c].name);
		for (int i = 0; i < MAX_OPTS && commands[c].opts[i].name; i++)
			fprintf(f, " --%s", commands[c].opts[i].name);
		fprintf(f, "%s\";;\n", !strcmp(commands[c].name, "findings") ? " --all" : "");
	}
}

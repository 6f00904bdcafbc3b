// SPDX-License-Identifier: BSD-2-Clause
/* config_load.c - config_load() and --help (config.h): the command line and the file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "forward.h"

#define CONFIG_FILE_MAX (1 << 20)

static int load_file(struct collector_config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t n;
	int ret;

	if (!f) {
		snprintf(err, errlen, "config %s: %s", path, strerror(errno));
		return -EBADMSG;
	}
	text = malloc(CONFIG_FILE_MAX + 1);
	n = text ? fread(text, 1, CONFIG_FILE_MAX + 1, f) : 0;
	fclose(f);
	if (!text || n > CONFIG_FILE_MAX) {
		free(text);
		snprintf(err, errlen, "config %s: larger than %d bytes", path, CONFIG_FILE_MAX);
		return -EBADMSG;
	}
	text[n] = 0;
	ret = config_parse_text(c, text, path, err, errlen);
	free(text);
	return ret;
}

/* The command line as opt_argv scanned it, its values applied only once the file is read: the
 * command line wins, whatever the order of --config among the options. Flags count at once:
 * --help and --version (like -h) skip the file, so that a broken one cannot hide them. */
struct argv_opts {
	struct collector_config *c;
	struct {
		const struct opt_def *d;
		const char *v;
	} *set;
	size_t n;
};

static int keep_one(void *ctx, const struct opt_def *d, const char *v, char *err, size_t errlen)
{
	struct argv_opts *a = ctx;

	if (d->type == OPT_FLAG)
		return opt_set(d, a->c, NULL, "--", err, errlen);
	a->set[a->n].d = d;
	a->set[a->n++].v = v;
	return 0;
}

static int check_required(const struct collector_config *c, char *err, size_t errlen)
{
	const char *missing = !c->listen ? "listen"
			      : !c->db	 ? "db"
			      : !c->token_file && !c->ingest_token_file && !c->read_token_file
				  ? "token-file (or --ingest-token-file and --read-token-file)"
				  : NULL;

	if (missing) {
		snprintf(err, errlen, "--%s: required (see --help)", missing);
		return -EINVAL;
	}
	if (c->max_decompressed < c->max_body) {
		snprintf(err, errlen, "max-decompressed: smaller than max-body");
		return -EBADMSG;
	}
	return 0;
}

int config_load(struct collector_config *c, int argc, char **argv, char *err, size_t errlen)
{
	struct argv_opts a = {c, calloc((size_t)argc + 1, sizeof(*a.set)), 0}; /* argc bounds it */
	int ret;

	config_defaults(c);
	if (!a.set)
		return -ENOMEM;
	ret = opt_argv(&config_table, argc, argv, keep_one, &a, err, errlen);
	/* --config first, so that the rest of the command line overrides the file */
	for (size_t i = 0; i < a.n && !ret; i++)
		if (strcmp(a.set[i].d->name, "config") == 0)
			ret = opt_set(a.set[i].d, c, a.set[i].v, "--", err, errlen);
	if (!ret && c->config && !c->help && !c->version)
		ret = load_file(c, c->config, err, errlen);
	for (size_t i = 0; i < a.n && !ret; i++)
		ret = opt_set(a.set[i].d, c, a.set[i].v, "--", err, errlen);
	if (!ret && !c->help && !c->version)
		ret = check_required(c, err, errlen);
	free(a.set);
	return ret;
}

void config_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s --listen ADDR:PORT --db FILE --ingest-token-file FILE "
		   "--read-token-file FILE [options]\n\n"
		   "cloud2dev collector: receives events from the agents (POST /v1/events), stores\n"
		   "them in SQLite and answers the origin queries.\n\n", prog);
	opt_usage(f, &config_table, 30);
}

void config_free(struct collector_config *c)
{
	opt_free(&config_table, c);
	fwd_config_free(c->forwarders);
	memset(c, 0, sizeof(*c));
}

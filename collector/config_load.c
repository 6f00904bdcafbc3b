// SPDX-License-Identifier: BSD-2-Clause
/* config_load.c - config_load() and --help (config.h): the command line and the file. */
#include <errno.h>
#include <getopt.h>
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

static int getopt_error(char **argv, char *err, size_t errlen)
{
	struct opt_view v;
	size_t n = config_nopts();

	if (optopt >= 256 && (size_t)optopt < 256 + n) {
		config_opt((size_t)optopt - 256, &v);
		snprintf(err, errlen, "--%s: %s", v.name, v.flag ? "takes no value" : "needs a value");
	} else {
		snprintf(err, errlen, "unknown option \"%s\" (see --help)", argv[optind - 1]);
	}
	return -EINVAL;
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
	size_t n = config_nopts(), nset = 0;
	struct option *lo = calloc(n + 1, sizeof(*lo));
	struct { size_t i; const char *v; } *set = calloc((size_t)argc + 1, sizeof(*set));
	struct opt_view v;
	int ch, ret = 0;

	config_defaults(c);
	if (!lo || !set) {
		ret = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		config_opt(i, &v);
		lo[i] = (struct option){v.name, v.flag ? no_argument : required_argument, NULL,
					(int)i + 256};
	}
	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		if (ch == 'h') {
			c->help = true;
			continue;
		}
		if (ch < 256 || (size_t)ch >= 256 + n) {
			ret = getopt_error(argv, err, errlen);
			goto out;
		}
		set[nset++] = (typeof(*set)){(size_t)ch - 256, optarg};
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (see --help)", argv[optind]);
		ret = -EINVAL;
		goto out;
	}
	/* --config first, so that the rest of the command line overrides the file */
	for (size_t i = 0; i < nset && !ret; i++) {
		config_opt(set[i].i, &v);
		if (strcmp(v.name, "config") == 0)
			ret = config_set(c, set[i].i, set[i].v, err, errlen);
	}
	if (!ret && c->config && !c->help && !c->version)
		ret = load_file(c, c->config, err, errlen);
	for (size_t i = 0; i < nset && !ret; i++)
		ret = config_set(c, set[i].i, set[i].v, err, errlen);
	if (!ret && !c->help && !c->version)
		ret = check_required(c, err, errlen);
out:
	free(lo);
	free(set);
	return ret;
}

void config_usage(FILE *f, const char *prog)
{
	struct opt_view v;

	fprintf(f, "usage: %s --listen ADDR:PORT --db FILE --ingest-token-file FILE "
		   "--read-token-file FILE [options]\n\n"
		   "cloud2dev collector: receives events from the agents (POST /v1/events), stores\n"
		   "them in SQLite and answers the origin queries.\n\n", prog);
	for (size_t i = 0; i < config_nopts(); i++) {
		char left[64];

		config_opt(i, &v);
		snprintf(left, sizeof(left), "--%s%s%s", v.name, v.arg ? " " : "", v.arg ? v.arg : "");
		fprintf(f, "  %-30s %s", left, v.help);
		if (v.def)
			fprintf(f, " [default: %s]", v.def);
		fputc('\n', f);
	}
}

void config_free(struct collector_config *c)
{
	free(c->listen);
	free(c->db);
	free(c->store_url);
	free(c->store_user);
	free(c->store_password_file);
	free(c->store_ca);
	free(c->token_file);
	free(c->ingest_token_file);
	free(c->read_token_file);
	free(c->tls_cert);
	free(c->tls_key);
	free(c->config);
	fwd_config_free(c->forwarders);
	memset(c, 0, sizeof(*c));
}

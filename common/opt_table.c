// SPDX-License-Identifier: BSD-2-Clause
/* opt_table.c - see opt_table.h. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "opt_table.h"

/* getopt_long's value for defs[i] is OPT_VAL_BASE + i: above every short option's character,
 * so that the two never collide. */
#define OPT_VAL_BASE 256

const struct opt_def *opt_find(const struct opt_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->defs[i].name, name) == 0)
			return &t->defs[i];
	return NULL;
}

static bool is_number(enum opt_type type)
{
	return type == OPT_UINT || type == OPT_SIZE || type == OPT_POW2;
}

static bool is_string(enum opt_type type)
{
	return type == OPT_STR || type == OPT_STR_REF || type == OPT_STR_LIST;
}

/* Decimal, with OPT_SIZE's K/M/G, within the bounds. strtoull alone takes "-8" (as 2^64 - 8)
 * and stops quietly at "8k", hence the sign and the end checks. */
static int parse_uint(const struct opt_def *d, const char *v, uint64_t *out)
{
	static const char sfx[] = "KMG";
	char *end;
	uint64_t u, mul = 1;

	errno = 0;
	u = strtoull(v, &end, 10);
	if (errno || end == v || v[0] == '-')
		return -EINVAL;
	if (d->type == OPT_SIZE && *end) {
		const char *p = strchr(sfx, *end);

		if (!p || end[1])
			return -EINVAL;
		mul = 1ULL << (10 * (p - sfx + 1));
		end++;
	}
	if (*end || (u && mul > UINT64_MAX / u))
		return -EINVAL;
	u *= mul;
	if (u < d->min || u > d->max || (d->type == OPT_POW2 && (u & (u - 1))))
		return -EINVAL;
	*out = u;
	return 0;
}

static int parse_enum(const char *const *words, const char *v, int *out)
{
	for (int i = 0; words[i]; i++)
		if (strcmp(v, words[i]) == 0) {
			*out = i;
			return 0;
		}
	return -EINVAL;
}

/* A non-empty v (strings) or a present one (the rest) into the field: 0, -EINVAL, -ENOSPC (a
 * full list), -ENOMEM. */
static int parse_value(const struct opt_def *d, void *obj, const char *v)
{
	char *p = (char *)obj + d->off, *copy;
	int *count;

	switch (d->type) {
	case OPT_FLAG:
		*(bool *)p = true;
		return 0;
	case OPT_BOOL:
		if (strcmp(v, "true") && strcmp(v, "false"))
			return -EINVAL;
		*(bool *)p = strcmp(v, "true") == 0;
		return 0;
	case OPT_STR:
		copy = strdup(v);
		if (!copy)
			return -ENOMEM;
		free(*(char **)p);
		*(char **)p = copy;
		return 0;
	case OPT_STR_REF:
		*(const char **)p = v;
		return 0;
	case OPT_STR_LIST:
		count = (int *)((char *)obj + d->count_off);
		if (*count < 0 || (uint64_t)*count >= d->max)
			return -ENOSPC;
		((const char **)p)[(*count)++] = v;
		return 0;
	case OPT_UINT:
	case OPT_SIZE:
	case OPT_POW2:
		return parse_uint(d, v, (uint64_t *)p);
	case OPT_LOG_LEVEL:
		return c2d_log_parse_level(v, (enum c2d_log_level *)p) < 0 ? -EINVAL : 0;
	case OPT_LOG_FORMAT:
		return c2d_log_parse_format(v, (enum c2d_log_format *)p) < 0 ? -EINVAL : 0;
	case OPT_ENUM:
		return parse_enum(d->words, v, (int *)p);
	case OPT_PARSE:
		return d->parse(v, p) < 0 ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* What a refused value should have been, as the error says it. */
static const char *expected(const struct opt_def *d)
{
	switch (d->type) {
	case OPT_UINT:
		return "a whole number";
	case OPT_SIZE:
		return "a whole number (K/M/G)";
	case OPT_POW2:
		return "a power of two";
	case OPT_BOOL:
		return "true or false";
	case OPT_LOG_LEVEL:
		return "one of error, warn, info, debug";
	case OPT_LOG_FORMAT:
		return "text or json";
	default:
		return d->expect ? d->expect : "valid";
	}
}

int opt_set(const struct opt_def *d, void *obj, const char *v, const char *prefix, char *err,
	    size_t errlen)
{
	int ret;

	if (d->type != OPT_FLAG && (!v || (is_string(d->type) && !*v))) {
		snprintf(err, errlen, "%s%s: needs a non-empty value", prefix, d->name);
		return -EINVAL;
	}
	ret = parse_value(d, obj, v);
	if (ret == -ENOSPC) {
		snprintf(err, errlen, "%s%s: at most %" PRIu64, prefix, d->name, d->max);
		return -EINVAL;
	}
	if (ret != -EINVAL)
		return ret;
	/* the value is echoed bounded: it may be a whole line of a file */
	snprintf(err, errlen, "%s%s: \"%.64s\" is not %s", prefix, d->name, v, expected(d));
	if (is_number(d->type))
		snprintf(err + strlen(err), errlen - strlen(err), " in [%" PRIu64 ", %" PRIu64 "]",
			 d->min, d->max);
	return -EINVAL;
}

int opt_defaults(const struct opt_table *t, void *obj)
{
	for (size_t i = 0; i < t->n; i++) {
		int ret = t->defs[i].def ? parse_value(&t->defs[i], obj, t->defs[i].def) : 0;

		if (ret < 0)
			return ret;
	}
	return 0;
}

void opt_free(const struct opt_table *t, void *obj)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->defs[i].type == OPT_STR) {
			char **p = (char **)((char *)obj + t->defs[i].off);

			free(*p);
			*p = NULL;
		}
}

void opt_usage(FILE *f, const struct opt_table *t, int width)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct opt_def *d = &t->defs[i];
		char left[64];

		if (!d->help)
			continue;
		snprintf(left, sizeof(left), "--%s%s%s", d->name, d->arg ? " " : "",
			 d->arg ? d->arg : "");
		fprintf(f, "  %-*s %s", width, left, d->help);
		if (d->def)
			fprintf(f, " [default: %s]", d->def);
		fputc('\n', f);
	}
}

static struct option *longopts(const struct opt_table *t)
{
	struct option *lo = calloc(t->n + 1, sizeof(*lo)); /* zeroed: the last one ends it */

	if (!lo)
		return NULL;
	for (size_t i = 0; i < t->n; i++) {
		const struct opt_def *d = &t->defs[i];

		lo[i] = (struct option){d->name,
					d->type == OPT_FLAG ? no_argument : required_argument, NULL,
					(int)i + OPT_VAL_BASE};
	}
	return lo;
}

static int getopt_error(const struct opt_table *t, char **argv, char *err, size_t errlen)
{
	/* glibc sets optopt to the option's value both for a missing value and for a value given
	 * to a flag ("--stdout=yes"): the option's type tells the two apart */
	if (optopt >= OPT_VAL_BASE && (size_t)(optopt - OPT_VAL_BASE) < t->n) {
		const struct opt_def *d = &t->defs[optopt - OPT_VAL_BASE];

		snprintf(err, errlen, "--%s: %s", d->name,
			 d->type == OPT_FLAG ? "takes no value" : "needs a value");
	} else if (optopt > 0 && optopt < OPT_VAL_BASE) {
		/* by the character: inside a cluster ("-xh") optind has not moved past it yet, and
		 * argv[optind - 1] is the word before */
		snprintf(err, errlen, "unknown option \"-%c\" (see --help)", optopt);
	} else {
		snprintf(err, errlen, "unknown option \"%s\" (see --help)", argv[optind - 1]);
	}
	return -EINVAL;
}

int opt_argv(const struct opt_table *t, int argc, char **argv, opt_each_fn *each, void *ctx,
	     char *err, size_t errlen)
{
	const struct opt_def *help = opt_find(t, "help");
	struct option *lo = longopts(t);
	int c, ret = 0;

	if (!lo) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	optind = 0; /* 0, not 1: a full reset of getopt's state (a previous parse may have
		     * stopped inside a group of short options) */
	opterr = 0;
	while (!ret && (c = getopt_long(argc, argv, help ? "h" : "", lo, NULL)) != -1) {
		if (c == 'h' && help)
			ret = each(ctx, help, NULL, err, errlen);
		else if (c < OPT_VAL_BASE || c >= OPT_VAL_BASE + (int)t->n)
			ret = getopt_error(t, argv, err, errlen);
		else
			ret = each(ctx, &t->defs[c - OPT_VAL_BASE], optarg, err, errlen);
	}
	if (!ret && optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (see --help)", argv[optind]);
		ret = -EINVAL;
	}
	free(lo);
	return ret;
}

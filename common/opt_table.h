/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * opt_table.h - the one config-table engine (STYLE.md 12): a table of option definitions
 * (name, type, offset into the caller's struct, default, bounds, metavar, help) that parses a
 * value into the struct with its bounds checked, applies the defaults, frees the copies,
 * prints the --help lines and scans a command line with getopt_long.
 *
 * Its users keep their own tables and their own special cases: the agent's options
 * (agent/options.c), the collector's settings (collector/config.c: argv and `key = value`
 * files) and the forwarders' (collector/forward/fwd_config.c: `forwarder.<name>.<key>` lines).
 * Every error names the option as its user spells it: the caller gives the prefix ("--",
 * "FILE:LINE: ", "forwarder.NAME.") and the engine appends "<name>: <why>".
 */
#ifndef C2D_OPT_TABLE_H
#define C2D_OPT_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum opt_type {
	OPT_FLAG,	/* bool: true when named; takes no value (the command line's switches) */
	OPT_BOOL,	/* bool: "true" or "false" */
	OPT_STR,	/* char *: a copy, replaced on each set, freed by opt_free */
	OPT_STR_REF,	/* const char *: the value itself (argv, which outlives the options) */
	OPT_STR_LIST,	/* const char *[max], count in the int at count_off: repeatable */
	OPT_UINT,	/* uint64_t: decimal, in [min, max] */
	OPT_SIZE,	/* uint64_t: decimal with an optional K, M or G (powers of 1024) */
	OPT_POW2,	/* uint64_t: a power of two in [min, max] */
	OPT_LOG_LEVEL,	/* enum c2d_log_level (log.h) */
	OPT_LOG_FORMAT, /* enum c2d_log_format (log.h) */
	OPT_ENUM,	/* int: the index of the value in words (NULL-terminated) */
	OPT_PARSE,	/* whatever parse() makes of it: 0, or < 0 to refuse the value */
};

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t off;	 /* of the field in the caller's struct */
	const char *def; /* the default as text (applied by opt_defaults), or NULL: zero */
	uint64_t min, max; /* OPT_UINT, OPT_SIZE, OPT_POW2; OPT_STR_LIST: max is the capacity */
	const char *arg;   /* --help's metavar; NULL for a flag */
	const char *help;  /* NULL: not listed by opt_usage */
	/* by name (OPT_DEF's tail), for the types that need them: */
	const char *const *words;		  /* OPT_ENUM */
	int (*parse)(const char *v, void *field); /* OPT_PARSE */
	const char *expect; /* OPT_ENUM, OPT_PARSE: what a value must be, for the error */
	size_t count_off;   /* OPT_STR_LIST: the int counting the entries */
};

struct opt_table {
	const struct opt_def *defs;
	size_t n;
};

/* A row: the fields every table uses, in order, then any others by name, as in
 * OPT_DEF(..., .count_off = offsetof(...)). Designated, so that a row need not spell the
 * fields it does not use (-Wmissing-field-initializers). */
#define OPT_DEF(n, t, o, d, lo, hi, a, h, ...)                                                    \
	{.name = (n), .type = (t), .off = (o), .def = (d), .min = (lo), .max = (hi), .arg = (a),  \
	 .help = (h), __VA_ARGS__}

#define OPT_TABLE(defs) {(defs), sizeof(defs) / sizeof((defs)[0])}

const struct opt_def *opt_find(const struct opt_table *t, const char *name);

/* Parse v into d's field of obj. 0, -ENOMEM, or -EINVAL with "<prefix><name>: <why>" in err,
 * such as `--max-events: "0" is not a whole number in [1, 1000000]`. */
int opt_set(const struct opt_def *d, void *obj, const char *v, const char *prefix, char *err,
	    size_t errlen);

/* Every default of the table into obj (which the caller zeroed). 0 or -ENOMEM. */
int opt_defaults(const struct opt_table *t, void *obj);

/* Free the OPT_STR copies in obj and clear them. */
void opt_free(const struct opt_table *t, void *obj);

/* One line per option with help: "  --name ARG" padded to width, the help, the default. */
void opt_usage(FILE *f, const struct opt_table *t, int width);

/* What opt_argv hands over: an option of the table and its value (NULL for a flag). */
typedef int opt_each_fn(void *ctx, const struct opt_def *d, const char *v, char *err,
			size_t errlen);

/*
 * Scan argv with getopt_long over the table ("-h" is the option named "help", if any) and
 * call each() for every option in command-line order; the caller decides what a value does
 * (set it now with opt_set, or keep it: the collector reads --config first). Stops at the
 * first error: each()'s, or -EINVAL for an unknown option, a missing value, a value given to
 * a flag or a stray argument, with the message in err. getopt's state is reset first, so it
 * may run any number of times.
 */
int opt_argv(const struct opt_table *t, int argc, char **argv, opt_each_fn *each, void *ctx,
	     char *err, size_t errlen);

#endif

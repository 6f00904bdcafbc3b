// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_opt_table.c - common/opt_table.c, the engine under the agent's options, the collector's
 * settings and the forwarders': every type's parsing and bounds, the exact error messages the
 * users' tests and docs quote, defaults and freeing (ASan watches the copies), the --help
 * lines, and the getopt_long scan with its errors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"
#include "opt_table.h"
#include "unit/unit.h"

#define MAX_LIST 2

struct conf {
	bool flag, yes;
	char *str;
	const char *ref;
	const char *list[MAX_LIST];
	int nlist;
	uint64_t num, size, pow2;
	enum c2d_log_level level;
	enum c2d_log_format format;
	int color, odd;
};

static const char *const colors[] = {"red", "green", "blue", NULL};

/* A user's own parser: odd numbers only. */
static int parse_odd(const char *v, void *field)
{
	int n = atoi(v);

	if (n % 2 == 0)
		return -EINVAL;
	*(int *)field = n;
	return 0;
}

#define OFF(f) offsetof(struct conf, f)

static const struct opt_def defs[] = {
	OPT_DEF("flag", OPT_FLAG, OFF(flag), NULL, 0, 0, NULL, "a switch"),
	OPT_DEF("yes", OPT_BOOL, OFF(yes), "true", 0, 0, "BOOL", "true or false"),
	OPT_DEF("str", OPT_STR, OFF(str), "dflt", 0, 0, "TEXT", "a copy"),
	OPT_DEF("ref", OPT_STR_REF, OFF(ref), NULL, 0, 0, "TEXT", "the value itself"),
	OPT_DEF("list", OPT_STR_LIST, OFF(list), NULL, 0, MAX_LIST, "ITEM", "repeatable",
		.count_off = OFF(nlist)),
	OPT_DEF("num", OPT_UINT, OFF(num), "7", 1, 1000000, "N", "a number"),
	OPT_DEF("size", OPT_SIZE, OFF(size), "64K", 1024, UINT64_MAX / 2, "BYTES", "a size"),
	OPT_DEF("pow2", OPT_POW2, OFF(pow2), "8", 1, 256, "MB", "a power of two"),
	OPT_DEF("level", OPT_LOG_LEVEL, OFF(level), "info", 0, 0, "LEVEL", "a log level"),
	OPT_DEF("format", OPT_LOG_FORMAT, OFF(format), "text", 0, 0, "FORMAT", "a log format"),
	OPT_DEF("color", OPT_ENUM, OFF(color), "green", 0, 0, "COLOR", NULL, .words = colors,
		.expect = "red, green or blue"),
	OPT_DEF("odd", OPT_PARSE, OFF(odd), NULL, 0, 0, "N", NULL, .parse = parse_odd,
		.expect = "an odd number"),
	OPT_DEF("help", OPT_FLAG, OFF(flag), NULL, 0, 0, NULL, "show this help"),
};

static const struct opt_table table = OPT_TABLE(defs);

static struct conf conf;
static char err[256];

static int set(const char *name, const char *v)
{
	const struct opt_def *d = opt_find(&table, name);

	assert_non_null(d);
	err[0] = 0;
	return opt_set(d, &conf, v, "--", err, sizeof(err));
}

static void refused(const char *name, const char *v, const char *want)
{
	if (set(name, v) != -EINVAL)
		fail_msg("--%s %s: taken", name, v);
	assert_string_equal(err, want);
}

static int setup(void **state)
{
	memset(&conf, 0, sizeof(conf));
	return opt_defaults(&table, &conf);
}

static int teardown(void **state)
{
	opt_free(&table, &conf);
	assert_null(conf.str);
	return 0;
}

static void test_defaults(void **state)
{
	assert_false(conf.flag);
	assert_true(conf.yes);
	assert_string_equal(conf.str, "dflt");
	assert_null(conf.ref);
	assert_int_equal(conf.nlist, 0);
	assert_int_equal(conf.num, 7);
	assert_int_equal(conf.size, 64 << 10);
	assert_int_equal(conf.pow2, 8);
	assert_int_equal(conf.level, C2D_LOG_INFO);
	assert_int_equal(conf.format, C2D_LOG_TEXT);
	assert_int_equal(conf.color, 1);
	assert_int_equal(conf.odd, 0);
	assert_null(opt_find(&table, "nope"));
}

static void test_values(void **state)
{
	static const char v[] = "borrowed";

	assert_int_equal(set("flag", NULL), 0);
	assert_true(conf.flag);
	assert_int_equal(set("yes", "false"), 0);
	assert_false(conf.yes);
	assert_int_equal(set("str", "one"), 0);
	assert_int_equal(set("str", "two"), 0); /* the first copy is freed (ASan) */
	assert_string_equal(conf.str, "two");
	assert_int_equal(set("ref", v), 0);
	assert_ptr_equal(conf.ref, v);
	assert_int_equal(set("num", "1000000"), 0);
	assert_int_equal(conf.num, 1000000);
	assert_int_equal(set("size", "3M"), 0);
	assert_int_equal(conf.size, 3 << 20);
	assert_int_equal(set("size", "2G"), 0);
	assert_int_equal(conf.size, 2ULL << 30);
	assert_int_equal(set("size", "1024"), 0);
	assert_int_equal(conf.size, 1024);
	assert_int_equal(set("pow2", "256"), 0);
	assert_int_equal(conf.pow2, 256);
	assert_int_equal(set("level", "debug"), 0);
	assert_int_equal(conf.level, C2D_LOG_DEBUG);
	assert_int_equal(set("format", "json"), 0);
	assert_int_equal(conf.format, C2D_LOG_JSON);
	assert_int_equal(set("color", "blue"), 0);
	assert_int_equal(conf.color, 2);
	assert_int_equal(set("odd", "3"), 0);
	assert_int_equal(conf.odd, 3);
}

static void test_list(void **state)
{
	assert_int_equal(set("list", "a"), 0);
	assert_int_equal(set("list", "b"), 0);
	assert_int_equal(conf.nlist, 2);
	assert_string_equal(conf.list[1], "b");
	refused("list", "c", "--list: at most 2");
	assert_int_equal(conf.nlist, 2);
}

/* The messages the users' tests and READMEs quote, to the letter. */
static void test_messages(void **state)
{
	refused("num", "0", "--num: \"0\" is not a whole number in [1, 1000000]");
	refused("num", "1000001", "--num: \"1000001\" is not a whole number in [1, 1000000]");
	refused("num", "-1", "--num: \"-1\" is not a whole number in [1, 1000000]");
	refused("num", "1.5", "--num: \"1.5\" is not a whole number in [1, 1000000]");
	refused("num", "", "--num: \"\" is not a whole number in [1, 1000000]");
	refused("num", "18446744073709551624",
		"--num: \"18446744073709551624\" is not a whole number in [1, 1000000]");
	refused("size", "lots",
		"--size: \"lots\" is not a whole number (K/M/G) in [1024, 9223372036854775807]");
	refused("size", "8k", /* the suffixes are upper case */
		"--size: \"8k\" is not a whole number (K/M/G) in [1024, 9223372036854775807]");
	refused("size", "1KB",
		"--size: \"1KB\" is not a whole number (K/M/G) in [1024, 9223372036854775807]");
	refused("size", "17179869184G", /* 2^64: overflows */
		"--size: \"17179869184G\" is not a whole number (K/M/G) in [1024, "
		"9223372036854775807]");
	refused("pow2", "3", "--pow2: \"3\" is not a power of two in [1, 256]");
	refused("pow2", "512", "--pow2: \"512\" is not a power of two in [1, 256]");
	refused("yes", "yes", "--yes: \"yes\" is not true or false");
	refused("level", "INFO", "--level: \"INFO\" is not one of error, warn, info, debug");
	refused("format", "xml", "--format: \"xml\" is not text or json");
	refused("color", "pink", "--color: \"pink\" is not red, green or blue");
	refused("odd", "4", "--odd: \"4\" is not an odd number");
	refused("str", "", "--str: needs a non-empty value");
	refused("ref", "", "--ref: needs a non-empty value");
	refused("list", "", "--list: needs a non-empty value");
	assert_string_equal(conf.str, "dflt"); /* a refused value leaves the field alone */
	assert_int_equal(conf.num, 7);
}

/* The caller's prefix names the option its way; a long value is echoed bounded. */
static void test_prefix_and_bound(void **state)
{
	char v[200];

	assert_int_equal(opt_set(opt_find(&table, "num"), &conf, "0", "f.conf:3: ", err,
				 sizeof(err)), -EINVAL);
	assert_string_equal(err, "f.conf:3: num: \"0\" is not a whole number in [1, 1000000]");
	memset(v, 'x', sizeof(v) - 1);
	v[sizeof(v) - 1] = 0;
	refused("color", v,
		"--color: \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
		"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is not red, green or blue"); /* 64 of 199 */
	/* a short buffer: cut, still terminated */
	assert_int_equal(opt_set(opt_find(&table, "num"), &conf, "0", "--", err, 8), -EINVAL);
	assert_string_equal(err, "--num: ");
}

static void test_usage(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	opt_usage(f, &table, 12);
	fclose(f);
	assert_contains(text, "  --flag       a switch\n"
			      "  --yes BOOL   true or false [default: true]\n");
	assert_contains(text, "  --size BYTES a size [default: 64K]\n");
	assert_true(strstr(text, "--color") == NULL); /* no help: not listed */
	assert_true(strstr(text, "--odd") == NULL);
	free(text);
}

struct seen {
	char names[8][16];
	const char *vals[8];
	int n, fail_at;
};

static int record(void *ctx, const struct opt_def *d, const char *v, char *e, size_t elen)
{
	struct seen *s = ctx;

	if (s->n == s->fail_at) {
		snprintf(e, elen, "stop at %s", d->name);
		return -E2BIG;
	}
	snprintf(s->names[s->n], sizeof(s->names[0]), "%s", d->name);
	s->vals[s->n++] = v;
	return 0;
}

/* Run the scan over "prog" and args (NULL-terminated). */
static int scan(struct seen *s, const char *const *args)
{
	char *argv[10] = {(char *)"prog"};
	int argc = 1;

	while (args[argc - 1])
		argv[argc] = (char *)args[argc - 1], argc++;
	err[0] = 0;
	return opt_argv(&table, argc, argv, record, s, err, sizeof(err));
}

static void test_argv(void **state)
{
	static const char *const ok[] = {"--num", "5", "-h", "--ref=x", "--flag", NULL};
	struct seen s = {.fail_at = -1};

	assert_int_equal(scan(&s, ok), 0);
	assert_int_equal(s.n, 4); /* in command-line order; -h is the option named help */
	assert_string_equal(s.names[0], "num");
	assert_string_equal(s.vals[0], "5");
	assert_string_equal(s.names[1], "help");
	assert_null(s.vals[1]);
	assert_string_equal(s.names[2], "ref");
	assert_string_equal(s.vals[2], "x");
	assert_string_equal(s.names[3], "flag");
	s = (struct seen){.fail_at = 1}; /* each()'s error stops the scan and is returned */
	assert_int_equal(scan(&s, ok), -E2BIG);
	assert_string_equal(err, "stop at help");
	assert_int_equal(s.n, 1);
}

static void test_argv_errors(void **state)
{
	static const struct {
		const char *args[3];
		const char *want;
	} cases[] = {
		{{"--bogus"}, "unknown option \"--bogus\" (see --help)"},
		{{"-x"}, "unknown option \"-x\" (see --help)"},
		{{"-xh"}, "unknown option \"-x\" (see --help)"},
		{{"--num"}, "--num: needs a value"},
		{{"--flag=1"}, "--flag: takes no value"},
		{{"--flag", "stray"}, "unexpected argument \"stray\" (see --help)"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct seen s = {.fail_at = -1};

		assert_int_equal(scan(&s, cases[i].args), -EINVAL);
		assert_string_equal(err, cases[i].want);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_and_bound, setup, teardown),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_argv),
		cmocka_unit_test(test_argv_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

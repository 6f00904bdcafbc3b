// SPDX-License-Identifier: BSD-2-Clause
/* test_options.c - agent/options.c: defaults, every option, repeated options and the errors. */
#include <errno.h>
#include <stdbool.h>
#include <unistd.h>

#include "options.h"
#include "unit.h"

#define MAX_ARGS 8

static struct c2d_agent_opts opts;
static char err[256];

/* Forget whatever an earlier (failed) parse left in getopt's state. */
static void getopt_reset(void)
{
	char *argv[] = {(char *)"reset", NULL};

	optind = 0;
	opterr = 0;
	while (getopt(1, argv, "") != -1)
		;
}

/* Parse "c2d-agent" followed by args (NULL-terminated). */
static int parse(const char *const *args)
{
	char *argv[MAX_ARGS + 2] = {(char *)"c2d-agent"};
	int argc = 1;

	while (args[argc - 1]) {
		assert_true(argc <= MAX_ARGS);
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	err[0] = 0;
	memset(&opts, 0xa5, sizeof(opts));
	return options_parse(&opts, argc, argv, err, sizeof(err));
}

static void parse_ok(const char *const *args)
{
	if (parse(args) != 0)
		fail_msg("%s: refused: %s", args[0] ? args[0] : "(no args)", err);
	assert_string_equal(err, "");
}

static void test_defaults(void **state)
{
	static const char *const none[] = {NULL};

	parse_ok(none);
	assert_false(opts.stdout_mode);
	assert_false(opts.help);
	assert_false(opts.version);
	assert_null(opts.policy_file);
	assert_int_equal(opts.nstorage, 0);
	assert_null(opts.storage_paths[0]);
	assert_null(opts.node_name);
	assert_null(opts.metrics_addr);
	assert_int_equal(opts.log_level, C2D_LOG_INFO);
	assert_int_equal(opts.ringbuf_mb, 0); /* sized from the CPUs at load */
	assert_int_equal(opts.proc_cache_size, 65536);
	assert_int_equal(opts.stats_interval, 60);
}

enum field_type { F_BOOL, F_STR, F_U64, F_LEVEL };

struct option_case {
	const char *args[3];
	size_t off;
	enum field_type type;
	const char *str;
	uint64_t num;
};

#define OFF(f) offsetof(struct c2d_agent_opts, f)

static const struct option_case option_cases[] = {
	{{"--stdout"}, OFF(stdout_mode), F_BOOL, NULL, 0},
	{{"--help"}, OFF(help), F_BOOL, NULL, 0},
	{{"-h"}, OFF(help), F_BOOL, NULL, 0},
	{{"--version"}, OFF(version), F_BOOL, NULL, 0},
	{{"--policy", "/etc/c2d/policy.json"}, OFF(policy_file), F_STR, "/etc/c2d/policy.json", 0},
	{{"--policy=/p.json"}, OFF(policy_file), F_STR, "/p.json", 0},
	{{"--node-name", "node-7"}, OFF(node_name), F_STR, "node-7", 0},
	{{"--log-level", "error"}, OFF(log_level), F_LEVEL, NULL, C2D_LOG_ERROR},
	{{"--log-level", "warn"}, OFF(log_level), F_LEVEL, NULL, C2D_LOG_WARN},
	{{"--log-level", "info"}, OFF(log_level), F_LEVEL, NULL, C2D_LOG_INFO},
	{{"--log-level=debug"}, OFF(log_level), F_LEVEL, NULL, C2D_LOG_DEBUG},
	{{"--ringbuf-mb", "0"}, OFF(ringbuf_mb), F_U64, NULL, 0},
	{{"--ringbuf-mb", "1"}, OFF(ringbuf_mb), F_U64, NULL, 1},
	{{"--ringbuf-mb", "64"}, OFF(ringbuf_mb), F_U64, NULL, 64},
	{{"--ringbuf-mb", "256"}, OFF(ringbuf_mb), F_U64, NULL, 256},
	{{"--proc-cache-size", "1024"}, OFF(proc_cache_size), F_U64, NULL, 1024},
	{{"--proc-cache-size", "4194304"}, OFF(proc_cache_size), F_U64, NULL, 4194304},
	{{"--proc-cache-size", "100000"}, OFF(proc_cache_size), F_U64, NULL, 100000},
	{{"--stats-interval", "0"}, OFF(stats_interval), F_U64, NULL, 0},
	{{"--stats-interval", "86400"}, OFF(stats_interval), F_U64, NULL, 86400},
	{{"--metrics-addr", "127.0.0.1:9101"}, OFF(metrics_addr), F_STR, "127.0.0.1:9101", 0},
	{{"--metrics-addr", ":9101"}, OFF(metrics_addr), F_STR, ":9101", 0},
	{{"--metrics-addr=[::1]:9101"}, OFF(metrics_addr), F_STR, "[::1]:9101", 0},
	{{"--metrics-addr", "localhost:9101"}, OFF(metrics_addr), F_STR, "localhost:9101", 0},
};

static void check_field(const struct option_case *c)
{
	const char *p = (const char *)&opts + c->off;

	switch (c->type) {
	case F_BOOL:
		assert_true(*(const bool *)p);
		break;
	case F_STR:
		assert_string_equal(*(const char *const *)p, c->str);
		break;
	case F_U64:
		assert_int_equal(*(const uint64_t *)p, c->num);
		break;
	case F_LEVEL:
		assert_int_equal(*(const enum c2d_log_level *)p, c->num);
		break;
	}
}

static void test_each_option(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(option_cases); i++) {
		parse_ok(option_cases[i].args);
		check_field(&option_cases[i]);
	}
}

static void test_all_together(void **state)
{
	static const char *const args[] = {"--stdout", "--node-name", "n", "--ringbuf-mb", "16",
					   "--log-level", "warn", NULL};

	parse_ok(args);
	assert_true(opts.stdout_mode);
	assert_string_equal(opts.node_name, "n");
	assert_int_equal(opts.ringbuf_mb, 16);
	assert_int_equal(opts.log_level, C2D_LOG_WARN);
	assert_int_equal(opts.proc_cache_size, 65536); /* untouched: still the default */
	assert_false(opts.help);
}

static void test_storage_path_repeated(void **state)
{
	static const char *const args[] = {"--storage-path", "/srv/a", "--storage-path=/srv/b",
					   "--storage-path", "/data", NULL};

	parse_ok(args);
	assert_int_equal(opts.nstorage, 3);
	assert_string_equal(opts.storage_paths[0], "/srv/a");
	assert_string_equal(opts.storage_paths[1], "/srv/b");
	assert_string_equal(opts.storage_paths[2], "/data");
}

static void test_storage_path_limit(void **state)
{
	char *argv[2 * C2D_MAX_STORAGE_PATHS + 3] = {(char *)"c2d-agent"};
	int argc = 1;

	for (int i = 0; i <= C2D_MAX_STORAGE_PATHS; i++) {
		argv[argc++] = (char *)"--storage-path";
		argv[argc++] = (char *)"/srv";
	}
	assert_int_equal(options_parse(&opts, argc - 2, argv, err, sizeof(err)), 0);
	assert_int_equal(opts.nstorage, C2D_MAX_STORAGE_PATHS);
	assert_int_equal(options_parse(&opts, argc, argv, err, sizeof(err)), -EINVAL);
	assert_contains(err, "--storage-path");
	assert_contains(err, "at most 64");
}

struct error_case {
	const char *args[3];
	const char *want[3]; /* pieces of the message */
};

static const struct error_case error_cases[] = {
	{{"--bogus"}, {"unknown option", "\"--bogus\""}},
	{{"--bogus=1"}, {"unknown option", "--bogus"}},
	{{"-x"}, {"unknown option", "\"-x\""}},
	{{"--stdout=yes"}, {"--stdout"}},
	{{"--policy"}, {"--policy", "needs a value"}},
	{{"--ringbuf-mb"}, {"--ringbuf-mb", "needs a value"}},
	{{"--log-level"}, {"--log-level", "needs a value"}},
	{{"--storage-path"}, {"--storage-path", "needs a value"}},
	{{"--policy", ""}, {"--policy", "non-empty"}},
	{{"--node-name="}, {"--node-name", "non-empty"}},
	{{"--storage-path", ""}, {"--storage-path", "non-empty"}},
	{{"--ringbuf-mb", "3"}, {"--ringbuf-mb", "\"3\"", "power of two"}},
	{{"--ringbuf-mb", "512"}, {"--ringbuf-mb", "\"512\"", "[0, 256]"}},
	{{"--ringbuf-mb", "-8"}, {"--ringbuf-mb", "\"-8\""}},
	{{"--ringbuf-mb", "8k"}, {"--ringbuf-mb", "\"8k\""}},
	{{"--ringbuf-mb", ""}, {"--ringbuf-mb"}},
	{{"--ringbuf-mb", "18446744073709551624"}, {"--ringbuf-mb"}},
	{{"--log-level", "nope"}, {"--log-level", "\"nope\"", "error, warn, info, debug"}},
	{{"--log-level", "INFO"}, {"--log-level", "\"INFO\""}},
	{{"--proc-cache-size", "10"}, {"--proc-cache-size", "\"10\"", "[1024, 4194304]"}},
	{{"--proc-cache-size", "4194305"}, {"--proc-cache-size", "\"4194305\""}},
	{{"--stats-interval", "86401"}, {"--stats-interval", "\"86401\""}},
	{{"--stats-interval", "1.5"}, {"--stats-interval", "\"1.5\""}},
	{{"--metrics-addr", "9101"}, {"--metrics-addr", "\"9101\"", "ADDR:PORT"}},
	{{"--metrics-addr", "no-such-host.invalid:9101"}, {"--metrics-addr", "ADDR:PORT"}},
	{{"--metrics-addr", "127.0.0.1:70000"}, {"--metrics-addr", "ADDR:PORT"}},
	{{"--metrics-addr", "[::1:9101"}, {"--metrics-addr", "ADDR:PORT"}},
	{{"stray"}, {"unexpected argument", "\"stray\""}},
	{{"--stdout", "stray"}, {"unexpected argument", "\"stray\""}},
};

static void test_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(error_cases); i++) {
		const struct error_case *c = &error_cases[i];
		int rc = parse(c->args);

		if (rc != -EINVAL)
			fail_msg("%s %s: rc %d, expected -EINVAL", c->args[0],
				 c->args[1] ? c->args[1] : "", rc);
		for (size_t k = 0; k < ARRAY_SIZE(c->want) && c->want[k]; k++)
			assert_contains(err, c->want[k]);
	}
}

static void test_usage_lists_every_option(void **state)
{
	static const char *const names[] = {"--stdout", "--policy FILE", "--storage-path PREFIX",
					    "--node-name NAME", "--log-level LEVEL",
					    "--ringbuf-mb MB", "--proc-cache-size N",
					    "--stats-interval SECONDS", "--help", "--version",
					    "[default: 0]", "[default: 65536]"};
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	options_usage(f, "c2d-agent");
	fclose(f);
	assert_contains(text, "usage: c2d-agent");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		assert_contains(text, names[i]);
	free(text);
}

static void test_flag_with_value_message(void **state)
{
	/* Was a bug (fixed): "--stdout=yes" is refused (right) with "--stdout: needs a value" (wrong): glibc
	 * sets optopt to the option's value both for a missing argument and for an argument
	 * given to a flag, and options_parse() does not tell the two apart. */
	static const char *const args[] = {"--stdout=yes", NULL};

	assert_int_equal(parse(args), -EINVAL);
	assert_contains(err, "--stdout");
	assert_true(strstr(err, "needs a value") == NULL);
}

static void test_unknown_short_option_in_cluster_named(void **state)
{
	/* Was a bug (fixed): for an unknown short option that is not the last of its cluster ("-xh"),
	 * getopt_long has not advanced optind yet, so argv[optind - 1] is the program name: the
	 * message reads unknown option "c2d-agent" instead of naming -x. */
	static const char *const args[] = {"-xh", NULL};

	getopt_reset();
	assert_int_equal(parse(args), -EINVAL);
	assert_contains(err, "-x");
	assert_true(strstr(err, "c2d-agent") == NULL);
}

static void test_parse_twice_starts_afresh(void **state)
{
	/* Was a bug (fixed): options_parse() resets getopt with optind = 1, which does not reset glibc's
	 * position inside a cluster of short options. After the error inside "-xh", the next
	 * call resumes in the old argv: it takes the stale "h", then reads past the new argv and
	 * crashes (SIGSEGV, NULL read in _getopt_internal_r). optind = 0 is the full reset.
	 * The agent parses once, so only a second call (tests, a reload) is exposed. */
	static const char *const cluster[] = {"-xh", NULL}, *const none[] = {NULL};

	getopt_reset();
	assert_int_equal(parse(cluster), -EINVAL);
	parse_ok(none);
	assert_false(opts.help);
}

/* --collector: one URL or a list the agent fails over along (ship.c); each URL is checked. */
static void test_collector_list(void **state)
{
	static const char *const one[] = {"--collector", "http://c:8787", NULL};
	static const char *const three[] = {
	    "--collector", "http://a:8787,https://b:8787,http://[::1]:8787", NULL};
	static const char *const bad_second[] = {"--collector", "http://a:8787,ftp://b", NULL};
	static const char *const empty[] = {"--collector", ",,", NULL};
	static const char *const nine[] = {
	    "--collector", "http://a,http://a,http://a,http://a,http://a,http://a,http://a,"
			   "http://a,http://a", NULL};

	parse_ok(one);
	assert_string_equal(opts.collector, "http://c:8787");
	parse_ok(three);
	assert_int_equal(parse(bad_second), -EINVAL);
	assert_non_null(strstr(err, "ftp://b"));
	assert_int_equal(parse(empty), -EINVAL);
	assert_non_null(strstr(err, "no URL"));
	assert_int_equal(parse(nine), -EINVAL);
	assert_non_null(strstr(err, "more than 8"));
}

/* --ringbuf-mb 0: 2 MiB per CPU, a power of two from 4 to 64; a size given is kept. */
static void test_ringbuf_auto(void **state)
{
	struct c2d_agent_opts o = {0};
	const int cpus[] = {0, 1, 2, 3, 4, 16, 31, 32, 33, 200};
	const uint64_t want[] = {4, 4, 4, 8, 8, 32, 64, 64, 64, 64};

	for (size_t i = 0; i < sizeof(cpus) / sizeof(cpus[0]); i++)
		assert_int_equal(options_ringbuf_mb(&o, cpus[i]), want[i]);
	o.ringbuf_mb = 1;
	assert_int_equal(options_ringbuf_mb(&o, 64), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_collector_list),
		cmocka_unit_test(test_each_option),
		cmocka_unit_test(test_all_together),
		cmocka_unit_test(test_storage_path_repeated),
		cmocka_unit_test(test_storage_path_limit),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_usage_lists_every_option),
		cmocka_unit_test(test_flag_with_value_message),
		/* last: when run, they may leave getopt's state behind */
		cmocka_unit_test(test_unknown_short_option_in_cluster_named),
		cmocka_unit_test(test_parse_twice_starts_afresh),
		cmocka_unit_test(test_ringbuf_auto),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

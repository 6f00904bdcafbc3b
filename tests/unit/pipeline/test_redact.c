// SPDX-License-Identifier: BSD-2-Clause
/* test_redact.c - agent/pipeline/redact.c: secrets leave command lines, everything else stays. */
#include "redact.h"
#include "unit.h"

#define MAX_ARGS 6
#define R C2D_REDACTED

struct redact_case {
	const char *in[MAX_ARGS + 1];  /* NULL-terminated */
	const char *out[MAX_ARGS + 1]; /* NULL-terminated */
};

static const struct redact_case cases[] = {
	/* flags that carry a secret */
	{{"mysql", "--password=hunter2", "-h", "db"}, {"mysql", "--password=" R, "-h", "db"}},
	{{"cli", "--token", "abc123", "next"}, {"cli", "--token", R, "next"}},
	{{"cli", "--api-key", "k", "--verbose"}, {"cli", "--api-key", R, "--verbose"}},
	{{"cli", "--client-secret=s", "-x"}, {"cli", "--client-secret=" R, "-x"}},
	{{"cli", "--DB-PASSWD", "p"}, {"cli", "--DB-PASSWD", R}},
	{{"cli", "--password"}, {"cli", "--password"}},
	/* environment-style assignments */
	{{"env", "PASSWORD=x", "cmd"}, {"env", "PASSWORD=" R, "cmd"}},
	{{"env", "DB_PASSWORD=x=y"}, {"env", "DB_PASSWORD=" R}},
	{{"env", "GITHUB_TOKEN=abc"}, {"env", "GITHUB_TOKEN=" R}},
	/* values that look like credentials */
	{{"aws", "AKIAIOSFODNN7EXAMPLE"}, {"aws", R}},
	{{"aws", "ASIAIOSFODNN7EXAMPLE"}, {"aws", R}},
	{{"x", "--key=AKIAIOSFODNN7EXAMPLE"}, {"x", "--key=" R}},
	{{"git", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"}, {"git", R}},
	{{"x", "glpat-abcdef", "xoxb-1-2"}, {"x", R, R}},
	{{"x", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"}, {"x", R}},
	{{"x", "--id-token=eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}, {"x", "--id-token=" R}},
	{{"x", "-----BEGIN RSA PRIVATE KEY-----"}, {"x", R}},
	/* URL passwords */
	{{"git", "clone", "https://user:s3cret@github.com/org/repo.git"},
	 {"git", "clone", "https://user:" R "@github.com/org/repo.git"}},
	{{"psql", "postgres://app:pw@db:5432/app"}, {"psql", "postgres://app:" R "@db:5432/app"}},
	{{"x", "--url=https://u:p@h/"}, {"x", "--url=https://u:" R "@h/"}},
	/* nothing else changes */
	{{"ls", "-la", "/tmp"}, {"ls", "-la", "/tmp"}},
	{{"grep", "-r", "password", "/etc"}, {"grep", "-r", "password", "/etc"}},
	{{"cmd", "--user=bob", "--verbose", "-n", "3"},
	 {"cmd", "--user=bob", "--verbose", "-n", "3"}},
	{{"curl", "https://example.com/a?b=c"}, {"curl", "https://example.com/a?b=c"}},
	{{"curl", "https://user@example.com/"}, {"curl", "https://user@example.com/"}},
	{{"curl", "https://example.com/a:b@c"}, {"curl", "https://example.com/a:b@c"}},
	{{"echo", "a=b", "x y=z"}, {"echo", "a=b", "x y=z"}},
	{{"a", "", "b"}, {"a", "", "b"}},
	{{"sh", "-c", "echo AKIA"}, {"sh", "-c", "echo AKIA"}},
};

/* NUL-separated, NUL-terminated; returns the length. */
static size_t join(const char *const *args, char *buf, size_t cap)
{
	size_t n = 0;

	for (; *args; args++) {
		size_t l = strlen(*args) + 1;

		assert_true(n + l <= cap);
		memcpy(buf + n, *args, l);
		n += l;
	}
	return n;
}

static void show(const char *s, size_t n, char *text, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 2 < cap; i++)
		text[k++] = s[i] ? s[i] : '|';
	text[k] = 0;
}

static void check_case(const struct redact_case *c)
{
	char in[512], want[512], *out = malloc(1024);
	size_t n = join(c->in, in, sizeof(in)), wn = join(c->out, want, sizeof(want)), got;

	assert_non_null(out);
	got = redact_args(in, n, out, 1024);
	if (got != wn || memcmp(out, want, wn) != 0) {
		char a[600], b[600];

		show(out, got < 1024 ? got : 1024, a, sizeof(a));
		show(want, wn, b, sizeof(b));
		free(out);
		fail_msg("got \"%s\", expected \"%s\"", a, b);
	}
	free(out);
}

static void test_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

/* Every cap from 0 up: never more than cap bytes, NUL-terminated, a prefix of the full
 * output, and no secret byte leaks into a truncated output. */
static void test_bounded(void **state)
{
	static const char *const in_args[] = {"mysql", "--password=hunter2", "--token", "hunter3",
					      "https://u:hunter4@h/", "tail", NULL};
	char in[256], full[256];
	size_t n = join(in_args, in, sizeof(in));
	size_t fn = redact_args(in, n, full, sizeof(full));

	assert_true(fn > 0 && fn < sizeof(full));
	assert_int_equal(full[fn - 1], 0);
	for (size_t cap = 0; cap <= fn + 2; cap++) {
		char *out = malloc(cap ? cap : 1); /* ASan: a write past cap is caught */
		size_t got;

		assert_non_null(out);
		got = redact_args(in, n, out, cap);
		if (got > cap)
			fail_msg("cap %zu: %zu bytes", cap, got);
		if (cap > 0) {
			assert_true(got > 0);
			assert_int_equal(out[got - 1], 0);
			assert_memory_equal(out, full, got - 1);
			assert_true(memmem(out, got, "hunter", 6) == NULL);
		}
		if (cap >= fn)
			assert_int_equal(got, fn);
		free(out);
	}
}

static void test_unterminated_last_arg(void **state)
{
	/* Was a bug (fixed): redact_args() trusts the last argument to end with a NUL inside n bytes. The
	 * kernel cuts argv at C2D_ARGS_MAX - 1 bytes (and a process can point arg_end anywhere),
	 * so an exec record's last argument often has no NUL, and event_decode() does not
	 * require one. value_is_secret(), strchr(a, ' ') and put_url()'s strstr/strchr then read
	 * past n; put_url() copies what it finds there into the output and computes
	 * n - (at - a) < 0, copying up to cap bytes. Here the 5 bytes "https" are given, and
	 * "://u:p@host" that follows in memory ends up in the output. With the input alone in a
	 * 5-byte heap buffer, ASan reports a heap-buffer-overflow in strstr. */
	char *in, out[256];
	size_t got;

	in = calloc(1, 2048);
	assert_non_null(in);
	memcpy(in, "https://u:p@host", 16);
	got = redact_args(in, 5, out, sizeof(out));
	free(in);
	assert_int_equal(got, 6);
	assert_memory_equal(out, "https", 6);
}

static void test_token_inside_argument(void **state)
{
	/* Was a bug (fixed): credentials are recognised only at the start of an argument or of a value after
	 * '='. A bearer token in a header, the commonest way a JWT reaches a command line, is
	 * kept: curl -H "Authorization: Bearer eyJ..." comes out unchanged. */
	static const struct redact_case c = {
		{"curl", "-H", "Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", NULL},
		{"curl", "-H", "Authorization: Bearer " R, NULL},
	};

	check_case(&c);
}

static void test_scheme_words_in_shell_strings(void **state)
{
	/* "token " inside a shell command is a path, not an authorization header */
	static const struct redact_case plain = {
		{"sh", "-c", "cat /run/secrets/token >/dev/null; true", NULL},
		{"sh", "-c", "cat /run/secrets/token >/dev/null; true", NULL},
	};
	static const struct redact_case whole = {
		{"client", "Bearer abc.def", NULL},
		{"client", "Bearer " R, NULL},
	};

	check_case(&plain);
	check_case(&whole);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_unterminated_last_arg),
		cmocka_unit_test(test_token_inside_argument),
		cmocka_unit_test(test_scheme_words_in_shell_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

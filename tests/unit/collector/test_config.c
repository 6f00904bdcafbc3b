// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_config.c - collector/config*.c and auth.c: defaults, the file, the command line over
 * the file, errors naming the key, token-file parsing, rotation and constant-time checks.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "auth.h"
#include "config.h"
#include "unit/unit.h"

static void test_defaults_and_file(void **st)
{
	struct collector_config c;
	char err[256];

	config_defaults(&c);
	assert_int_equal(c.max_body, 8 << 20);
	assert_int_equal(c.max_decompressed, 64 << 20);
	assert_int_equal(c.max_events, 10000);
	assert_int_equal(c.max_depth, 32);
	assert_int_equal(config_parse_text(&c, "# c\n\nmax-body = 1M\n  retention-days=7 \n", "f",
					   err, sizeof(err)), 0);
	assert_int_equal(c.max_body, 1 << 20);
	assert_int_equal(c.retention_days, 7);
	assert_int_equal(config_parse_text(&c, "\nmax-bdy = 1\n", "f", err, sizeof(err)), -EBADMSG);
	assert_string_equal(err, "f:2: unknown key \"max-bdy\"");
	assert_int_equal(config_parse_text(&c, "max-depth = 1000\n", "f", err, sizeof(err)),
			 -EBADMSG);
	assert_contains(err, "f:1: max-depth:");
	assert_int_equal(config_parse_text(&c, "max-depth\n", "f", err, sizeof(err)), -EBADMSG);
	config_free(&c);
}

static void test_command_line(void **st)
{
	struct collector_config c;
	char err[256], cfg[] = "/tmp/c2dcfg.XXXXXX";
	int fd = mkstemp(cfg);
	char *argv[] = {"c", "--listen", "127.0.0.1:1", "--db", "d", "--token-file", "t",
			"--config", cfg, "--max-events", "5", NULL};

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "max-events = 9\nmax-depth = 8\n", 29), 29);
	close(fd);
	assert_int_equal(config_load(&c, 11, argv, err, sizeof(err)), 0);
	assert_int_equal(c.max_events, 5); /* the command line wins */
	assert_int_equal(c.max_depth, 8);
	config_free(&c);
	assert_int_equal(config_load(&c, 5, argv, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "--token-file: required (see --help)");
	config_free(&c);
	char *bad[] = {"c", "--max-body", "lots", NULL};

	assert_int_equal(config_load(&c, 3, bad, err, sizeof(err)), -EINVAL);
	assert_contains(err, "--max-body: \"lots\"");
	config_free(&c);
	unlink(cfg);
}

static void test_token_parse(void **st)
{
	char **t;

	assert_int_equal(auth_parse_tokens("# comment\n  a1 \r\n\nb2\n#c3\n", &t), 2);
	assert_string_equal(t[0], "a1");
	assert_string_equal(t[1], "b2");
	assert_null(t[2]);
	auth_tokens_free(t);
	assert_int_equal(auth_parse_tokens("# only\n", &t), 0);
	auth_tokens_free(t);
}

static void test_auth_rotation(void **st)
{
	char path[] = "/tmp/c2dtok.XXXXXX", err[256];
	int fd = mkstemp(path);
	struct auth *a;
	FILE *f;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "old-token\n", 10), 10);
	close(fd);
	assert_int_equal(auth_new(path, &a, err, sizeof(err)), 0);
	assert_true(auth_check(a, "Bearer old-token"));
	assert_false(auth_check(a, "Bearer old-toke"));
	assert_false(auth_check(a, "Bearer old-tokenx"));
	assert_false(auth_check(a, "Basic old-token"));
	assert_false(auth_check(a, NULL));
	f = fopen(path, "w");
	fputs("# rotated\nnew-token-longer\nsecond\n", f);
	fclose(f);
	assert_true(auth_check(a, "Bearer new-token-longer"));
	assert_true(auth_check(a, "bearer second"));
	assert_false(auth_check(a, "Bearer old-token"));
	/* emptied: the previous tokens stay */
	f = fopen(path, "w");
	fclose(f);
	assert_true(auth_check(a, "Bearer second"));
	auth_free(a);
	unlink(path);
	assert_int_equal(auth_new(path, &a, err, sizeof(err)), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_file),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_token_parse),
		cmocka_unit_test(test_auth_rotation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

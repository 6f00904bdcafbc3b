// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_config.c - collector/config*.c and api/auth.c: defaults, the file, the command line over
 * the file, errors naming the key, token-file parsing, rotation and constant-time checks.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
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
	assert_string_equal(err, "--token-file (or --ingest-token-file and --read-token-file): required (see --help)");
	config_free(&c);
	char *bad[] = {"c", "--max-body", "lots", NULL};

	assert_int_equal(config_load(&c, 3, bad, err, sizeof(err)), -EINVAL);
	assert_contains(err, "--max-body: \"lots\"");
	config_free(&c);
	unlink(cfg);
}

static void test_token_parse(void **st)
{
	struct auth_token *t;
	size_t n;
	int bad = 0;

	assert_int_equal(auth_parse_tokens("# comment\n  a1 \r\n\nb2 node=node-1.x\n#c3\n", &t, &n,
					   &bad), 0);
	assert_int_equal(n, 2);
	assert_string_equal(t[0].value, "a1");
	assert_string_equal(t[0].node, "");
	assert_string_equal(t[1].value, "b2");
	assert_string_equal(t[1].node, "node-1.x");
	auth_tokens_free(t, n);
	assert_int_equal(auth_parse_tokens("# only\n", &t, &n, &bad), 0);
	assert_int_equal(n, 0);
	auth_tokens_free(t, n);
	assert_int_equal(auth_parse_tokens("ok\nb2 nod=x\n", &t, &n, &bad), -EINVAL);
	assert_int_equal(bad, 2);
	assert_int_equal(auth_parse_tokens("b2 node=Bad_Name\n", &t, &n, &bad), -EINVAL);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

#define CHECK(a, hdr, role) auth_check(a, hdr, role, node, sizeof(node))

static void test_auth_rotation(void **st)
{
	char path[] = "/tmp/c2dtok.XXXXXX", err[256], node[64];
	int fd = mkstemp(path);
	struct auth *a = auth_new();

	assert_true(fd >= 0);
	close(fd);
	write_file(path, "old-token\n", 0600);
	assert_int_equal(auth_add_file(a, path, AUTH_INGEST | AUTH_READ, err, sizeof(err)), 0);
	assert_int_equal(CHECK(a, "Bearer old-token", AUTH_READ), AUTH_OK);
	assert_int_equal(CHECK(a, "Bearer old-toke", AUTH_READ), AUTH_DENIED);
	assert_int_equal(CHECK(a, "Bearer old-tokenx", AUTH_READ), AUTH_DENIED);
	assert_int_equal(CHECK(a, "Basic old-token", AUTH_READ), AUTH_DENIED);
	assert_int_equal(CHECK(a, NULL, AUTH_READ), AUTH_DENIED);
	write_file(path, "# rotated\nnew-token-longer\nsecond\n", 0600);
	assert_int_equal(CHECK(a, "Bearer new-token-longer", AUTH_INGEST), AUTH_OK);
	assert_int_equal(CHECK(a, "bearer second", AUTH_READ), AUTH_OK);
	assert_int_equal(CHECK(a, "Bearer old-token", AUTH_READ), AUTH_DENIED);
	/* emptied: nothing is valid any more (it used to keep the old set forever) */
	write_file(path, "", 0600);
	assert_int_equal(CHECK(a, "Bearer second", AUTH_READ), AUTH_DENIED);
	/* fixed again */
	write_file(path, "second\n", 0600);
	assert_int_equal(CHECK(a, "Bearer second", AUTH_READ), AUTH_OK);
	/* made world-readable: revoked */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(CHECK(a, "Bearer second", AUTH_READ), AUTH_DENIED);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(CHECK(a, "Bearer second", AUTH_READ), AUTH_OK);
	/* removed: revoked */
	unlink(path);
	assert_int_equal(CHECK(a, "Bearer second", AUTH_READ), AUTH_DENIED);
	auth_free(a);
	a = auth_new();
	assert_int_equal(auth_add_file(a, path, AUTH_READ, err, sizeof(err)), -ENOENT);
	write_file(path, "t\n", 0604);
	assert_int_equal(auth_add_file(a, path, AUTH_READ, err, sizeof(err)), -EPERM);
	assert_contains(err, "readable or writable by every user (mode 0604)");
	write_file(path, "# nothing\n", 0600);
	assert_int_equal(auth_add_file(a, path, AUTH_READ, err, sizeof(err)), -ENOKEY);
	write_file(path, "t node=n1\n", 0600);
	assert_int_equal(auth_add_file(a, path, AUTH_READ, err, sizeof(err)), -EINVAL);
	assert_contains(err, "node= binds ingest tokens only");
	auth_free(a);
	unlink(path);
}

/* Roles: an ingest token cannot read, a read token cannot ingest; node binding. */
static void test_auth_roles(void **st)
{
	char ing[] = "/tmp/c2ding.XXXXXX", rd[] = "/tmp/c2drd.XXXXXX", err[256], node[64];
	struct auth *a = auth_new();

	close(mkstemp(ing));
	close(mkstemp(rd));
	write_file(ing, "agent-any\nagent-n1 node=n1\n", 0600);
	write_file(rd, "reader\n", 0600);
	assert_int_equal(auth_add_file(a, ing, AUTH_INGEST, err, sizeof(err)), 0);
	assert_int_equal(auth_add_file(a, rd, AUTH_READ, err, sizeof(err)), 0);
	assert_int_equal(CHECK(a, "Bearer agent-any", AUTH_INGEST), AUTH_OK);
	assert_string_equal(node, "");
	assert_int_equal(CHECK(a, "Bearer agent-n1", AUTH_INGEST), AUTH_OK);
	assert_string_equal(node, "n1");
	assert_int_equal(CHECK(a, "Bearer agent-any", AUTH_READ), AUTH_WRONG_ROLE);
	assert_int_equal(CHECK(a, "Bearer reader", AUTH_READ), AUTH_OK);
	assert_int_equal(CHECK(a, "Bearer reader", AUTH_INGEST), AUTH_WRONG_ROLE);
	assert_int_equal(CHECK(a, "Bearer nobody", AUTH_INGEST), AUTH_DENIED);
	/* SIGHUP re-reads even a file that looks unchanged */
	auth_reload(a);
	assert_int_equal(CHECK(a, "Bearer reader", AUTH_READ), AUTH_OK);
	auth_free(a);
	unlink(ing);
	unlink(rd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_file),
		cmocka_unit_test(test_command_line),
		cmocka_unit_test(test_token_parse),
		cmocka_unit_test(test_auth_rotation),
		cmocka_unit_test(test_auth_roles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

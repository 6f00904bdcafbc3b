// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_cli.c - collector/cli: argument parsing into API paths, URL escaping, the table printer
 * and every renderer on canned server answers (pure functions: no server, no network).
 */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli/cli.h"
#include "cli/table.h"
#include "unit/unit.h"

#define MAX_ARGS 12

static struct cli_request req;
static char err[256];

static int parse(const char *const *args)
{
	char *argv[MAX_ARGS + 2] = {(char *)"c2d"};
	int argc = 1;

	while (args[argc - 1]) {
		assert_true(argc <= MAX_ARGS);
		argv[argc] = (char *)args[argc - 1];
		argc++;
	}
	err[0] = 0;
	return cli_parse(argc, argv, &req, err, sizeof(err));
}

#define A(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_path(const char *const *args, const char *path)
{
	if (parse(args) != 0)
		fail_msg("refused: %s", err);
	assert_string_equal(req.path, path);
	assert_non_null(req.render);
}

static void expect_usage_error(const char *const *args, const char *why)
{
	assert_int_equal(parse(args), -EINVAL);
	assert_contains(err, why);
}

static void test_parse_commands(void **state)
{
	unsetenv("C2D_SERVER");
	unsetenv("C2D_TOKEN_FILE");
	expect_path(A("findings"), "/v1/findings");
	assert_string_equal(req.server, CLI_DEFAULT_SERVER);
	assert_null(req.token_file);
	assert_int_equal(req.output, CLI_OUT_TABLE);
	expect_path(A("findings", "--namespace", "prod", "--kind=credential_read", "--limit", "5"),
		    "/v1/findings?namespace=prod&kind=credential_read&limit=5");
	expect_path(A("--json", "--server", "http://c:1", "findings", "--since",
		      "2026-11-28T20:00:00+01:00"),
		    "/v1/findings?since=2026-11-28T20%3A00%3A00%2B01%3A00");
	assert_int_equal(req.output, CLI_OUT_JSON);
	assert_string_equal(req.server, "http://c:1");
	/* flags after the command, -o, --flag=value, and the command's own flags anywhere */
	expect_path(A("findings", "--kind", "storage_write", "-o", "wide", "--server=http://d:2"),
		    "/v1/findings?kind=storage_write");
	assert_int_equal(req.output, CLI_OUT_WIDE);
	assert_ptr_equal(req.render, cli_render_findings_wide);
	assert_string_equal(req.server, "http://d:2");
	expect_path(A("--limit", "7", "findings", "--json", "--all"), "/v1/findings?limit=7");
	assert_int_equal(req.output, CLI_OUT_JSON);
	assert_true(req.all);
	assert_string_equal(req.items, "findings");
	expect_path(A("findings", "--output=ndjson", "--cursor", "123-4"), "/v1/findings?cursor=123-4");
	assert_int_equal(req.output, CLI_OUT_NDJSON);
	expect_path(A("trace", "-o", "json", "id-1"), "/v1/trace/id-1");
	expect_path(A("trace", "b7e3c1d2a9f04e51-00000000000004d2"),
		    "/v1/trace/b7e3c1d2a9f04e51-00000000000004d2");
	expect_path(A("trace", "a/b"), "/v1/trace/a%2Fb"); /* stays one path segment */
	expect_path(A("introduced", "--workload", "prod/payments"),
		    "/v1/introduced?workload=prod%2Fpayments");
	expect_path(A("origins", "--by", "pipeline", "--since", "7d"),
		    "/v1/origins?by=pipeline&since=7d");
	setenv("C2D_SERVER", "http://env:8787", 1);
	setenv("C2D_TOKEN_FILE", "/tmp/tok", 1);
	expect_path(A("--token-file=/x/t", "findings"), "/v1/findings");
	assert_string_equal(req.server, "http://env:8787");
	assert_string_equal(req.token_file, "/x/t");
	unsetenv("C2D_SERVER");
	unsetenv("C2D_TOKEN_FILE");
}

static void test_parse_errors(void **state)
{
	expect_usage_error(A("--json"), "no command");
	expect_usage_error(A("bogus"), "unknown command");
	expect_usage_error(A("--bogus", "findings"), "unknown option");
	expect_usage_error(A("findings", "--colour", "x"), "unknown option \"--colour\"");
	expect_usage_error(A("findings", "--namespace"), "--namespace: needs a value");
	expect_usage_error(A("findings", "--namespace", "--kind", "x"),
			   "--namespace: needs a value");
	expect_usage_error(A("findings", "extra"), "unexpected argument");
	expect_usage_error(A("trace"), "needs EVENT_ID");
	expect_usage_error(A("trace", "a", "b"), "unexpected argument");
	expect_usage_error(A("introduced"), "--workload NAMESPACE/NAME is required");
	expect_usage_error(A("origins"), "--by");
	expect_usage_error(A("--server"), "--server: needs a value");
	expect_usage_error(A("findings", "--by", "commit"), "findings: unknown option \"--by\"");
	expect_usage_error(A("origins", "--by", "commit", "--all"), "--all pages through findings");
	expect_usage_error(A("-o", "yaml", "findings"), "\"yaml\" is not one of");
	expect_usage_error(A("completion"), "bash or zsh");
	expect_usage_error(A("completion", "fish"), "bash or zsh");
	expect_usage_error(A("help", "bogus"), "no command \"bogus\"");
	/* help is never a usage error, wherever it is asked for */
	assert_int_equal(parse(A("--help")), 0);
	assert_true(req.help);
	assert_null(req.help_for);
	assert_int_equal(parse(A("findings", "--help")), 0);
	assert_string_equal(req.help_for, "findings");
	assert_int_equal(parse(A("trace", "-h")), 0); /* not an event id sent to the server */
	assert_string_equal(req.help_for, "trace");
	assert_int_equal(parse(A("help", "origins")), 0);
	assert_string_equal(req.help_for, "origins");
	assert_int_equal(parse(A("--version")), 0);
	assert_true(req.version);
	assert_int_equal(parse(A("completion", "zsh")), 0);
	assert_string_equal(req.completion, "zsh");
}

static void test_help_and_completion_text(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(cli_command_help(f, "findings"), 0);
	assert_int_equal(cli_command_help(f, "nope"), -ENOENT);
	assert_int_equal(cli_completion(f, "bash"), 0);
	assert_int_equal(cli_completion(f, "fish"), -EINVAL);
	fclose(f);
	assert_contains(buf, "[--cursor NEXT] [--all]");
	assert_contains(buf, "exit status: 0 ok, 1 nothing found");
	assert_contains(buf, "findings) flags=\"$flags --namespace --workload --kind --rule "
			     "--commit --pipeline --image --since --limit --cursor --all\";;");
	assert_contains(buf, "origins) flags=\"$flags --by --namespace --since --limit\";;");
	assert_contains(buf, "complete -F _c2d c2d");
	free(buf);
}

static void test_url_escape(void **state)
{
	char out[32];

	assert_int_equal(cli_url_escape("a b&c=d/é", out, sizeof(out)), 0);
	assert_string_equal(out, "a%20b%26c%3Dd%2F%C3%A9");
	assert_int_equal(cli_url_escape("abcdefgh", out, 8), -ENOSPC);
}

/* Runs fn into a memory stream; returns the text (caller frees). */
static char *capture(cli_render_fn fn, const char *json, int want)
{
	cJSON *j = cJSON_Parse(json);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(j);
	assert_int_equal(fn(j, f), want);
	fclose(f);
	cJSON_Delete(j);
	return buf;
}

static void test_table_alignment(void **state)
{
	static const char *const h[] = {"A", "LONG HEADER", "Z"};
	struct cli_table *t = cli_table_new(3, h);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_int_equal(cli_table_add(t, A("xyzxyz", NULL, "end")), 0);
	assert_int_equal(cli_table_add(t, A("é", "b", "")), 0);
	cli_table_print(t, f);
	fclose(f);
	assert_string_equal(buf, "A       LONG HEADER  Z\n"
				 "xyzxyz  -            end\n"
				 "é       b            -\n");
	free(buf);
	cli_table_free(t);
}

static const char findings_json[] =
    "{\"findings\":[{\"id\":\"ag-1\",\"time\":\"2026-11-28T20:05:10.000000500Z\","
    "\"kind\":\"credential_read\",\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"high\","
    "\"namespace\":\"prod\",\"workload\":{\"kind\":\"Deployment\",\"name\":\"payments\"},"
    "\"pod\":\"p-1\",\"target\":\"/var/run/secrets/kubernetes.io/serviceaccount/token\","
    "\"executable\":\"/bin/busybox\",\"commit\":\"4444444444444444444444444444444444444444\","
    "\"pipeline_id\":\"103\",\"image_digest\":null}],\"count\":1}";

static void test_render_findings(void **state)
{
	char *out = capture(cli_render_findings, findings_json, 0);

	assert_contains(out, "TIME (UTC)");
	assert_contains(out, "2026-11-28 20:05:10  credential_read");
	assert_contains(out, "prod/payments");
	assert_contains(out, " 444444444444  103");
	assert_true(strstr(out, "4444444444444") == NULL); /* short commit: 12 characters */
	assert_contains(out, "1 finding\n");
	free(out);
	out = capture(cli_render_findings, "{\"error\":\"x\"}", -EINVAL);
	free(out);
}

static const char introduced_json[] =
    "{\"workload\":{\"namespace\":\"prod\",\"name\":\"payments\",\"kind\":\"Deployment\"},"
    "\"revisions\":[{\"revision\":\"1111111111111111\",\"commit\":\"1111111111111111\","
    "\"pipeline_id\":\"100\",\"first_seen\":\"2026-11-28T20:00:00Z\",\"last_seen\":"
    "\"2026-11-28T20:00:00Z\",\"events\":1}],"
    "\"behaviours\":[{\"rule\":\"k8s-serviceaccount-token\",\"target\":\"/var/run/secrets/"
    "kubernetes.io/serviceaccount/token\",\"executable\":\"/bin/busybox\",\"kind\":"
    "\"credential_read\",\"introduced_in\":{\"revision\":\"2222222222222222\",\"commit\":"
    "\"2222222222222222\",\"pipeline_id\":\"101\"},\"previous\":{\"revision\":"
    "\"1111111111111111\",\"commit\":\"1111111111111111\",\"pipeline_id\":\"100\"},"
    "\"compare_url\":\"https://github.com/acme/p/compare/1...2\",\"reintroduced\":true,"
    "\"reintroduced_in\":{\"commit\":\"4444444444444444\",\"pipeline_id\":\"103\"},"
    "\"absent_in\":{\"commit\":\"3333333333333333\",\"pipeline_id\":\"102\"},"
    "\"reintroduced_compare_url\":\"https://github.com/acme/p/compare/3...4\"},"
    "{\"rule\":\"setuid-root\",\"target\":\"setuid\",\"executable\":\"/usr/bin/sudo\","
    "\"kind\":\"privileged_call\",\"introduced_in\":{\"commit\":\"5555555555555555\","
    "\"pipeline_id\":\"200\"},\"previous\":null,\"compare_url\":null,\"reintroduced\":false}],"
    "\"truncated\":false}";

static void test_render_introduced(void **state)
{
	char *out = capture(cli_render_introduced, introduced_json, 0);

	assert_contains(out, "workload prod/payments (Deployment)");
	assert_contains(out, "REVISION      PIPELINE");
	assert_contains(out,
			"credential_read k8s-serviceaccount-token "
			"/var/run/secrets/kubernetes.io/serviceaccount/token by /bin/busybox: "
			"introduced between 111111111111 (pipeline 100) and 222222222222 "
			"(pipeline 101)\n    compare: https://github.com/acme/p/compare/1...2\n");
	assert_contains(out, "reintroduced in 444444444444 (pipeline 103) after 333333333333 "
			     "(pipeline 102) ran without it\n    compare: "
			     "https://github.com/acme/p/compare/3...4");
	assert_contains(
	    out, "setuid by /usr/bin/sudo: present since the first known revision 555555555555 "
		 "(pipeline 200)\n");
	assert_true(strstr(strstr(out, "setuid-root"), "reintroduced in") == NULL);
	free(out);
}

static void test_render_trace(void **state)
{
	static const char json[] =
	    "{\"id\":\"ag-1\",\"time\":\"2026-11-28T20:05:10Z\",\"kind\":\"credential_read\","
	    "\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"high\",\"process\":{\"pid\":42,"
	    "\"uid\":0,\"executable\":\"/bin/busybox\",\"args\":[\"cat\",\"/t\"],\"parent\":"
	    "{\"pid\":40,\"comm\":\"sh\",\"executable\":\"/bin/sh\"}},\"container\":{\"id\":"
	    "\"4f2c000000000000ffff\",\"name\":\"payments\",\"runtime\":\"containerd\","
	    "\"image\":{\"name\":\"reg/acme/p:1\",\"digest\":\"sha256:abc\"}},\"pod\":{"
	    "\"namespace\":\"prod\",\"name\":\"p-1\",\"service_account\":\"payments\",\"node\":"
	    "\"n1\"},\"workload\":{\"kind\":\"Deployment\",\"name\":\"payments\",\"derived\":true},"
	    "\"provenance\":{\"commit\":\"4444\",\"repository\":\"https://github.com/acme/p\","
	    "\"pipeline_id\":\"103\"},\"previous_revision\":{\"commit\":\"3333\",\"pipeline_id\":"
	    "\"102\"},\"links\":{\"commit_url\":\"https://github.com/acme/p/commit/4444\","
	    "\"compare_url\":\"https://github.com/acme/p/compare/"
	    "3333...4444\",\"pipeline_url\":null}}";
	char *out = capture(cli_render_trace, json, 0);

	assert_contains(out,
			"event         ag-1 credential_read k8s-serviceaccount-token (high) at "
			"2026-11-28 20:05:10 UTC\n");
	assert_contains(out, "process       pid 42 uid 0 /bin/busybox  cat /t\n");
	assert_contains(out, "parent        pid 40 sh /bin/sh\n");
	assert_contains(out, "container     payments (containerd 4f2c00000000)\n");
	assert_contains(out, "pod           prod/p-1  service account payments  node n1\n");
	assert_contains(out, "workload      Deployment payments (derived from the pod name)\n");
	assert_contains(out, "previous      3333 (pipeline 102)\n");
	assert_contains(out, "compare link  https://github.com/acme/p/compare/3333...4444\n");
	assert_true(strstr(out, "pipeline link") == NULL); /* null: no line */
	free(out);
}

/* What the finding touched, from the stored event; a hostile path is escaped. */
static void test_render_trace_target(void **state)
{
	static const char json[] =
	    "{\"id\":\"ag-2\",\"time\":\"2026-11-28T20:05:10Z\",\"kind\":\"storage_write\","
	    "\"rule\":\"production-storage\",\"severity\":\"high\",\"process\":null,"
	    "\"container\":null,\"pod\":null,\"workload\":null,\"provenance\":null,"
	    "\"previous_revision\":null,\"links\":{},\"event\":{\"outcome\":\"failure\","
	    "\"count\":12,\"first_time\":\"2026-11-28T20:05:01Z\",\"last_time\":"
	    "\"2026-11-28T20:05:10Z\",\"tampered\":true,\"syscall\":{\"name\":\"unlinkat\","
	    "\"ret\":-13,\"error\":\"EACCES\"},\"file\":{\"path\":\"/data/a\\u001b[2J\\nFAKE\","
	    "\"host_path\":\"/srv/prod/a\"}}}";
	char *out = capture(cli_render_trace, json, 0);

	assert_contains(out, "target     /data/a\\e[2J\\nFAKE\n");
	assert_contains(out, "host path  /srv/prod/a\n");
	assert_contains(out, "syscall    unlinkat returned -13 (EACCES)\n");
	assert_contains(out, "outcome    failure\n");
	assert_contains(out, "tampered   yes");
	assert_contains(out, "count      12 identical findings, 2026-11-28 20:05:01 to "
			     "2026-11-28 20:05:10 UTC\n");
	assert_true(strchr(out, 0x1b) == NULL);
	free(out);
}

static void test_render_origins(void **state)
{
	static const char json[] =
	    "{\"by\":\"commit\",\"origins\":[{\"key\":\"2222222222222222aaaa\",\"repository\":"
	    "\"https://github.com/acme/p\",\"count\":3,\"kinds\":[\"credential_read\","
	    "\"storage_write\"],\"rules\":[\"a\",\"b\"],\"workloads\":[\"prod/payments\"],"
	    "\"first_seen\":\"2026-11-28T20:01:50Z\",\"last_seen\":\"2026-11-28T20:02:05Z\"}],"
	    "\"count\":1}";
	char *out = capture(cli_render_origins, json, 0);

	assert_contains(out, "COMMIT        FINDINGS");
	assert_contains(out, "222222222222  3         2026-11-28 20:01:50  2026-11-28 20:02:05  "
			     "credential_read,storage_write  a,b    prod/payments  "
			     "https://github.com/acme/p\n");
	free(out);
}

/* One secret per line by its shortened fingerprint; a hostile name is inert. */
static void test_render_exposures(void **state)
{
	static const char json[] =
	    "{\"exposures\":[{\"fingerprint\":\"hmac-sha256:00112233445566778899aabbccddeeff\","
	    "\"count\":3,\"names\":[\"STRIPE_KEY\",\"PAY\\u001b[31mKEY\"],\"detectors\":"
	    "[\"stripe-secret-key\"],\"origins\":[\"image\"],\"origin_refs\":[],\"workloads\":"
	    "[\"shop/checkout\",\"shop/billing\"],\"pipelines\":[\"812\"],\"first_commit\":"
	    "\"4b7e1a9c3d5f2e8a6c0b9d7f1e3a5c2b8d4f6e0a\",\"first_pipeline\":\"812\","
	    "\"first_seen\":\"2026-11-28T20:01:50Z\",\"last_seen\":\"2026-11-28T20:02:05Z\"}],"
	    "\"count\":1}";
	char *out = capture(cli_render_exposures, json, 0);

	assert_contains(out, "FINGERPRINT               NAMES");
	assert_contains(out, "hmac-sha256:001122334455  STRIPE_KEY,PAY");
	assert_contains(out, "stripe-secret-key  image   -     shop/checkout,shop/billing  "
			     "4b7e1a9c3d5f  812       3\n");
	assert_true(strchr(out, 0x1b) == NULL);
	assert_null(strstr(out, "aabbccddeeff")); /* shortened */
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_commands),  cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_url_escape),	    cmocka_unit_test(test_table_alignment),
	    cmocka_unit_test(test_render_findings), cmocka_unit_test(test_render_introduced),
	    cmocka_unit_test(test_render_trace),    cmocka_unit_test(test_render_origins),
	    cmocka_unit_test(test_render_trace_target), cmocka_unit_test(test_render_exposures),
	    cmocka_unit_test(test_help_and_completion_text),
	};

	setlocale(LC_CTYPE, "C.UTF-8"); /* as c2d's main does: widths of UTF-8 text */
	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_validate.c - collector/ingest/validate.c, prescan.c, validate_ids.c and ingest.c: each schema
 * rule with its exact message, the depth/UTF-8/NUL pre-scan, times, ids, and batches.
 */
#include <errno.h>
#include <stdio.h>

#include "ingest.h"
#include "unit/unit.h"
#include "validate.h"

static const struct validate_limits lim = {32, 4096, 32768};
static const struct ingest_limits ilim = {3, {32, 4096, 32768}};

#define GOOD                                                                                     \
	"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"b7e3c1d2a9f04e51-00000000000004d2\","       \
	"\"time\":\"2026-11-28T20:31:02.123456789Z\",\"kind\":\"credential_read\","              \
	"\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"high\",\"outcome\":\"success\","   \
	"\"node\":{\"name\":\"n\"},\"process\":{\"pid\":4242,\"args\":[\"cat\",\"/x\"]},"       \
	"\"syscall\":{\"name\":\"openat\",\"ret\":3},\"file\":{\"path\":\"/etc/shadow\"}}"

/* Validate GOOD with `from` replaced by `to`; returns the message ("" if accepted). */
static const char *check(const char *from, const char *to)
{
	static char err[256];
	static char text[48000];
	const char *p = strstr(GOOD, from);
	cJSON *ev;

	assert_non_null(p);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(p - GOOD), GOOD, to, p + strlen(from));
	ev = cJSON_Parse(text);
	assert_non_null(ev);
	err[0] = 0;
	if (validate_event(ev, &lim, err, sizeof(err)) == 0)
		err[0] = 0;
	cJSON_Delete(ev);
	return err;
}

static void test_good(void **st)
{
	assert_string_equal(check("\"n\"", "\"n\""), "");
	/* a tampered connect: the kernel's peer and the caller's copies */
	assert_string_equal(check("\"outcome\":\"success\",",
				  "\"outcome\":\"success\",\"tampered\":true,"), "");
	assert_string_equal(check("\"file\":{\"path\":\"/etc/shadow\"}",
				  "\"network\":{\"family\":\"ipv4\",\"address\":\"127.0.0.1\","
				  "\"port\":80,\"address_at_entry\":\"169.254.169.254\","
				  "\"port_at_entry\":80,\"address_at_exit\":\"169.254.169.254\","
				  "\"port_at_exit\":80}"),
			    "");
	/* a tampered call: the flag and the names as they were at entry */
	assert_string_equal(check("\"ret\":3}", "\"ret\":3,\"args_at_entry\":{\"path\":\"/a\","
				  "\"new_path\":\"/b\"}},\"tampered\":true"), "");
}

static void test_rules(void **st)
{
	static const struct { const char *from, *to, *want; } cases[] = {
		{"cloud2dev.event/v1", "cloud2dev.event/v2", "schema: not one of cloud2dev.event/v1"},
		{"-00000000000004d2", "-00000000000004D2", "id: expected <16 hex digits>-<16 hex digits>"},
		{"b7e3c1d2a9f04e51-", "b7e3c1d2a9f04e5-", "id: expected"},
		{"20:31:02.123456789Z", "20:31:02.1234567891Z", "time: expected an RFC 3339 UTC time"},
		{"20:31:02.123456789Z", "20:31:02+01:00", "time: expected an RFC 3339 UTC time"},
		{"2026-11-28", "2026-02-30", "time: expected"},
		{"\"credential_read\"", "\"read\"", "kind: not one of credential_read, privileged_call"},
		{"\"credential_read\"", "3", "kind: expected a string"},
		{"\"rule\":\"k8s-serviceaccount-token\",", "", "rule: missing"},
		{"k8s-serviceaccount-token", "K8s_token", "rule: expected a kebab-case name"},
		{"k8s-serviceaccount-token", "-x", "rule: expected a kebab-case name"},
		{"\"high\"", "\"urgent\"", "severity: not one of info, low, medium, high, critical"},
		{"\"success\"", "\"ok\"", "outcome: not one of success, failure"},
		{"\"pid\":4242", "\"pid\":\"4242\"", "process.pid: expected an integer"},
		{"\"pid\":4242", "\"pid\":42.5", "process.pid: expected an integer"},
		{"\"pid\":4242", "\"pid\":-1", "process.pid: out of range"},
		{"\"pid\":4242,", "", "process.pid: missing"},
		{"\"process\":{", "\"proc\":{", "process: missing"},
		{"\"syscall\":{\"name\":\"openat\",", "\"syscall\":{", "syscall.name: missing"},
		{"\"name\":\"openat\"", "\"name\":\"\"", "syscall.name: empty"},
		{"\"/etc/shadow\"", "\"etc/shadow\"", "file.path: expected an absolute path"},
		{"[\"cat\",\"/x\"]", "[\"cat\",7]", "process.args: expected an array of strings"},
		{"\"node\":{\"name\":\"n\"}", "\"node\":\"n\"", "node: expected an object"},
		{"\"ret\":3", "\"ret\":3,\"ret\":4", "ret: duplicate key"},
		{"\"outcome\":\"success\",", "\"outcome\":\"success\",\"tampered\":\"yes\",",
		 "tampered: expected true or false"},
		{"\"file\":{\"path\":\"/etc/shadow\"}",
		 "\"network\":{\"address\":\"127.0.0.1\",\"port_at_entry\":70000}",
		 "network.port_at_entry: out of range"},
		{"\"file\":{\"path\":\"/etc/shadow\"}",
		 "\"network\":{\"address\":\"127.0.0.1\",\"address_at_exit\":1}",
		 "network.address_at_exit: expected a string"},
		{"\"outcome\":\"success\",", "\"outcome\":\"success\",\"tampered\":1,",
		 "tampered: expected true or false"},
		{"\"ret\":3", "\"ret\":3,\"args_at_entry\":[]", "syscall.args_at_entry: expected an object"},
		{"\"ret\":3", "\"ret\":3,\"args_at_entry\":{\"path\":\"x\"}",
		 "syscall.args_at_entry.path: expected an absolute path"},
		{"\"ret\":3", "\"ret\":3,\"args_at_entry\":{\"new_path\":7}",
		 "syscall.args_at_entry.new_path: expected a string"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = check(cases[i].from, cases[i].to);

		if (strncmp(got, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, cases[i].want);
	}
}

/* The file's identity and host path, and the volume of a write (issue 11). */
static void test_file_identity_fields(void **st)
{
	static const char ok[] = "\"file\":{\"path\":\"/data/x\",\"host_path\":\"/srv/prod/x\","
				 "\"inode\":861,\"dev\":\"254:0\"},\"volume\":{\"name\":\"cache\","
				 "\"plugin\":\"kubernetes.io~empty-dir\",\"host_path\":"
				 "\"/var/lib/kubelet/pods/u/volumes/kubernetes.io~empty-dir/cache\","
				 "\"pod_uid\":\"u\"}";
	static const char *const bad[][2] = {
		{"\"file\":{\"path\":\"/x\",\"host_path\":\"x\"}", "file.host_path: expected an absolute path"},
		{"\"file\":{\"path\":\"/x\",\"inode\":-1}", "file.inode: out of range"},
		{"\"file\":{\"path\":\"/x\",\"inode\":\"861\"}", "file.inode: expected an integer"},
		{"\"file\":{\"path\":\"/x\",\"dev\":254}", "file.dev: expected a string"},
		{"\"file\":{\"path\":\"/x\"},\"volume\":\"cache\"", "volume: expected an object"},
		{"\"file\":{\"path\":\"/x\"},\"volume\":{\"host_path\":\"v\"}", "volume.host_path: expected an absolute path"},
	};

	assert_string_equal(check("\"file\":{\"path\":\"/etc/shadow\"}", ok), "");
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		const char *got = check("\"file\":{\"path\":\"/etc/shadow\"}", bad[i][0]);

		if (strncmp(got, bad[i][1], strlen(bad[i][1])) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, bad[i][1]);
	}
}

static void test_field_caps(void **st)
{
	char path[4200], args[40000], to[41000];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = 0;
	snprintf(to, sizeof(to), "\"%s\"", path);
	assert_string_equal(check("\"/etc/shadow\"", to), "file.path: longer than 4096 bytes");
	memset(args, 'a', sizeof(args) - 1);
	args[sizeof(args) - 1] = 0;
	snprintf(to, sizeof(to), "[\"%s\"]", args);
	assert_string_equal(check("[\"cat\",\"/x\"]", to), "process.args: more than 32768 bytes");
}

static void test_gap_and_start(void **st)
{
	char err[256];
#define GAP "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"0000000000000001-0000000000000002\"," \
			  "\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"agent_gap\",\"severity\":\"medium\"," \
			  "\"node\":{\"name\":\"n\"},\"gap\":{\"reason\":\"ringbuf\",\"lost\":%s," \
			  "\"start\":\"2026-01-01T00:00:00Z\",\"end\":\"%s\"}}"
#define START "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"0000000000000001-0000000000000003\"," \
			    "\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"container_start\"," \
			    "\"severity\":\"info\"%s}"
	char text[1024];
	cJSON *ev;

	snprintf(text, sizeof(text), GAP, "12", "2026-01-01T00:00:01Z");
	ev = cJSON_Parse(text);
	assert_int_equal(validate_event(ev, &lim, err, sizeof(err)), 0);
	cJSON_Delete(ev);
	snprintf(text, sizeof(text), GAP, "-1", "2026-01-01T00:00:01Z");
	ev = cJSON_Parse(text);
	assert_int_equal(validate_event(ev, &lim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "gap.lost: out of range [0, 9007199254740991]");
	cJSON_Delete(ev);
	snprintf(text, sizeof(text), GAP, "1", "2025-01-01T00:00:01Z");
	ev = cJSON_Parse(text);
	assert_int_equal(validate_event(ev, &lim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "gap.end: before gap.start");
	cJSON_Delete(ev);
	snprintf(text, sizeof(text), START, ",\"container\":{\"id\":\"abc\"}");
	ev = cJSON_Parse(text);
	assert_int_equal(validate_event(ev, &lim, err, sizeof(err)), 0);
	cJSON_Delete(ev);
	snprintf(text, sizeof(text), START, "");
	ev = cJSON_Parse(text);
	assert_int_equal(validate_event(ev, &lim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "container: missing");
	cJSON_Delete(ev);
}

/* Folded findings (agent --fold-window): count >= 1, first_time and last_time together, in
 * order. */
static void test_fold_fields(void **st)
{
	static const struct { const char *to, *want; } cases[] = {
		{"\"outcome\":\"success\",\"count\":20000,\"first_time\":\"2026-11-28T20:31:01Z\","
		 "\"last_time\":\"2026-11-28T20:31:02.123456789Z\",", ""},
		{"\"outcome\":\"success\",\"count\":2,", ""},
		{"\"outcome\":\"success\",\"count\":0,", "count: out of range [1, 4294967295]"},
		{"\"outcome\":\"success\",\"count\":\"2\",", "count: expected an integer"},
		{"\"outcome\":\"success\",\"first_time\":\"2026-11-28T20:31:01Z\",",
		 "first_time: without last_time, or the reverse"},
		{"\"outcome\":\"success\",\"last_time\":\"2026-11-28T20:31:01Z\",",
		 "first_time: without last_time, or the reverse"},
		{"\"outcome\":\"success\",\"first_time\":\"2026-11-28T20:31:03Z\","
		 "\"last_time\":\"2026-11-28T20:31:02Z\",", "last_time: before first_time"},
		{"\"outcome\":\"success\",\"first_time\":\"yesterday\",\"last_time\":\"2026-11-28T20:31:02Z\",",
		 "first_time: expected an RFC 3339 UTC time"},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		assert_string_equal(check("\"outcome\":\"success\",", cases[i].to), cases[i].want);
}

/* A container_mount: rule, container and the mount with its host source are required. */
/* The event text is valid (want NULL) or refused with exactly the error want. */
static void expect_verdict(const char *text, const char *want)
{
	static char err[256];
	cJSON *ev = cJSON_Parse(text);

	assert_non_null(ev);
	assert_int_equal(validate_event(ev, &lim, err, sizeof(err)), want ? -EINVAL : 0);
	if (want)
		assert_string_equal(err, want);
	cJSON_Delete(ev);
}

static void test_container_mount(void **st)
{
#define MOUNT "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"0000000000000001-0000000000000004\"," \
	      "\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"container_mount\"%s," \
	      "\"severity\":\"high\",\"container\":{\"id\":\"abc\"}%s}"
	static const struct {
		const char *rule, *mount, *err;
	} cases[] = {
		{",\"rule\":\"host-path-mount\"",
		 ",\"mount\":{\"source\":\"/etc\",\"destination\":\"/host/etc\",\"read_only\":true,"
		 "\"type\":\"bind\"}",
		 NULL},
		{"", ",\"mount\":{\"source\":\"/etc\",\"destination\":\"/h\",\"read_only\":false}",
		 "rule: missing"},
		{",\"rule\":\"host-path-mount\"", "", "mount: missing"},
		{",\"rule\":\"host-path-mount\"",
		 ",\"mount\":{\"source\":\"etc\",\"destination\":\"/h\",\"read_only\":true}",
		 "mount.source: expected an absolute path"},
		{",\"rule\":\"host-path-mount\"",
		 ",\"mount\":{\"source\":\"/etc\",\"destination\":\"/h\",\"read_only\":\"yes\"}",
		 "mount.read_only: expected true or false"},
		{",\"rule\":\"host-path-mount\"", ",\"mount\":{\"source\":\"/etc\",\"read_only\":true}",
		 "mount.destination: missing"},
	};
	char text[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), MOUNT, cases[i].rule, cases[i].mount);
		expect_verdict(text, cases[i].err);
	}
#undef MOUNT
}

/* A secret_exposure: a rule, a container, and the exposure by name, detector and fingerprint. */
static void test_secret_exposure(void **st)
{
#define EXPO "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"0000000000000001-0000000000000005\"," \
	     "\"time\":\"2026-01-01T00:00:00Z\",\"kind\":\"secret_exposure\"," \
	     "\"rule\":\"secret-exposure\",\"severity\":\"high\",\"container\":{\"id\":\"abc\"}%s}"
	static const struct {
		const char *exposure, *err;
	} cases[] = {
		{",\"exposure\":{\"source\":\"env\",\"name\":\"STRIPE_KEY\",\"detector\":"
		 "\"stripe-secret-key\",\"fingerprint\":\"hmac-sha256:00112233445566778899aabbccddeeff\"}",
		 NULL},
		{"", "exposure: missing"},
		{",\"exposure\":{\"source\":\"file\",\"name\":\"X\",\"detector\":\"jwt\","
		 "\"fingerprint\":\"hmac-sha256:00\"}",
		 "exposure.source: not one of env, arg"},
		{",\"exposure\":{\"source\":\"arg\",\"name\":\"argv[2]\",\"detector\":\"jwt\"}",
		 "exposure.fingerprint: missing"},
	};
	char text[1024];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text), EXPO, cases[i].exposure);
		expect_verdict(text, cases[i].err);
	}
#undef EXPO
}

/* k8s.identity as the agent renders it (k8s_identity_json.c), and shapes it must refuse. */
#define IDENTITY                                                                                 \
	"\"k8s\":{\"identity\":{\"service_account\":\"checkout\",\"cloud\":[{\"provider\":"   \
	"\"aws\",\"key\":\"eks.amazonaws.com/role-arn\",\"value\":"                                \
	"\"arn:aws:iam::111122223333:role/checkout-ro\"}],\"automount_token\":true,"              \
	"\"token_audiences\":[\"sts.amazonaws.com\"],\"privileged\":true,"                         \
	"\"allow_privilege_escalation\":true,\"run_as_root\":true,"                                \
	"\"capabilities_added\":[\"NET_ADMIN\"],\"host_paths\":[\"/var/run/x.sock\"],"             \
	"\"host_network\":true,\"host_pid\":true,\"host_ipc\":true,"                               \
	"\"service_account_unread\":true,\"truncated\":true}}"

static const char *check_identity(const char *from, const char *to)
{
	static char with[4096];
	const char *p = strstr(IDENTITY, from);

	assert_non_null(p);
	snprintf(with, sizeof(with), "\"file\":{\"path\":\"/etc/shadow\"},%.*s%s%s",
		 (int)(p - IDENTITY), IDENTITY, to, p + strlen(from));
	return check("\"file\":{\"path\":\"/etc/shadow\"}", with);
}

static void test_k8s_identity(void **st)
{
	static const struct { const char *from, *to, *want; } cases[] = {
		{"\"automount_token\":true", "\"automount_token\":1",
		 "k8s.identity.automount_token: expected true or false"},
		{"[\"sts.amazonaws.com\"]", "\"sts.amazonaws.com\"",
		 "k8s.identity.token_audiences: expected an array of non-empty strings"},
		{"[\"NET_ADMIN\"]", "[\"NET_ADMIN\",7]",
		 "k8s.identity.capabilities_added: expected an array of non-empty strings"},
		{"[\"/var/run/x.sock\"]", "[\"\"]", "k8s.identity.host_paths: expected an array"},
		{"\"value\":", "\"extra\":\"x\",\"value\":",
		 "k8s.identity.cloud: expected an array of {provider, key, value} strings"},
		{"\"provider\":\"aws\"", "\"provider\":null", "k8s.identity.cloud: expected"},
		{"[{\"provider\"", "[\"aws\",{\"provider\"", "k8s.identity.cloud: expected"},
		{"\"host_pid\":true", "\"host_pid\":\"yes\"", "k8s.identity.host_pid: expected"},
	};
	static char many[8192];
	size_t n;

	assert_string_equal(check_identity("\"k8s\"", "\"k8s\""), "");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = check_identity(cases[i].from, cases[i].to);

		if (strncmp(got, cases[i].want, strlen(cases[i].want)) != 0)
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].want, got);
	}
	assert_string_equal(check("\"file\":{\"path\":\"/etc/shadow\"}",
				  "\"k8s\":{\"identity\":[]}"), "k8s.identity: expected an object");
	/* caps: 17 host paths, a string of 1025 bytes */
	n = (size_t)snprintf(many, sizeof(many), "[");
	for (int i = 0; i < 17; i++)
		n += (size_t)snprintf(many + n, sizeof(many) - n, "%s\"/p%d\"", i ? "," : "", i);
	snprintf(many + n, sizeof(many) - n, "]");
	assert_string_equal(check_identity("[\"/var/run/x.sock\"]", many),
			    "k8s.identity.host_paths: more than 16 entries");
	many[0] = '[';
	many[1] = '"';
	memset(many + 2, 'a', 1025);
	snprintf(many + 1027, sizeof(many) - 1027, "\"]");
	assert_string_equal(check_identity("[\"sts.amazonaws.com\"]", many),
			    "k8s.identity.token_audiences: a string longer than 1024 bytes");
}

static void test_time(void **st)
{
	int64_t ns;

	assert_int_equal(parse_time_ns("1970-01-01T00:00:00Z", &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(parse_time_ns("2026-11-28T20:31:02.123456789Z", &ns), 0);
	assert_int_equal(ns, 1795897862123456789LL);
	assert_int_equal(parse_time_ns("2024-02-29T00:00:00.5Z", &ns), 0);
	assert_int_equal(ns, 1709164800500000000LL);
	assert_int_equal(parse_time_ns("2023-02-29T00:00:00Z", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("2026-11-28T24:00:00Z", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("2026-11-28T20:31:02.Z", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("2026-11-28t20:31:02Z", &ns), -EINVAL);
	assert_int_equal(parse_time_ns("2026-11-28T20:31:02Zx", &ns), -EINVAL);
}

static void test_ids_rules(void **st)
{
	uint64_t seq;

	assert_true(valid_event_id("b7e3c1d2a9f04e51-00000000000004d2", &seq));
	assert_int_equal(seq, 0x4d2);
	assert_false(valid_event_id("b7e3c1d2a9f04e51_00000000000004d2", NULL));
	assert_false(valid_event_id("b7e3c1d2a9f04e51-00000000000004d2a", NULL));
	assert_true(valid_rule_name("a"));
	assert_true(valid_rule_name("aws-credentials-2"));
	assert_false(valid_rule_name("a--b"));
	assert_false(valid_rule_name("a-"));
	assert_false(valid_rule_name(""));
}

static void test_prescan(void **st)
{
	char err[128], deep[20001];

	memset(deep, '[', 10000);
	memset(deep + 10000, ']', 10000);
	deep[20000] = 0;
	assert_int_equal(json_prescan(deep, 20000, 32, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "nested deeper than 32");
	/* 32 levels are fine, brackets inside strings do not count */
	assert_int_equal(json_prescan(deep + 10000 - 32, 64, 32, err, sizeof(err)), 0);
	assert_int_equal(json_prescan("{\"a\":\"[[[[[[\"}", 13, 1, err, sizeof(err)), 0);
	assert_int_equal(json_prescan("{\"a\":\"\\u0000\"}", 14, 32, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\\u0000 in a string");
	assert_int_equal(json_prescan("{\"a\":\"\xff\"}", 9, 32, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "invalid UTF-8 at byte 7");
	assert_int_equal(json_prescan("{\"a\":\"\xed\xa0\x80\"}", 11, 32, err, sizeof(err)), -EINVAL);
	assert_int_equal(json_prescan("{\"a\":\"\xc3\xa9\"}", 10, 32, err, sizeof(err)), 0);
	assert_int_equal(json_prescan("{\"a\":\"\t\"}", 9, 32, err, sizeof(err)), -EINVAL);
	assert_int_equal(json_prescan("{\"a\":1}\0", 8, 32, err, sizeof(err)), -EINVAL);
}

static void test_batch(void **st)
{
	char body[8192], err[256];
	struct batch b;

	snprintf(body, sizeof(body), "%s\r\n\n%s\n", GOOD, GOOD);
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	assert_null(strchr(b.bodies[0], ' '));
	batch_free(&b);
	snprintf(body, sizeof(body), "%s\n%s\n{\"kind\":1}\n", GOOD, GOOD);
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 3: kind: expected a string");
	assert_int_equal(b.n, 0);
	snprintf(body, sizeof(body), "%s\nnot json\n", GOOD);
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: not valid JSON");
	snprintf(body, sizeof(body), "%s\n%s\n%s\n%s\n", GOOD, GOOD, GOOD, GOOD);
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "more than 3 events in a batch");
	snprintf(body, sizeof(body), " [%s, %s]", GOOD, GOOD);
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), 0);
	assert_int_equal(b.n, 2);
	batch_free(&b);
	snprintf(body, sizeof(body), "[%s, {}]", GOOD);
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "event 2: kind: missing");
	snprintf(body, sizeof(body), "\n\n");
	assert_int_equal(batch_parse(&b, body, strlen(body), &ilim, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "no events in the body");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),	    cmocka_unit_test(test_rules),
		cmocka_unit_test(test_file_identity_fields),
		cmocka_unit_test(test_field_caps),  cmocka_unit_test(test_gap_and_start),
		cmocka_unit_test(test_container_mount),
		cmocka_unit_test(test_secret_exposure),
		cmocka_unit_test(test_time),	    cmocka_unit_test(test_ids_rules),
		cmocka_unit_test(test_prescan),	    cmocka_unit_test(test_batch),
		cmocka_unit_test(test_fold_fields),
		cmocka_unit_test(test_k8s_identity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

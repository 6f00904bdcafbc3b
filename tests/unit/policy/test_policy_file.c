// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_policy_file.c - agent/policy/policy*.c: the policy file (policy_load_json: adding, changing
 * and replacing rules, errors), addresses (policy_parse_addr) and the shape of the defaults.
 */
#include "policy_test.h"

/* ---- policy_load_json ------------------------------------------------------------------- */

static int load(const char *json, char *err, size_t errlen)
{
	return policy_load_json(&pol, json, strlen(json), "site.json", err, errlen);
}

static void load_ok(const char *json)
{
	char err[512] = "";

	if (load(json, err, sizeof(err)) != 0)
		fail_msg("policy refused: %s", err);
}

/* host-path-mount: built in (high), changed or disabled by name, never a second one. */
static void test_host_path_mount_rule(void **state)
{
	char err[512] = "";
	int i;

	policy_defaults(&pol);
	i = rule_named("host-path-mount");
	assert_int_equal(pol.rules[i].kind, C2D_KIND_CONTAINER_MOUNT);
	assert_string_equal(pol.rules[i].severity, "high");
	assert_true(pol.rules[i].enabled);
	assert_string_equal(policy_kind_name(pol.rules[i].kind), "container_mount");
	load_ok("{\"rules\":[{\"name\":\"host-path-mount\",\"severity\":\"critical\"}]}");
	assert_string_equal(pol.rules[i].severity, "critical");
	load_ok("{\"rules\":[{\"name\":\"host-path-mount\",\"enabled\":false}]}");
	assert_false(pol.rules[i].enabled);
	assert_int_equal(load("{\"rules\":[{\"name\":\"my-mounts\",\"kind\":\"container_mount\"}]}",
			      err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "host-path-mount");
}

static void test_load_adds_each_kind(void **state)
{
	size_t n0;
	int i;

	policy_defaults(&pol);
	n0 = pol.n;
	load_ok("{\"rules\": ["
		"{\"name\": \"vault-token\", \"kind\": \"credential_read\","
		" \"path\": \"*/.vault-token\", \"severity\": \"critical\"},"
		"{\"name\": \"db-files\", \"kind\": \"storage_write\", \"path\": \"/var/lib/db/\"},"
		"{\"name\": \"my-mounts\", \"kind\": \"privileged_call\","
		" \"syscalls\": [\"mount\", \"setns\"], \"severity\": \"low\"},"
		"{\"name\": \"alibaba-metadata\", \"kind\": \"metadata_access\","
		" \"address\": \"100.100.100.200\"}]}");
	assert_int_equal(pol.n, n0 + 4);

	i = rule_named("vault-token");
	assert_int_equal(pol.rules[i].kind, C2D_KIND_CREDENTIAL_READ);
	assert_int_equal(pol.rules[i].match, C2D_MATCH_SUFFIX);
	assert_string_equal(pol.rules[i].severity, "critical");
	assert_name(match_name("/home/u/.vault-token", CRED), "vault-token", "vault");

	i = rule_named("db-files");
	assert_int_equal(pol.rules[i].kind, C2D_KIND_STORAGE_WRITE);
	assert_int_equal(pol.rules[i].match, C2D_MATCH_PREFIX);
	assert_string_equal(pol.rules[i].severity, "high"); /* the default severity */
	assert_name(match_name("/var/lib/db/x", STOR), "db-files", "db");

	i = rule_named("my-mounts");
	assert_int_equal(pol.rules[i].kind, C2D_KIND_PRIVILEGED_CALL);
	assert_string_equal(pol.rules[i].severity, "low");
	assert_true(pol.rules[i].enabled);
	assert_int_equal(pol.rules[i].sys_mask, (1ull << C2D_SYS_MOUNT) | (1ull << C2D_SYS_SETNS));
	/* the syscalls were taken from the rules that had them */
	assert_int_equal(pol.rules[rule_named("mount")].sys_mask & (1ull << C2D_SYS_MOUNT), 0);
	assert_true(pol.rules[rule_named("mount")].sys_mask & (1ull << C2D_SYS_UMOUNT2));
	assert_int_equal(pol.rules[rule_named("namespace-join")].sys_mask, 0);

	i = rule_named("alibaba-metadata");
	assert_int_equal(pol.rules[i].kind, C2D_KIND_METADATA_ACCESS);
	assert_int_equal(pol.rules[i].addr.family, AF_INET);
	assert_memory_equal(pol.rules[i].addr.addr, "\x64\x64\x64\xc8", 4);
}

static void test_load_priv_rule_keeps_namespace_filter(void **state)
{
	int i;

	policy_defaults(&pol);
	load_ok("{\"rules\": [{\"name\": \"userns\", \"kind\": \"privileged_call\","
		" \"syscalls\": [\"unshare\"]}]}");
	i = rule_named("userns");
	assert_int_equal(pol.rules[i].sys_mask, 1ull << C2D_SYS_UNSHARE);
	assert_int_equal(pol.rules[i].only_mask, NS_FLAGS);
	assert_string_equal(pol.rules[i].severity, "high");
	i = rule_named("namespace-create");
	assert_int_equal(pol.rules[i].sys_mask,
			 (1ull << C2D_SYS_CLONE) | (1ull << C2D_SYS_CLONE3));
}

static void test_load_modify_defaults(void **state)
{
	size_t n0;

	policy_defaults(&pol);
	n0 = pol.n;
	load_ok("{\"rules\": [{\"name\": \"etc-shadow\", \"enabled\": false},"
		"{\"name\": \"aws-config\", \"severity\": \"critical\"},"
		"{\"name\": \"k8s-serviceaccount-token\", \"severity\": \"low\"},"
		"{\"name\": \"kexec\", \"enabled\": false}]}");
	assert_int_equal(pol.n, n0);
	assert_false(pol.rules[rule_named("etc-shadow")].enabled);
	assert_name(match_name("/etc/shadow", CRED), NULL, "/etc/shadow");
	assert_true(pol.rules[rule_named("etc-gshadow")].enabled);
	assert_string_equal(pol.rules[rule_named("aws-config")].severity, "critical");
	assert_true(pol.rules[rule_named("aws-config")].enabled);
	/* every rule of that name */
	for (int i = policy_find(&pol, "k8s-serviceaccount-token", 0), n = 0; n < 2;
	     i = policy_find(&pol, "k8s-serviceaccount-token", (size_t)i + 1), n++) {
		assert_true(i >= 0);
		assert_string_equal(pol.rules[i].severity, "low");
	}
	assert_false(pol.rules[rule_named("kexec")].enabled);
	load_ok("{\"rules\": [{\"name\": \"etc-shadow\", \"enabled\": true}]}");
	assert_name(match_name("/etc/shadow", CRED), "etc-shadow", "/etc/shadow");
}

static void test_load_replace_defaults(void **state)
{
	policy_defaults(&pol);
	load_ok("{\"replace_defaults\": true, \"rules\": ["
		"{\"name\": \"only-this\", \"kind\": \"credential_read\","
		" \"path\": \"/secret\"}]}");
	assert_int_equal(pol.n, 1);
	assert_string_equal(pol.rules[0].name, "only-this");
	assert_name(match_name("/etc/shadow", CRED), NULL, "/etc/shadow");
	assert_name(match_name("/secret", CRED), "only-this", "/secret");

	policy_defaults(&pol);
	load_ok("{\"replace_defaults\": false}");
	assert_true(pol.n > 1);
	assert_true(policy_find(&pol, "etc-shadow", 0) >= 0);
}

static void test_load_report_denied_opens(void **state)
{
	policy_defaults(&pol);
	assert_true(pol.report_denied_opens);
	load_ok("{}");
	assert_true(pol.report_denied_opens);
	load_ok("{\"report_denied_opens\": false}");
	assert_false(pol.report_denied_opens);
	load_ok("{\"report_denied_opens\": true}");
	assert_true(pol.report_denied_opens);
}

struct load_error_case {
	const char *json;
	const char *want[3]; /* pieces of the message besides the origin */
};

#define R1(body) "{\"rules\": [" body "]}"
#define R2(body) "{\"rules\": [{\"name\": \"fine\", \"kind\": \"credential_read\", "      \
		 "\"path\": \"/fine\"}, " body "]}"

static const struct load_error_case load_errors[] = {
	{"{\"rule\": []}", {"unknown top-level field \"rule\""}},
	{"{\"rules\": [], \"extra\": 1}", {"unknown top-level field \"extra\""}},
	{R2("{\"name\": \"typo\", \"kind\": \"credential_read\", \"paht\": \"/b\"}"),
	 {"rule #2", "\"typo\"", "unknown field \"paht\""}},
	{R1("{\"name\": \"k\", \"kind\": \"credentials_read\", \"path\": \"/a\"}"),
	 {"rule #1", "\"k\"", "unknown kind \"credentials_read\""}},
	{R1("{\"name\": \"k\", \"kind\": 3, \"path\": \"/a\"}"),
	 {"rule #1", "\"k\"", "\"kind\" must be a string"}},
	{R2("{\"name\": \"no-path\", \"kind\": \"storage_write\"}"),
	 {"rule #2", "\"no-path\"", "needs \"path\""}},
	{R1("{\"name\": \"p\", \"kind\": \"credential_read\", \"path\": 7}"),
	 {"rule #1", "\"p\"", "must be strings"}},
	{R1("{\"name\": \"rel\", \"kind\": \"credential_read\", \"path\": \"etc/x\"}"),
	 {"rule #1", "\"rel\"", "must start with \"/\""}},
	{R1("{\"name\": \"glob\", \"kind\": \"storage_write\", \"path\": \"*/.aws/\"}"),
	 {"rule #1", "\"glob\"", "storage paths are absolute"}},
	{R1("{\"name\": \"s\", \"kind\": \"credential_read\", \"path\": \"/a\", "
	    "\"severity\": \"urgent\"}"),
	 {"rule #1", "\"s\"", "severity \"urgent\""}},
	{R1("{\"name\": \"s\", \"kind\": \"privileged_call\", \"syscalls\": [\"mount\"], "
	    "\"severity\": \"urgent\"}"),
	 {"rule #1", "\"s\"", "severity \"urgent\""}},
	{R2("{\"name\": \"etc-shadow\", \"severity\": \"HIGH\"}"),
	 {"rule #2", "\"etc-shadow\"", "severity \"HIGH\""}},
	{R1("{\"name\": \"Bad_Name\", \"kind\": \"credential_read\", \"path\": \"/a\"}"),
	 {"rule #1", "\"Bad_Name\"", "kebab-case"}},
	{R1("{\"name\": \"-dash\", \"kind\": \"metadata_access\", \"address\": \"10.0.0.1\"}"),
	 {"rule #1", "\"-dash\"", "kebab-case"}},
	{R1("{\"kind\": \"credential_read\", \"path\": \"/a\"}"),
	 {"rule #1", "\"?\"", "\"name\" (a string) is required"}},
	{R2("{\"name\": \"u\", \"kind\": \"privileged_call\", \"syscalls\": [\"mount\", "
	    "\"mount2\"]}"),
	 {"rule #2", "\"u\"", "\"mount2\" is not a privileged call"}},
	{R1("{\"name\": \"o\", \"kind\": \"privileged_call\", \"syscalls\": [\"openat\"]}"),
	 {"rule #1", "\"o\"", "\"openat\" is not a privileged call"}},
	{R1("{\"name\": \"n\", \"kind\": \"privileged_call\", \"syscalls\": [1]}"),
	 {"rule #1", "\"n\"", "(not a string)"}},
	{R1("{\"name\": \"e\", \"kind\": \"privileged_call\", \"syscalls\": []}"),
	 {"rule #1", "\"e\"", "non-empty \"syscalls\""}},
	{R1("{\"name\": \"m\", \"kind\": \"metadata_access\"}"),
	 {"rule #1", "\"m\"", "needs \"address\""}},
	{R1("{\"name\": \"m\", \"kind\": \"metadata_access\", \"address\": \"999.1.1.1\"}"),
	 {"rule #1", "\"m\"", "\"999.1.1.1\" is not an IPv4 or IPv6 address"}},
	{R1("{\"name\": \"etc-shadow\", \"enabled\": \"no\"}"),
	 {"rule #1", "\"etc-shadow\"", "\"enabled\" must be true or false"}},
	{R1("{\"name\": \"etc-shadow\", \"path\": \"/x\"}"),
	 {"rule #1", "\"etc-shadow\"", "needs \"kind\""}},
	{R1("{\"name\": \"no-such-rule\", \"enabled\": false}"),
	 {"rule #1", "\"no-such-rule\"", "no rule named \"no-such-rule\""}},
	{R2("42"), {"rule #2", "\"?\"", "a rule must be an object"}},
	{R1("[\"etc-shadow\"]"), {"rule #1", "a rule must be an object"}},
	{"{\"rules\": [", {"not valid JSON"}},
	{"rules: []", {"not valid JSON"}},
	{"", {"not valid JSON"}},
	{"[]", {"must be a JSON object"}},
	{"{\"rules\": {}}", {"\"rules\" must be an array"}},
	{"{\"replace_defaults\": \"yes\"}", {"\"replace_defaults\" must be true or false"}},
	{"{\"report_denied_opens\": 1}", {"\"report_denied_opens\" must be true or false"}},
};

static void test_load_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(load_errors); i++) {
		const struct load_error_case *c = &load_errors[i];
		char err[512] = "";
		int rc;

		policy_defaults(&pol);
		rc = load(c->json, err, sizeof(err));
		if (rc != -EINVAL)
			fail_msg("%s: rc %d, expected -EINVAL", c->json, rc);
		if (strncmp(err, "site.json: ", 11) != 0)
			fail_msg("%s: \"%s\" does not start with the origin", c->json, err);
		for (size_t k = 0; k < ARRAY_SIZE(c->want) && c->want[k]; k++)
			assert_contains(err, c->want[k]);
	}
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/c2d-policy-XXXXXX", err[512] = "";
	static const char json[] = "{\"rules\": [{\"name\": \"etc-shadow\", \"severity\": 5}]}";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, json, sizeof(json) - 1), (ssize_t)sizeof(json) - 1);
	close(fd);
	policy_defaults(&pol);
	assert_int_equal(policy_load_file(&pol, path, err, sizeof(err)), -EINVAL);
	unlink(path);
	assert_contains(err, path);
	assert_contains(err, "rule #1 \"etc-shadow\"");
	assert_contains(err, "\"severity\" must be a string");
	assert_int_equal(policy_load_file(&pol, path, err, sizeof(err)), -EINVAL);
	assert_contains(err, "cannot open");
}

static void test_load_priv_rule_name_checked(void **state)
{
	/* Was a bug (fixed): add_priv_rule() never checks the name: a privileged_call rule named "Not Kebab"
	 * (or a name of 64 bytes or more, silently truncated) is accepted, while every other
	 * kind refuses it ("must be kebab-case"). */
	char err[512] = "";

	policy_defaults(&pol);
	assert_int_equal(load(R1("{\"name\": \"Not Kebab\", \"kind\": \"privileged_call\", "
				 "\"syscalls\": [\"setuid\"]}"),
			      err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "kebab-case");
}

static void test_load_new_rule_enabled_field(void **state)
{
	/* Was a bug (fixed): "enabled" is read only when changing an existing rule. A new rule with
	 * "enabled": false is added enabled (add_rule() ignores the field), and a new rule with
	 * "enabled": "no" is accepted although the same value is refused on a change. */
	char err[512] = "";
	int i;

	policy_defaults(&pol);
	load_ok(R1("{\"name\": \"off\", \"kind\": \"credential_read\", \"path\": \"/off\", "
		   "\"enabled\": false}"));
	i = rule_named("off");
	assert_false(pol.rules[i].enabled);
	assert_int_equal(load(R1("{\"name\": \"typed\", \"kind\": \"credential_read\", "
				 "\"path\": \"/t\", \"enabled\": \"no\"}"),
			      err, sizeof(err)),
			 -EINVAL);
}

/* ---- policy_parse_addr ------------------------------------------------------------------ */

static void test_parse_addr(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint16_t family;
		uint8_t addr[16];
	} cases[] = {
		{"169.254.169.254", 0, AF_INET, {169, 254, 169, 254}},
		{"0.0.0.0", 0, AF_INET, {0}},
		{"fd00:ec2::254", 0, AF_INET6,
		 {0xfd, 0x00, 0x0e, 0xc2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x54}},
		{"::1", 0, AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}},
		{"::ffff:169.254.169.254", 0, AF_INET, {169, 254, 169, 254}},
		{"::ffff:a9fe:a9fe", 0, AF_INET, {169, 254, 169, 254}},
		{"::169.254.169.254", 0, AF_INET6,
		 {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 169, 254, 169, 254}},
		{"1.2.3", -EINVAL, 0, {0}},
		{"256.1.1.1", -EINVAL, 0, {0}},
		{"169.254.169.254 ", -EINVAL, 0, {0}},
		{"fd00:ec2::254/64", -EINVAL, 0, {0}},
		{"metadata.google.internal", -EINVAL, 0, {0}},
		{"", -EINVAL, 0, {0}},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct c2d_addr_key k;
		int rc;

		memset(&k, 0xa5, sizeof(k));
		rc = policy_parse_addr(cases[i].s, &k);
		if (rc != cases[i].rc)
			fail_msg("\"%s\": rc %d, expected %d", cases[i].s, rc, cases[i].rc);
		if (rc < 0)
			continue;
		assert_int_equal(k.family, cases[i].family);
		assert_int_equal(k.pad, 0);
		assert_memory_equal(k.addr, cases[i].addr, 16);
	}
}

static void test_defaults_shape(void **state)
{
	int meta = 0;

	policy_defaults(&pol);
	assert_true(pol.report_denied_opens);
	for (size_t i = 0; i < pol.n; i++) {
		const struct c2d_rule *r = &pol.rules[i];

		assert_true(r->enabled);
		assert_true(policy_severity_valid(r->severity));
		if (r->kind == C2D_KIND_CREDENTIAL_READ)
			assert_int_not_equal(r->match, C2D_MATCH_NONE);
		meta += r->kind == C2D_KIND_METADATA_ACCESS;
	}
	assert_int_equal(meta, 2);
	assert_int_equal(pol.rules[rule_named("namespace-create")].only_mask, NS_FLAGS);
	/* every privileged syscall with a program (its exit tracepoint, or the fork hook for clone
	 * and clone3) is reported by exactly one default rule; none by more than one (FORK_NS is
	 * reported under clone's) */
	for (int s = 0; s < C2D_SYS_MAX; s++) {
		const struct c2d_sysinfo *si = sys_info((unsigned)s);
		bool hooked = si && (si->tracepoint || s == C2D_SYS_CLONE || s == C2D_SYS_CLONE3);
		int owners = 0;

		if (!sys_is((unsigned)s, SYSF_PRIV))
			continue;
		for (size_t i = 0; i < pol.n; i++)
			owners += pol.rules[i].kind == C2D_KIND_PRIVILEGED_CALL &&
				  (pol.rules[i].sys_mask & SYSBIT(s)) != 0;
		if (owners > 1 || (hooked && owners != 1))
			fail_msg("%s is reported by %d default rules", si->name, owners);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_adds_each_kind),
		cmocka_unit_test(test_load_priv_rule_keeps_namespace_filter),
		cmocka_unit_test(test_load_modify_defaults),
		cmocka_unit_test(test_load_replace_defaults),
		cmocka_unit_test(test_load_report_denied_opens),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_priv_rule_name_checked),
		cmocka_unit_test(test_load_new_rule_enabled_field),
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_defaults_shape),
		cmocka_unit_test(test_host_path_mount_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

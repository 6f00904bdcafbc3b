// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_policy_classify.c - agent/policy/policy*.c: pattern checking (policy_classify) and the
 * encoding of path rules into LPM keys (policy_encode_path).
 */
#include "policy_test.h"

/* ---- policy_classify ------------------------------------------------------------------- */

struct classify_case {
	const char *pat;
	enum c2d_match want;
	const char *err; /* a piece of the message, for bad patterns */
};

static const struct classify_case classify_cases[] = {
	{"/etc/shadow", C2D_MATCH_EXACT, NULL},
	{"/etc/..x/.y", C2D_MATCH_EXACT, NULL},
	{"/a/b/c/d/e/f/g", C2D_MATCH_EXACT, NULL},
	{"/", C2D_MATCH_PREFIX, NULL},
	{"/etc/kubernetes/pki/", C2D_MATCH_PREFIX, NULL},
	{"*/.aws/credentials", C2D_MATCH_SUFFIX, NULL},
	{"*/.npmrc", C2D_MATCH_SUFFIX, NULL},
	{"*/a/b/c", C2D_MATCH_SUFFIX, NULL},
	{"*/.azure/", C2D_MATCH_DIR, NULL},
	{"*/a/b/c/", C2D_MATCH_DIR, NULL},
	{"*/.ssh/id_*", C2D_MATCH_DIR, NULL},
	{"*/a/b/c/x*", C2D_MATCH_DIR, NULL},
	{"", C2D_MATCH_NONE, "1 to 254 bytes"},
	{"etc/shadow", C2D_MATCH_NONE, "must start with \"/\""},
	{"./etc/shadow", C2D_MATCH_NONE, "must start with \"/\""},
	{"**/x", C2D_MATCH_NONE, "must start with \"/\""},
	{"*x", C2D_MATCH_NONE, "must start with \"/\""},
	{"//etc", C2D_MATCH_NONE, "empty path component"},
	{"/etc//shadow", C2D_MATCH_NONE, "empty path component"},
	{"/etc/kubernetes//", C2D_MATCH_NONE, "empty path component"},
	{"*//x", C2D_MATCH_NONE, "empty path component"},
	{"/etc/../shadow", C2D_MATCH_NONE, "\"..\""},
	{"/etc/./shadow", C2D_MATCH_NONE, "\".\""},
	{"/..", C2D_MATCH_NONE, "\"..\""},
	{"*/../x", C2D_MATCH_NONE, "\"..\""},
	{"*/.ssh/./id", C2D_MATCH_NONE, "\".\""},
	{"/etc/*/shadow", C2D_MATCH_NONE, "'*'"},
	{"/etc/shadow*", C2D_MATCH_NONE, "'*'"},
	{"*/.ss*h/id", C2D_MATCH_NONE, "'*'"},
	{"*/.ssh/id_*x", C2D_MATCH_NONE, "'*'"},
	{"*/.ssh/i*d*", C2D_MATCH_NONE, "'*'"},
	{"*/x*/", C2D_MATCH_NONE, "'*'"},
	{"*/a*/b", C2D_MATCH_NONE, "'*'"},
	{"*/*", C2D_MATCH_NONE, "1 to 3 directories"},
	{"*/id_*", C2D_MATCH_NONE, "1 to 3 directories"},
	{"*/", C2D_MATCH_NONE, "at least one component"},
	{"*/a/b/c/d", C2D_MATCH_NONE, "at most 3"},
	{"*/a/b/c/d/", C2D_MATCH_NONE, "1 to 3 directories"},
	{"*/a/b/c/d/x*", C2D_MATCH_NONE, "1 to 3 directories"},
};

static void check_classify(const char *pat, enum c2d_match want, const char *err_piece)
{
	char err[256] = "";
	enum c2d_match m = policy_classify(pat, err, sizeof(err));

	if (m != want)
		fail_msg("\"%s\": classified %d, expected %d (%s)", pat, m, want, err);
	if (want != C2D_MATCH_NONE && err[0])
		fail_msg("\"%s\": valid, but an error was written: %s", pat, err);
	if (want == C2D_MATCH_NONE)
		assert_contains(err, err_piece);
}

static void test_classify_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(classify_cases); i++) {
		const struct classify_case *c = &classify_cases[i];

		check_classify(c->pat, c->want, c->err);
	}
}

/* Patterns at and past the length limits, built from a repeated unit. */
struct length_case {
	const char *head, *unit;
	size_t times;
	const char *tail;
	enum c2d_match want;
	const char *err;
};

static const struct length_case length_cases[] = {
	{"*/", "a", 63, "", C2D_MATCH_SUFFIX, NULL},
	{"*/", "a", 64, "", C2D_MATCH_NONE, "longer than 63 bytes"},
	{"*/x/", "a", 64, "/y", C2D_MATCH_NONE, "longer than 63 bytes"},
	{"*/", "a", 64, "/", C2D_MATCH_NONE, "longer than 63 bytes"},
	{"*/d/", "p", 15, "*", C2D_MATCH_DIR, NULL},
	{"*/d/", "p", 16, "*", C2D_MATCH_NONE, "at most 15 bytes"},
	{"/", "a", 253, "", C2D_MATCH_EXACT, NULL},
	{"/", "a", 252, "/", C2D_MATCH_PREFIX, NULL},
	{"/", "a", 254, "", C2D_MATCH_NONE, "1 to 254 bytes"},
	{"/", "a", 253, "/", C2D_MATCH_NONE, "1 to 254 bytes"},
	{"/", "a/", 64, "", C2D_MATCH_PREFIX, NULL},
	{"/", "a/", 65, "", C2D_MATCH_NONE, "too many components"},
};

static const char *build(char *buf, size_t cap, const char *head, const char *unit, size_t times,
			 const char *tail)
{
	size_t n = (size_t)snprintf(buf, cap, "%s", head);

	for (size_t i = 0; i < times; i++)
		n += (size_t)snprintf(buf + n, cap - n, "%s", unit);
	snprintf(buf + n, cap - n, "%s", tail);
	assert_true(strlen(buf) < cap - 1);
	return buf;
}

static void test_classify_lengths(void **state)
{
	char pat[512];

	for (size_t i = 0; i < ARRAY_SIZE(length_cases); i++) {
		const struct length_case *c = &length_cases[i];

		build(pat, sizeof(pat), c->head, c->unit, c->times, c->tail);
		check_classify(pat, c->want, c->err);
	}
}

static void test_classify_suffix_too_many_message(void **state)
{
	/* Was a bug (fixed): a suffix pattern of 5 or more components is refused by split() with "too many
	 * components (at most 4)", but a suffix pattern may name at most 3 components (4 is the
	 * limit of a directory pattern with a leaf glob). "*\/a/b/c/d" says "at most 3". Fixed. */
	check_classify("*/a/b/c/d/e", C2D_MATCH_NONE, "at most 3");
}

/* ---- policy_encode_path ---------------------------------------------------------------- */

struct encode_case {
	const char *pat;
	enum c2d_kind kind;
	const char *key; /* bytes of the key, keylen of them */
	size_t keylen;
	const char *glob;
};

#define KEY(s) s, sizeof(s) - 1
#define KEY_NUL(s) s, sizeof(s) /* the terminating NUL is part of the key */

static const struct encode_case encode_cases[] = {
	{"/etc/shadow", C2D_KIND_CREDENTIAL_READ, KEY_NUL("/etc/shadow"), ""},
	{"/etc/kubernetes/pki/", C2D_KIND_CREDENTIAL_READ, KEY("/etc/kubernetes/pki/"), ""},
	{"/", C2D_KIND_STORAGE_WRITE, KEY("/"), ""},
	{"/srv/data/", C2D_KIND_STORAGE_WRITE, KEY("/srv/data/"), ""},
	{"*/.aws/credentials", C2D_KIND_CREDENTIAL_READ, KEY("credentials/.aws/"), ""},
	{"*/.npmrc", C2D_KIND_CREDENTIAL_READ, KEY(".npmrc/"), ""},
	{"*/a/bb/ccc", C2D_KIND_CREDENTIAL_READ, KEY("ccc/bb/a/"), ""},
	{"*/.azure/", C2D_KIND_CREDENTIAL_READ, KEY(".azure/"), ""},
	{"*/a/bb/", C2D_KIND_CREDENTIAL_READ, KEY("bb/a/"), ""},
	{"*/.ssh/id_*", C2D_KIND_CREDENTIAL_READ, KEY(".ssh/"), "id_"},
	{"*/a/bb/ccc/x*", C2D_KIND_CREDENTIAL_READ, KEY("ccc/bb/a/"), "x"},
	{"*/d/0123456789abcde*", C2D_KIND_CREDENTIAL_READ, KEY("d/"), "0123456789abcde"},
};

static void check_encode(const struct encode_case *c, uint32_t id)
{
	static const uint8_t zero[C2D_LPM_MAX];
	char err[256] = "";
	struct c2d_lpm_key key;
	struct c2d_rule_val val;
	size_t gl = strlen(c->glob);

	pol.n = 0;
	if (policy_add_path_rule(&pol, "r", c->kind, c->pat, "high", err, sizeof(err)) < 0)
		fail_msg("%s: %s", c->pat, err);
	memset(&key, 0xa5, sizeof(key));
	memset(&val, 0xa5, sizeof(val));
	assert_int_equal(policy_encode_path(&pol.rules[0], id, &key, &val), 0);
	if (key.prefixlen != c->keylen * 8)
		fail_msg("%s: prefixlen %u, expected %zu", c->pat, key.prefixlen, c->keylen * 8);
	assert_memory_equal(key.data, c->key, c->keylen);
	assert_memory_equal(key.data + c->keylen, zero, C2D_LPM_MAX - c->keylen);
	assert_int_equal(val.rule_id, id);
	assert_int_equal(val.kind, c->kind);
	assert_int_equal(val.leaf_glob_len, gl);
	assert_memory_equal(val.leaf_glob, c->glob, gl);
	assert_memory_equal(val.leaf_glob + gl, zero, C2D_LEAF_GLOB_MAX - gl);
}

static void test_encode_shapes(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(encode_cases); i++)
		check_encode(&encode_cases[i], 100 + (uint32_t)i);
}

static void test_encode_rejects_non_path_rule(void **state)
{
	struct c2d_lpm_key key;
	struct c2d_rule_val val;
	int i;

	policy_defaults(&pol);
	i = rule_named("cloud-metadata-endpoint");
	assert_int_equal(policy_encode_path(&pol.rules[i], (uint32_t)i, &key, &val), -EINVAL);
	i = rule_named("mount");
	assert_int_equal(policy_encode_path(&pol.rules[i], (uint32_t)i, &key, &val), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_table),
		cmocka_unit_test(test_classify_lengths),
		cmocka_unit_test(test_classify_suffix_too_many_message),
		cmocka_unit_test(test_encode_shapes),
		cmocka_unit_test(test_encode_rejects_non_path_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

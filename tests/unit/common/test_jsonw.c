// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_jsonw.c - common/jsonw.c: separators, escaping, UTF-8 checking, numbers, the depth
 * limit and sticky overflow. Every complete output is parsed back with cJSON.
 */
#include <errno.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "unit.h"

static char out[4096];
static struct jw w;

static void start(void)
{
	memset(out, 0, sizeof(out));
	jw_init(&w, out, sizeof(out) - 1);
}

/* Finish, check the text, and return it parsed (the caller deletes it). */
static cJSON *finish(const char *want)
{
	long n = jw_finish(&w);
	cJSON *j;

	if (n < 0)
		fail_msg("jw_finish: %ld, expected \"%s\"", n, want);
	assert_int_equal(n, strlen(out));
	assert_string_equal(out, want);
	j = cJSON_ParseWithLength(out, (size_t)n);
	if (!j)
		fail_msg("not valid JSON: %s", out);
	return j;
}

static void assert_str_member(const cJSON *o, const char *key, const char *want)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsString(v));
	assert_string_equal(v->valuestring, want);
}

static void finish_check(const char *want)
{
	cJSON_Delete(finish(want));
}

static void test_nesting_and_commas(void **state)
{
	cJSON *j, *b;

	start();
	jw_obj_begin(&w);
	jw_kv_u64(&w, "a", 1);
	jw_key(&w, "b");
	jw_arr_begin(&w);
	jw_u64(&w, 1);
	jw_str(&w, "x");
	jw_bool(&w, true);
	jw_obj_begin(&w);
	jw_kv_i64(&w, "c", -2);
	jw_obj_end(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_raw(&w, "null");
	jw_arr_end(&w);
	jw_key(&w, "d");
	jw_obj_begin(&w);
	jw_obj_end(&w);
	jw_kv_str(&w, "e", "");
	jw_key(&w, "f");
	jw_bool(&w, false);
	jw_obj_end(&w);
	j = finish("{\"a\":1,\"b\":[1,\"x\",true,{\"c\":-2},[],null],"
		   "\"d\":{},\"e\":\"\",\"f\":false}");
	b = cJSON_GetObjectItemCaseSensitive(j, "b");
	assert_int_equal(cJSON_GetArraySize(b), 6);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(b, 3), "c")->valueint,
			 -2);
	cJSON_Delete(j);
}

static void test_arrays_of_containers(void **state)
{
	start();
	jw_arr_begin(&w);
	for (int i = 0; i < 3; i++) {
		jw_obj_begin(&w);
		if (i == 1)
			jw_kv_u64(&w, "i", 1);
		jw_obj_end(&w);
	}
	jw_arr_begin(&w);
	jw_arr_begin(&w);
	jw_arr_end(&w);
	jw_i64(&w, -1);
	jw_i64(&w, -2);
	jw_arr_end(&w);
	jw_arr_end(&w);
	finish_check("[{},{\"i\":1},{},[[],-1,-2]]");
}

struct escape_case {
	const char *in;
	size_t len;
	const char *json;    /* what jsonw writes */
	const char *decoded; /* what a parser reads back; NULL: not compared (holds a NUL) */
};

#define IN(s) s, sizeof(s) - 1
#define FFFD "\xef\xbf\xbd"

static const struct escape_case escape_cases[] = {
	{IN("plain"), "\"plain\"", "plain"},
	{IN(""), "\"\"", ""},
	{IN("a\"b"), "\"a\\\"b\"", "a\"b"},
	{IN("a\\b"), "\"a\\\\b\"", "a\\b"},
	{IN("/"), "\"/\"", "/"},
	{IN("\n"), "\"\\u000a\"", "\n"},
	{IN("\t\r"), "\"\\u0009\\u000d\"", "\t\r"},
	{IN("\x01\x1f"), "\"\\u0001\\u001f\"", "\x01\x1f"},
	{IN("a\0b"), "\"a\\u0000b\"", NULL},
	{IN("\x7f"), "\"\x7f\"", "\x7f"},
	{IN("caf\xc3\xa9"), "\"caf\xc3\xa9\"", "caf\xc3\xa9"},
	{IN("\xe2\x82\xac"), "\"\xe2\x82\xac\"", "\xe2\x82\xac"},
	{IN("\xf0\x9f\x98\x80"), "\"\xf0\x9f\x98\x80\"", "\xf0\x9f\x98\x80"},
	{IN("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"", "\xf4\x8f\xbf\xbf"},
	{IN("\xff"), "\"\\ufffd\"", FFFD},
	{IN("\x80"), "\"\\ufffd\"", FFFD},
	{IN("a\xc3"), "\"a\\ufffd\"", "a" FFFD},
	{IN("\xe2\x82z"), "\"\\ufffd\\ufffdz\"", FFFD FFFD "z"},
	{IN("\xc0\xaf"), "\"\\ufffd\\ufffd\"", FFFD FFFD},
	{IN("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD},
	{IN("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD},
	{IN("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", FFFD FFFD FFFD FFFD},
	{IN("\xf8\x88\x80\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"",
	 FFFD FFFD FFFD FFFD FFFD},
	{IN("/tmp/\xfe\"x\n"), "\"/tmp/\\ufffd\\\"x\\u000a\"", "/tmp/" FFFD "\"x\n"},
};

static void test_escaping(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(escape_cases); i++) {
		const struct escape_case *c = &escape_cases[i];
		cJSON *j;

		start();
		jw_strn(&w, c->in, c->len);
		j = finish(c->json);
		assert_true(cJSON_IsString(j));
		if (c->decoded)
			assert_string_equal(j->valuestring, c->decoded);
		cJSON_Delete(j);
	}
}

/*
 * One byte that is not plain, among plain ones, at every offset of strings of 1 to 40 bytes:
 * the 8-byte scan must stop at it wherever it lies in a word (its own byte, the word's first or
 * last, the tail past the last whole word), and nothing plain around it may change.
 */
static const struct {
	const char *in, *json; /* one special sequence, and how it must come out */
} specials[] = {
	{"\"", "\\\""},    {"\\", "\\\\"},	       {"\n", "\\u000a"},
	{"\x01", "\\u0001"}, {"\x1f", "\\u001f"},	       {"\x7f", "\x7f"},
	{"\x80", "\\ufffd"}, {"\xff", "\\ufffd"},	       {"\xc3\xa9", "\xc3\xa9"},
	{" ", " "},	       {"~", "~"},		       {"\xe2\x82\xac", "\xe2\x82\xac"},
};

static void test_escaping_every_offset(void **state)
{
	char in[64], want[128];

	for (size_t k = 0; k < ARRAY_SIZE(specials); k++) {
		size_t sl = strlen(specials[k].in);

		for (size_t len = sl; len <= 40; len++) {
			for (size_t at = 0; at + sl <= len; at++) {
				size_t tail = len - at - sl;

				memset(in, 'a', at);
				memcpy(in + at, specials[k].in, sl);
				memset(in + at + sl, 'z', tail);
				snprintf(want, sizeof(want), "\"%.*s%s%.*s\"", (int)at, in,
					 specials[k].json, (int)tail, in + at + sl);
				start();
				jw_strn(&w, in, len);
				cJSON_Delete(finish(want));
			}
		}
	}
}

/* A key from data (jw_dkv_*) is escaped like a value. */
static void test_keys_escaped(void **state)
{
	cJSON *j;

	start();
	jw_obj_begin(&w);
	jw_dkv_str(&w, "k\"\\\x01\xff", "v");
	jw_obj_end(&w);
	j = finish("{\"k\\\"\\\\\\u0001\\ufffd\":\"v\"}");
	assert_str_member(j, "k\"\\\x01" FFFD, "v");
	cJSON_Delete(j);
}

/* A literal key goes out as written, with every kind of value after it, and overflows like
 * the rest: sticky, never half a key. */
static void test_literal_keys(void **state)
{
	cJSON *j;
	char small[8];
	struct jw sw;

	start();
	jw_obj_begin(&w);
	jw_kv_str(&w, "path", "/etc/shadow");
	jw_kv_u64(&w, "inode", 861);
	jw_kv_i64(&w, "ret", -13);
	jw_key(&w, "flags");
	jw_arr_begin(&w);
	jw_str(&w, "O_RDONLY");
	jw_arr_end(&w);
	jw_obj_end(&w);
	j = finish("{\"path\":\"/etc/shadow\",\"inode\":861,\"ret\":-13,\"flags\":[\"O_RDONLY\"]}");
	cJSON_Delete(j);

	jw_init(&sw, small, sizeof(small));
	jw_obj_begin(&sw);
	jw_key(&sw, "abcde"); /* 8 bytes after the brace: 9 in all, one too many */
	assert_true(sw.overflow);
	assert_int_equal(sw.len, 1);
	assert_int_equal(jw_finish(&sw), -ENOSPC);
}

static void test_numbers(void **state)
{
	static const struct {
		bool is_signed;
		int64_t i;
		uint64_t u;
		const char *want;
	} cases[] = {
		{true, 0, 0, "0"},
		{true, 7, 0, "7"},
		{true, -1, 0, "-1"},
		{true, -10, 0, "-10"},
		{true, -4096, 0, "-4096"},
		{true, INT64_MAX, 0, "9223372036854775807"},
		{true, INT64_MIN, 0, "-9223372036854775808"},
		{true, INT64_MIN + 1, 0, "-9223372036854775807"},
		{false, 0, 0, "0"},
		{false, 0, 10, "10"},
		{false, 0, UINT64_MAX, "18446744073709551615"},
	};
	char want[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		start();
		jw_arr_begin(&w);
		jw_u64(&w, 1);
		if (cases[i].is_signed)
			jw_i64(&w, cases[i].i);
		else
			jw_u64(&w, cases[i].u);
		jw_i64(&w, -3);
		jw_arr_end(&w);
		snprintf(want, sizeof(want), "[1,%s,-3]", cases[i].want);
		finish_check(want);
	}
}

static void nest(int depth)
{
	for (int i = 0; i < depth; i++)
		jw_arr_begin(&w);
	jw_u64(&w, 1);
	for (int i = 0; i < depth; i++)
		jw_arr_end(&w);
}

static void test_depth_limit(void **state)
{
	char want[64];
	int max = JW_MAX_DEPTH - 1; /* levels that fit */

	snprintf(want, sizeof(want), "%.*s1%.*s", max, "[[[[[[[[[[[[[[[[[[[[", max,
		 "]]]]]]]]]]]]]]]]]]]]");
	start();
	nest(max);
	finish_check(want);
	start();
	nest(max + 1);
	assert_int_equal(jw_finish(&w), -ENOSPC);
	start();
	jw_obj_begin(&w); /* never closed */
	assert_int_equal(jw_finish(&w), -ENOSPC);
}

/* A document of every kind of value, written into a buffer of exactly cap bytes. */
static long write_doc(char *buf, size_t cap)
{
	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	jw_kv_str(&w, "s", "a\"\xff\n");
	jw_kv_i64(&w, "i", INT64_MIN);
	jw_kv_u64(&w, "u", UINT64_MAX);
	jw_key(&w, "a");
	jw_arr_begin(&w);
	jw_bool(&w, true);
	jw_raw(&w, "null");
	jw_arr_end(&w);
	jw_obj_end(&w);
	return jw_finish(&w);
}

static void test_overflow_every_size(void **state)
{
	static const char want[] =
		"{\"s\":\"a\\\"\\ufffd\\u000a\",\"i\":-9223372036854775808,"
		"\"u\":18446744073709551615,\"a\":[true,null]}";
	const size_t len = sizeof(want) - 1;

	for (size_t cap = 0; cap <= len + 1; cap++) {
		char *buf = malloc(cap ? cap : 1); /* ASan: any write past cap is caught */
		long n;

		assert_non_null(buf);
		n = write_doc(buf, cap);
		if (cap < len && n != -ENOSPC)
			fail_msg("cap %zu: %ld, expected -ENOSPC", cap, n);
		if (cap < len)
			assert_true(w.len <= cap);
		if (cap >= len) {
			cJSON *j = cJSON_ParseWithLength(buf, len);

			assert_int_equal(n, len);
			assert_memory_equal(buf, want, len);
			assert_non_null(j);
			cJSON_Delete(j);
		}
		free(buf);
	}
}

static void test_overflow_sticky(void **state)
{
	char buf[8];
	size_t len;

	memset(buf, '#', sizeof(buf));
	jw_init(&w, buf, 6);
	jw_arr_begin(&w);
	jw_str(&w, "too long");
	len = w.len;
	jw_u64(&w, 1); /* would fit in what is left: must not be written */
	jw_arr_end(&w);
	assert_int_equal(w.len, len);
	assert_int_equal(jw_finish(&w), -ENOSPC);
	assert_memory_equal(buf + 6, "##", 2);
	assert_true(memchr(buf, '1', 6) == NULL);
	assert_true(memchr(buf, ']', 6) == NULL);
}

static void test_exact_fit(void **state)
{
	char buf[7];

	jw_init(&w, buf, sizeof(buf));
	jw_arr_begin(&w);
	jw_str(&w, "abc");
	jw_arr_end(&w);
	assert_int_equal(jw_finish(&w), 7);
	assert_memory_equal(buf, "[\"abc\"]", 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nesting_and_commas),
		cmocka_unit_test(test_arrays_of_containers),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_escaping_every_offset),
		cmocka_unit_test(test_keys_escaped),
		cmocka_unit_test(test_literal_keys),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_overflow_every_size),
		cmocka_unit_test(test_overflow_sticky),
		cmocka_unit_test(test_exact_fit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

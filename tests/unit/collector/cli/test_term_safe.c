// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_term_safe.c - collector/cli/term_safe.c and the table printer: a string a workload
 * chose never reaches the terminal with a control, an invisible format character or a byte
 * that is not UTF-8; escapes are visible and unambiguous; widths are display columns.
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/table.h"
#include "cli/term_safe.h"
#include "unit/unit.h"

/* The attack from the issue: retitle, clear, then a forged row. */
#define HOSTILE "/tmp/\x1b]0;pwned\a\x1b[2J\nFAKE credential_read"

/* No byte below 0x20 but the newlines we allow, no DEL, no C1 (C2 80–9F), no bidi override
 * or isolate (E2 80 AA–AE, E2 81 A6–A9), no zero-width (E2 80 8B–8F). */
static void assert_clean(const char *s, size_t n, int newlines_allowed)
{
	int nl = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n') {
			nl++;
			continue;
		}
		assert_false(c < 0x20 || c == 0x7f);
		if (c == 0xc2 && i + 1 < n)
			assert_false((unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] <= 0x9f);
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80)
			assert_false((unsigned char)s[i + 2] >= 0x8b && (unsigned char)s[i + 2] <= 0xae &&
				     !((unsigned char)s[i + 2] >= 0x90 && (unsigned char)s[i + 2] <= 0xa7));
		if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x81)
			assert_false((unsigned char)s[i + 2] >= 0xa0 && (unsigned char)s[i + 2] <= 0xaf);
	}
	assert_true(nl <= newlines_allowed);
}

static void test_escapes(void **state)
{
	char out[512];

	term_safe(HOSTILE, out, sizeof(out));
	assert_string_equal(out, "/tmp/\\e]0;pwned\\x07\\e[2J\\nFAKE credential_read");
	term_safe("a\\b\tc\rd\x7f", out, sizeof(out));
	assert_string_equal(out, "a\\\\b\\tc\\rd\\x7f");
	/* C1 NEL, RLO, LRI, ZWSP, BOM, a lone continuation byte, an overlong '/' */
	term_safe("x\xc2\x85y\xe2\x80\xaez\xe2\x81\xa6w\xe2\x80\x8bv\xef\xbb\xbfu\x80t\xc0\xaf", out,
		  sizeof(out));
	assert_string_equal(out, "x\\u0085y\\u202ez\\u2066w\\u200bv\\ufeffu\\x80t\\xc0\\xaf");
	/* printable UTF-8 stays as it is */
	term_safe("café/日本/ü", out, sizeof(out));
	assert_string_equal(out, "café/日本/ü");
	assert_clean(out, strlen(out), 0);
}

static void test_cut_on_whole_escapes(void **state)
{
	char out[8];
	size_t need = term_safe("ab\x1b[2J", out, sizeof(out));

	assert_int_equal(need, strlen("ab\\e[2J"));
	assert_string_equal(out, "ab\\e[2J"); /* 7 bytes + NUL: fits exactly */
	need = term_safe("abcdef\x1b", out, sizeof(out));
	assert_int_equal(need, 8);
	assert_string_equal(out, "abcdef"); /* the escape does not fit: not half of it */
	assert_int_equal(term_safe("xyz", NULL, 0), 3);
}

static void test_width(void **state)
{
	assert_int_equal(term_width("abc"), 3);
	assert_int_equal(term_width("日本"), 4);
	assert_int_equal(term_width("é"), 1);
	assert_int_equal(term_width("\x1b"), 2); /* shown as \e */
	assert_int_equal(term_width("\xe2\x80\xae"), 6); /* shown as \u202e */
}

static void test_table_rows_cannot_be_forged(void **state)
{
	static const char *const h[] = {"PATH", "POD"};
	const char *row[2] = {HOSTILE, "pod-\xe2\x80\xae" "gnp.exe"};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct cli_table *t = cli_table_new(2, h);

	assert_non_null(f);
	assert_non_null(t);
	assert_int_equal(cli_table_add(t, row), 0);
	cli_table_print(t, f);
	fclose(f);
	assert_clean(buf, len, 2); /* the header's and the row's line ends, nothing else */
	assert_non_null(strstr(buf, "\\e]0;pwned\\x07\\e[2J\\nFAKE"));
	assert_non_null(strstr(buf, "pod-\\u202egnp.exe"));
	cli_table_free(t);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escapes),
	    cmocka_unit_test(test_cut_on_whole_escapes),
	    cmocka_unit_test(test_width),
	    cmocka_unit_test(test_table_rows_cannot_be_forged),
	};

	setlocale(LC_CTYPE, "C.UTF-8");
	return cmocka_run_group_tests(tests, NULL, NULL);
}

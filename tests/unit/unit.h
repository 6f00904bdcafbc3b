/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * unit.h - what every unit test includes: cmocka and a few helpers.
 *
 * Tests that show a known bug start with SKIP_KNOWN_BUG(): they are skipped so that `make unit`
 * passes, and run (and fail until the bug is fixed) with C2D_UNIT_BUGS=1 in the environment.
 */
#ifndef C2D_UNIT_H
#define C2D_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SKIP_KNOWN_BUG()                                                                           \
	do {                                                                                       \
		if (!getenv("C2D_UNIT_BUGS"))                                                      \
			skip();                                                                    \
	} while (0)

/* Fails, printing both strings, unless needle occurs in hay. */
#define assert_contains(hay, needle)                                                               \
	do {                                                                                       \
		const char *hay_ = (hay), *needle_ = (needle);                                     \
		if (!hay_ || !strstr(hay_, needle_))                                               \
			fail_msg("\"%s\" does not contain \"%s\"", hay_ ? hay_ : "(null)",         \
				 needle_);                                                         \
	} while (0)

#endif

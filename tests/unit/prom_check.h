/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prom_check.h - for unit tests: a strict reader of the Prometheus text format as our writers
 * must produce it. Every family has # HELP then # TYPE (counter or gauge) before its samples,
 * counter names end in _total, names and label names are valid, label values are quoted with
 * only \\ \" \n escapes, values are unsigned integers, no series appears twice, and the text
 * ends with a newline. prom_value() then finds one series' value.
 */
#ifndef C2D_PROM_CHECK_H
#define C2D_PROM_CHECK_H

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool pc_name_ok(const char *s, size_t n)
{
	if (!n || !(isalpha((unsigned char)s[0]) || s[0] == '_' || s[0] == ':'))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == ':'))
			return false;
	return true;
}

/* NULL if text is well-formed, else a static message naming the line. */
static const char *prom_check(const char *text)
{
	static char why[512];
	char family[128] = "", type[16] = "";
	char (*seen)[256] = calloc(4096, 256);
	size_t nseen = 0;
	const char *line = text;
	int lineno = 0;

#define PC_FAIL(...)                                                                               \
	do {                                                                                       \
		snprintf(why, sizeof(why), __VA_ARGS__);                                           \
		free(seen);                                                                        \
		return why;                                                                        \
	} while (0)
	if (!seen)
		return "out of memory";
	if (!*text || text[strlen(text) - 1] != '\n')
		PC_FAIL("empty, or no final newline");
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = (size_t)(nl - line);
		char l[1024];

		lineno++;
		if (len >= sizeof(l))
			PC_FAIL("line %d too long", lineno);
		memcpy(l, line, len);
		l[len] = 0;
		line = nl + 1;
		if (!strncmp(l, "# HELP ", 7)) {
			char *sp = strchr(l + 7, ' ');

			if (!sp || !pc_name_ok(l + 7, (size_t)(sp - l - 7)) || !sp[1])
				PC_FAIL("line %d: bad HELP: %.200s", lineno, l);
			snprintf(family, sizeof(family), "%.*s", (int)(sp - l - 7), l + 7);
			type[0] = 0;
			continue;
		}
		if (!strncmp(l, "# TYPE ", 7)) {
			size_t fl = strlen(family);

			if (!fl || strncmp(l + 7, family, fl) || l[7 + fl] != ' ')
				PC_FAIL("line %d: TYPE without its HELP: %.200s", lineno, l);
			snprintf(type, sizeof(type), "%s", l + 8 + fl);
			if (strcmp(type, "counter") && strcmp(type, "gauge"))
				PC_FAIL("line %d: type %.15s", lineno, type);
			if (!strcmp(type, "counter") != (fl > 6 && !strcmp(family + fl - 6, "_total")))
				PC_FAIL("line %d: counters, and only they, end in _total: %.127s", lineno,
					family);
			continue;
		}
		if (l[0] == '#')
			PC_FAIL("line %d: unexpected comment: %.200s", lineno, l);
		/* a sample: name{labels} value */
		{
			size_t nl_ = strcspn(l, "{ ");
			char *p = l + nl_, *end;

			if (!type[0] || nl_ != strlen(family) || strncmp(l, family, nl_))
				PC_FAIL("line %d: sample outside its family %.100s: %.200s", lineno, family, l);
			if (*p == '{') {
				p++;
				for (;;) {
					size_t ln = strcspn(p, "=");

					if (!pc_name_ok(p, ln) || p[ln] != '=' || p[ln + 1] != '"')
						PC_FAIL("line %d: bad label: %.200s", lineno, l);
					p += ln + 2;
					while (*p && *p != '"') {
						if (*p == '\\') {
							if (!strchr("\\\"n", p[1]))
								PC_FAIL("line %d: bad escape", lineno);
							p++;
						} else if (*p == '\n') {
							PC_FAIL("line %d: raw newline", lineno);
						}
						p++;
					}
					if (*p != '"')
						PC_FAIL("line %d: unterminated value", lineno);
					p++;
					if (*p == ',') {
						p++;
						continue;
					}
					if (*p != '}')
						PC_FAIL("line %d: bad label list: %.200s", lineno, l);
					p++;
					break;
				}
			}
			if (*p != ' ' || !isdigit((unsigned char)p[1]))
				PC_FAIL("line %d: no value: %.200s", lineno, l);
			strtoull(p + 1, &end, 10);
			if (*end)
				PC_FAIL("line %d: value not an unsigned integer: %.200s", lineno, l);
			*p = 0;
			for (size_t i = 0; i < nseen; i++)
				if (!strcmp(seen[i], l))
					PC_FAIL("line %d: series twice: %.200s", lineno, l);
			if (nseen < 4096)
				snprintf(seen[nseen++], 256, "%.255s", l);
		}
	}
	free(seen);
	return NULL;
#undef PC_FAIL
}

/* The value of the series written exactly as `series` ("name" or "name{a=\"b\"}"); -1 when
 * it is not there. */
static long long prom_value(const char *text, const char *series)
{
	size_t n = strlen(series);

	for (const char *l = text; l && *l; l = strchr(l, '\n'), l = l ? l + 1 : NULL)
		if (!strncmp(l, series, n) && l[n] == ' ')
			return strtoll(l + n + 1, NULL, 10);
	return -1;
}

#endif

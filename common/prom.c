// SPDX-License-Identifier: BSD-2-Clause
/* prom.c - the Prometheus text format writer (prom.h). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "prom.h"

void prom_init(struct prom *p, char *buf, size_t cap)
{
	*p = (struct prom){.buf = buf, .cap = cap};
	if (cap)
		buf[0] = 0;
}

/* Append; on overflow nothing of this piece stays and the writer stops for good. */
static bool put(struct prom *p, const char *s, size_t n)
{
	if (p->overflow || p->len + n + 1 > p->cap) {
		p->overflow = true;
		return false;
	}
	memcpy(p->buf + p->len, s, n);
	p->len += n;
	p->buf[p->len] = 0;
	return true;
}

static bool puts_(struct prom *p, const char *s)
{
	return put(p, s, strlen(s));
}

/* A label value: backslash, double quote and newline escaped, as the format asks. */
static bool put_escaped(struct prom *p, const char *s)
{
	for (; *s; s++) {
		const char *e = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;

		if (!(e ? puts_(p, e) : put(p, s, 1)))
			return false;
	}
	return true;
}

void prom_family(struct prom *p, const char *name, const char *type, const char *help)
{
	size_t start = p->len;

	/* HELP text escapes only backslash and newline; ours are constants without either */
	if (!(puts_(p, "# HELP ") && puts_(p, name) && puts_(p, " ") && puts_(p, help) &&
	      puts_(p, "\n# TYPE ") && puts_(p, name) && puts_(p, " ") && puts_(p, type) &&
	      puts_(p, "\n")) && p->cap) {
		p->len = start; /* whole lines only */
		p->buf[start] = 0;
	}
}

void prom_sample(struct prom *p, const char *name, const char *const *labels, uint64_t value)
{
	size_t start = p->len;
	char num[32];
	bool ok = puts_(p, name);

	if (ok && labels && labels[0]) {
		ok = puts_(p, "{");
		for (size_t i = 0; ok && labels[i] && labels[i + 1]; i += 2)
			ok = (i == 0 || puts_(p, ",")) && puts_(p, labels[i]) && puts_(p, "=\"") &&
			     put_escaped(p, labels[i + 1]) && puts_(p, "\"");
		ok = ok && puts_(p, "}");
	}
	snprintf(num, sizeof(num), " %" PRIu64 "\n", value);
	ok = ok && puts_(p, num);
	if (!ok && p->cap) {
		p->len = start;
		p->buf[start] = 0;
	}
}

void prom_sample1(struct prom *p, const char *name, const char *label, const char *value,
		  uint64_t v)
{
	const char *const l[] = {label, value, NULL};

	prom_sample(p, name, l, v);
}

void prom_metric(struct prom *p, const char *name, const char *type, const char *help,
		 uint64_t value)
{
	prom_family(p, name, type, help);
	prom_sample(p, name, NULL, value);
}

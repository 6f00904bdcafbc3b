/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * prom.h - the Prometheus text exposition format (version 0.0.4), written into a caller's
 * bounded buffer: one `# HELP` / `# TYPE` header per metric family, then its samples. Label
 * values are escaped (\\, \", \n); names are the caller's constants. Nothing is allocated: a
 * buffer too small sets `overflow` and the text stops at the last whole line.
 */
#ifndef C2D_PROM_H
#define C2D_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The Content-Type of what this writes. */
#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom {
	char *buf;
	size_t cap, len;
	bool overflow;
};

void prom_init(struct prom *p, char *buf, size_t cap);
/* type: "counter" or "gauge". */
void prom_family(struct prom *p, const char *name, const char *type, const char *help);
/* One sample: labels is NULL or a NULL-terminated list of name, value, name, value, ... */
void prom_sample(struct prom *p, const char *name, const char *const *labels, uint64_t value);
/* The same with one label, the common case. */
void prom_sample1(struct prom *p, const char *name, const char *label, const char *value,
		  uint64_t v);
/* A family with a single unlabelled sample. */
void prom_metric(struct prom *p, const char *name, const char *type, const char *help,
		 uint64_t value);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * labels.h - a bounded set of key/value strings (container labels, pod annotations) in one
 * fixed arena: no allocation per label, a hard cap on count and bytes.
 */
#ifndef C2D_LABELS_H
#define C2D_LABELS_H

#include <stdbool.h>
#include <stddef.h>

#define LABELS_MAX 128
#define LABELS_ARENA 16384

struct label_set {
	size_t n;
	size_t used;
	size_t dropped; /* labels that did not fit */
	struct {
		const char *key;
		const char *val;
	} kv[LABELS_MAX];
	char arena[LABELS_ARENA];
};

void labels_init(struct label_set *ls);
/* Add a copy; false (and counted) when full or when key or value holds a NUL byte. */
bool labels_add(struct label_set *ls, const void *key, size_t klen, const void *val, size_t vlen);
/* The value of key, or NULL. */
const char *labels_get(const struct label_set *ls, const char *key);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/* labels.c - see labels.h. */
#include <string.h>

#include "labels.h"

void labels_init(struct label_set *ls)
{
	ls->n = 0;
	ls->used = 0;
	ls->dropped = 0;
}

bool labels_add(struct label_set *ls, const void *key, size_t klen, const void *val, size_t vlen)
{
	char *k, *v;

	if (ls->n >= LABELS_MAX || klen + vlen + 2 > LABELS_ARENA - ls->used || klen == 0 ||
	    memchr(key, 0, klen) || memchr(val, 0, vlen)) {
		ls->dropped++;
		return false;
	}
	k = ls->arena + ls->used;
	memcpy(k, key, klen);
	k[klen] = 0;
	v = k + klen + 1;
	memcpy(v, val, vlen);
	v[vlen] = 0;
	ls->used += klen + vlen + 2;
	ls->kv[ls->n].key = k;
	ls->kv[ls->n].val = v;
	ls->n++;
	return true;
}

const char *labels_get(const struct label_set *ls, const char *key)
{
	for (size_t i = 0; i < ls->n; i++)
		if (strcmp(ls->kv[i].key, key) == 0)
			return ls->kv[i].val;
	return NULL;
}

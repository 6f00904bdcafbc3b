// SPDX-License-Identifier: BSD-2-Clause
/* deferred.c - see deferred.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "deferred.h"

int deferred_push(struct deferred *d, const void *data, size_t len, const void *tail,
		  size_t tail_len, uint64_t deadline_ns)
{
	struct deferred_rec *r;
	unsigned char *copy;

	if (d->n == DEFERRED_MAX || len > DEFERRED_BYTES - d->bytes ||
	    tail_len > DEFERRED_BYTES - d->bytes - len)
		return -ENOSPC;
	copy = malloc(len + tail_len);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, data, len);
	if (tail_len)
		memcpy(copy + len, tail, tail_len);
	r = &d->q[(d->head + d->n) % DEFERRED_MAX];
	r->data = copy;
	r->len = len;
	r->tail_len = tail_len;
	r->deadline_ns = deadline_ns;
	d->n++;
	d->bytes += len + tail_len;
	return 0;
}

struct deferred_rec *deferred_peek(struct deferred *d)
{
	return d->n ? &d->q[d->head] : NULL;
}

void deferred_pop(struct deferred *d)
{
	struct deferred_rec *r = deferred_peek(d);

	if (!r)
		return;
	d->bytes -= r->len + r->tail_len;
	free(r->data);
	r->data = NULL;
	d->head = (d->head + 1) % DEFERRED_MAX;
	d->n--;
}

void deferred_clear(struct deferred *d)
{
	while (d->n)
		deferred_pop(d);
}

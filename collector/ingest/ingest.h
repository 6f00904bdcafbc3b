/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ingest.h - a request body (already decompressed) → a validated batch of events.
 *
 * The body is NDJSON, one event per line (blank lines ignored, CRLF accepted), or a single JSON
 * array of events. A batch is all or nothing: the first bad event rejects the whole body, with
 * a message naming the line (or array element) and the field.
 */
#ifndef C2D_COLLECTOR_INGEST_H
#define C2D_COLLECTOR_INGEST_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "validate.h"

struct ingest_limits {
	size_t max_events;
	struct validate_limits v;
};

struct batch {
	size_t n, cap;
	cJSON **events;
	char **bodies; /* each event as compact JSON: what the store keeps */
};

/* Parse and validate body (len bytes, modified in place). 0, -EINVAL with the reason in err
 * (the batch is then empty), or -ENOMEM. */
int batch_parse(struct batch *b, char *body, size_t len, const struct ingest_limits *lim,
		char *err, size_t errlen);
/* Append an event and its body (the batch owns both from then on). 0 or -ENOMEM. */
int batch_add(struct batch *b, cJSON *ev, char *body);
void batch_free(struct batch *b);

#endif

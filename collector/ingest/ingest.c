// SPDX-License-Identifier: BSD-2-Clause
/* ingest.c - see ingest.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest.h"

int batch_add(struct batch *b, cJSON *ev, char *body)
{
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 64;
		cJSON **e = realloc(b->events, ncap * sizeof(*e));

		if (!e)
			return -ENOMEM;
		b->events = e;
		char **s = realloc(b->bodies, ncap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		b->bodies = s;
		b->cap = ncap;
	}
	b->events[b->n] = ev;
	b->bodies[b->n++] = body;
	return 0;
}

void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		cJSON_Delete(b->events[i]);
		cJSON_free(b->bodies[i]);
	}
	free(b->events);
	free(b->bodies);
	memset(b, 0, sizeof(*b));
}

static int too_many(const struct ingest_limits *lim, char *err, size_t errlen)
{
	snprintf(err, errlen, "more than %zu events in a batch", lim->max_events);
	return -EINVAL;
}

/* One NDJSON line (NUL-terminated at len) → the batch. */
static int parse_line(struct batch *b, char *line, size_t len, size_t lineno,
		      const struct ingest_limits *lim, char *err, size_t errlen)
{
	char why[256];
	cJSON *ev;
	char *body;

	if (b->n >= lim->max_events)
		return too_many(lim, err, errlen);
	if (json_prescan(line, len, lim->v.max_depth, why, sizeof(why)) < 0)
		goto bad;
	ev = cJSON_ParseWithLength(line, len);
	if (!ev) {
		snprintf(why, sizeof(why), "not valid JSON");
		goto bad;
	}
	if (validate_event(ev, &lim->v, why, sizeof(why)) < 0) {
		cJSON_Delete(ev);
		goto bad;
	}
	/* the line as sent, minus whitespace: numbers keep every digit (a reprint would round
	 * 64-bit ids through a double) */
	body = cJSON_malloc(len + 1);
	if (!body || batch_add(b, ev, body) < 0) {
		cJSON_free(body);
		cJSON_Delete(ev);
		return -ENOMEM;
	}
	memcpy(body, line, len + 1);
	cJSON_Minify(body);
	return 0;
bad:
	snprintf(err, errlen, "line %zu: %s", lineno, why);
	return -EINVAL;
}

static int parse_ndjson(struct batch *b, char *body, size_t len, const struct ingest_limits *lim,
			char *err, size_t errlen)
{
	char *p = body, *end = body + len, *nl, *e;
	size_t lineno = 0;
	int ret;

	while (p < end) {
		lineno++;
		nl = memchr(p, '\n', (size_t)(end - p));
		e = nl ? nl : end;
		while (e > p && (e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
			e--;
		*e = 0;
		if (e > p) {
			ret = parse_line(b, p, (size_t)(e - p), lineno, lim, err, errlen);
			if (ret < 0)
				return ret;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

static int add_printed(struct batch *b, cJSON *ev)
{
	char *s = cJSON_PrintUnformatted(ev);

	if (s && batch_add(b, ev, s) == 0)
		return 0;
	cJSON_free(s);
	return -ENOMEM;
}

static int parse_array(struct batch *b, char *body, size_t len, const struct ingest_limits *lim,
		       char *err, size_t errlen)
{
	char why[256];
	cJSON *arr, *ev;
	size_t i = 0;
	int ret = 0;

	/* the array is one more level around each event */
	if (json_prescan(body, len, lim->v.max_depth + 1, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s", why);
		return -EINVAL;
	}
	arr = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(arr);
		snprintf(err, errlen, "not valid JSON");
		return -EINVAL;
	}
	while ((ev = cJSON_DetachItemFromArray(arr, 0)) && !ret) {
		i++;
		if (b->n >= lim->max_events)
			ret = too_many(lim, err, errlen);
		else if (validate_event(ev, &lim->v, why, sizeof(why)) < 0)
			ret = -EINVAL, snprintf(err, errlen, "event %zu: %s", i, why);
		else if (add_printed(b, ev) == 0)
			continue;
		else
			ret = -ENOMEM;
		cJSON_Delete(ev);
		ev = NULL;
	}
	cJSON_Delete(ev);
	cJSON_Delete(arr);
	return ret;
}

int batch_parse(struct batch *b, char *body, size_t len, const struct ingest_limits *lim,
		char *err, size_t errlen)
{
	size_t i = 0;
	int ret;

	memset(b, 0, sizeof(*b));
	while (i < len && (body[i] == ' ' || body[i] == '\t' || body[i] == '\r' || body[i] == '\n'))
		i++;
	if (i < len && body[i] == '[')
		ret = parse_array(b, body, len, lim, err, errlen);
	else
		ret = parse_ndjson(b, body, len, lim, err, errlen);
	if (!ret && b->n == 0) {
		snprintf(err, errlen, "no events in the body");
		ret = -EINVAL;
	}
	if (ret < 0)
		batch_free(b);
	return ret;
}

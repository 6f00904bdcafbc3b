/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * validate.h - what the collector accepts as an event (EVENTS.md plus `container_start` and
 * `agent_gap`), as pure functions: bytes → verdict, with a message that names the field.
 *
 * json_prescan() looks at the raw text before cJSON sees it, because cJSON allows 1000 levels
 * of nesting, takes any bytes in strings and turns "\u0000" into a silent truncation.
 */
#ifndef C2D_COLLECTOR_VALIDATE_H
#define C2D_COLLECTOR_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define C2D_EVENT_SCHEMA "cloud2dev.event/v1"

struct validate_limits {
	int max_depth;	       /* objects and arrays nested deeper are refused */
	size_t max_path;       /* file.path bytes */
	size_t max_args;       /* process.args bytes, all strings together */
};

/* Depth, UTF-8, control characters and NUL escapes of one JSON text.
 * 0 or -EINVAL with a message in err. */
int json_prescan(const char *s, size_t n, int max_depth, char *err, size_t errlen);

/* "2026-11-28T20:31:02.123456789Z" → ns since the epoch; -EINVAL unless RFC 3339 UTC ('Z')
 * with 0 to 9 fractional digits and a real calendar date. */
int parse_time_ns(const char *s, int64_t *ns);

/* "<16 lowercase hex>-<16 lowercase hex>"; the sequence part into *seq if not NULL. */
#define EVENT_ID_LEN 33 /* "<16 hex: agent instance>-<16 hex: sequence>" */
bool valid_event_id(const char *s, uint64_t *seq);

/* kebab-case: [a-z0-9]+(-[a-z0-9]+)*, at most 128 bytes. */
bool valid_rule_name(const char *s);

/* One parsed event against the schema. 0 or -EINVAL with "field: reason" in err. */
int validate_event(const cJSON *ev, const struct validate_limits *lim, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * json_path.h - a rendered line's members by dotted path ("process.args"), and assertions on
 * them, for the agent's unit tests (test_render.c, test_pipeline.c). `ctx` is the text a
 * failure shows (the line under test).
 */
#ifndef C2D_JSON_PATH_H
#define C2D_JSON_PATH_H

#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "unit.h"

/* The member at a dotted path, or NULL. */
static inline const cJSON *json_find(const cJSON *o, const char *path)
{
	char buf[128], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *k = strtok_r(buf, ".", &save); k && o; k = strtok_r(NULL, ".", &save))
		o = cJSON_GetObjectItemCaseSensitive(o, k);
	return o;
}

static inline void json_assert_str(const cJSON *o, const char *path, const char *want,
				   const char *ctx)
{
	const cJSON *v = json_find(o, path);

	if (!v)
		fail_msg("no \"%s\" in %s", path, ctx);
	if (!cJSON_IsString(v) || strcmp(v->valuestring, want) != 0)
		fail_msg("%s: expected \"%s\" in %s", path, want, ctx);
}

static inline void json_assert_num(const cJSON *o, const char *path, double want,
				   const char *ctx)
{
	const cJSON *v = json_find(o, path);

	if (!v)
		fail_msg("no \"%s\" in %s", path, ctx);
	if (!cJSON_IsNumber(v) || v->valuedouble != want)
		fail_msg("%s: expected %.0f in %s", path, want, ctx);
}

#endif

// SPDX-License-Identifier: BSD-2-Clause
/* render_util.c - small JSON and formatting helpers the renderers share (cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "term_safe.h"

const char *cli_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) && it->valuestring[0] ? it->valuestring : NULL;
}

const char *cli_str2(const cJSON *obj, const char *k1, const char *k2)
{
	return cli_str(cJSON_GetObjectItemCaseSensitive(obj, k1), k2);
}

const char *cli_short(const char *rev, char *buf, size_t len)
{
	if (!rev)
		return "-";
	if (!strncmp(rev, "sha256:", 7))
		snprintf(buf, len, "sha256:%.12s", rev + 7);
	else
		snprintf(buf, len, "%.12s", rev);
	return buf;
}

const char *cli_time(const char *t, char *buf, size_t len)
{
	/* Seconds are enough for people; the JSON keeps the nanoseconds. */
	if (!t || strlen(t) < 19 || t[10] != 'T')
		return t;
	snprintf(buf, len, "%.10s %.8s", t, t + 11);
	return buf;
}

const char *cli_joined(const cJSON *arr, const char *sep, char *buf, size_t len)
{
	const cJSON *it;
	size_t n = 0;

	buf[0] = 0;
	cJSON_ArrayForEach(it, arr)
	{
		if (cJSON_IsString(it) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? sep : "",
					      it->valuestring);
	}
	return buf[0] ? buf : NULL;
}

const char *cli_rev_label(const cJSON *ref, char *buf, size_t len)
{
	const char *c = cli_str(ref, "commit"), *p = cli_str(ref, "pipeline_id");
	char sb[32], raw[160];

	cli_short(c ? c : cli_str(ref, "revision"), sb, sizeof(sb));
	if (p)
		snprintf(raw, sizeof(raw), "%s (pipeline %s)", sb, p);
	else
		snprintf(raw, sizeof(raw), "%s", sb);
	term_safe(raw, buf, len);
	return buf;
}

const char *cli_safe(const char *s, char *buf, size_t len)
{
	term_safe(s ? s : "-", buf, len);
	return buf;
}

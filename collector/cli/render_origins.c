// SPDX-License-Identifier: BSD-2-Clause
/* render_origins.c - `c2d origins`: one line per commit, pipeline or repository. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "table.h"

static int add_origin(struct cli_table *t, const cJSON *o, bool commit)
{
	char kb[32], fb[32], lb[32], count[24], kinds[256], rules[512], wls[1024];
	const char *cells[8];

	snprintf(count, sizeof(count), "%d",
		 (int)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "count")));
	cells[0] = commit ? cli_short(cli_str(o, "key"), kb, sizeof(kb)) : cli_str(o, "key");
	cells[1] = count;
	cells[2] = cli_time(cli_str(o, "first_seen"), fb, sizeof(fb));
	cells[3] = cli_time(cli_str(o, "last_seen"), lb, sizeof(lb));
	cells[4] = cli_joined(cJSON_GetObjectItem(o, "kinds"), ",", kinds, sizeof(kinds));
	cells[5] = cli_joined(cJSON_GetObjectItem(o, "rules"), ",", rules, sizeof(rules));
	cells[6] = cli_joined(cJSON_GetObjectItem(o, "workloads"), ",", wls, sizeof(wls));
	cells[7] = cli_str(o, "repository");
	return cli_table_add(t, cells);
}

int cli_render_origins(const cJSON *res, FILE *out)
{
	const char *headers[] = {"KEY",	  "FINDINGS", "FIRST SEEN (UTC)", "LAST SEEN (UTC)",
				 "KINDS", "RULES",    "WORKLOADS",	  "REPOSITORY"};
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(res, "origins"), *o;
	const char *by = cli_str(res, "by");
	struct cli_table *t;
	int err = 0;

	if (!cJSON_IsArray(arr) || !by)
		return -EINVAL;
	headers[0] = !strcmp(by, "commit")     ? "COMMIT"
		     : !strcmp(by, "pipeline") ? "PIPELINE"
					       : "REPOSITORY";
	t = cli_table_new(!strcmp(by, "repository") ? 7 : 8, headers);
	if (!t)
		return -ENOMEM;
	cJSON_ArrayForEach(o, arr)
	{
		if (!err)
			err = add_origin(t, o, !strcmp(by, "commit"));
	}
	if (!err)
		cli_table_print(t, out);
	cli_table_free(t);
	return err;
}

// SPDX-License-Identifier: BSD-2-Clause
/* render_exposures.c - `c2d exposures`: one line per secret (by fingerprint, never a value). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "table.h"

static int add_exposure(struct cli_table *t, const cJSON *x)
{
	char cb[32], count[24], names[256], det[128], orig[128], refs[256];
	char wls[1024], fp[32];
	const char *cells[9], *f = cli_str(x, "fingerprint");

	/* "hmac-sha256:" + 12 hex digits: enough to tell secrets apart on a screen */
	snprintf(fp, sizeof(fp), "%.24s", f ? f : "-");
	snprintf(count, sizeof(count), "%d",
		 (int)cJSON_GetNumberValue(cJSON_GetObjectItem(x, "count")));
	cells[0] = fp;
	cells[1] = cli_joined(cJSON_GetObjectItem(x, "names"), ",", names, sizeof(names));
	cells[2] = cli_joined(cJSON_GetObjectItem(x, "detectors"), ",", det, sizeof(det));
	cells[3] = cli_joined(cJSON_GetObjectItem(x, "origins"), ",", orig, sizeof(orig));
	cells[4] = cli_joined(cJSON_GetObjectItem(x, "origin_refs"), ",", refs, sizeof(refs));
	cells[5] = cli_joined(cJSON_GetObjectItem(x, "workloads"), ",", wls, sizeof(wls));
	cells[6] = cli_short(cli_str(x, "first_commit"), cb, sizeof(cb));
	cells[7] = cli_str(x, "first_pipeline");
	cells[8] = count;
	return cli_table_add(t, cells);
}

int cli_render_exposures(const cJSON *res, FILE *out)
{
	static const char *const headers[] = {"FINGERPRINT", "NAMES",	  "DETECTOR",
					      "ORIGIN",	     "FROM",	  "WORKLOADS",
					      "FIRST COMMIT", "PIPELINE", "SEEN"};
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(res, "exposures"), *x;
	struct cli_table *t;
	int err = 0;

	if (!cJSON_IsArray(arr))
		return -EINVAL;
	t = cli_table_new(9, headers);
	if (!t)
		return -ENOMEM;
	cJSON_ArrayForEach(x, arr)
	{
		if (!err)
			err = add_exposure(t, x);
	}
	if (!err)
		cli_table_print(t, out);
	cli_table_free(t);
	return err;
}

// SPDX-License-Identifier: BSD-2-Clause
/* render_findings.c - `c2d findings`: one line per finding. */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "table.h"

static const char *const headers[] = {"TIME (UTC)", "KIND",   "RULE",	  "WORKLOAD", "TARGET",
				      "EXECUTABLE", "COMMIT", "PIPELINE", "ID"};

static int add_finding(struct cli_table *t, const cJSON *f)
{
	char tb[32], cb[32], wl[256];
	const char *ns = cli_str(f, "namespace"), *name = cli_str2(f, "workload", "name");
	const char *cells[9];

	if (ns && name)
		snprintf(wl, sizeof(wl), "%s/%s", ns, name);
	else
		snprintf(wl, sizeof(wl), "%s", ns ? ns : "-");
	cells[0] = cli_time(cli_str(f, "time"), tb, sizeof(tb));
	cells[1] = cli_str(f, "kind");
	cells[2] = cli_str(f, "rule");
	cells[3] = wl;
	cells[4] = cli_str(f, "target");
	cells[5] = cli_str(f, "executable");
	cells[6] = cli_short(cli_str(f, "commit"), cb, sizeof(cb));
	cells[7] = cli_str(f, "pipeline_id");
	cells[8] = cli_str(f, "id");
	return cli_table_add(t, cells);
}

static const char *const wide_headers[] = {
    "TIME (UTC)", "KIND",   "RULE",	"SEVERITY", "WORKLOAD",	    "POD",
    "TARGET",	  "EXECUTABLE", "COMMIT", "PIPELINE", "IMAGE DIGEST", "ID"};

static int add_finding_wide(struct cli_table *t, const cJSON *f)
{
	char tb[32], cb[32], db[48], wl[256];
	const char *ns = cli_str(f, "namespace"), *name = cli_str2(f, "workload", "name");
	const char *cells[12] = {
	    cli_time(cli_str(f, "time"), tb, sizeof(tb)),
	    cli_str(f, "kind"),
	    cli_str(f, "rule"),
	    cli_str(f, "severity"),
	    wl,
	    cli_str(f, "pod"),
	    cli_str(f, "target"),
	    cli_str(f, "executable"),
	    cli_short(cli_str(f, "commit"), cb, sizeof(cb)),
	    cli_str(f, "pipeline_id"),
	    cli_short(cli_str(f, "image_digest"), db, sizeof(db)),
	    cli_str(f, "id"),
	};

	if (ns && name)
		snprintf(wl, sizeof(wl), "%s/%s", ns, name);
	else
		snprintf(wl, sizeof(wl), "%s", ns ? ns : "-");
	return cli_table_add(t, cells);
}

static int render(const cJSON *res, FILE *out, bool wide)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(res, "findings"), *f;
	struct cli_table *t;
	int err = 0;

	if (!cJSON_IsArray(arr))
		return -EINVAL;
	t = wide ? cli_table_new(12, wide_headers) : cli_table_new(9, headers);
	if (!t)
		return -ENOMEM;
	cJSON_ArrayForEach(f, arr)
	{
		if (!err)
			err = wide ? add_finding_wide(t, f) : add_finding(t, f);
	}
	if (!err) {
		cli_table_print(t, out);
		fprintf(out, "%d finding%s\n", cli_table_rows(t),
			cli_table_rows(t) == 1 ? "" : "s");
	}
	cli_table_free(t);
	return err;
}

int cli_render_findings(const cJSON *res, FILE *out)
{
	return render(res, out, false);
}

int cli_render_findings_wide(const cJSON *res, FILE *out)
{
	return render(res, out, true);
}

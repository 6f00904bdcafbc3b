// SPDX-License-Identifier: BSD-2-Clause
/*
 * render_introduced.c - `c2d introduced`: the workload's revisions as a table, then one
 * sentence per behaviour: "<kind> <rule> <target> by <exe>: introduced between A (pipeline
 * 100) and B (pipeline 101)", the compare link, and the reintroduction when there was one.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"
#include "table.h"
#include "term_safe.h"

#define LINE 1024

static int revisions(const cJSON *res, FILE *out)
{
	static const char *const headers[] = {"REVISION",	 "PIPELINE", "FIRST SEEN (UTC)",
					      "LAST SEEN (UTC)", "EVENTS",   "IMAGE"};
	const cJSON *r;
	struct cli_table *t = cli_table_new(6, headers);
	int err = 0;

	if (!t)
		return -ENOMEM;
	cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(res, "revisions"))
	{
		char rb[32], fb[32], lb[32], ib[32], ev[24];
		const char *c = cli_str(r, "commit");
		const char *cells[6] = {cli_short(c ? c : cli_str(r, "revision"), rb, sizeof(rb)),
					cli_str(r, "pipeline_id"),
					cli_time(cli_str(r, "first_seen"), fb, sizeof(fb)),
					cli_time(cli_str(r, "last_seen"), lb, sizeof(lb)),
					ev,
					cli_short(cli_str(r, "image_digest"), ib, sizeof(ib))};

		snprintf(ev, sizeof(ev), "%d",
			 (int)cJSON_GetNumberValue(cJSON_GetObjectItem(r, "events")));
		if (!err)
			err = cli_table_add(t, cells);
	}
	if (!err)
		cli_table_print(t, out);
	cli_table_free(t);
	return err;
}

static void behaviour(const cJSON *b, FILE *out)
{
	const cJSON *intro = cJSON_GetObjectItemCaseSensitive(b, "introduced_in");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(b, "previous");
	char ib[96], pb[96], ab[96], rb[96], s1[64], s2[128], s3[LINE], s4[LINE];
	const char *s;

	fprintf(out, "%s %s %s", cli_safe(cli_str(b, "kind"), s1, sizeof(s1)),
		cli_safe(cli_str(b, "rule"), s2, sizeof(s2)),
		cli_safe(cli_str(b, "target"), s3, sizeof(s3)));
	/* a behaviour judged from the container's spec (a host path bound in, a secret it was
	 * started with) has no process */
	if (cli_str(b, "executable"))
		fprintf(out, " by %s", cli_safe(cli_str(b, "executable"), s4, sizeof(s4)));
	fputs(": ", out);
	if (cJSON_IsObject(prev))
		fprintf(out, "introduced between %s and %s\n", cli_rev_label(prev, pb, sizeof(pb)),
			cli_rev_label(intro, ib, sizeof(ib)));
	else if (cJSON_IsObject(intro))
		fprintf(out, "present since the first known revision %s\n",
			cli_rev_label(intro, ib, sizeof(ib)));
	else
		fprintf(out, "seen only without a known revision\n");
	if ((s = cli_str(b, "compare_url")))
		fprintf(out, "    compare: %s\n", cli_safe(s, s3, sizeof(s3)));
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(b, "reintroduced")))
		return;
	fprintf(out, "    reintroduced in %s after %s ran without it\n",
		cli_rev_label(cJSON_GetObjectItemCaseSensitive(b, "reintroduced_in"), rb, sizeof(rb)),
		cli_rev_label(cJSON_GetObjectItemCaseSensitive(b, "absent_in"), ab, sizeof(ab)));
	if ((s = cli_str(b, "reintroduced_compare_url")))
		fprintf(out, "    compare: %s\n", cli_safe(s, s3, sizeof(s3)));
}

int cli_render_introduced(const cJSON *res, FILE *out)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(res, "workload"), *b;
	const cJSON *bs = cJSON_GetObjectItemCaseSensitive(res, "behaviours");
	char ns[256], name[256], kind[64];
	int err;

	if (!cli_str(w, "name") || !cJSON_IsArray(bs))
		return -EINVAL;
	fprintf(out, "workload %s/%s (%s)\n\n", cli_safe(cli_str(w, "namespace"), ns, sizeof(ns)),
		cli_safe(cli_str(w, "name"), name, sizeof(name)),
		cli_str(w, "kind") ? cli_safe(cli_str(w, "kind"), kind, sizeof(kind))
				   : "kind unknown");
	err = revisions(res, out);
	if (err)
		return err;
	fprintf(out, "\n%d behaviour%s\n", cJSON_GetArraySize(bs),
		cJSON_GetArraySize(bs) == 1 ? "" : "s");
	cJSON_ArrayForEach(b, bs) behaviour(b, out);
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "truncated")))
		fprintf(out, "(truncated: raise --limit)\n");
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * render_diff.c - `c2d diff`: the two revisions (with their deploy commits and the compare
 * link), then what the later one added (+) and dropped (-): behaviours, exposures (by
 * fingerprint, never a value) and the identities the workload's containers ran with.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"

#define LINE 1024

/* "+ credential_read k8s-serviceaccount-token /var/run/… by /bin/cat (3)" */
static void behaviour(const cJSON *b, char sign, FILE *out)
{
	char s1[64], s2[128], s3[LINE], s4[LINE];

	fprintf(out, "  %c %s %s %s", sign, cli_safe(cli_str(b, "kind"), s1, sizeof(s1)),
		cli_safe(cli_str(b, "rule"), s2, sizeof(s2)),
		cli_safe(cli_str(b, "target"), s3, sizeof(s3)));
	if (cli_str(b, "executable"))
		fprintf(out, " by %s", cli_safe(cli_str(b, "executable"), s4, sizeof(s4)));
	fprintf(out, " (%d)\n", (int)cJSON_GetNumberValue(cJSON_GetObjectItem(b, "count")));
}

/* "+ hmac-sha256:9f86d081884c STRIPE_KEY stripe-secret-key from image" */
static void exposure(const cJSON *x, char sign, FILE *out)
{
	char fp[32], names[256], s1[256], s2[128], orig[128], s3[128], s4[128];
	const char *f = cli_str(x, "fingerprint");

	snprintf(fp, sizeof(fp), "%.24s", f ? f : "-");
	fprintf(out, "  %c %s %s %s from %s\n", sign, cli_safe(fp, s4, sizeof(s4)),
		cli_safe(cli_joined(cJSON_GetObjectItem(x, "names"), ",", names, sizeof(names)), s1,
			 sizeof(s1)),
		cli_safe(cli_str(x, "detector"), s2, sizeof(s2)),
		cli_safe(cli_joined(cJSON_GetObjectItem(x, "origins"), ",", orig, sizeof(orig)), s3,
			 sizeof(s3)));
}

/* "+ container checkout: sa=checkout aws=arn:…:role/checkout-admin" */
static void identity(const cJSON *i, char sign, FILE *out)
{
	char c[128], s[LINE];

	fprintf(out, "  %c container %s: %s\n", sign, cli_safe(cli_str(i, "container"), c, sizeof(c)),
		cli_safe(cli_str(i, "summary"), s, sizeof(s)));
}

static int section(const cJSON *res, const char *name, const char *title,
		   void (*line)(const cJSON *, char, FILE *), FILE *out)
{
	const cJSON *sec = cJSON_GetObjectItemCaseSensitive(res, name), *it;
	const cJSON *added = cJSON_GetObjectItemCaseSensitive(sec, "added");
	const cJSON *removed = cJSON_GetObjectItemCaseSensitive(sec, "removed");

	if (!cJSON_IsArray(added) || !cJSON_IsArray(removed))
		return -EINVAL;
	fprintf(out, "\n%s: %d added, %d removed, %d unchanged\n", title,
		cJSON_GetArraySize(added), cJSON_GetArraySize(removed),
		(int)cJSON_GetNumberValue(cJSON_GetObjectItem(sec, "unchanged")));
	cJSON_ArrayForEach(it, added) line(it, '+', out);
	cJSON_ArrayForEach(it, removed) line(it, '-', out);
	return 0;
}

static void revision(const char *label, const cJSON *ref, FILE *out)
{
	char rb[96], db[LINE], sb[LINE];

	fprintf(out, "%s %s", label, cli_rev_label(ref, rb, sizeof(rb)));
	if (cli_joined(cJSON_GetObjectItem(ref, "deploy_commits"), ",", db, sizeof(db)))
		fprintf(out, ", deploy commit %s", cli_safe(db, sb, sizeof(sb)));
	fputc('\n', out);
}

int cli_render_diff(const cJSON *res, FILE *out)
{
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(res, "workload");
	char ns[256], name[256], url[LINE];

	if (!cli_str(w, "name") || !cJSON_IsObject(cJSON_GetObjectItem(res, "from")))
		return -EINVAL;
	fprintf(out, "workload %s/%s\n", cli_safe(cli_str(w, "namespace"), ns, sizeof(ns)),
		cli_safe(cli_str(w, "name"), name, sizeof(name)));
	revision("from", cJSON_GetObjectItem(res, "from"), out);
	revision("to  ", cJSON_GetObjectItem(res, "to"), out);
	if (cli_str(res, "compare_url"))
		fprintf(out, "compare: %s\n", cli_safe(cli_str(res, "compare_url"), url, sizeof(url)));
	if (section(res, "behaviours", "behaviours", behaviour, out) < 0 ||
	    section(res, "exposures", "exposures", exposure, out) < 0 ||
	    section(res, "identities", "identities", identity, out) < 0)
		return -EINVAL;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(res, "truncated")))
		fprintf(out, "(truncated: more than 2000 items on a side)\n");
	return 0;
}

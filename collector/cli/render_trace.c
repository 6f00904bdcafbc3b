// SPDX-License-Identifier: BSD-2-Clause
/* render_trace.c - `c2d trace`: the chain of one event, one labelled line per link. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "table.h"

#define LINE 1024

static int num(const cJSON *o, const char *k)
{
	return (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, k));
}

static int row(struct cli_table *t, const char *label, const char *value)
{
	const char *cells[2] = {label, value};

	return value ? cli_table_add(t, cells) : 0;
}

static int process_rows(struct cli_table *t, const cJSON *p)
{
	char line[LINE], args[512];
	const cJSON *par = cJSON_GetObjectItemCaseSensitive(p, "parent");

	if (!p || cJSON_IsNull(p))
		return 0;
	/* "cat /var/run/…/token": the arguments, space-separated, bounded */
	cli_joined(cJSON_GetObjectItemCaseSensitive(p, "args"), " ", args, sizeof(args));
	snprintf(line, sizeof(line), "pid %d uid %d %s%s%s", num(p, "pid"), num(p, "uid"),
		 cli_str(p, "executable") ? cli_str(p, "executable") : "-", args[0] ? "  " : "",
		 args);
	if (row(t, "process", line) < 0)
		return -ENOMEM;
	if (!par)
		return 0;
	snprintf(line, sizeof(line), "pid %d %s %s", num(par, "pid"),
		 cli_str(par, "comm") ? cli_str(par, "comm") : "-",
		 cli_str(par, "executable") ? cli_str(par, "executable") : "");
	return row(t, "parent", line);
}

/* What the finding touched and how the call went, from the stored event (res.event). */
static int target_rows(struct cli_table *t, const cJSON *ev)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(ev, "file");
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(ev, "network");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(ev, "mount");
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(ev, "syscall");
	const cJSON *cnt = cJSON_GetObjectItemCaseSensitive(ev, "count");
	char line[LINE], fb[32], lb[32];

	line[0] = 0;
	if (cli_str(f, "path"))
		snprintf(line, sizeof(line), "%s%s%s", cli_str(f, "path"),
			 cli_str(f, "new_path") ? " -> " : "",
			 cli_str(f, "new_path") ? cli_str(f, "new_path") : "");
	else if (cli_str(n, "address"))
		snprintf(line, sizeof(line), "%s port %d", cli_str(n, "address"), num(n, "port"));
	else if (cli_str(m, "source"))
		snprintf(line, sizeof(line), "%s mounted at %s%s", cli_str(m, "source"),
			 cli_str(m, "destination") ? cli_str(m, "destination") : "-",
			 cJSON_IsTrue(cJSON_GetObjectItem(m, "read_only")) ? " (read-only)" : "");
	if ((line[0] && row(t, "target", line) < 0) ||
	    row(t, "host path", cli_str(f, "host_path")) < 0)
		return -ENOMEM;
	if (cli_str(sc, "name")) {
		int len = snprintf(line, sizeof(line), "%s returned %d", cli_str(sc, "name"),
				   num(sc, "ret"));

		if (cli_str(sc, "error") && len > 0 && (size_t)len < sizeof(line))
			snprintf(line + len, sizeof(line) - (size_t)len, " (%s)", cli_str(sc, "error"));
		if (row(t, "syscall", line) < 0)
			return -ENOMEM;
	}
	if (row(t, "outcome", cli_str(ev, "outcome")) < 0)
		return -ENOMEM;
	if (cJSON_IsTrue(cJSON_GetObjectItem(ev, "tampered")) &&
	    row(t, "tampered", "yes: an argument changed while the call ran") < 0)
		return -ENOMEM;
	if (cJSON_IsNumber(cnt) && cnt->valuedouble > 1) {
		const char *first = cli_time(cli_str(ev, "first_time"), fb, sizeof(fb));
		const char *last = cli_time(cli_str(ev, "last_time"), lb, sizeof(lb));

		snprintf(line, sizeof(line), "%.0f identical findings, %s to %s UTC", cnt->valuedouble,
			 first ? first : "-", last ? last : "-");
		if (row(t, "count", line) < 0)
			return -ENOMEM;
	}
	return 0;
}

static int k8s_rows(struct cli_table *t, const cJSON *res)
{
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(res, "container");
	const cJSON *pod = cJSON_GetObjectItemCaseSensitive(res, "pod");
	const cJSON *w = cJSON_GetObjectItemCaseSensitive(res, "workload");
	char line[LINE], idb[32];

	snprintf(line, sizeof(line), "%s (%s %s)", cli_str(c, "name") ? cli_str(c, "name") : "-",
		 cli_str(c, "runtime") ? cli_str(c, "runtime") : "-",
		 cli_short(cli_str(c, "id"), idb, sizeof(idb)));
	if ((cJSON_IsObject(c) && row(t, "container", line) < 0) ||
	    row(t, "image", cli_str2(c, "image", "name")) < 0 ||
	    row(t, "digest", cli_str2(c, "image", "digest")) < 0)
		return -ENOMEM;
	snprintf(line, sizeof(line), "%s/%s  service account %s  node %s",
		 cli_str(pod, "namespace") ? cli_str(pod, "namespace") : "-",
		 cli_str(pod, "name") ? cli_str(pod, "name") : "-",
		 cli_str(pod, "service_account") ? cli_str(pod, "service_account") : "-",
		 cli_str(pod, "node") ? cli_str(pod, "node") : "-");
	if (cJSON_IsObject(pod) && row(t, "pod", line) < 0)
		return -ENOMEM;
	snprintf(line, sizeof(line), "%s %s%s", cli_str(w, "kind") ? cli_str(w, "kind") : "-",
		 cli_str(w, "name") ? cli_str(w, "name") : "-",
		 cJSON_IsTrue(cJSON_GetObjectItem(w, "derived")) ? " (derived from the pod name)"
								 : "");
	return cJSON_IsObject(w) ? row(t, "workload", line) : 0;
}

static int provenance_rows(struct cli_table *t, const cJSON *res)
{
	static const char *const fields[][2] = {
	    {"commit", "commit"},
	    {"repository", "repository"},
	    {"version", "version"},
	    {"build_time", "built"},
	    {"pipeline_id", "pipeline"},
	    {"pipeline_url", "pipeline url"},
	    {"deploy_commit", "deploy commit"},
	};
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(res, "provenance");
	const cJSON *prev = cJSON_GetObjectItemCaseSensitive(res, "previous_revision");
	char line[LINE], cb[32];

	for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		if (row(t, fields[i][1], cli_str(p, fields[i][0])) < 0)
			return -ENOMEM;
	if (!cJSON_IsObject(prev))
		return 0;
	snprintf(
	    line, sizeof(line), "%s (pipeline %s)",
	    cli_short(cli_str(prev, "commit") ? cli_str(prev, "commit") : cli_str(prev, "revision"),
		      cb, sizeof(cb)),
	    cli_str(prev, "pipeline_id") ? cli_str(prev, "pipeline_id") : "-");
	return row(t, "previous", line);
}

static int link_rows(struct cli_table *t, const cJSON *res)
{
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(res, "links");

	if (row(t, "commit link", cli_str(l, "commit_url")) < 0 ||
	    row(t, "compare link", cli_str(l, "compare_url")) < 0 ||
	    row(t, "pipeline link", cli_str(l, "pipeline_url")) < 0)
		return -ENOMEM;
	return 0;
}

int cli_render_trace(const cJSON *res, FILE *out)
{
	char head[LINE], tb[32];
	const char *when = cli_time(cli_str(res, "time"), tb, sizeof(tb));
	struct cli_table *t;
	int err;

	if (!cli_str(res, "id"))
		return -EINVAL;
	snprintf(head, sizeof(head), "%s %s %s (%s) at %s UTC", cli_str(res, "id"),
		 cli_str(res, "kind") ? cli_str(res, "kind") : "-",
		 cli_str(res, "rule") ? cli_str(res, "rule") : "-",
		 cli_str(res, "severity") ? cli_str(res, "severity") : "-", when ? when : "-");
	t = cli_table_new(2, NULL);
	if (!t)
		return -ENOMEM;
	err = row(t, "event", head);
	if (!err)
		err = target_rows(t, cJSON_GetObjectItemCaseSensitive(res, "event"));
	if (!err)
		err = process_rows(t, cJSON_GetObjectItemCaseSensitive(res, "process"));
	if (!err)
		err = k8s_rows(t, res);
	if (!err)
		err = provenance_rows(t, res);
	if (!err)
		err = link_rows(t, res);
	if (!err)
		cli_table_print(t, out);
	cli_table_free(t);
	return err;
}

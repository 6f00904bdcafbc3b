// SPDX-License-Identifier: BSD-2-Clause
/*
 * gitops_parse.c - Argo CD Applications, Flux Kustomizations and HelmReleases from their JSON
 * into a gitops_snapshot (gitops_table.h); times and revisions. Field names: agent/GITOPS.md.
 * Everything comes from the network: a string that does not fit is left out, never cut (a cut
 * revision would name another commit).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "gitops_table.h"
#include "rfc3339.h"

static const cJSON *get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

static const char *str(const cJSON *o, const char *k)
{
	return cJSON_GetStringValue(get(o, k));
}

/* Copy a string that fits whole; false (dst "") otherwise. */
static bool fit(char *dst, size_t cap, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	dst[0] = 0;
	if (!s || n >= cap)
		return false;
	memcpy(dst, s, n + 1);
	return true;
}

int64_t gitops_parse_time(const char *s)
{
	int64_t ns;

	return rfc3339_parse(s, RFC3339_LENIENT, &ns) < 0 ? -1 : ns;
}

void gitops_format_time(int64_t ns, char *out, size_t cap)
{
	time_t sec = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;

	if (ns < 0 || !gmtime_r(&sec, &tm)) {
		snprintf(out, cap, "%s", "");
		return;
	}
	if (frac)
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	else
		snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
			 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static bool is_sha1(const char *s, size_t n)
{
	if (n != GITOPS_SHA_MAX - 1)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

bool gitops_revision_sha(const char *rev, char out[GITOPS_SHA_MAX])
{
	size_t n = rev ? strlen(rev) : 0, h = GITOPS_SHA_MAX - 1;
	const char *tail = n >= h ? rev + n - h : NULL;

	out[0] = 0;
	if (!tail || n >= GITOPS_REV_MAX || !is_sha1(tail, h))
		return false;
	/* the whole revision, "sha1:<hex>" (…@ before it, or not), or the old "<ref>/<hex>" */
	if (n == h || (n >= h + 5 && !memcmp(tail - 5, "sha1:", 5) &&
		       (n == h + 5 || tail[-6] == '@')) ||
	    (n > h + 1 && tail[-1] == '/')) {
		memcpy(out, tail, h + 1);
		return true;
	}
	return false;
}

/* A revision of a single- or multi-source Argo object: "revision", else "revisions"[0]. */
static const char *argo_revision(const cJSON *o)
{
	const char *r = str(o, "revision");

	return r && r[0] ? r : cJSON_GetStringValue(cJSON_GetArrayItem(get(o, "revisions"), 0));
}

static const char *argo_repo(const cJSON *o)
{
	const char *r = str(get(o, "source"), "repoURL");

	return r && r[0] ? r : str(cJSON_GetArrayItem(get(o, "sources"), 0), "repoURL");
}

/* Keep hist sorted oldest first, the newest GITOPS_HISTORY. */
static void add_sorted(struct gitops_snapshot *s, const struct gitops_rev *r)
{
	int i;

	if (s->nhist == GITOPS_HISTORY) {
		if (r->at_ns <= s->hist[0].at_ns)
			return; /* older than everything kept */
		memmove(&s->hist[0], &s->hist[1], sizeof(s->hist[0]) * (GITOPS_HISTORY - 1));
		s->nhist--;
	}
	for (i = s->nhist; i > 0 && s->hist[i - 1].at_ns > r->at_ns; i--)
		s->hist[i] = s->hist[i - 1];
	s->hist[i] = *r;
	s->nhist++;
}

static void parse_argo(const cJSON *o, struct gitops_snapshot *s)
{
	const cJSON *spec = get(o, "spec"), *st = get(o, "status"), *h;
	const char *spec_repo = argo_repo(spec), *rev;
	struct gitops_rev r;

	fit(s->dest_ns, sizeof(s->dest_ns), str(get(spec, "destination"), "namespace"));
	cJSON_ArrayForEach(h, get(st, "history")) {
		const char *repo = argo_repo(h);

		memset(&r, 0, sizeof(r));
		r.at = GITOPS_AT_TOOL;
		r.at_ns = gitops_parse_time(str(h, "deployedAt"));
		if (r.at_ns < 0 || !fit(r.revision, sizeof(r.revision), argo_revision(h)) ||
		    !r.revision[0])
			continue;
		fit(r.repository, sizeof(r.repository), repo && repo[0] ? repo : spec_repo);
		add_sorted(s, &r);
	}
	rev = argo_revision(get(st, "sync"));
	if (!s->nhist && rev && !strcmp(str(get(st, "sync"), "status") ?: "", "Synced") &&
	    fit(s->current.revision, sizeof(s->current.revision), rev) && rev[0]) {
		fit(s->current.repository, sizeof(s->current.repository), spec_repo);
		s->has_current = true;
	}
}

static void parse_kustomization(const cJSON *o, struct gitops_snapshot *s)
{
	const char *rev = str(get(o, "status"), "lastAppliedRevision");
	const cJSON *src = get(get(o, "spec"), "sourceRef");
	const char *src_ns = str(src, "namespace");

	s->has_current = rev && rev[0] && fit(s->current.revision, sizeof(s->current.revision), rev);
	/* the GitRepository it applies from: in its own namespace unless sourceRef says */
	if (!strcmp(str(src, "kind") ?: "", "GitRepository") &&
	    fit(s->src_name, sizeof(s->src_name), str(src, "name")) &&
	    !fit(s->src_ns, sizeof(s->src_ns), src_ns && src_ns[0] ? src_ns : s->ns))
		s->src_name[0] = 0;
}

/* A GitRepository: its spec.url, as the repository of what a Kustomization applies from it
 * (status.artifact.revision, when there is one, only marks its changes). */
static void parse_gitrepository(const cJSON *o, struct gitops_snapshot *s)
{
	const char *url = str(get(o, "spec"), "url");
	const char *rev = str(get(get(o, "status"), "artifact"), "revision");

	s->has_current = url && url[0] &&
			 fit(s->current.repository, sizeof(s->current.repository), url) &&
			 fit(s->current.revision, sizeof(s->current.revision),
			     rev && rev[0] ? rev : url);
}

/* status.history: snapshots of the Helm releases it made; those that were deployed. */
static void parse_helmrelease(const cJSON *o, struct gitops_snapshot *s)
{
	struct gitops_rev r;
	const cJSON *h;

	cJSON_ArrayForEach(h, get(get(o, "status"), "history")) {
		const char *status = str(h, "status");
		double v = cJSON_GetNumberValue(get(h, "version"));

		if (!status || (strcmp(status, "deployed") && strcmp(status, "superseded")))
			continue;
		memset(&r, 0, sizeof(r));
		r.at = GITOPS_AT_TOOL;
		r.at_ns = gitops_parse_time(str(h, "lastDeployed"));
		if (r.at_ns < 0 || !fit(r.revision, sizeof(r.revision), str(h, "chartVersion")) ||
		    !r.revision[0])
			continue;
		fit(r.helm_release, sizeof(r.helm_release), str(h, "name"));
		r.helm_revision = v >= 1 && v <= 2147483647.0 ? (int32_t)v : 0;
		add_sorted(s, &r);
	}
}

int gitops_parse(uint8_t kind, const cJSON *obj, struct gitops_snapshot *out)
{
	const cJSON *meta = get(obj, "metadata");

	memset(out, 0, sizeof(*out));
	out->kind = kind;
	if (!cJSON_IsObject(obj) || !fit(out->ns, sizeof(out->ns), str(meta, "namespace")) ||
	    !fit(out->name, sizeof(out->name), str(meta, "name")) || !out->name[0])
		return -EINVAL;
	if (kind == GITOPS_ARGO_APP)
		parse_argo(obj, out);
	else if (kind == GITOPS_FLUX_KS)
		parse_kustomization(obj, out);
	else if (kind == GITOPS_FLUX_HR)
		parse_helmrelease(obj, out);
	else if (kind == GITOPS_FLUX_GIT)
		parse_gitrepository(obj, out);
	else
		return -EINVAL;
	return 0;
}

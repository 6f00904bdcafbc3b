// SPDX-License-Identifier: BSD-2-Clause
/* workload_meta.c - see workload_meta.h. Add a workload kind by adding a row. */
#include <stdio.h>
#include <string.h>

#include "workload_meta.h"

static const struct {
	const char *kind, *api, *resource;
} kinds[] = {
	{"Deployment", "apps/v1", "deployments"}, {"StatefulSet", "apps/v1", "statefulsets"},
	{"DaemonSet", "apps/v1", "daemonsets"},	  {"ReplicaSet", "apps/v1", "replicasets"},
	{"CronJob", "batch/v1", "cronjobs"},	  {"Job", "batch/v1", "jobs"},
};

static struct wm_entry *lookup(struct wm_cache *c, const char *kind, const char *ns,
			       const char *name)
{
	struct wm_entry *victim = &c->e[0];

	for (size_t i = 0; i < WM_CACHE_MAX; i++) {
		struct wm_entry *e = &c->e[i];

		if (e->used && !strcmp(e->kind, kind) && !strcmp(e->ns, ns) && !strcmp(e->name, name))
			return e;
		if (!e->used || (victim->used && e->used_at < victim->used_at))
			victim = e;
	}
	memset(victim, 0, sizeof(*victim));
	return victim;
}

void wm_tie(struct wm_cache *c, const char *kind, const char *ns, const char *name, time_t now,
	    wm_fetch_fn fetch, void *arg, struct gitops_tie *out)
{
	struct wm_entry *e;
	char path[700];
	cJSON *obj = NULL;
	size_t k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].kind, kind); k++)
		;
	if (k == sizeof(kinds) / sizeof(kinds[0]) || !ns[0] || !name[0] ||
	    strlen(ns) >= sizeof(e->ns) || strlen(name) >= sizeof(e->name))
		return;
	e = lookup(c, kind, ns, name);
	e->used_at = ++c->clock;
	if (e->used && now - e->fetched < (e->ok ? WM_TTL_S : WM_FAIL_TTL_S)) {
		*out = e->tie;
		return;
	}
	snprintf(path, sizeof(path), "/apis/%s/namespaces/%s/%s/%s", kinds[k].api, ns,
		 kinds[k].resource, name);
	c->fetches++;
	e->used = true;
	snprintf(e->kind, sizeof(e->kind), "%s", kind);
	snprintf(e->ns, sizeof(e->ns), "%s", ns);
	snprintf(e->name, sizeof(e->name), "%s", name);
	e->fetched = now;
	e->ok = fetch(arg, path, &obj) == 200 && obj;
	memset(&e->tie, 0, sizeof(e->tie));
	if (e->ok)
		gitops_tie_from_meta(&e->tie, kind, cJSON_GetObjectItemCaseSensitive(obj, "metadata"));
	else
		c->failures++;
	cJSON_Delete(obj);
	*out = e->tie;
}

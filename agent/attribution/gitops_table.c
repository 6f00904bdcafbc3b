// SPDX-License-Identifier: BSD-2-Clause
/* gitops_table.c - see gitops_table.h. */
#include <stdio.h>
#include <string.h>

#include "gitops_table.h"

static const struct {
	const char *tool, *kind, *source_prefix;
} kinds[GITOPS_KINDS] = {
	[GITOPS_ARGO_APP] = {"argocd", "Application", "argocd"},
	[GITOPS_FLUX_KS] = {"flux", "Kustomization", "flux-kustomization"},
	[GITOPS_FLUX_HR] = {"flux", "HelmRelease", "flux-helmrelease"},
	[GITOPS_FLUX_GIT] = {NULL, "GitRepository", NULL}, /* a source, never a deploy */
};

void gitops_table_init(struct gitops_table *t)
{
	memset(t, 0, sizeof(*t));
}

static struct gitops_obj *find_exact(struct gitops_table *t, uint8_t kind, const char *ns,
				     const char *name)
{
	for (size_t i = 0; i < GITOPS_OBJECTS_MAX; i++) {
		struct gitops_obj *o = &t->obj[i];

		if (o->used && o->kind == kind && !strcmp(o->name, name) && !strcmp(o->ns, ns))
			return o;
	}
	return NULL;
}

/* A free slot, else the one asked for least recently. */
static struct gitops_obj *slot_for(struct gitops_table *t)
{
	struct gitops_obj *victim = &t->obj[0];

	for (size_t i = 0; i < GITOPS_OBJECTS_MAX; i++) {
		if (!t->obj[i].used) {
			t->objects++;
			return &t->obj[i];
		}
		if (t->obj[i].used_at < victim->used_at)
			victim = &t->obj[i];
	}
	t->evicted++;
	return victim;
}

/* A revision seen as current, for tools that keep no history: appended when it changed. */
static void observe(struct gitops_obj *o, const struct gitops_rev *cur, int64_t now_ns,
		    bool initial)
{
	struct gitops_rev *last = o->nhist ? &o->hist[o->nhist - 1] : NULL;
	bool first = !last;

	if (last && !strcmp(last->revision, cur->revision))
		return;
	if (o->nhist == GITOPS_HISTORY) {
		memmove(&o->hist[0], &o->hist[1], sizeof(o->hist[0]) * (GITOPS_HISTORY - 1));
		o->nhist--;
	}
	last = &o->hist[o->nhist++];
	*last = *cur;
	/* listed at start: deployed some time before; else seen changing now */
	last->at = first && initial ? GITOPS_AT_BEFORE : GITOPS_AT_OBSERVED;
	last->at_ns = last->at == GITOPS_AT_BEFORE ? 0 : now_ns;
}

void gitops_table_apply(struct gitops_table *t, const struct gitops_snapshot *s, int64_t now_ns,
			bool initial)
{
	struct gitops_obj *o = find_exact(t, s->kind, s->ns, s->name);

	if (!o) {
		o = slot_for(t);
		memset(o, 0, sizeof(*o));
		o->used = true;
		o->kind = s->kind;
		memcpy(o->ns, s->ns, sizeof(o->ns));
		memcpy(o->name, s->name, sizeof(o->name));
		o->used_at = ++t->clock;
	}
	memcpy(o->dest_ns, s->dest_ns, sizeof(o->dest_ns));
	memcpy(o->src_ns, s->src_ns, sizeof(o->src_ns));
	memcpy(o->src_name, s->src_name, sizeof(o->src_name));
	if (s->nhist) { /* the tool's own history is the truth */
		memcpy(o->hist, s->hist, sizeof(s->hist[0]) * s->nhist);
		o->nhist = s->nhist;
	} else if (s->has_current) {
		if (o->nhist && o->hist[o->nhist - 1].at == GITOPS_AT_TOOL)
			o->nhist = 0; /* the tool dropped its history: start over from what is seen */
		observe(o, &s->current, now_ns, initial);
	}
}

/* The object a reference names; an instance label (no namespace) prefers the Application
 * that deploys into the workload's namespace. */
static struct gitops_obj *find_ref(struct gitops_table *t, const struct gitops_ref *r,
				   const char *workload_ns)
{
	struct gitops_obj *any = NULL;

	if (r->ns[0])
		return find_exact(t, r->kind, r->ns, r->name);
	for (size_t i = 0; i < GITOPS_OBJECTS_MAX; i++) {
		struct gitops_obj *o = &t->obj[i];

		if (!o->used || o->kind != r->kind || strcmp(o->name, r->name))
			continue;
		if (!strcmp(o->dest_ns, workload_ns))
			return o;
		if (!any)
			any = o;
	}
	return any;
}

/* The URL of the GitRepository a Kustomization applies from (its latest spec.url), or "". */
static const char *source_url(struct gitops_table *t, const struct gitops_obj *o)
{
	const struct gitops_obj *g;

	if (!o->src_name[0])
		return "";
	g = find_exact(t, GITOPS_FLUX_GIT, o->src_ns, o->src_name);
	return g && g->nhist ? g->hist[g->nhist - 1].repository : "";
}

static void fill(struct gitops_deploy *out, const struct gitops_obj *o, const struct gitops_rev *e)
{
	out->tool = kinds[o->kind].tool;
	out->kind = kinds[o->kind].kind;
	out->source_prefix = kinds[o->kind].source_prefix;
	snprintf(out->object, sizeof(out->object), "%s/%s", o->ns, o->name);
	memcpy(out->revision, e->revision, sizeof(out->revision));
	memcpy(out->repository, e->repository, sizeof(out->repository));
	gitops_revision_sha(e->revision, out->commit);
	out->deployed_at_ns = e->at == GITOPS_AT_BEFORE ? 0 : e->at_ns;
	out->helm_revision = e->helm_revision;
	if (e->helm_release[0])
		memcpy(out->helm_release, e->helm_release, sizeof(out->helm_release));
}

bool gitops_table_at(struct gitops_table *t, const struct gitops_tie *tie, int64_t at_ns,
		     struct gitops_deploy *out)
{
	memset(out, 0, sizeof(*out));
	if (tie->helm_release[0])
		memcpy(out->helm_release, tie->helm_release, sizeof(out->helm_release));
	for (uint8_t i = 0; t && i < tie->nref && i < GITOPS_TIE_REFS; i++) {
		struct gitops_obj *o = find_ref(t, &tie->ref[i], tie->workload_ns);

		if (!o || o->kind >= GITOPS_KINDS || !kinds[o->kind].tool)
			continue;
		for (int k = o->nhist - 1; k >= 0; k--) {
			const struct gitops_rev *e = &o->hist[k];

			if (e->at == GITOPS_AT_BEFORE || e->at_ns <= at_ns) {
				o->used_at = ++t->clock;
				fill(out, o, e);
				if (!out->repository[0])
					snprintf(out->repository, sizeof(out->repository), "%s",
						 source_url(t, o));
				return true;
			}
		}
	}
	if (!out->helm_release[0])
		return false;
	out->tool = "helm"; /* a plain Helm release: its name, nothing of a revision */
	return true;
}

// SPDX-License-Identifier: BSD-2-Clause
/* provenance.c - see provenance.h. Add a key by adding a row. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "provenance.h"

enum prov_src { SRC_IMAGE_LABEL, SRC_POD_ANNOTATION, SRC_POD_LABEL };

static const char *const src_prefix[] = {
	[SRC_IMAGE_LABEL] = "image-label:",
	[SRC_POD_ANNOTATION] = "pod-annotation:",
	[SRC_POD_LABEL] = "pod-label:",
};

static const char *const field_names[PROV_MAX] = {
	[PROV_COMMIT] = "commit",	    [PROV_REPOSITORY] = "repository",
	[PROV_VERSION] = "version",	    [PROV_BUILD_TIME] = "build_time",
	[PROV_PIPELINE_ID] = "pipeline_id", [PROV_PIPELINE_URL] = "pipeline_url",
	[PROV_DEPLOY_COMMIT] = "deploy_commit",
};

/* In order of precedence within each field. */
static const struct {
	enum prov_field field;
	enum prov_src src;
	const char *key;
} keys[] = {
	{PROV_COMMIT, SRC_IMAGE_LABEL, "org.opencontainers.image.revision"},
	{PROV_COMMIT, SRC_IMAGE_LABEL, "vcs-ref"},
	{PROV_COMMIT, SRC_IMAGE_LABEL, "org.label-schema.vcs-ref"},
	{PROV_COMMIT, SRC_POD_ANNOTATION, "cloud2dev.dev/commit"},
	{PROV_REPOSITORY, SRC_IMAGE_LABEL, "org.opencontainers.image.source"},
	{PROV_REPOSITORY, SRC_IMAGE_LABEL, "org.opencontainers.image.url"},
	{PROV_REPOSITORY, SRC_IMAGE_LABEL, "vcs-url"},
	{PROV_REPOSITORY, SRC_IMAGE_LABEL, "org.label-schema.vcs-url"},
	{PROV_VERSION, SRC_IMAGE_LABEL, "org.opencontainers.image.version"},
	{PROV_VERSION, SRC_POD_LABEL, "app.kubernetes.io/version"},
	{PROV_BUILD_TIME, SRC_IMAGE_LABEL, "org.opencontainers.image.created"},
	{PROV_BUILD_TIME, SRC_IMAGE_LABEL, "org.label-schema.build-date"},
	{PROV_PIPELINE_ID, SRC_IMAGE_LABEL, "dev.cloud2dev.pipeline.id"},
	{PROV_PIPELINE_ID, SRC_IMAGE_LABEL, "com.gitlab.ci.pipeline.id"},
	{PROV_PIPELINE_ID, SRC_IMAGE_LABEL, "ci.pipeline.id"},
	{PROV_PIPELINE_ID, SRC_IMAGE_LABEL, "io.jenkins.build.id"},
	{PROV_PIPELINE_URL, SRC_IMAGE_LABEL, "dev.cloud2dev.pipeline.url"},
	{PROV_PIPELINE_URL, SRC_IMAGE_LABEL, "com.gitlab.ci.pipeline.url"},
	{PROV_PIPELINE_URL, SRC_IMAGE_LABEL, "ci.pipeline.url"},
	/* no built-in key for deploy_commit: no tool writes one on pods; it comes from the
	 * GitOps objects (gitops.h) or an operator's key */
};

struct prov_key {
	enum prov_field field;
	enum prov_src src;
	char key[128];
};

static struct prov_key custom[PROV_CUSTOM_MAX];
static size_t ncustom;

int provenance_add_key(const char *field, const char *spec, char *err, size_t errlen)
{
	struct prov_key k = {0};
	size_t i;
	int f = -1;

	for (i = 0; i < PROV_MAX; i++)
		if (!strcmp(field, field_names[i]))
			f = (int)i;
	if (f < 0) {
		snprintf(err, errlen, "unknown provenance field \"%s\" (commit, repository, version, "
				      "build_time, pipeline_id, pipeline_url, deploy_commit)", field);
		return -EINVAL;
	}
	for (i = 0; i < sizeof(src_prefix) / sizeof(src_prefix[0]); i++) {
		size_t pl = strlen(src_prefix[i]);

		if (!strncmp(spec, src_prefix[i], pl) && spec[pl] && strlen(spec + pl) < sizeof(k.key)) {
			k.src = (enum prov_src)i;
			snprintf(k.key, sizeof(k.key), "%s", spec + pl);
			break;
		}
	}
	if (i == sizeof(src_prefix) / sizeof(src_prefix[0])) {
		snprintf(err, errlen, "\"%s\": a key is image-label:KEY, pod-annotation:KEY or "
				      "pod-label:KEY (KEY under 128 bytes)", spec);
		return -EINVAL;
	}
	if (ncustom == PROV_CUSTOM_MAX) {
		snprintf(err, errlen, "at most %d provenance keys", PROV_CUSTOM_MAX);
		return -EINVAL;
	}
	k.field = (enum prov_field)f;
	custom[ncustom++] = k;
	return 0;
}

void provenance_clear_keys(void)
{
	ncustom = 0;
}

/* The environment variables CI systems and tracers set for the code's origin. */
static const struct {
	const char *name;
	enum prov_field field;
} env_allow[] = {
	{"GIT_COMMIT", PROV_COMMIT},
	{"GIT_SHA", PROV_COMMIT},
	{"DD_GIT_COMMIT_SHA", PROV_COMMIT},
	{"GITHUB_SHA", PROV_COMMIT},
	{"CI_COMMIT_SHA", PROV_COMMIT},
	{"SOURCE_COMMIT", PROV_COMMIT},
	{"DD_GIT_REPOSITORY_URL", PROV_REPOSITORY},
	{"GIT_URL", PROV_REPOSITORY},
	{"CI_PROJECT_URL", PROV_REPOSITORY},
	{"CI_PIPELINE_ID", PROV_PIPELINE_ID},
	{"GITHUB_RUN_ID", PROV_PIPELINE_ID},
	{"BUILD_ID", PROV_PIPELINE_ID},
	{"CI_PIPELINE_URL", PROV_PIPELINE_URL},
	{"BUILD_URL", PROV_PIPELINE_URL},
	{"DD_VERSION", PROV_VERSION},
};

int provenance_from_env(const char *env, size_t len, struct provenance *p)
{
	size_t i = 0;
	int filled = 0;

	while (i < len) {
		const char *e = env + i;
		size_t n = strnlen(e, len - i);
		const char *eq = memchr(e, '=', n);

		for (size_t k = 0; eq && k < sizeof(env_allow) / sizeof(env_allow[0]); k++) {
			enum prov_field f = env_allow[k].field;
			size_t nl = strlen(env_allow[k].name), vl = n - (size_t)(eq + 1 - e);

			if ((size_t)(eq - e) != nl || memcmp(e, env_allow[k].name, nl) != 0 ||
			    p->value[f][0] || vl == 0 || vl >= PROV_VALUE_MAX)
				continue;
			memcpy(p->value[f], eq + 1, vl);
			p->value[f][vl] = 0;
			snprintf(p->source[f], PROV_SOURCE_MAX, "env:%s", env_allow[k].name);
			filled++;
		}
		i += n + 1;
	}
	return filled;
}

static const struct label_set *pick(enum prov_src src, const struct label_set *img,
				    const struct label_set *ann, const struct label_set *pl)
{
	return src == SRC_IMAGE_LABEL ? img : src == SRC_POD_ANNOTATION ? ann : pl;
}

/* First key found wins: fields already set are skipped. */
static void try_key(enum prov_field f, enum prov_src src, const char *key,
		    const struct label_set *ls, struct provenance *out)
{
	const char *v;

	if (out->value[f][0] || !ls || !(v = labels_get(ls, key)) || !*v ||
	    strlen(v) >= PROV_VALUE_MAX)
		return;
	memcpy(out->value[f], v, strlen(v) + 1);
	snprintf(out->source[f], PROV_SOURCE_MAX, "%s%s", src_prefix[src], key);
}

void provenance_resolve(const struct label_set *img, const struct label_set *ann,
			const struct label_set *pl, struct provenance *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < ncustom; i++) /* the operator's keys first */
		try_key(custom[i].field, custom[i].src, custom[i].key,
			pick(custom[i].src, img, ann, pl), out);
	for (int f = 0; f < PROV_MAX; f++)
		if (out->value[f][0])
			out->custom |= (uint16_t)(1u << f);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		try_key(keys[i].field, keys[i].src, keys[i].key, pick(keys[i].src, img, ann, pl),
			out);
}

/* "deploy": what the GitOps tool says was deployed; unknown fields left out. */
static void render_deploy(struct jw *w, const struct gitops_deploy *d)
{
	char ts[48];

	jw_key(w, "deploy");
	jw_obj_begin(w);
	jw_kv_str(w, "tool", d->tool);
	if (d->kind)
		jw_kv_str(w, "kind", d->kind);
	if (d->object[0])
		jw_kv_str(w, "object", d->object);
	if (d->revision[0])
		jw_kv_str(w, "revision", d->revision);
	if (d->repository[0])
		jw_kv_str(w, "repository", d->repository);
	if (d->deployed_at_ns > 0) {
		gitops_format_time(d->deployed_at_ns, ts, sizeof(ts));
		jw_kv_str(w, "deployed_at", ts);
	}
	if (d->helm_release[0])
		jw_kv_str(w, "helm_release", d->helm_release);
	if (d->helm_revision > 0)
		jw_kv_u64(w, "helm_revision", (uint64_t)d->helm_revision);
	jw_obj_end(w);
}

/* The fields, with the deploy's commit (and its source) in place of deploy_commit when the
 * GitOps object's revision holds one. */
static void render(struct jw *w, const struct provenance *p, const struct gitops_deploy *d)
{
	const char *val[PROV_MAX], *src[PROV_MAX];
	char dsrc[24 + sizeof(d->object)]; /* "flux-helmrelease:" + "<ns>/<name>" */
	int known = 0;

	for (int f = 0; f < PROV_MAX; f++) {
		val[f] = p->value[f];
		src[f] = p->source[f];
	}
	if (d && d->commit[0] && d->source_prefix) {
		snprintf(dsrc, sizeof(dsrc), "%s:%s", d->source_prefix, d->object);
		val[PROV_DEPLOY_COMMIT] = d->commit;
		src[PROV_DEPLOY_COMMIT] = dsrc;
	}
	for (int f = 0; f < PROV_MAX; f++)
		known += val[f][0] != 0;
	if (!known && !d)
		return;
	jw_key(w, "provenance");
	jw_obj_begin(w);
	for (int f = 0; f < PROV_MAX; f++)
		if (val[f][0])
			jw_dkv_str(w, field_names[f], val[f]);
	if (d)
		render_deploy(w, d);
	jw_key(w, "sources");
	jw_obj_begin(w);
	for (int f = 0; f < PROV_MAX; f++)
		if (val[f][0])
			jw_dkv_str(w, field_names[f], src[f]);
	jw_obj_end(w);
	jw_obj_end(w);
}

void provenance_render(struct jw *w, const struct provenance *p)
{
	render(w, p, NULL);
}

void provenance_render_at(struct jw *w, const struct provenance *p, struct gitops *g,
			  int64_t at_ns)
{
	struct gitops_deploy d;
	bool have = !(p->custom & (1u << PROV_DEPLOY_COMMIT)) &&
		    (p->tie.nref || p->tie.helm_release[0]) && gitops_deploy_at(g, &p->tie, at_ns, &d);

	render(w, p, have ? &d : NULL);
}

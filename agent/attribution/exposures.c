// SPDX-License-Identifier: BSD-2-Clause
/* exposures.c - see exposures.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "exposures.h"
#include "k8s.h"

const char *exposure_source_name(uint8_t source)
{
	return source == EXPOSURE_ARG ? "arg" : "env";
}

/* Record one recognised secret: name (nlen bytes) and its value's fingerprint. */
static void add(struct exposures *out, uint8_t source, const char *name, size_t nlen,
		const char *detector, const char *value, size_t vlen)
{
	struct exposure *x;

	if (out->n == EXPOSURES_MAX) {
		out->dropped++;
		return;
	}
	x = &out->e[out->n];
	memset(x, 0, sizeof(*x));
	if (secrets_fingerprint(value, vlen, x->fingerprint) < 0)
		return; /* no key: nothing can name it without holding it */
	x->source = source;
	if (nlen >= sizeof(x->name))
		nlen = sizeof(x->name) - 1;
	memcpy(x->name, name, nlen);
	x->detector = detector;
	out->n++;
}

static void scan_env(const cJSON *env, struct exposures *out)
{
	const cJSON *e;

	cJSON_ArrayForEach(e, env) {
		const char *s = cJSON_GetStringValue(e), *eq, *d;

		if (!s || !(eq = strchr(s, '=')) || eq == s)
			continue;
		d = secrets_detect(s, (size_t)(eq - s), eq + 1, strlen(eq + 1));
		if (d)
			add(out, EXPOSURE_ENV, s, (size_t)(eq - s), d, eq + 1, strlen(eq + 1));
	}
}

/* Where the argument scan is: the flag that may name the next argument, and the position. */
struct arg_scan {
	const char *flag;
	int i;
};

/* `--flag=value`, `--flag value` (the flag names the next argument), or a bare value. An image's
 * Entrypoint and Cmd are scanned one after the other with the same state, as one argv. */
static void scan_args(const cJSON *args, struct arg_scan *st, struct exposures *out)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, args) {
		const char *s = cJSON_GetStringValue(a), *eq, *d = NULL, *flag = st->flag;
		char pos[24];

		if (!s) {
			st->i++;
			continue;
		}
		eq = s[0] == '-' ? strchr(s, '=') : NULL;
		if (eq) {
			d = secrets_detect(s, (size_t)(eq - s), eq + 1, strlen(eq + 1));
			if (d)
				add(out, EXPOSURE_ARG, s, (size_t)(eq - s), d, eq + 1, strlen(eq + 1));
		} else if (s[0] != '-') {
			d = secrets_detect(flag, flag ? strlen(flag) : 0, s, strlen(s));
			snprintf(pos, sizeof(pos), "argv[%d]", st->i);
			if (d)
				add(out, EXPOSURE_ARG, flag ? flag : pos, strlen(flag ? flag : pos), d,
				    s, strlen(s));
		}
		st->flag = s[0] == '-' && !eq ? s : NULL;
		st->i++;
	}
}

int exposures_from_cjson(const void *spec, struct exposures *out)
{
	const cJSON *proc, *env, *args;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject((const cJSON *)spec))
		return -EINVAL;
	proc = cJSON_GetObjectItemCaseSensitive(spec, "process");
	if (!cJSON_IsObject(proc))
		return 0;
	env = cJSON_GetObjectItemCaseSensitive(proc, "env");
	args = cJSON_GetObjectItemCaseSensitive(proc, "args");
	if (cJSON_IsArray(env))
		scan_env(env, out);
	if (cJSON_IsArray(args))
		scan_args(args, &(struct arg_scan){0}, out);
	return 0;
}

int exposures_from_argv(const void *command, const void *args, struct exposures *out)
{
	struct arg_scan st = {0};

	memset(out, 0, sizeof(*out));
	if (cJSON_IsArray((const cJSON *)command))
		scan_args(command, &st, out);
	if (cJSON_IsArray((const cJSON *)args))
		scan_args(args, &st, out);
	return 0;
}

int exposures_from_image(const void *cfg, struct exposures *out)
{
	const cJSON *c, *env, *ep, *cmd;
	struct arg_scan st = {0};

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject((const cJSON *)cfg))
		return -EINVAL;
	c = cJSON_GetObjectItemCaseSensitive(cfg, "config");
	if (!c || cJSON_IsNull(c))
		return 0; /* an image with no run settings: nothing baked in */
	if (!cJSON_IsObject(c))
		return -EINVAL;
	env = cJSON_GetObjectItemCaseSensitive(c, "Env");
	ep = cJSON_GetObjectItemCaseSensitive(c, "Entrypoint");
	cmd = cJSON_GetObjectItemCaseSensitive(c, "Cmd");
	if (cJSON_IsArray(env))
		scan_env(env, out);
	if (cJSON_IsArray(ep))
		scan_args(ep, &st, out);
	if (cJSON_IsArray(cmd))
		scan_args(cmd, &st, out);
	return 0;
}

const char *exposure_origin_name(uint8_t origin)
{
	static const char *const names[] = {
		[EXPOSURE_UNKNOWN] = "unknown",		[EXPOSURE_IMAGE] = "image",
		[EXPOSURE_MANIFEST] = "manifest",	[EXPOSURE_K8S_SECRET] = "k8s-secret",
		[EXPOSURE_K8S_CONFIGMAP] = "k8s-configmap", [EXPOSURE_RUNTIME] = "runtime",
	};

	return origin < sizeof(names) / sizeof(names[0]) ? names[origin] : "unknown";
}

static uint8_t origin_of_ref(uint8_t k8s_origin)
{
	switch (k8s_origin) {
	case K8S_ENV_LITERAL:
		return EXPOSURE_MANIFEST;
	case K8S_ENV_SECRET:
		return EXPOSURE_K8S_SECRET;
	case K8S_ENV_CONFIGMAP:
		return EXPOSURE_K8S_CONFIGMAP;
	}
	return EXPOSURE_UNKNOWN;
}

/* The pod spec's entry for variable var of container c: the named one first, else an envFrom
 * source of that container; NULL if the spec does not set it. */
static const struct k8s_env_ref *env_ref_of(const struct k8s_pod_info *pod, const char *c,
					    const char *var)
{
	const struct k8s_env_ref *from = NULL;

	for (unsigned i = 0; i < pod->nenv && i < K8S_ENV_REFS; i++) {
		const struct k8s_env_ref *r = &pod->env[i];

		if (strcmp(r->container, c) != 0)
			continue;
		if (!strcmp(r->var, var))
			return r;
		if (!r->var[0] && !from)
			from = r;
	}
	return from;
}

/* The image config's secret of the same source and name with the same value (fingerprint). */
static bool in_image(const struct exposures *img, const struct exposure *e)
{
	for (unsigned i = 0; img && i < img->n && i < EXPOSURES_MAX; i++)
		if (img->e[i].source == e->source && !strcmp(img->e[i].name, e->name) &&
		    !strcmp(img->e[i].fingerprint, e->fingerprint))
			return true;
	return false;
}

static bool in_pod_args(const struct k8s_pod_info *pod, const char *container,
			const struct exposure *e)
{
	for (unsigned i = 0; i < pod->nargs && i < K8S_ARG_REFS; i++)
		if (!strcmp(pod->args[i].container, container) &&
		    !strcmp(pod->args[i].fingerprint, e->fingerprint))
			return true;
	return false;
}

/* Set neither by the pod spec nor by the image: by whoever ran it (runtime, parent), when both
 * were read in full; else not known. */
static uint8_t neither(const struct exposure_sources *src)
{
	return src->image && !src->image->dropped && src->pod_known ? EXPOSURE_RUNTIME
								     : EXPOSURE_UNKNOWN;
}

static void set_one(struct exposure *e, const struct exposure_sources *src)
{
	const struct k8s_env_ref *r = NULL;
	bool pod = src->pod && src->container && src->container[0];

	e->origin = EXPOSURE_UNKNOWN;
	e->origin_ref[0] = 0;
	if (e->source == EXPOSURE_ARG) {
		/* the pod's command or args carry the same secret (by fingerprint: a position in
		 * them is not one in the container's argv) → the manifest; else the image's
		 * Entrypoint+Cmd at that name; else neither */
		e->origin = pod && in_pod_args(src->pod, src->container, e) ? EXPOSURE_MANIFEST
			    : in_image(src->image, e)			     ? EXPOSURE_IMAGE
									     : neither(src);
		return;
	}
	if (pod)
		r = env_ref_of(src->pod, src->container, e->name);
	if ((!r || !r->var[0]) && in_image(src->image, e)) {
		/* the image's very value, no entry names it: an envFrom did not replace it */
		e->origin = EXPOSURE_IMAGE;
	} else if (r) { /* an entry naming it overrides the image's value */
		e->origin = origin_of_ref(r->origin);
		snprintf(e->origin_ref, sizeof(e->origin_ref), "%s", r->source);
	} else {
		e->origin = neither(src);
	}
}

void exposures_set_origins(struct exposures *x, const struct exposure_sources *src)
{
	for (unsigned i = 0; i < x->n && i < EXPOSURES_MAX; i++)
		set_one(&x->e[i], src);
}

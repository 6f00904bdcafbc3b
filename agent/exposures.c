// SPDX-License-Identifier: BSD-2-Clause
/* exposures.c - see exposures.h. */
#include <errno.h>
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

/* `--flag=value`, `--flag value` (the flag names the next argument), or a bare value. */
static void scan_args(const cJSON *args, struct exposures *out)
{
	const char *flag = NULL;
	const cJSON *a;
	int i = 0;

	cJSON_ArrayForEach(a, args) {
		const char *s = cJSON_GetStringValue(a), *eq, *d = NULL;
		char pos[24];

		if (!s) {
			i++;
			continue;
		}
		eq = s[0] == '-' ? strchr(s, '=') : NULL;
		if (eq) {
			d = secrets_detect(s, (size_t)(eq - s), eq + 1, strlen(eq + 1));
			if (d)
				add(out, EXPOSURE_ARG, s, (size_t)(eq - s), d, eq + 1, strlen(eq + 1));
		} else if (s[0] != '-') {
			d = secrets_detect(flag, flag ? strlen(flag) : 0, s, strlen(s));
			snprintf(pos, sizeof(pos), "argv[%d]", i);
			if (d)
				add(out, EXPOSURE_ARG, flag ? flag : pos, strlen(flag ? flag : pos), d,
				    s, strlen(s));
		}
		flag = s[0] == '-' && !eq ? s : NULL;
		i++;
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
		scan_args(args, out);
	return 0;
}

const char *exposure_origin_name(uint8_t origin)
{
	static const char *const names[] = {
		[EXPOSURE_UNKNOWN] = "unknown",		[EXPOSURE_IMAGE] = "image",
		[EXPOSURE_MANIFEST] = "manifest",	[EXPOSURE_K8S_SECRET] = "k8s-secret",
		[EXPOSURE_K8S_CONFIGMAP] = "k8s-configmap",
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

void exposures_set_origins(struct exposures *x, const struct k8s_pod_info *pod,
			   const char *container)
{
	for (unsigned i = 0; i < x->n; i++) {
		struct exposure *e = &x->e[i];
		const struct k8s_env_ref *r;

		e->origin = EXPOSURE_UNKNOWN;
		e->origin_ref[0] = 0;
		if (!pod || !container || !container[0])
			continue;
		if (e->source == EXPOSURE_ARG)
			continue; /* the pod spec's command or the image's: not told apart yet */
		r = env_ref_of(pod, container, e->name);
		if (!r) {
			e->origin = EXPOSURE_IMAGE;
			continue;
		}
		e->origin = origin_of_ref(r->origin);
		snprintf(e->origin_ref, sizeof(e->origin_ref), "%s", r->source);
	}
}

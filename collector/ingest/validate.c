// SPDX-License-Identifier: BSD-2-Clause
/*
 * validate.c - the event schema as one table (validate.h). A field is checked when present;
 * `need` says for which kinds it must be present. Parents come before their children in the
 * table, so a child is only looked up once its parent is known to be an object.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "validate.h"

enum kind_bit {
	K_CRED = 1 << 0,
	K_PRIV = 1 << 1,
	K_STOR = 1 << 2,
	K_META = 1 << 3,
	K_GAP = 1 << 4,
	K_START = 1 << 5,
	K_MOUNT = 1 << 6, /* container_mount: a runtime's bind of a host path (rule, no process) */
	K_SECRET = 1 << 7, /* secret_exposure: a secret a container was started with (rule) */
};
#define K_FINDING (K_CRED | K_PRIV | K_STOR | K_META)
#define K_SPEC (K_MOUNT | K_SECRET) /* judged from a container's spec: a rule, no process */
#define K_ALL (K_FINDING | K_GAP | K_START | K_SPEC)

static const char *const kinds[] = {"credential_read", "privileged_call", "storage_write",
				    "metadata_access", "agent_gap",	  "container_start",
				    "container_mount", "secret_exposure", NULL};
static const char *const severities[] = {"info", "low", "medium", "high", "critical", NULL};
static const char *const outcomes[] = {"success", "failure", NULL};
static const char *const exposure_sources[] = {"env", "arg", NULL};
static const char *const exposure_origins[] = {"image",		"manifest", "k8s-secret",
					       "k8s-configmap", "runtime",  "unknown", NULL};
static const char *const schemas[] = {C2D_EVENT_SCHEMA, NULL};
static const char *const deploy_tools[] = {"argocd", "flux", "helm", NULL};
static const char *const deploy_kinds[] = {"Application", "Kustomization", "HelmRelease", NULL};

enum ftype {
	F_STR, F_INT, F_OBJ, F_TIME, F_ENUM, F_ID, F_RULE, F_PATH, F_ARGS, F_BOOL,
	F_STRS,	 /* an array of at most `max` strings, each at most IDENTITY_STR_MAX bytes */
	F_CLOUD, /* k8s.identity.cloud: at most `max` {provider, key, value} string objects */
};

struct field {
	const char *path;
	enum ftype type;
	unsigned need;
	const char *const *values; /* F_ENUM */
	double min, max;	   /* F_INT: both exactly representable */
};

#define U32MAX 4294967295.0
#define I53 9007199254740991.0 /* beyond this a double no longer holds every integer */
#define IDENTITY_STR_MAX 1024 /* a k8s.identity string (the agent caps them lower) */

static const struct field fields[] = {
	{"schema", F_ENUM, K_ALL, schemas, 0, 0},
	{"id", F_ID, K_ALL, NULL, 0, 0},
	{"time", F_TIME, K_ALL, NULL, 0, 0},
	{"rule", F_RULE, K_FINDING | K_SPEC, NULL, 0, 0},
	{"severity", F_ENUM, K_ALL, severities, 0, 0},
	{"outcome", F_ENUM, K_FINDING, outcomes, 0, 0},
	{"tampered", F_BOOL, 0, NULL, 0, 0},
	{"count", F_INT, 0, NULL, 1, U32MAX},
	{"first_time", F_TIME, 0, NULL, 0, 0},
	{"last_time", F_TIME, 0, NULL, 0, 0},
	{"node", F_OBJ, K_GAP, NULL, 0, 0},
	{"node.name", F_STR, K_GAP, NULL, 0, 0},
	{"process", F_OBJ, K_FINDING, NULL, 0, 0},
	{"process.pid", F_INT, K_FINDING, NULL, 0, 2147483647.0},
	{"process.tid", F_INT, 0, NULL, 0, 2147483647.0},
	{"process.ppid", F_INT, 0, NULL, 0, 2147483647.0},
	{"process.uid", F_INT, 0, NULL, 0, U32MAX},
	{"process.euid", F_INT, 0, NULL, 0, U32MAX},
	{"process.gid", F_INT, 0, NULL, 0, U32MAX},
	{"process.comm", F_STR, 0, NULL, 0, 0},
	{"process.executable", F_STR, 0, NULL, 0, 0},
	{"process.args", F_ARGS, 0, NULL, 0, 0},
	{"process.start_time", F_TIME, 0, NULL, 0, 0},
	{"process.parent", F_OBJ, 0, NULL, 0, 0},
	{"process.parent.pid", F_INT, 0, NULL, 0, 2147483647.0},
	{"syscall", F_OBJ, K_FINDING, NULL, 0, 0},
	{"syscall.name", F_STR, K_FINDING, NULL, 0, 0},
	{"syscall.ret", F_INT, 0, NULL, -I53, I53},
	{"syscall.args_at_entry", F_OBJ, 0, NULL, 0, 0},
	{"syscall.args_at_entry.path", F_PATH, 0, NULL, 0, 0},
	{"syscall.args_at_entry.new_path", F_PATH, 0, NULL, 0, 0},
	{"file", F_OBJ, 0, NULL, 0, 0},
	{"file.path", F_PATH, 0, NULL, 0, 0},
	{"file.new_path", F_PATH, 0, NULL, 0, 0},
	{"file.host_path", F_PATH, 0, NULL, 0, 0},
	{"file.inode", F_INT, 0, NULL, 0, I53},
	{"file.dev", F_STR, 0, NULL, 0, 0},
	{"volume", F_OBJ, 0, NULL, 0, 0},
	{"volume.name", F_STR, 0, NULL, 0, 0},
	{"volume.plugin", F_STR, 0, NULL, 0, 0},
	{"volume.host_path", F_PATH, 0, NULL, 0, 0},
	{"volume.pod_uid", F_STR, 0, NULL, 0, 0},
	{"network", F_OBJ, 0, NULL, 0, 0},
	{"network.address", F_STR, 0, NULL, 0, 0},
	{"network.port", F_INT, 0, NULL, 0, 65535},
	{"network.address_at_entry", F_STR, 0, NULL, 0, 0},
	{"network.port_at_entry", F_INT, 0, NULL, 0, 65535},
	{"network.address_at_exit", F_STR, 0, NULL, 0, 0},
	{"network.port_at_exit", F_INT, 0, NULL, 0, 65535},
	{"mount", F_OBJ, K_MOUNT, NULL, 0, 0},
	{"mount.source", F_PATH, K_MOUNT, NULL, 0, 0},
	{"mount.destination", F_PATH, K_MOUNT, NULL, 0, 0},
	{"mount.read_only", F_BOOL, K_MOUNT, NULL, 0, 0},
	{"mount.type", F_STR, 0, NULL, 0, 0},
	{"exposure", F_OBJ, K_SECRET, NULL, 0, 0},
	{"exposure.source", F_ENUM, K_SECRET, exposure_sources, 0, 0},
	{"exposure.name", F_STR, K_SECRET, NULL, 0, 0},
	{"exposure.detector", F_STR, K_SECRET, NULL, 0, 0},
	{"exposure.fingerprint", F_STR, K_SECRET, NULL, 0, 0},
	{"exposure.origin", F_ENUM, 0, exposure_origins, 0, 0},
	{"exposure.origin_ref", F_STR, 0, NULL, 0, 0},
	{"container", F_OBJ, K_START | K_SPEC, NULL, 0, 0},
	{"container.id", F_STR, K_START | K_SPEC, NULL, 0, 0},
	{"container.name", F_STR, 0, NULL, 0, 0},
	{"container.image", F_OBJ, 0, NULL, 0, 0},
	{"container.image.name", F_STR, 0, NULL, 0, 0},
	{"container.image.digest", F_STR, 0, NULL, 0, 0},
	{"k8s", F_OBJ, 0, NULL, 0, 0},
	{"k8s.namespace", F_STR, 0, NULL, 0, 0},
	{"k8s.pod", F_STR, 0, NULL, 0, 0},
	{"k8s.pod_uid", F_STR, 0, NULL, 0, 0},
	{"k8s.service_account", F_STR, 0, NULL, 0, 0},
	{"k8s.workload", F_OBJ, 0, NULL, 0, 0},
	{"k8s.workload.kind", F_STR, 0, NULL, 0, 0},
	{"k8s.workload.name", F_STR, 0, NULL, 0, 0},
	{"k8s.identity", F_OBJ, 0, NULL, 0, 0},
	{"k8s.identity.service_account", F_STR, 0, NULL, 0, 0},
	{"k8s.identity.cloud", F_CLOUD, 0, NULL, 0, 16},
	{"k8s.identity.automount_token", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.token_audiences", F_STRS, 0, NULL, 0, 16},
	{"k8s.identity.privileged", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.allow_privilege_escalation", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.run_as_root", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.capabilities_added", F_STRS, 0, NULL, 0, 64},
	{"k8s.identity.host_paths", F_STRS, 0, NULL, 0, 16},
	{"k8s.identity.host_network", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.host_pid", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.host_ipc", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.service_account_unread", F_BOOL, 0, NULL, 0, 0},
	{"k8s.identity.truncated", F_BOOL, 0, NULL, 0, 0},
	{"provenance", F_OBJ, 0, NULL, 0, 0},
	{"provenance.commit", F_STR, 0, NULL, 0, 0},
	{"provenance.repository", F_STR, 0, NULL, 0, 0},
	{"provenance.pipeline_id", F_STR, 0, NULL, 0, 0},
	{"provenance.pipeline_url", F_STR, 0, NULL, 0, 0},
	{"provenance.version", F_STR, 0, NULL, 0, 0},
	{"provenance.build_time", F_STR, 0, NULL, 0, 0},
	{"provenance.deploy_commit", F_STR, 0, NULL, 0, 0},
	{"provenance.deploy", F_OBJ, 0, NULL, 0, 0},
	{"provenance.deploy.tool", F_ENUM, 0, deploy_tools, 0, 0},
	{"provenance.deploy.kind", F_ENUM, 0, deploy_kinds, 0, 0},
	{"provenance.deploy.object", F_STR, 0, NULL, 0, 0},
	{"provenance.deploy.revision", F_STR, 0, NULL, 0, 0},
	{"provenance.deploy.repository", F_STR, 0, NULL, 0, 0},
	{"provenance.deploy.deployed_at", F_TIME, 0, NULL, 0, 0},
	{"provenance.deploy.helm_release", F_STR, 0, NULL, 0, 0},
	{"provenance.deploy.helm_revision", F_INT, 0, NULL, 1, 2147483647.0},
	{"gap", F_OBJ, K_GAP, NULL, 0, 0},
	{"gap.reason", F_STR, K_GAP, NULL, 0, 0},
	{"gap.lost", F_INT, K_GAP, NULL, 0, I53},
	{"gap.start", F_TIME, K_GAP, NULL, 0, 0},
	{"gap.end", F_TIME, K_GAP, NULL, 0, 0},
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* The member at a dotted path, or NULL if it or a parent is missing (parents were checked
 * to be objects before: see the table order). */
static const cJSON *lookup(const cJSON *ev, const char *path)
{
	char name[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		size_t n = (size_t)(dot - path);

		memcpy(name, path, n);
		name[n] = 0;
		ev = cJSON_GetObjectItemCaseSensitive(ev, name);
		if (!cJSON_IsObject(ev))
			return NULL;
		path = dot + 1;
	}
	return cJSON_GetObjectItemCaseSensitive(ev, path);
}

static int fail(char *err, size_t errlen, const char *path, const char *what)
{
	snprintf(err, errlen, "%s: %s", path, what);
	return -EINVAL;
}

static int check_enum(const struct field *f, const char *s, char *err, size_t errlen)
{
	size_t n;

	for (size_t i = 0; f->values[i]; i++)
		if (strcmp(s, f->values[i]) == 0)
			return 0;
	n = (size_t)snprintf(err, errlen, "%s: not one of", f->path);
	for (size_t i = 0; f->values[i] && n < errlen; i++)
		n += (size_t)snprintf(err + n, errlen - n, "%s %s", i ? "," : "", f->values[i]);
	return -EINVAL;
}

static int check_args(const cJSON *v, const struct validate_limits *lim, char *err,
		      size_t errlen)
{
	const cJSON *a;
	size_t total = 0;

	if (!cJSON_IsArray(v))
		return fail(err, errlen, "process.args", "expected an array of strings");
	cJSON_ArrayForEach(a, v) {
		if (!cJSON_IsString(a))
			return fail(err, errlen, "process.args", "expected an array of strings");
		total += strlen(a->valuestring);
		if (total > lim->max_args) {
			snprintf(err, errlen, "process.args: more than %zu bytes", lim->max_args);
			return -EINVAL;
		}
	}
	return 0;
}

/* One bounded string of an identity list. */
static int check_item(const char *path, const cJSON *v, const char *what, char *err,
		      size_t errlen)
{
	if (!cJSON_IsString(v) || !v->valuestring[0])
		return fail(err, errlen, path, what);
	if (strlen(v->valuestring) > IDENTITY_STR_MAX) {
		snprintf(err, errlen, "%s: a string longer than %d bytes", path, IDENTITY_STR_MAX);
		return -EINVAL;
	}
	return 0;
}

static int check_count(const struct field *f, const cJSON *v, const char *what, char *err,
		       size_t errlen)
{
	if (!cJSON_IsArray(v))
		return fail(err, errlen, f->path, what);
	if ((double)cJSON_GetArraySize(v) > f->max) {
		snprintf(err, errlen, "%s: more than %.0f entries", f->path, f->max);
		return -EINVAL;
	}
	return 0;
}

/* F_STRS: non-empty strings, bounded in number and length. */
static int check_strs(const struct field *f, const cJSON *v, char *err, size_t errlen)
{
	static const char what[] = "expected an array of non-empty strings";
	const cJSON *a;
	int ret = check_count(f, v, what, err, errlen);

	cJSON_ArrayForEach(a, v) {
		if (ret < 0)
			break;
		ret = check_item(f->path, a, what, err, errlen);
	}
	return ret;
}

/* F_CLOUD: objects of exactly provider, key and value, each a bounded non-empty string. */
static int check_cloud(const struct field *f, const cJSON *v, char *err, size_t errlen)
{
	static const char what[] = "expected an array of {provider, key, value} strings";
	static const char *const members[] = {"provider", "key", "value"};
	const cJSON *o;
	int ret = check_count(f, v, what, err, errlen);

	cJSON_ArrayForEach(o, v) {
		if (ret < 0)
			return ret;
		if (!cJSON_IsObject(o) || cJSON_GetArraySize(o) != 3)
			return fail(err, errlen, f->path, what);
		for (size_t i = 0; i < 3 && ret == 0; i++)
			ret = check_item(f->path, cJSON_GetObjectItemCaseSensitive(o, members[i]),
					 what, err, errlen);
	}
	return ret;
}

static int check_int(const struct field *f, const cJSON *v, char *err, size_t errlen)
{
	double d = v->valuedouble;

	if (!cJSON_IsNumber(v) || !isfinite(d))
		return fail(err, errlen, f->path, "expected an integer");
	if (d < f->min || d > f->max) {
		snprintf(err, errlen, "%s: out of range [%.0f, %.0f]", f->path, f->min, f->max);
		return -EINVAL;
	}
	/* in range, so the conversion is defined; libm's trunc() is not linked */
	if (d != (double)(int64_t)d)
		return fail(err, errlen, f->path, "expected an integer");
	return 0;
}

static int check_str(const struct field *f, const cJSON *v, const struct validate_limits *lim,
		     char *err, size_t errlen)
{
	const char *s = v->valuestring;
	int64_t ns;

	switch (f->type) {
	case F_STR:
		return 0;
	case F_ENUM:
		return check_enum(f, s, err, errlen);
	case F_TIME:
		if (parse_time_ns(s, &ns) < 0)
			return fail(err, errlen, f->path, "expected an RFC 3339 UTC time");
		return 0;
	case F_ID:
		if (!valid_event_id(s, NULL))
			return fail(err, errlen, f->path, "expected <16 hex digits>-<16 hex digits>");
		return 0;
	case F_RULE:
		if (!valid_rule_name(s))
			return fail(err, errlen, f->path, "expected a kebab-case name of 1-128 bytes");
		return 0;
	case F_PATH:
		if (s[0] != '/')
			return fail(err, errlen, f->path, "expected an absolute path");
		if (strlen(s) > lim->max_path) {
			snprintf(err, errlen, "%s: longer than %zu bytes", f->path, lim->max_path);
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}

static int check_field(const struct field *f, const cJSON *v, unsigned kind,
		       const struct validate_limits *lim, char *err, size_t errlen)
{
	if (!v) {
		if (f->need & kind)
			return fail(err, errlen, f->path, "missing");
		return 0;
	}
	switch (f->type) {
	case F_OBJ:
		return cJSON_IsObject(v) ? 0 : fail(err, errlen, f->path, "expected an object");
	case F_INT:
		return check_int(f, v, err, errlen);
	case F_ARGS:
		return check_args(v, lim, err, errlen);
	case F_STRS:
		return check_strs(f, v, err, errlen);
	case F_CLOUD:
		return check_cloud(f, v, err, errlen);
	case F_BOOL:
		return cJSON_IsBool(v) ? 0 : fail(err, errlen, f->path, "expected true or false");
	default:
		if (!cJSON_IsString(v))
			return fail(err, errlen, f->path, "expected a string");
		if (!v->valuestring[0] && (f->need & kind))
			return fail(err, errlen, f->path, "empty");
		return check_str(f, v, lim, err, errlen);
	}
}

/* Keys must be unique in every object: with duplicates, which value counts would depend on
 * the reader. Sorting the names keeps this O(n log n) for a hostile million-key object. */
static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int check_unique_keys(const cJSON *o, char *err, size_t errlen)
{
	const cJSON *c;
	const char **names;
	size_t n = 0, i;
	int ret = 0;

	cJSON_ArrayForEach(c, o) n++;
	if (n < 2 || !cJSON_IsObject(o)) /* array elements have no names */
		goto children;
	names = malloc(n * sizeof(*names));
	if (!names)
		return -ENOMEM;
	i = 0;
	cJSON_ArrayForEach(c, o) names[i++] = c->string;
	qsort(names, n, sizeof(*names), cmp_names);
	for (i = 1; i < n && !ret; i++)
		if (strcmp(names[i - 1], names[i]) == 0)
			ret = fail(err, errlen, names[i], "duplicate key");
	free(names);
	if (ret)
		return ret;
children:
	cJSON_ArrayForEach(c, o) {
		if ((cJSON_IsObject(c) || cJSON_IsArray(c)) &&
		    (ret = check_unique_keys(c, err, errlen)) < 0)
			return ret;
	}
	return 0;
}

static unsigned kind_bit(const cJSON *ev, char *err, size_t errlen)
{
	const cJSON *k = cJSON_GetObjectItemCaseSensitive(ev, "kind");
	static const struct field kf = {"kind", F_ENUM, K_ALL, kinds, 0, 0};

	if (!k) {
		fail(err, errlen, "kind", "missing");
		return 0;
	}
	if (!cJSON_IsString(k)) {
		fail(err, errlen, "kind", "expected a string");
		return 0;
	}
	for (unsigned i = 0; kinds[i]; i++)
		if (strcmp(k->valuestring, kinds[i]) == 0)
			return 1u << i;
	check_enum(&kf, k->valuestring, err, errlen);
	return 0;
}

int validate_event(const cJSON *ev, const struct validate_limits *lim, char *err, size_t errlen)
{
	unsigned kind;
	int64_t a, b;
	int ret;

	if (!cJSON_IsObject(ev)) {
		snprintf(err, errlen, "expected a JSON object");
		return -EINVAL;
	}
	kind = kind_bit(ev, err, errlen);
	if (!kind)
		return -EINVAL;
	for (size_t i = 0; i < NFIELDS; i++) {
		ret = check_field(&fields[i], lookup(ev, fields[i].path), kind, lim, err, errlen);
		if (ret < 0)
			return ret;
	}
	if (kind == K_GAP) {
		parse_time_ns(lookup(ev, "gap.start")->valuestring, &a);
		parse_time_ns(lookup(ev, "gap.end")->valuestring, &b);
		if (b < a)
			return fail(err, errlen, "gap.end", "before gap.start");
	}
	if (lookup(ev, "first_time") || lookup(ev, "last_time")) { /* folded findings: both */
		if (!lookup(ev, "first_time") || !lookup(ev, "last_time"))
			return fail(err, errlen, "first_time", "without last_time, or the reverse");
		parse_time_ns(lookup(ev, "first_time")->valuestring, &a);
		parse_time_ns(lookup(ev, "last_time")->valuestring, &b);
		if (b < a)
			return fail(err, errlen, "last_time", "before first_time");
	}
	ret = check_unique_keys(ev, err, errlen);
	return ret == -ENOMEM ? -EINVAL : ret;
}

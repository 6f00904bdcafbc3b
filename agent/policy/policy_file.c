// SPDX-License-Identifier: BSD-2-Clause
/*
 * policy_file.c - the --policy JSON file: add rules, or change or disable the built-in ones.
 * Strict: unknown keys and wrong types are errors that name the file, the rule and the field,
 * because a typo in a security policy must not silently watch less.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "policy.h"
#include "provenance.h"
#include "syscalls.h"

#define POLICY_FILE_MAX (1 << 20)

static int ferr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int ferr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *const rule_keys[] = {"name", "kind", "path", "address", "syscalls",
					"severity", "enabled"};

static int check_keys(const cJSON *o, const char *const *keys, size_t nkeys, const char **bad)
{
	for (const cJSON *c = o->child; c; c = c->next) {
		size_t i;

		for (i = 0; i < nkeys; i++)
			if (strcmp(c->string, keys[i]) == 0)
				break;
		if (i == nkeys) {
			*bad = c->string;
			return -EINVAL;
		}
	}
	return 0;
}

/* Optional string field: NULL if absent, error if not a string. */
static int opt_str(const cJSON *o, const char *key, const char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (!v)
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return -EINVAL;
	*out = v->valuestring;
	return 0;
}

/* A change to built-in (or earlier) rules by name: enabled, severity. */
static int modify_rules(struct c2d_policy *p, const cJSON *o, const char *name, char *why,
			size_t wl)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(o, "enabled");
	const char *sev;
	int found = 0;

	if (opt_str(o, "severity", &sev) < 0)
		return ferr(why, wl, "\"severity\" must be a string");
	if (sev && !policy_severity_valid(sev))
		return ferr(why, wl, "severity \"%s\" is not one of low, medium, high, critical", sev);
	if (en && !cJSON_IsBool(en))
		return ferr(why, wl, "\"enabled\" must be true or false");
	if (cJSON_GetObjectItemCaseSensitive(o, "path") ||
	    cJSON_GetObjectItemCaseSensitive(o, "address") ||
	    cJSON_GetObjectItemCaseSensitive(o, "syscalls"))
		return ferr(why, wl, "a new rule needs \"kind\"; to change a built-in rule give only "
				     "\"enabled\" or \"severity\"");
	for (int i = policy_find(p, name, 0); i >= 0; i = policy_find(p, name, (size_t)i + 1)) {
		struct c2d_rule *r = &p->rules[i];

		if (en)
			r->enabled = cJSON_IsTrue(en);
		if (sev)
			snprintf(r->severity, sizeof(r->severity), "%s", sev);
		found++;
	}
	if (!found)
		return ferr(why, wl, "no rule named \"%s\" to change (to add one, give \"kind\")",
			    name);
	return 0;
}

/* A new privileged_call rule takes its syscalls away from the rules that had them. */
static int add_priv_rule(struct c2d_policy *p, const cJSON *o, const char *name, const char *sev,
			 char *why, size_t wl)
{
	const cJSON *sc = cJSON_GetObjectItemCaseSensitive(o, "syscalls");
	const cJSON *it;
	c2d_sysmask mask = 0;
	uint32_t only = 0;
	struct c2d_rule *r;

	if (!policy_name_valid(name))
		return ferr(why, wl, "rule name \"%s\" must be kebab-case [a-z0-9-], under %d bytes",
			    name, C2D_RULE_NAME_MAX);
	if (!cJSON_IsArray(sc) || cJSON_GetArraySize(sc) == 0)
		return ferr(why, wl, "a privileged_call rule needs a non-empty \"syscalls\" array");
	cJSON_ArrayForEach(it, sc)
	{
		int s = cJSON_IsString(it) ? sys_by_name(it->valuestring) : -1;

		if (s < 0 || !sys_is((unsigned)s, SYSF_PRIV))
			return ferr(why, wl, "\"%s\" is not a privileged call cloud2dev can watch",
				    cJSON_IsString(it) ? it->valuestring : "(not a string)");
		mask |= SYSBIT(s);
	}
	for (size_t i = 0; i < p->n; i++) {
		if (p->rules[i].kind != C2D_KIND_PRIVILEGED_CALL || !(p->rules[i].sys_mask & mask))
			continue;
		if (p->rules[i].only_mask)
			only = p->rules[i].only_mask;
		p->rules[i].sys_mask &= ~mask;
	}
	if (p->n >= C2D_MAX_RULES)
		return ferr(why, wl, "too many rules");
	r = &p->rules[p->n++];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->severity, sizeof(r->severity), "%s", sev);
	r->kind = C2D_KIND_PRIVILEGED_CALL;
	r->enabled = true;
	r->sys_mask = mask;
	r->only_mask = only ? only : 0xfe020080u;
	return 0;
}

static int add_rule_kind(struct c2d_policy *p, const cJSON *o, const char *name,
			 const char *kind_s, char *why, size_t wl);

/* A new rule; "enabled": false adds it switched off. */
static int add_rule(struct c2d_policy *p, const cJSON *o, const char *name, const char *kind_s,
		    char *why, size_t wl)
{
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(o, "enabled");
	size_t before = p->n;
	int rc;

	if (en && !cJSON_IsBool(en))
		return ferr(why, wl, "\"enabled\" must be true or false");
	rc = add_rule_kind(p, o, name, kind_s, why, wl);
	if (rc == 0 && en && p->n > before)
		p->rules[p->n - 1].enabled = cJSON_IsTrue(en);
	return rc;
}

/* The kinds user space judges from a container's spec: one built-in rule each. */
static const struct {
	const char *kind, *rule;
} spec_kinds[] = {
	{"container_mount", C2D_RULE_HOST_PATH_MOUNT},
	{"secret_exposure", C2D_RULE_SECRET_EXPOSURE},
};

static int add_rule_kind(struct c2d_policy *p, const cJSON *o, const char *name,
			 const char *kind_s, char *why, size_t wl)
{
	const char *sev, *path, *addr;
	enum c2d_kind kind;

	for (size_t i = 0; i < sizeof(spec_kinds) / sizeof(spec_kinds[0]); i++)
		if (!strcmp(kind_s, spec_kinds[i].kind))
			return ferr(why, wl, "%s has one rule, the built-in \"%s\": change its "
					     "severity or disable it by name",
				    kind_s, spec_kinds[i].rule);
	if (policy_kind_parse(kind_s, &kind) < 0)
		return ferr(why, wl,
			    "unknown kind \"%s\" (credential_read, storage_write, "
			    "privileged_call, metadata_access)",
			    kind_s);
	if (opt_str(o, "severity", &sev) < 0 || opt_str(o, "path", &path) < 0 ||
	    opt_str(o, "address", &addr) < 0)
		return ferr(why, wl, "\"severity\", \"path\" and \"address\" must be strings");
	if (!sev)
		sev = "high";
	switch (kind) {
	case C2D_KIND_CREDENTIAL_READ:
	case C2D_KIND_STORAGE_WRITE:
		if (!path)
			return ferr(why, wl, "a %s rule needs \"path\"", kind_s);
		if (policy_add_path_rule(p, name, kind, path, sev, why, wl) < 0) {
			char inner[256];

			memcpy(inner, why, sizeof(inner) < wl ? sizeof(inner) : wl);
			inner[sizeof(inner) - 1] = 0;
			return ferr(why, wl, "path \"%.*s\": %.*s", 64, path, 160, inner);
		}
		return 0;
	case C2D_KIND_METADATA_ACCESS:
		if (!addr)
			return ferr(why, wl, "a metadata_access rule needs \"address\"");
		return policy_add_metadata_addr(p, name, addr, sev, why, wl);
	default:
		if (!policy_severity_valid(sev))
			return ferr(why, wl, "severity \"%s\" is not valid", sev);
		return add_priv_rule(p, o, name, sev, why, wl);
	}
}

static int apply_rule(struct c2d_policy *p, const cJSON *o, char *why, size_t wl)
{
	const char *name, *kind, *bad;

	if (!cJSON_IsObject(o))
		return ferr(why, wl, "a rule must be an object");
	if (check_keys(o, rule_keys, sizeof(rule_keys) / sizeof(rule_keys[0]), &bad) < 0)
		return ferr(why, wl, "unknown field \"%s\"", bad);
	if (opt_str(o, "name", &name) < 0 || !name)
		return ferr(why, wl, "\"name\" (a string) is required");
	if (opt_str(o, "kind", &kind) < 0)
		return ferr(why, wl, "\"kind\" must be a string");
	if (!kind)
		return modify_rules(p, o, name, why, wl);
	return add_rule(p, o, name, kind, why, wl);
}

/* "provenance_keys": {"commit": ["image-label:com.acme.sha", …], …} */
static int apply_provenance_keys(const cJSON *pk, char *why, size_t wl)
{
	const cJSON *field, *spec;

	if (!pk)
		return 0;
	if (!cJSON_IsObject(pk))
		return ferr(why, wl, "must be an object of arrays of keys");
	for (field = pk->child; field; field = field->next) {
		if (!cJSON_IsArray(field))
			return ferr(why, wl, "\"%s\" must be an array of keys", field->string);
		cJSON_ArrayForEach(spec, field)
		{
			if (!cJSON_IsString(spec))
				return ferr(why, wl, "\"%s\": keys are strings", field->string);
			if (provenance_add_key(field->string, spec->valuestring, why, wl) < 0)
				return -EINVAL;
		}
	}
	return 0;
}

int policy_load_json(struct c2d_policy *p, const char *json, size_t len, const char *origin,
		     char *err, size_t errlen)
{
	static const char *const top_keys[] = {"replace_defaults", "report_denied_opens", "rules",
					       "provenance_keys"};
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *rules, *v, *it;
	const char *bad;
	char why[256];
	int idx = 0, rc = -EINVAL;

	if (!root) {
		const char *at = cJSON_GetErrorPtr();

		return ferr(err, errlen, "%s: not valid JSON (near byte %ld)", origin,
			    at ? (long)(at - json) : -1L);
	}
	if (!cJSON_IsObject(root)) {
		ferr(err, errlen, "%s: the policy must be a JSON object", origin);
		goto out;
	}
	if (check_keys(root, top_keys, 4, &bad) < 0) {
		ferr(err, errlen, "%s: unknown top-level field \"%s\"", origin, bad);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "replace_defaults");
	if (v && !cJSON_IsBool(v)) {
		ferr(err, errlen, "%s: \"replace_defaults\" must be true or false", origin);
		goto out;
	}
	if (cJSON_IsTrue(v))
		p->n = 0;
	v = cJSON_GetObjectItemCaseSensitive(root, "report_denied_opens");
	if (v && !cJSON_IsBool(v)) {
		ferr(err, errlen, "%s: \"report_denied_opens\" must be true or false", origin);
		goto out;
	}
	if (v)
		p->report_denied_opens = cJSON_IsTrue(v);
	if (apply_provenance_keys(cJSON_GetObjectItemCaseSensitive(root, "provenance_keys"), why,
				  sizeof(why)) < 0) {
		ferr(err, errlen, "%s: provenance_keys: %s", origin, why);
		goto out;
	}
	rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
	if (rules && !cJSON_IsArray(rules)) {
		ferr(err, errlen, "%s: \"rules\" must be an array", origin);
		goto out;
	}
	cJSON_ArrayForEach(it, rules)
	{
		const cJSON *n = cJSON_IsObject(it) ? cJSON_GetObjectItemCaseSensitive(it, "name")
						    : NULL;

		idx++;
		if (apply_rule(p, it, why, sizeof(why)) < 0) {
			ferr(err, errlen, "%s: rule #%d \"%s\": %s", origin, idx,
			     cJSON_IsString(n) ? n->valuestring : "?", why);
			goto out;
		}
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

int policy_load_file(struct c2d_policy *p, const char *path, char *err, size_t errlen)
{
	struct stat st;
	char *buf;
	size_t n;
	FILE *f;
	int rc;

	f = fopen(path, "re");
	if (!f)
		return ferr(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > POLICY_FILE_MAX) {
		fclose(f);
		return ferr(err, errlen, "%s: not a regular file of at most %d bytes", path,
			    POLICY_FILE_MAX);
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		fclose(f);
		return -ENOMEM;
	}
	n = fread(buf, 1, (size_t)st.st_size, f);
	fclose(f);
	buf[n] = 0;
	rc = policy_load_json(p, buf, n, path, err, errlen);
	free(buf);
	return rc;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * fwd_otlp.c - OTLP/HTTP JSON logs (INTEGRATION.md §6.1-6.2, EVENTS.md "Mapping to
 * OpenTelemetry"): workload identity in the Resource, one ResourceLogs per distinct Resource
 * (so per container), event details as LogRecord attributes with semantic-convention names and
 * everything else under cloud2dev.*. OTLP JSON wants 64-bit integers as decimal strings.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"
#include "jsonw.h"

#define RES_MAX 8192

struct map {
	const char *path; /* in the event */
	const char *key;  /* OTel attribute */
	bool integer;
};

static const struct map res_map[] = {
	{"k8s.namespace", "k8s.namespace.name", false},
	{"k8s.pod", "k8s.pod.name", false},
	{"k8s.pod_uid", "k8s.pod.uid", false},
	{"k8s.container", "k8s.container.name", false},
	{"container.id", "container.id", false},
	{"container.name", "container.name", false},
	{"container.runtime", "container.runtime.name", false},
	{"container.image.digest", "oci.manifest.digest", false},
	{"provenance.repository", "vcs.repository.url.full", false},
	{"provenance.commit", "vcs.ref.head.revision", false},
	{"provenance.pipeline_id", "cicd.pipeline.run.id", false},
	{"provenance.pipeline_url", "cicd.pipeline.run.url.full", false},
	{"provenance.version", "service.version", false},
};

static const struct map rec_map[] = {
	{"process.pid", "process.pid", true},
	{"process.ppid", "process.parent_pid", true},
	{"process.executable", "process.executable.path", false},
	{"process.args", "process.command_args", false},
	{"process.euid", "process.user.id", true},
	{"process.uid", "process.real_user.id", true},
	{"file.path", "file.path", false},
	{"rule", "security_rule.name", false},
};

/* Shown elsewhere in the record (time, severity, eventName) or special-cased in the Resource. */
static const char *const skip[] = {
	"schema", "time", "severity", "kind", "node.name", "k8s.node", "k8s.workload",
	"container.image.name", NULL,
};

#define NMAP(m) (sizeof(m) / sizeof((m)[0]))

static void kv_str(struct jw *w, const char *key, const char *v)
{
	jw_obj_begin(w);
	jw_kv_str(w, "key", key);
	jw_key(w, "value");
	jw_obj_begin(w);
	jw_kv_str(w, "stringValue", v);
	jw_obj_end(w);
	jw_obj_end(w);
}

static void kv_strn_arr(struct jw *w, const char *key, const char *v, size_t n)
{
	jw_obj_begin(w);
	jw_kv_str(w, "key", key);
	jw_key(w, "value");
	jw_obj_begin(w);
	jw_key(w, "arrayValue");
	jw_obj_begin(w);
	jw_key(w, "values");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_key(w, "stringValue");
	jw_strn(w, v, n);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
	jw_obj_end(w);
}

/* An AnyValue for a JSON item: int64 as a string, arrays element by element. */
static void any_value(struct jw *w, const cJSON *it, bool integer)
{
	char num[32];

	jw_obj_begin(w);
	if (cJSON_IsString(it)) {
		jw_kv_str(w, "stringValue", it->valuestring);
	} else if (cJSON_IsBool(it)) {
		jw_key(w, "boolValue");
		jw_bool(w, cJSON_IsTrue(it));
	} else if (cJSON_IsNumber(it) && (integer || 
						   it->valuedouble == (double)(long long)it->valuedouble)) {
		snprintf(num, sizeof(num), "%lld", (long long)it->valuedouble);
		jw_kv_str(w, "intValue", num);
	} else if (cJSON_IsNumber(it)) {
		snprintf(num, sizeof(num), "%.17g", it->valuedouble);
		jw_key(w, "doubleValue");
		jw_raw(w, num);
	} else if (cJSON_IsArray(it)) {
		const cJSON *e;

		jw_key(w, "arrayValue");
		jw_obj_begin(w);
		jw_key(w, "values");
		jw_arr_begin(w);
		cJSON_ArrayForEach(e, it)
			any_value(w, e, false);
		jw_arr_end(w);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void kv_item(struct jw *w, const char *key, const cJSON *it, bool integer)
{
	jw_obj_begin(w);
	jw_kv_str(w, "key", key);
	jw_key(w, "value");
	any_value(w, it, integer);
	jw_obj_end(w);
}

/* "registry/acme/web:1.4.2@sha256:…" → name "registry/acme/web" and tag "1.4.2". */
static void image_attrs(struct jw *w, const cJSON *ev)
{
	const char *img = fwd_str(ev, "container.image.name"), *dig, *colon, *slash;
	char name[512], rd[768];
	size_t n;

	if (!img)
		return;
	n = strcspn(img, "@");
	slash = memrchr(img, '/', n);
	colon = memrchr(img, ':', n);
	if (colon && slash && colon < slash)
		colon = NULL;
	snprintf(name, sizeof(name), "%.*s", (int)(colon ? (size_t)(colon - img) : n), img);
	kv_str(w, "container.image.name", name);
	if (colon)
		kv_strn_arr(w, "container.image.tags", colon + 1, n - (size_t)(colon - img) - 1);
	dig = fwd_str(ev, "container.image.digest");
	if (dig) {
		snprintf(rd, sizeof(rd), "%s@%s", name, dig);
		kv_strn_arr(w, "container.image.repo_digests", rd, strlen(rd));
	}
}

/* k8s.deployment.name, k8s.statefulset.name, … by workload kind. */
static void workload_attr(struct jw *w, const cJSON *ev)
{
	const char *kind = fwd_str(ev, "k8s.workload.kind"), *name = fwd_str(ev, "k8s.workload.name");
	char key[64];
	size_t i;

	if (!name)
		return;
	if (!kind) {
		kv_str(w, "cloud2dev.k8s.workload.name", name);
		return;
	}
	snprintf(key, sizeof(key), "k8s.");
	for (i = 0; kind[i] && i < 40; i++)
		key[4 + i] = (char)(kind[i] >= 'A' && kind[i] <= 'Z' ? kind[i] + 32 : kind[i]);
	snprintf(key + 4 + i, sizeof(key) - 4 - i, ".name");
	kv_str(w, key, name);
}

/* The Resource of one event, as a JSON object, into out. */
static long render_resource(const struct fwd_conf *c, const cJSON *ev, char *out, size_t cap)
{
	const char *node = fwd_str(ev, "k8s.node") ? fwd_str(ev, "k8s.node") : fwd_str(ev, "node.name");
	struct jw w;

	jw_init(&w, out, cap - 1);
	jw_obj_begin(&w);
	jw_key(&w, "attributes");
	jw_arr_begin(&w);
	if (c->cluster)
		kv_str(&w, "k8s.cluster.name", c->cluster);
	if (node)
		kv_str(&w, "k8s.node.name", node);
	for (size_t i = 0; i < NMAP(res_map); i++)
		if (fwd_str(ev, res_map[i].path))
			kv_str(&w, res_map[i].key, fwd_str(ev, res_map[i].path));
	workload_attr(&w, ev);
	image_attrs(&w, ev);
	jw_arr_end(&w);
	jw_obj_end(&w);
	if (jw_finish(&w) < 0)
		return -ENOSPC;
	out[w.len] = 0;
	return (long)w.len;
}

static bool mapped(const char *path)
{
	for (size_t i = 0; skip[i]; i++)
		if (strcmp(path, skip[i]) == 0)
			return true;
	for (size_t i = 0; i < NMAP(res_map); i++)
		if (strcmp(path, res_map[i].path) == 0)
			return true;
	for (size_t i = 0; i < NMAP(rec_map); i++)
		if (strcmp(path, rec_map[i].path) == 0)
			return true;
	return false;
}

/* Every leaf not mapped above, as cloud2dev.<dotted path>. */
static void rest_attrs(struct jw *w, const cJSON *obj, char *path, size_t plen, size_t cap)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, obj) {
		int n = snprintf(path + plen, cap - plen, "%s%s", plen ? "." : "", it->string);

		if (n < 0 || (size_t)n >= cap - plen || mapped(path))
			continue;
		if (cJSON_IsObject(it)) {
			rest_attrs(w, it, path, plen + (size_t)n, cap);
		} else if (!cJSON_IsNull(it)) {
			char key[300];

			snprintf(key, sizeof(key), "cloud2dev.%s", path);
			kv_item(w, key, it, false);
		}
	}
	path[plen] = 0;
}

static void log_record(struct jw *w, const struct fwd_event *e)
{
	const char *kind = fwd_str(e->ev, "kind"), *sev = fwd_str(e->ev, "severity");
	char num[32], name[96], path[256] = "";
	const cJSON *it;

	jw_obj_begin(w);
	snprintf(num, sizeof(num), "%lld", (long long)fwd_time_ns(e->ev));
	jw_kv_str(w, "timeUnixNano", num);
	jw_key(w, "severityNumber");
	jw_u64(w, (uint64_t)fwd_otlp_severity(fwd_severity_rank(sev)));
	if (sev)
		jw_kv_str(w, "severityText", sev);
	snprintf(name, sizeof(name), "cloud2dev.%s", kind ? kind : "event");
	jw_kv_str(w, "eventName", name);
	jw_key(w, "body");
	jw_obj_begin(w);
	snprintf(name, sizeof(name), "%s %s", kind ? kind : "event", fwd_str(e->ev, "rule") ?: "");
	jw_kv_str(w, "stringValue", name);
	jw_obj_end(w);
	jw_key(w, "attributes");
	jw_arr_begin(w);
	for (size_t i = 0; i < NMAP(rec_map); i++)
		if ((it = fwd_item(e->ev, rec_map[i].path)) && !cJSON_IsNull(it))
			kv_item(w, rec_map[i].key, it, rec_map[i].integer);
	rest_attrs(w, e->ev, path, 0, sizeof(path));
	jw_arr_end(w);
	jw_obj_end(w);
}

static void resource_logs(struct jw *w, const struct fwd_event *e, size_t n, char **res, size_t i,
			  bool *done)
{
	jw_obj_begin(w);
	jw_key(w, "resource");
	jw_raw(w, res[i]);
	jw_key(w, "scopeLogs");
	jw_arr_begin(w);
	jw_obj_begin(w);
	jw_key(w, "scope");
	jw_obj_begin(w);
	jw_kv_str(w, "name", "cloud2dev");
	jw_obj_end(w);
	jw_key(w, "logRecords");
	jw_arr_begin(w);
	for (size_t j = i; j < n; j++) {
		if (done[j] || strcmp(res[i], res[j]) != 0)
			continue;
		done[j] = true;
		log_record(w, &e[j]);
	}
	jw_arr_end(w);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
}

long fwd_format_otlp(const struct fwd_conf *c, const struct fwd_event *e, size_t n, char *buf,
		     size_t cap)
{
	char **res = calloc(n ? n : 1, sizeof(*res));
	bool *done = calloc(n ? n : 1, sizeof(*done));
	long ret = -ENOMEM;
	struct jw w;

	if (!res || !done)
		goto out;
	for (size_t i = 0; i < n; i++) {
		res[i] = malloc(RES_MAX);
		if (!res[i] || (ret = render_resource(c, e[i].ev, res[i], RES_MAX)) < 0)
			goto out;
	}
	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	jw_key(&w, "resourceLogs");
	jw_arr_begin(&w);
	for (size_t i = 0; i < n; i++)
		if (!done[i])
			resource_logs(&w, e, n, res, i, done);
	jw_arr_end(&w);
	jw_obj_end(&w);
	ret = jw_finish(&w);
out:
	for (size_t i = 0; res && i < n; i++)
		free(res[i]);
	free(res);
	free(done);
	return ret;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * k8s.c - see k8s.h. Requests (INTEGRATION.md §5):
 *   GET /api/v1/pods?fieldSelector=spec.nodeName%3D<node>
 *   GET …&watch=1&resourceVersion=<rv>&allowWatchBookmarks=true   (one JSON event per line)
 *   GET /apis/apps/v1/namespaces/<ns>/replicasets/<name>, /apis/batch/v1/…/jobs/<name>
 * Every response is bounded; a watch line longer than K8S_LINE_MAX ends the watch.
 */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "backoff.h"
#include "exposures.h"
#include "k8s.h"
#include "k8s_http.h"
#include "k8s_sa_cache.h"
#include "log.h"
#include "secrets.h"
#include "workload_meta.h"

struct pod_slot {
	bool used;
	struct k8s_pod_info p;
};

struct k8s {
	struct k8s_conn conn; /* first: a transfer's conn leads back to its k8s (k_of) */
	pthread_t thread;
	pthread_mutex_t mu;
	volatile int stop;
	char node[254];
	char rv[64];
	/* the list/watch transfer, and another for owner look-ups made while a watch line is
	 * being handled (a handle cannot be re-entered from its own callback) */
	struct k8s_xfer main, aux;
	struct pod_slot pods[K8S_PODS_MAX];
	struct k8s_stats st;
	bool warned;
	struct k8s_sa_cache sa; /* the pods' ServiceAccounts (k8s thread) */
	struct wm_cache wm; /* the workloads' GitOps ties (k8s thread) */
};

static void watch_event(struct k8s *k, const char *line, size_t n);

static struct k8s *k_of(const struct k8s_xfer *x)
{
	return (struct k8s *)((char *)x->conn - offsetof(struct k8s, conn));
}

static void watch_line(void *arg, const char *line, size_t n)
{
	watch_event(arg, line, n);
}

/* GET path (k8s_http.h); a watch hands its lines to watch_event. HTTP status or -errno. */
static long get(struct k8s_xfer *x, const char *path, bool watch)
{
	return k8s_get(x, path, watch ? watch_line : NULL, k_of(x));
}

static void copy(char *dst, size_t cap, const cJSON *v)
{
	snprintf(dst, cap, "%s", cJSON_IsString(v) ? v->valuestring : "");
}

static void labels_from(struct label_set *ls, const cJSON *obj)
{
	const cJSON *e;

	labels_init(ls);
	cJSON_ArrayForEach(e, obj)
		if (cJSON_IsString(e))
			labels_add(ls, e->string, strlen(e->string), e->valuestring,
				   strlen(e->valuestring));
}

/* The controller among ownerReferences. */
static const cJSON *controller(const cJSON *meta)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, cJSON_GetObjectItem(meta, "ownerReferences"))
		if (cJSON_IsTrue(cJSON_GetObjectItem(o, "controller")))
			return o;
	return NULL;
}

/* ReplicaSet → its Deployment, Job → its CronJob; anything else is the workload itself. */
static void workload(struct k8s *k, struct k8s_pod_info *p, const cJSON *meta)
{
	const cJSON *own = controller(meta), *top;
	const char *kind, *name;
	char path[600];
	cJSON *obj;

	if (!own)
		return;
	kind = cJSON_GetStringValue(cJSON_GetObjectItem(own, "kind"));
	name = cJSON_GetStringValue(cJSON_GetObjectItem(own, "name"));
	if (!kind || !name)
		return;
	snprintf(p->workload_kind, sizeof(p->workload_kind), "%s", kind);
	snprintf(p->workload_name, sizeof(p->workload_name), "%s", name);
	if (strcmp(kind, "ReplicaSet") && strcmp(kind, "Job"))
		return;
	snprintf(path, sizeof(path), "/apis/%s/namespaces/%s/%s/%s",
		 kind[0] == 'R' ? "apps/v1" : "batch/v1", p->ns,
		 kind[0] == 'R' ? "replicasets" : "jobs", name);
	if (get(&k->aux, path, false) != 200 ||
	    !(obj = cJSON_ParseWithLength(k->aux.body.p, k->aux.body.len)))
		return;
	top = controller(cJSON_GetObjectItem(obj, "metadata"));
	kind = top ? cJSON_GetStringValue(cJSON_GetObjectItem(top, "kind")) : NULL;
	name = top ? cJSON_GetStringValue(cJSON_GetObjectItem(top, "name")) : NULL;
	if (kind && name) {
		snprintf(p->workload_kind, sizeof(p->workload_kind), "%s", kind);
		snprintf(p->workload_name, sizeof(p->workload_name), "%s", name);
	}
	cJSON_Delete(obj);
}

static void env_ref(struct k8s_pod_info *p, const char *container, const char *var,
		    uint8_t origin, const cJSON *source)
{
	struct k8s_env_ref *r;

	if (p->nenv == K8S_ENV_REFS)
		return;
	r = &p->env[p->nenv++];
	snprintf(r->container, sizeof(r->container), "%s", container);
	snprintf(r->var, sizeof(r->var), "%s", var);
	r->origin = origin;
	copy(r->source, sizeof(r->source), source);
}

/* The secrets written in a container's command and args (fingerprints: exposures.c matches
 * an argument of the running container against them). */
static void arg_refs(struct k8s_pod_info *p, const char *container, const cJSON *c)
{
	static struct exposures x; /* one k8s thread: off the stack */

	exposures_from_argv(cJSON_GetObjectItem(c, "command"), cJSON_GetObjectItem(c, "args"), &x);
	for (unsigned i = 0; i < x.n && i < EXPOSURES_MAX && p->nargs < K8S_ARG_REFS; i++) {
		struct k8s_arg_ref *r = &p->args[p->nargs++];

		snprintf(r->container, sizeof(r->container), "%s", container);
		snprintf(r->fingerprint, sizeof(r->fingerprint), "%s", x.e[i].fingerprint);
	}
}

/*
 * Where the secrets of each container's environment come from (exposures.c asks): a literal
 * env[].value that is itself a secret (secrets.c: the value is judged here and not kept), a
 * Secret or a ConfigMap by env[].valueFrom or envFrom[]. Names only; bounded per pod.
 */
static void env_refs(struct k8s_pod_info *p, const cJSON *spec)
{
	static const char *const lists[] = {"initContainers", "containers"};

	for (size_t l = 0; l < 2; l++) {
		const cJSON *c;

		cJSON_ArrayForEach(c, cJSON_GetObjectItem(spec, lists[l])) {
			const char *cn = cJSON_GetStringValue(cJSON_GetObjectItem(c, "name"));
			const cJSON *e;

			if (!cn)
				continue;
			cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "env")) {
				const char *n = cJSON_GetStringValue(cJSON_GetObjectItem(e, "name"));
				const char *v = cJSON_GetStringValue(cJSON_GetObjectItem(e, "value"));
				const cJSON *from = cJSON_GetObjectItem(e, "valueFrom");
				const cJSON *sk = cJSON_GetObjectItem(from, "secretKeyRef");
				const cJSON *ck = cJSON_GetObjectItem(from, "configMapKeyRef");

				if (!n)
					continue;
				if (v && secrets_detect(n, strlen(n), v, strlen(v)))
					env_ref(p, cn, n, K8S_ENV_LITERAL, NULL);
				else if (sk)
					env_ref(p, cn, n, K8S_ENV_SECRET, cJSON_GetObjectItem(sk, "name"));
				else if (ck)
					env_ref(p, cn, n, K8S_ENV_CONFIGMAP,
						cJSON_GetObjectItem(ck, "name"));
			}
			arg_refs(p, cn, c);
			cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "envFrom")) {
				const cJSON *sr = cJSON_GetObjectItem(e, "secretRef");
				const cJSON *cr = cJSON_GetObjectItem(e, "configMapRef");

				if (sr)
					env_ref(p, cn, "", K8S_ENV_SECRET, cJSON_GetObjectItem(sr, "name"));
				else if (cr)
					env_ref(p, cn, "", K8S_ENV_CONFIGMAP,
						cJSON_GetObjectItem(cr, "name"));
			}
		}
	}
}

/* A ServiceAccount for k8s_sa_cache. */
static long sa_fetch(void *arg, const char *path, struct k8s_sa_identity *out)
{
	struct k8s *k = arg;
	long st = get(&k->aux, path, false);
	cJSON *obj;

	if (st == 200 && (obj = cJSON_ParseWithLength(k->aux.body.p, k->aux.body.len))) {
		k8s_identity_parse_sa(out, obj);
		cJSON_Delete(obj);
	}
	return st;
}

/* What the pod runs as (k8s_identity.h): its spec, and its ServiceAccount, read again for a
 * pod not seen before (a new revision may come with a changed ServiceAccount). */
static void identity(struct k8s *k, struct k8s_pod_info *p, const cJSON *meta,
		     const cJSON *spec)
{
	struct timespec now;
	bool seen = false;

	k8s_identity_parse_pod(&p->identity, meta, spec);
	pthread_mutex_lock(&k->mu);
	for (int i = 0; i < K8S_PODS_MAX && !seen; i++)
		seen = k->pods[i].used && !strcmp(k->pods[i].p.uid, p->uid);
	pthread_mutex_unlock(&k->mu);
	clock_gettime(CLOCK_MONOTONIC, &now);
	k8s_sa_cache_get(&k->sa, p->ns, p->service_account, !seen, now.tv_sec, sa_fetch, k,
			 &p->identity.sa);
}

/* A workload object for workload_meta. */
static long wm_fetch(void *arg, const char *path, cJSON **obj)
{
	struct k8s *k = arg;
	long st = get(&k->aux, path, false);

	*obj = st == 200 ? cJSON_ParseWithLength(k->aux.body.p, k->aux.body.len) : NULL;
	return st;
}

/* Which GitOps object and Helm release applied the pod's workload (the pod itself when it has
 * no owner): for the deploy revision at each finding's time (gitops.h). */
static void deploy_tie(struct k8s *k, struct k8s_pod_info *p, const cJSON *meta)
{
	struct timespec now;

	if (!p->workload_kind[0]) {
		gitops_tie_from_meta(&p->deploy_tie, "Pod", meta);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	wm_tie(&k->wm, p->workload_kind, p->ns, p->workload_name, now.tv_sec, wm_fetch, k,
	       &p->deploy_tie);
}

/* Insert or replace a pod (or drop it on DELETED: its last state stays until replaced). */
static void upsert(struct k8s *k, const cJSON *pod)
{
	static struct k8s_pod_info p; /* one k8s thread: off the stack */
	const cJSON *meta = cJSON_GetObjectItem(pod, "metadata");
	const cJSON *spec = cJSON_GetObjectItem(pod, "spec");
	int free_slot = -1, slot = -1;

	memset(&p, 0, sizeof(p));
	copy(p.uid, sizeof(p.uid), cJSON_GetObjectItem(meta, "uid"));
	copy(p.ns, sizeof(p.ns), cJSON_GetObjectItem(meta, "namespace"));
	copy(p.name, sizeof(p.name), cJSON_GetObjectItem(meta, "name"));
	copy(p.service_account, sizeof(p.service_account),
	     cJSON_GetObjectItem(spec, "serviceAccountName"));
	if (!p.uid[0])
		return;
	labels_from(&p.annotations, cJSON_GetObjectItem(meta, "annotations"));
	labels_from(&p.labels, cJSON_GetObjectItem(meta, "labels"));
	workload(k, &p, meta);
	deploy_tie(k, &p, meta);
	env_refs(&p, spec);
	identity(k, &p, meta, spec);
	pthread_mutex_lock(&k->mu);
	for (int i = 0; i < K8S_PODS_MAX; i++) {
		if (k->pods[i].used && !strcmp(k->pods[i].p.uid, p.uid))
			slot = i;
		else if (!k->pods[i].used && free_slot < 0)
			free_slot = i;
	}
	if (slot < 0)
		slot = free_slot >= 0 ? free_slot : (int)(k->st.pods++ % K8S_PODS_MAX);
	k->pods[slot].used = true;
	k->pods[slot].p = p;
	pthread_mutex_unlock(&k->mu);
}

static void set_rv(struct k8s *k, const cJSON *obj)
{
	const char *rv = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"), "resourceVersion"));

	if (rv && strlen(rv) < sizeof(k->rv))
		snprintf(k->rv, sizeof(k->rv), "%s", rv);
}

/* One watch line: {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": {…}} */
static void watch_event(struct k8s *k, const char *line, size_t n)
{
	cJSON *ev = cJSON_ParseWithLength(line, n);
	const char *type = ev ? cJSON_GetStringValue(cJSON_GetObjectItem(ev, "type")) : NULL;
	const cJSON *obj = ev ? cJSON_GetObjectItem(ev, "object") : NULL;

	if (!type || !obj) {
		k->st.errors++;
	} else if (!strcmp(type, "ERROR")) {
		/* 410 Gone: the resourceVersion is too old, list again */
		if (cJSON_GetNumberValue(cJSON_GetObjectItem(obj, "code")) == 410)
			k->rv[0] = 0;
	} else {
		k->st.events++;
		if (strcmp(type, "BOOKMARK") != 0)
			upsert(k, obj); /* DELETED: keep the last state for late events */
		set_rv(k, obj);
	}
	cJSON_Delete(ev);
}

static int list(struct k8s *k)
{
	char path[512];
	const cJSON *it;
	cJSON *obj;
	long st;

	snprintf(path, sizeof(path), "/api/v1/pods?fieldSelector=spec.nodeName%%3D%s", k->node);
	st = get(&k->main, path, false);
	if (st != 200 || !(obj = cJSON_ParseWithLength(k->main.body.p, k->main.body.len)))
		return st < 0 ? (int)st : -EPROTO;
	k->st.lists++;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(obj, "items"))
		upsert(k, it);
	set_rv(k, obj);
	cJSON_Delete(obj);
	return 0;
}

static void *run(void *arg)
{
	struct k8s *k = arg;
	unsigned backoff = 1;

	while (!k->stop) {
		char path[640];
		long st = 0;
		int rc = 0;

		if (!k->rv[0])
			rc = list(k);
		if (rc == 0) {
			snprintf(path, sizeof(path),
				 "/api/v1/pods?fieldSelector=spec.nodeName%%3D%s&watch=1&"
				 "resourceVersion=%s&allowWatchBookmarks=true",
				 k->node, k->rv);
			k->st.watches++;
			st = get(&k->main, path, true); /* returns when the server drops the watch */
		}
		if (k->stop)
			break;
		if (rc < 0 || st != 200) {
			k->st.errors++;
			if (!k->warned)
				log_warn("kubernetes API %s: %s (%ld); pods are derived from the runtime's "
					 "labels meanwhile; said once",
					 k->conn.api, rc < 0 ? strerror(-rc) : "request failed", st);
			k->warned = true;
			backoff_wait(&backoff, 30, &k->stop);
		} else {
			backoff = 1; /* a clean end of a watch: resume at once from rv */
		}
	}
	return NULL;
}

struct k8s *k8s_start(const char *api, const char *ca, const char *token_file, const char *node)
{
	struct k8s *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	snprintf(k->conn.api, sizeof(k->conn.api), "%s", api);
	snprintf(k->conn.ca, sizeof(k->conn.ca), "%s", ca);
	snprintf(k->conn.token_file, sizeof(k->conn.token_file), "%s", token_file);
	k->conn.stop = &k->stop;
	snprintf(k->node, sizeof(k->node), "%s", node);
	pthread_mutex_init(&k->mu, NULL);
	if (k8s_xfer_init(&k->main, &k->conn) < 0 || k8s_xfer_init(&k->aux, &k->conn) < 0 ||
	    pthread_create(&k->thread, NULL, run, k) != 0) {
		k8s_xfer_free(&k->main);
		k8s_xfer_free(&k->aux);
		pthread_mutex_destroy(&k->mu);
		free(k);
		return NULL;
	}
	return k;
}

void k8s_stop(struct k8s *k)
{
	if (!k)
		return;
	k->stop = 1;
	pthread_join(k->thread, NULL);
	k8s_xfer_free(&k->main);
	k8s_xfer_free(&k->aux);
	pthread_mutex_destroy(&k->mu);
	free(k);
}

bool k8s_pod(struct k8s *k, const char *uid, struct k8s_pod_info *out)
{
	bool found = false;

	if (!k || !uid || !uid[0])
		return false;
	pthread_mutex_lock(&k->mu);
	for (int i = 0; i < K8S_PODS_MAX && !found; i++) {
		if (k->pods[i].used && !strcmp(k->pods[i].p.uid, uid)) {
			*out = k->pods[i].p;
			found = true;
		}
	}
	pthread_mutex_unlock(&k->mu);
	return found;
}

/* Counters written by the k8s thread alone; read here as aligned 64-bit words. */
void k8s_get_stats(struct k8s *k, struct k8s_stats *st)
{
	pthread_mutex_lock(&k->mu);
	*st = k->st;
	pthread_mutex_unlock(&k->mu);
}

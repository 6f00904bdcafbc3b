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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "backoff.h"
#include "k8s.h"
#include "log.h"
#include "secrets.h"

#define K8S_BODY_MAX (16u << 20) /* a node's pod list */
#define K8S_LINE_MAX (1u << 20)	 /* one watch event */
#define K8S_TIMEOUT_MS 10000

struct pod_slot {
	bool used;
	struct k8s_pod_info p;
};

/* One transfer: the list/watch one, and another for owner look-ups made while a watch line
 * is being handled (a handle cannot be re-entered from its own callback). */
struct xfer {
	struct k8s *k;
	CURL *curl;
	char *buf; /* response, or the watch line being assembled */
	size_t len, cap;
	bool watching, too_big;
};

struct k8s {
	pthread_t thread;
	pthread_mutex_t mu;
	volatile int stop;
	char api[256], ca[256], token_file[256], node[254];
	char rv[64];
	struct xfer main, aux;
	struct pod_slot pods[K8S_PODS_MAX];
	struct k8s_stats st;
	bool warned;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud);

static bool grow(struct xfer *x, size_t need, size_t max)
{
	char *nb;
	size_t ncap = x->cap ? x->cap : 65536;

	if (need > max)
		return false;
	while (ncap < need)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if (ncap <= x->cap)
		return true;
	nb = realloc(x->buf, ncap);
	if (!nb)
		return false;
	x->buf = nb;
	x->cap = ncap;
	return true;
}

static int on_progress(void *ud, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	return ((struct xfer *)ud)->k->stop ? 1 : 0;
}

/* The bearer token, re-read for every request: kubelet rotates projected tokens. */
static struct curl_slist *auth_header(const struct k8s *k)
{
	char tok[4096], hdr[4200];
	struct curl_slist *l;
	size_t n = 0;
	FILE *f = fopen(k->token_file, "re");

	if (f) {
		n = fread(tok, 1, sizeof(tok) - 1, f);
		fclose(f);
	}
	while (n && (tok[n - 1] == '\n' || tok[n - 1] == '\r'))
		n--;
	tok[n] = 0;
	snprintf(hdr, sizeof(hdr), "Authorization: Bearer %s", tok);
	l = curl_slist_append(NULL, hdr);
	explicit_bzero(tok, sizeof(tok));
	explicit_bzero(hdr, sizeof(hdr));
	return l;
}

/* GET path; the body lands in k->buf (NUL-terminated) unless watching. HTTP status or -errno. */
static long get(struct xfer *x, const char *path, bool watch)
{
	struct k8s *k = x->k;
	struct curl_slist *h = auth_header(k);
	CURL *c = x->curl;
	char url[1024];
	long status = 0;
	CURLcode rc;

	snprintf(url, sizeof(url), "%s%s", k->api, path);
	x->len = 0;
	x->too_big = false;
	x->watching = watch;
	curl_easy_reset(c);
	if (!h || curl_easy_setopt(c, CURLOPT_URL, url) ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h) ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, k->ca) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) ||
	    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) ||
	    curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2) ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data) ||
	    curl_easy_setopt(c, CURLOPT_WRITEDATA, x) ||
	    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L) ||
	    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress) ||
	    curl_easy_setopt(c, CURLOPT_XFERINFODATA, x) ||
	    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)K8S_TIMEOUT_MS) ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, watch ? 0L : (long)K8S_TIMEOUT_MS)) {
		curl_slist_free_all(h);
		return -EINVAL;
	}
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	if (rc != CURLE_OK && !(watch && status == 200))
		return x->too_big ? -EMSGSIZE : -EIO;
	if (!watch && grow(x, x->len + 1, K8S_BODY_MAX + 1))
		x->buf[x->len] = 0;
	return status;
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
	    !(obj = cJSON_ParseWithLength(k->aux.buf, k->aux.len)))
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
	env_refs(&p, spec);
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

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (!grow(x, x->len + n + 1, x->watching ? K8S_LINE_MAX : K8S_BODY_MAX + 1)) {
		x->too_big = true;
		return 0;
	}
	memcpy(x->buf + x->len, ptr, n);
	x->len += n;
	while (x->watching) { /* complete lines are events */
		char *nl = memchr(x->buf, '\n', x->len);
		size_t ln;

		if (!nl)
			break;
		ln = (size_t)(nl - x->buf);
		watch_event(x->k, x->buf, ln);
		memmove(x->buf, nl + 1, x->len - ln - 1);
		x->len -= ln + 1;
	}
	return n;
}

static int list(struct k8s *k)
{
	char path[512];
	const cJSON *it;
	cJSON *obj;
	long st;

	snprintf(path, sizeof(path), "/api/v1/pods?fieldSelector=spec.nodeName%%3D%s", k->node);
	st = get(&k->main, path, false);
	if (st != 200 || !(obj = cJSON_ParseWithLength(k->main.buf, k->main.len)))
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
					 k->api, rc < 0 ? strerror(-rc) : "request failed", st);
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
	snprintf(k->api, sizeof(k->api), "%s", api);
	snprintf(k->ca, sizeof(k->ca), "%s", ca);
	snprintf(k->token_file, sizeof(k->token_file), "%s", token_file);
	snprintf(k->node, sizeof(k->node), "%s", node);
	pthread_mutex_init(&k->mu, NULL);
	k->main.k = k->aux.k = k;
	k->main.curl = curl_easy_init();
	k->aux.curl = curl_easy_init();
	if (!k->main.curl || !k->aux.curl || pthread_create(&k->thread, NULL, run, k) != 0) {
		curl_easy_cleanup(k->main.curl);
		curl_easy_cleanup(k->aux.curl);
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
	curl_easy_cleanup(k->main.curl);
	curl_easy_cleanup(k->aux.curl);
	pthread_mutex_destroy(&k->mu);
	free(k->main.buf);
	free(k->aux.buf);
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

// SPDX-License-Identifier: BSD-2-Clause
/*
 * gitops.c - see gitops.h. Requests, per kind (one thread each):
 *   GET /apis/<group>/<version>/<resource>?limit=100[&continue=<token>]      (all namespaces)
 *   GET …?watch=1&resourceVersion=<rv>&allowWatchBookmarks=true   (one JSON event per line)
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "backoff.h"
#include "gitops.h"
#include "k8s_http.h"
#include "log.h"

#define GITOPS_PAGE 100
#define GITOPS_PAGES_MAX 100   /* 10 000 objects: far beyond the table */
#define GITOPS_RECHECK_S 300   /* a kind not served is asked again after this */

static const struct {
	uint8_t kind;
	const char *path, *what;
} kinds[] = {
	{GITOPS_ARGO_APP, "/apis/argoproj.io/v1alpha1/applications", "argo cd applications"},
	{GITOPS_FLUX_KS, "/apis/kustomize.toolkit.fluxcd.io/v1/kustomizations",
	 "flux kustomizations"},
	{GITOPS_FLUX_HR, "/apis/helm.toolkit.fluxcd.io/v2/helmreleases", "flux helmreleases"},
	{GITOPS_FLUX_GIT, "/apis/source.toolkit.fluxcd.io/v1/gitrepositories",
	 "flux gitrepositories"},
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

struct source {
	struct gitops *g;
	size_t k; /* index in kinds[] */
	pthread_t thread;
	bool started, warned, off;
	struct k8s_xfer x;
	char rv[64];
	struct gitops_snapshot snap; /* scratch: large */
};

struct gitops {
	struct k8s_conn conn;
	volatile int stop;
	pthread_mutex_t mu; /* the table and the counters */
	struct gitops_table table;
	struct gitops_stats st;
	struct source src[NKINDS];
};

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void count(struct gitops *g, uint64_t *c)
{
	pthread_mutex_lock(&g->mu);
	(*c)++;
	pthread_mutex_unlock(&g->mu);
}

/* Parse without the lock, merge under it. */
static void apply(struct source *s, const cJSON *obj, bool initial)
{
	struct gitops *g = s->g;

	if (gitops_parse(kinds[s->k].kind, obj, &s->snap) < 0) {
		count(g, &g->st.errors);
		return;
	}
	pthread_mutex_lock(&g->mu);
	gitops_table_apply(&g->table, &s->snap, now_ns(), initial);
	g->st.objects = g->table.objects;
	g->st.evicted = g->table.evicted;
	pthread_mutex_unlock(&g->mu);
}

static void set_rv(struct source *s, const cJSON *obj)
{
	const char *rv = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"), "resourceVersion"));

	if (rv && strlen(rv) < sizeof(s->rv))
		snprintf(s->rv, sizeof(s->rv), "%s", rv);
}

/* One watch line: {"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": {…}} */
static void watch_line(void *arg, const char *line, size_t n)
{
	struct source *s = arg;
	cJSON *ev = cJSON_ParseWithLength(line, n);
	const char *type = ev ? cJSON_GetStringValue(cJSON_GetObjectItem(ev, "type")) : NULL;
	const cJSON *obj = ev ? cJSON_GetObjectItem(ev, "object") : NULL;

	if (!type || !cJSON_IsObject(obj)) {
		count(s->g, &s->g->st.errors);
	} else if (!strcmp(type, "ERROR")) {
		if (cJSON_GetNumberValue(cJSON_GetObjectItem(obj, "code")) == 410)
			s->rv[0] = 0; /* too old: list again */
	} else {
		count(s->g, &s->g->st.events);
		if (!strcmp(type, "ADDED") || !strcmp(type, "MODIFIED"))
			apply(s, obj, false); /* DELETED: the last state stays for late events */
		set_rv(s, obj);
	}
	cJSON_Delete(ev);
}

/* One page; its continue token into cont ("" on the last). HTTP status, or -errno. */
static long list_page(struct source *s, char *cont, size_t ccap)
{
	char path[6000];
	const cJSON *it;
	const char *next;
	cJSON *obj;
	long st;

	if (cont[0]) {
		char *esc = curl_easy_escape(s->x.curl, cont, 0);

		if (!esc)
			return -ENOMEM;
		snprintf(path, sizeof(path), "%s?limit=%d&continue=%s", kinds[s->k].path, GITOPS_PAGE,
			 esc);
		curl_free(esc);
	} else {
		snprintf(path, sizeof(path), "%s?limit=%d", kinds[s->k].path, GITOPS_PAGE);
	}
	st = k8s_get(&s->x, path, NULL, NULL);
	if (st != 200)
		return st;
	if (!(obj = cJSON_ParseWithLength(s->x.body.p, s->x.body.len)))
		return -EPROTO;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(obj, "items"))
		apply(s, it, true);
	set_rv(s, obj);
	next = cJSON_GetStringValue(
		cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"), "continue"));
	snprintf(cont, ccap, "%s", next && strlen(next) < ccap ? next : "");
	cJSON_Delete(obj);
	return 200;
}

static long list(struct source *s)
{
	static __thread char cont[1536]; /* escaped, it still fits list_page's path */
	long st = 200;

	cont[0] = 0;
	for (int page = 0; page < GITOPS_PAGES_MAX && st == 200; page++) {
		st = list_page(s, cont, sizeof(cont));
		if (!cont[0])
			break;
	}
	if (st == 200)
		count(s->g, &s->g->st.lists);
	return st;
}

/* A failed list: a kind not served is off (said once); anything else is retried. */
static void list_failed(struct source *s, long st, unsigned *backoff)
{
	struct gitops *g = s->g;

	if (st == 404) {
		unsigned wait = GITOPS_RECHECK_S;

		if (!s->off) {
			log_info("gitops: %s not served by %s (404: the CRD is not installed); that "
				 "source is off, asked again every %ds",
				 kinds[s->k].what, g->conn.api, GITOPS_RECHECK_S);
			count(g, &g->st.sources_off);
		}
		s->off = true;
		backoff_wait(&wait, GITOPS_RECHECK_S, &g->stop);
		return;
	}
	count(g, &g->st.errors);
	if (!s->warned)
		log_warn("gitops: listing %s at %s failed (%ld%s); deploy revisions from it are "
			 "missing meanwhile; said once",
			 kinds[s->k].what, g->conn.api, st,
			 st == 403 ? ": the agent needs list and watch on it" : "");
	s->warned = true;
	backoff_wait(backoff, 30, &g->stop);
}

static void *run(void *arg)
{
	struct source *s = arg;
	struct gitops *g = s->g;
	unsigned backoff = 1;

	while (!g->stop) {
		char path[640];
		long st = 200;

		if (!s->rv[0] && (st = list(s)) != 200) {
			list_failed(s, st, &backoff);
			continue;
		}
		if (s->off) {
			log_info("gitops: %s now served; that source is on", kinds[s->k].what);
			s->off = false;
			pthread_mutex_lock(&g->mu);
			g->st.sources_off--;
			pthread_mutex_unlock(&g->mu);
		}
		snprintf(path, sizeof(path), "%s?watch=1&resourceVersion=%s&allowWatchBookmarks=true",
			 kinds[s->k].path, s->rv);
		count(g, &g->st.watches);
		st = k8s_get(&s->x, path, watch_line, s); /* returns when the server ends it */
		if (g->stop)
			break;
		if (st != 200) {
			count(g, &g->st.errors);
			s->rv[0] = 0; /* relist: the watch itself was refused */
			backoff_wait(&backoff, 30, &g->stop);
		} else {
			backoff = 1;
		}
	}
	return NULL;
}

struct gitops *gitops_start(const char *api, const char *ca, const char *token_file)
{
	struct gitops *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	snprintf(g->conn.api, sizeof(g->conn.api), "%s", api);
	snprintf(g->conn.ca, sizeof(g->conn.ca), "%s", ca);
	snprintf(g->conn.token_file, sizeof(g->conn.token_file), "%s", token_file);
	g->conn.stop = &g->stop;
	pthread_mutex_init(&g->mu, NULL);
	gitops_table_init(&g->table);
	for (size_t i = 0; i < NKINDS; i++) {
		struct source *s = &g->src[i];

		s->g = g;
		s->k = i;
		if (k8s_xfer_init(&s->x, &g->conn) < 0 ||
		    pthread_create(&s->thread, NULL, run, s) != 0) {
			gitops_stop(g);
			return NULL;
		}
		s->started = true;
	}
	return g;
}

void gitops_stop(struct gitops *g)
{
	if (!g)
		return;
	g->stop = 1;
	for (size_t i = 0; i < NKINDS; i++) {
		if (g->src[i].started)
			pthread_join(g->src[i].thread, NULL);
		k8s_xfer_free(&g->src[i].x);
	}
	pthread_mutex_destroy(&g->mu);
	free(g);
}

bool gitops_deploy_at(struct gitops *g, const struct gitops_tie *tie, int64_t at_ns,
		      struct gitops_deploy *out)
{
	bool found;

	if (!g)
		return gitops_table_at(NULL, tie, at_ns, out);
	pthread_mutex_lock(&g->mu);
	found = gitops_table_at(&g->table, tie, at_ns, out);
	pthread_mutex_unlock(&g->mu);
	return found;
}

void gitops_get_stats(struct gitops *g, struct gitops_stats *st)
{
	pthread_mutex_lock(&g->mu);
	*st = g->st;
	pthread_mutex_unlock(&g->mu);
}

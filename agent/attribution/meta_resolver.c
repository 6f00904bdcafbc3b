// SPDX-License-Identifier: BSD-2-Clause
/*
 * meta_resolver.c - see meta_resolver.h. Everything slow the metadata cache needs, on one
 * thread: runtime RPCs, the pod watch's copy, the image store, the first exec's environment.
 * The cache's lock is never held here; meta_cache_next_request() and meta_cache_publish() take
 * it for the copies in and out. The workload a pod name implies (workload_from_pod) lives here
 * too: it is part of turning a runtime record into a container_meta.
 */
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s.h"
#include "log.h"
#include "meta_env.h"
#include "meta_resolver.h"
#include "runtime_containerd.h"
#include "runtime_cri.h"

#define RPC_TIMEOUT_MS 2000

struct meta_resolver {
	struct meta_cache *mc;
	pthread_t thread;
	bool started, unreachable_logged;
	struct grpc_client *rt;
	struct grpc_client *cri; /* a CRI runtime (--cri-socket): asked first */
	struct image_store *img; /* image configs from containerd's content store, by digest */
	char cri_name[16];	 /* its runtime_name, from Version */
	struct k8s *k8s;
	const char *proc_root;
};

/* Namespaces tried after the hint: Kubernetes', ctr's, Docker's. */
static const char *const namespaces[] = {"k8s.io", "default", "moby"};

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* The API's view of the pod, when it has one: owners instead of a name guess, annotations
 * (deploy commit) and labels (version) for the provenance. */
static bool fill_pod(struct meta_resolver *r, struct container_meta *m, const struct label_set *l)
{
	static struct k8s_pod_info pod; /* one resolver thread: off the stack */

	if (!r->k8s || !m->pod_uid[0])
		return true;
	if (!k8s_pod(r->k8s, m->pod_uid, &pod))
		return false; /* the watch has not brought it yet */
	if (pod.workload_kind[0]) {
		copy(m->workload_kind, sizeof(m->workload_kind), pod.workload_kind);
		copy(m->workload_name, sizeof(m->workload_name), pod.workload_name);
		m->workload_derived = false;
	}
	copy(m->service_account, sizeof(m->service_account), pod.service_account);
	k8s_identity_resolve(&pod.identity, m->container, &m->identity);
	provenance_resolve(l, &pod.annotations, &pod.labels, &m->prov);
	m->prov.tie = pod.deploy_tie; /* the deploy at each event's time: gitops.h, at render */
	return true;
}

static void fill(struct container_meta *m, const struct container_record *r)
{
	const struct label_set *l = &r->labels;

	copy(m->image, sizeof(m->image), r->image);
	copy(m->digest, sizeof(m->digest), r->image_digest);
	copy(m->runtime, sizeof(m->runtime), r->runtime_name[0] ? r->runtime_name : "containerd");
	copy(m->runtime_handler, sizeof(m->runtime_handler), r->runtime);
	copy(m->k8s_namespace, sizeof(m->k8s_namespace),
	     labels_get(l, "io.kubernetes.pod.namespace"));
	copy(m->pod, sizeof(m->pod), labels_get(l, "io.kubernetes.pod.name"));
	copy(m->pod_uid, sizeof(m->pod_uid), labels_get(l, "io.kubernetes.pod.uid"));
	copy(m->container, sizeof(m->container), labels_get(l, "io.kubernetes.container.name"));
	if (m->pod[0])
		m->workload_derived =
		    workload_from_pod(m->pod, m->workload_kind, sizeof(m->workload_kind),
				      m->workload_name, sizeof(m->workload_name));
	provenance_resolve(l, NULL, NULL, &m->prov);
}

/* Through CRI; its Version names the runtime ("containerd", "cri-o"), asked until known. */
static int cri_resolve(struct meta_resolver *r, const char *id, struct container_record *rec)
{
	char ver[64];
	int rc = cri_get(r->cri, id, rec);

	if (rc == 0 && !r->cri_name[0])
		cri_version(r->cri, r->cri_name, sizeof(r->cri_name), ver, sizeof(ver));
	if (rc == 0)
		copy(rec->runtime_name, sizeof(rec->runtime_name), r->cri_name);
	return rc;
}

/* One look-up: CRI first when configured, then the native containerd API (containers CRI does
 * not know: ctr's, Docker's). */
static int resolve(struct meta_resolver *r, const char *id, const char *hint,
		   struct container_record *rec)
{
	int rc = -ENOENT;

	if (r->cri && (rc = cri_resolve(r, id, rec)) == 0)
		return 0;
	if (!r->rt)
		return rc;
	if (hint[0] && (rc = containerd_get(r->rt, hint, id, rec)) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		if (!strcmp(hint, namespaces[i]))
			continue;
		rc = containerd_get(r->rt, namespaces[i], id, rec);
		if (rc == 0 || rc != GRPC_ERR(GRPC_NOT_FOUND))
			return rc; /* found, or the runtime is not answering at all */
	}
	return rc;
}

/* What the container's image config bakes in, for a container with secrets to place (once, when
 * it is first resolved), from containerd's content store; NULL when it cannot be read. The store
 * is this thread's alone. A CRI record names no namespace: CRI's is k8s.io. */
static const struct exposures *image_secrets(struct meta_resolver *r,
					     const struct container_record *rec)
{
	static struct exposures copy_out; /* one resolver thread */
	const struct exposures *x;

	if (!r->img || !r->rt || !rec->image_digest[0])
		return NULL;
	if (image_store_secrets(r->img, r->rt, rec->ns[0] ? rec->ns : "k8s.io", rec->image_digest,
				rec->image_media_type, &x) < 0)
		return NULL;
	copy_out = *x;
	return &copy_out;
}

/* A container resolved for the first time is announced once (container_start, queued by the
 * cache), so that a workload revision that produces no finding is still known to have run. Here,
 * what its record says: the host paths bound into it, its secrets and where each came from (its
 * image config, and its pod spec when it is a pod's and the API has shown it). */
static void prepare_start(struct meta_resolver *r, const struct container_record *rec,
			  struct meta_answer *a)
{
	static struct k8s_pod_info pod; /* one resolver thread: off the stack */
	struct exposure_sources src = {.container = a->m.container};

	if (rec->exposures.n)
		src.image = image_secrets(r, rec);
	a->mounts = rec->mounts;
	a->exposures = rec->exposures;
	if (!a->m.pod_uid[0])
		src.pod_known = true; /* no pod: no pod spec to ask */
	else if (rec->exposures.n && r->k8s && k8s_pod(r->k8s, a->m.pod_uid, &pod))
		src.pod = &pod, src.pod_known = true;
	exposures_set_origins(&a->exposures, &src);
}

/* One more exec's environment into the record, after its labels and annotations. */
static void env_read(struct meta_resolver *r, uint32_t pid, struct meta_answer *a)
{
	if (!pid)
		return;
	if (meta_env_provenance(r->proc_root, pid, &a->m.prov) > 0)
		a->env_filled = true;
	a->env_pid = pid;
	a->env_tries++;
}

static void answer(struct meta_resolver *r, const struct meta_request *rq, struct meta_answer *a)
{
	static struct container_record rec; /* one resolver thread: large, so not on the stack */

	a->rc = resolve(r, rq->id, rq->ns_hint, &rec);
	a->pod_known = true;
	a->env_pid = 0;
	a->env_tries = 0;
	a->env_filled = false;
	if (a->rc == 0) {
		memset(&a->m, 0, sizeof(a->m)); /* nothing of the previous container */
		fill(&a->m, &rec);
		a->pod_known = fill_pod(r, &a->m, &rec.labels);
		if (rq->first)
			prepare_start(r, &rec, a);
		env_read(r, rq->pid, a);
	} else if (a->rc < 0 && a->rc != GRPC_ERR(GRPC_NOT_FOUND) && !r->unreachable_logged) {
		log_warn("container runtime at %s not answering (%d): events keep their container "
			 "id only; said once",
			 CONTAINERD_SOCKET, a->rc);
		r->unreachable_logged = true;
	}
	a->has_image_stats = r->img != NULL;
	if (r->img)
		image_store_get_stats(r->img, &a->image);
}

static void *resolver_main(void *arg)
{
	static struct meta_answer a; /* one resolver thread: large, so not on the stack */
	struct meta_resolver *r = arg;
	struct meta_request rq;
	uint32_t pid;

	while (meta_cache_next_request(r->mc, &rq)) {
		answer(r, &rq, &a);
		/* execs seen while this one was asked about: their environments before the record
		 * is published (bounded: the cache stops asking after a few) */
		while ((pid = meta_cache_publish(r->mc, &rq, &a)) != 0)
			env_read(r, pid, &a);
	}
	return NULL;
}

struct meta_resolver *meta_resolver_new(struct meta_cache *mc, const char *socket,
					const char *cri_socket, const char *proc_root)
{
	struct meta_resolver *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->mc = mc;
	r->proc_root = proc_root;
	if (socket)
		r->rt = grpc_client_new(socket, RPC_TIMEOUT_MS);
	if (cri_socket)
		r->cri = grpc_client_new(cri_socket, RPC_TIMEOUT_MS);
	if (socket)
		r->img = image_store_new();
	if ((!socket && !cri_socket) || (socket && (!r->rt || !r->img)) ||
	    (cri_socket && !r->cri)) {
		meta_resolver_free(r);
		return NULL;
	}
	return r;
}

int meta_resolver_start(struct meta_resolver *r)
{
	int rc = pthread_create(&r->thread, NULL, resolver_main, r);

	if (rc)
		return -rc;
	r->started = true;
	return 0;
}

void meta_resolver_free(struct meta_resolver *r)
{
	if (!r)
		return;
	if (r->started)
		pthread_join(r->thread, NULL);
	grpc_client_free(r->rt);
	grpc_client_free(r->cri);
	image_store_free(r->img);
	free(r);
}

void meta_resolver_set_k8s(struct meta_resolver *r, struct k8s *k)
{
	r->k8s = k;
}

/* A run of n characters of the alphabet Kubernetes generates names from (no vowels, no 0, 1,
 * 3: apimachinery's rand.String), so "node-exporter-x2x4q" is not read as a Deployment. */
static bool is_suffix(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!s[i] || !strchr("bcdfghjklmnpqrstvwxz2456789", s[i]))
			return false;
	return n > 0;
}

bool workload_from_pod(const char *pod, char *kind, size_t kcap, char *name, size_t ncap)
{
	const char *last = strrchr(pod, '-'), *prev;
	size_t i;

	if (!last || last == pod)
		return false;
	/* name-<replicaset hash (5-10)>-<pod suffix (5)>: a Deployment's pod */
	for (prev = last - 1; prev > pod && *prev != '-'; prev--)
		;
	if (prev > pod && *prev == '-' && strlen(last + 1) == 5 && is_suffix(last + 1, 5) &&
	    last - prev - 1 >= 5 && last - prev - 1 <= 10 && is_suffix(prev + 1, last - prev - 1)) {
		snprintf(kind, kcap, "Deployment");
		snprintf(name, ncap, "%.*s", (int)(prev - pod), pod);
		return true;
	}
	/* name-<ordinal>: a StatefulSet's pod */
	for (i = 1; last[i] && isdigit((unsigned char)last[i]); i++)
		;
	if (i > 1 && !last[i] && (i == 2 || last[1] != '0')) {
		snprintf(kind, kcap, "StatefulSet");
		snprintf(name, ncap, "%.*s", (int)(last - pod), pod);
		return true;
	}
	return false;
}

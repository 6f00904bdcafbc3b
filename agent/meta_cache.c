// SPDX-License-Identifier: BSD-2-Clause
/* meta_cache.c - see meta_cache.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <unistd.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "image_store.h"
#include "k8s.h"
#include "log.h"
#include "meta_cache.h"
#include "runtime_containerd.h"
#include "runtime_cri.h"

#define QUEUE_LEN 256
#define TTL_READY_S 600	  /* a container's record does not change; refreshed now and then */
#define TTL_FAILED_S 30	  /* negative answers are retried after this */
#define TTL_POD_WAIT_S 5  /* the record of a pod the API has not shown yet */
#define RPC_TIMEOUT_MS 2000
#define ENV_READ_MAX (32 * 1024) /* of a process's environment, for allowlisted names */
#define ENV_TRIES 4		 /* execs looked at per container before giving up */
#define STARTED_LEN 64		 /* containers resolved and not yet announced */

struct slot {
	struct container_meta m;
	char ns_hint[64];
	uint32_t pid;	   /* a process that exec'd in the container: its environment */
	bool env_done;	   /* an environment gave allowlisted names, or ENV_TRIES were read */
	uint8_t env_tries; /* the runtime's own execs come first and carry nothing */
	bool announced;	   /* given to meta_cache_next_started() once */
	time_t expires;
	uint64_t used; /* LRU clock */
};

struct meta_cache {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool stop, started, unreachable_logged;
	struct slot *slots;
	unsigned nslots;
	uint64_t clock;
	unsigned q[QUEUE_LEN]; /* slot indexes waiting for the resolver */
	unsigned qhead, qlen;
	struct grpc_client *rt;
	struct grpc_client *cri; /* a CRI runtime (--cri-socket): asked first */
	struct image_store *img; /* image configs from containerd's content store, by digest */
	char cri_name[16];	 /* its runtime_name, from Version */
	struct k8s *k8s;
	const char *proc_root;
	struct {
		char id[129];
		struct runtime_mounts mounts;	/* from its record: for its container_mount events */
		struct exposures exposures;	/* and for its secret_exposure events */
	} announce_q[STARTED_LEN]; /* containers resolved for the first time, oldest first */
	unsigned shead, slen;
	struct meta_cache_stats st;
};

/* Namespaces tried after the hint: Kubernetes', ctr's, Docker's. */
static const char *const namespaces[] = {"k8s.io", "default", "moby"};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void copy(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src ? src : "");
}

/* Allowlisted names from the first process's environment, read once per container; the
 * buffer is wiped after use (other values are never looked at, but were in memory). */
static int env_provenance(uint32_t pid, const char *proc_root, struct provenance *p)
{
	int filled = 0;

	char path[96], *env;
	ssize_t n;
	int fd;

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "%s/%u/environ", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_debug("container environment of pid %u: %s", pid, strerror(errno));
		return 0;
	}
	env = malloc(ENV_READ_MAX); /* both threads come here: no shared buffer */
	n = env ? read(fd, env, ENV_READ_MAX) : -1;
	close(fd);
	if (n > 0)
		filled = provenance_from_env(env, (size_t)n, p);
	if (env) {
		explicit_bzero(env, ENV_READ_MAX);
		free(env);
	}
	return filled;
}

/* One more environment of the container, unless one already gave something. */
static void env_try(struct slot *s, uint32_t pid, const char *proc_root)
{
	if (s->env_done || !pid)
		return;
	if (env_provenance(pid, proc_root, &s->m.prov) > 0 || ++s->env_tries >= ENV_TRIES)
		s->env_done = true;
}

/* The API's view of the pod, when it has one: owners instead of a name guess, annotations
 * (deploy commit) and labels (version) for the provenance. */
static bool fill_pod(struct meta_cache *mc, struct container_meta *m, const struct label_set *l)
{
	static struct k8s_pod_info pod; /* one resolver thread: off the stack */

	if (!mc->k8s || !m->pod_uid[0])
		return true;
	if (!k8s_pod(mc->k8s, m->pod_uid, &pod))
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
	copy(m->k8s_namespace, sizeof(m->k8s_namespace), labels_get(l, "io.kubernetes.pod.namespace"));
	copy(m->pod, sizeof(m->pod), labels_get(l, "io.kubernetes.pod.name"));
	copy(m->pod_uid, sizeof(m->pod_uid), labels_get(l, "io.kubernetes.pod.uid"));
	copy(m->container, sizeof(m->container), labels_get(l, "io.kubernetes.container.name"));
	if (m->pod[0])
		m->workload_derived = workload_from_pod(m->pod, m->workload_kind,
							sizeof(m->workload_kind), m->workload_name,
							sizeof(m->workload_name));
	provenance_resolve(l, NULL, NULL, &m->prov);
}

/* Through CRI; its Version names the runtime ("containerd", "cri-o"), asked until known. */
static int cri_resolve(struct meta_cache *mc, const char *id, struct container_record *rec)
{
	char ver[64];
	int rc = cri_get(mc->cri, id, rec);

	if (rc == 0 && !mc->cri_name[0])
		cri_version(mc->cri, mc->cri_name, sizeof(mc->cri_name), ver, sizeof(ver));
	if (rc == 0)
		copy(rec->runtime_name, sizeof(rec->runtime_name), mc->cri_name);
	return rc;
}

/* One look-up, without the lock (the network is slow): CRI first when configured, then the
 * native containerd API (containers CRI does not know: ctr's, Docker's). */
static int resolve(struct meta_cache *mc, const char *id, const char *hint,
		   struct container_record *rec)
{
	int rc = -ENOENT;

	if (mc->cri && (rc = cri_resolve(mc, id, rec)) == 0)
		return 0;
	if (!mc->rt)
		return rc;
	if (hint[0] && (rc = containerd_get(mc->rt, hint, id, rec)) == 0)
		return 0;
	for (size_t i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++) {
		if (!strcmp(hint, namespaces[i]))
			continue;
		rc = containerd_get(mc->rt, namespaces[i], id, rec);
		if (rc == 0 || rc != GRPC_ERR(GRPC_NOT_FOUND))
			return rc; /* found, or the runtime is not answering at all */
	}
	return rc;
}

/* A container resolved for the first time is announced once (container_start), so that a
 * workload revision that produces no finding is still known to have run. */
static void announce(struct meta_cache *mc, struct slot *s, const struct container_record *rec,
		     const struct exposures *img)
{
	static struct k8s_pod_info pod; /* one resolver thread: off the stack */
	unsigned at = (mc->shead + mc->slen) % STARTED_LEN;
	struct exposure_sources src = {.container = s->m.container, .image = img};

	if (s->announced)
		return;
	s->announced = true;
	if (mc->slen == STARTED_LEN) {
		mc->st.announce_dropped++;
		return;
	}
	copy(mc->announce_q[at].id, sizeof(mc->announce_q[at].id), s->m.id);
	mc->announce_q[at].mounts = rec->mounts;
	mc->announce_q[at].exposures = rec->exposures;
	/* where its secrets came from: its image config, and its pod spec when it is a pod's and
	 * the API has shown it */
	if (!s->m.pod_uid[0])
		src.pod_known = true; /* no pod: no pod spec to ask */
	else if (rec->exposures.n && mc->k8s && k8s_pod(mc->k8s, s->m.pod_uid, &pod))
		src.pod = &pod, src.pod_known = true;
	exposures_set_origins(&mc->announce_q[at].exposures, &src);
	__atomic_store_n(&mc->slen, mc->slen + 1, __ATOMIC_RELEASE); /* read unlocked, above */
}

/* What the container's image config bakes in, for a container with secrets to place (once, when
 * it is first resolved), from containerd's content store; NULL when it cannot be read. Without
 * the lock: the store is the resolver's alone. A CRI record names no namespace: CRI's is k8s.io. */
static const struct exposures *image_secrets(struct meta_cache *mc,
					     const struct container_record *rec)
{
	static struct exposures copy_out; /* one resolver thread */
	const struct exposures *x;

	if (!mc->img || !mc->rt || !rec->image_digest[0])
		return NULL;
	if (image_store_secrets(mc->img, mc->rt, rec->ns[0] ? rec->ns : "k8s.io", rec->image_digest,
				rec->image_media_type, &x) < 0)
		return NULL;
	copy_out = *x;
	return &copy_out;
}

static void *resolver(void *arg)
{
	/* one resolver thread: large, so not on the stack */
	static struct container_record rec;
	static struct container_meta tmp;
	struct meta_cache *mc = arg;

	pthread_mutex_lock(&mc->mu);
	while (!mc->stop) {
		char id[129], hint[64];
		const struct exposures *img = NULL;
		bool pod_known = true, first;
		uint32_t pid;
		unsigned s;
		int rc;

		if (!mc->qlen) {
			pthread_cond_wait(&mc->cv, &mc->mu);
			continue;
		}
		s = mc->q[mc->qhead];
		mc->qhead = (mc->qhead + 1) % QUEUE_LEN;
		mc->qlen--;
		copy(id, sizeof(id), mc->slots[s].m.id);
		copy(hint, sizeof(hint), mc->slots[s].ns_hint);
		pid = mc->slots[s].pid;
		first = !mc->slots[s].announced;
		pthread_mutex_unlock(&mc->mu);
		rc = resolve(mc, id, hint, &rec);
		if (rc == 0) {
			memset(&tmp, 0, sizeof(tmp)); /* nothing of the previous container */
			fill(&tmp, &rec);
			pod_known = fill_pod(mc, &tmp, &rec.labels);
			if (first && rec.exposures.n)
				img = image_secrets(mc, &rec);
		}
		pthread_mutex_lock(&mc->mu);
		if (mc->img) { /* the store is the resolver's: its counters reach readers here */
			struct image_store_stats is;

			image_store_get_stats(mc->img, &is);
			mc->st.image_hits = is.hits;
			mc->st.image_misses = is.misses;
			mc->st.image_failures = is.failures;
		}

		if (rc < 0 && rc != GRPC_ERR(GRPC_NOT_FOUND) && !mc->unreachable_logged) {
			log_warn("container runtime at %s not answering (%d): events keep their "
				 "container id only; said once",
				 CONTAINERD_SOCKET, rc);
			mc->unreachable_logged = true;
		}
		if (strcmp(mc->slots[s].m.id, id) != 0)
			continue; /* the slot was reused meanwhile */
		if (rc == 0) {
			memcpy(mc->slots[s].m.image, tmp.image, sizeof(tmp) - offsetof(struct
										container_meta,
										image));
			mc->slots[s].m.state = META_READY;
			/* the environments of the execs seen so far (procfs reads; labels first) */
			env_try(&mc->slots[s], pid, mc->proc_root);
			if (mc->slots[s].pid != pid)
				env_try(&mc->slots[s], mc->slots[s].pid, mc->proc_root);
			/* a pod the API has not shown yet: asked again soon */
			mc->slots[s].expires = now_s() + (pod_known ? TTL_READY_S : TTL_POD_WAIT_S);
			mc->st.resolved++;
			announce(mc, &mc->slots[s], &rec, img);
		} else {
			mc->slots[s].m.state = META_FAILED;
			mc->slots[s].expires = now_s() + TTL_FAILED_S;
			mc->st.failures++;
		}
	}
	pthread_mutex_unlock(&mc->mu);
	return NULL;
}

struct meta_cache *meta_cache_new(unsigned nslots, const char *socket)
{
	return meta_cache_new_runtimes(nslots, socket, NULL);
}

struct meta_cache *meta_cache_new_runtimes(unsigned nslots, const char *socket,
					   const char *cri_socket)
{
	struct meta_cache *mc = calloc(1, sizeof(*mc));

	if (!mc)
		return NULL;
	mc->slots = calloc(nslots, sizeof(*mc->slots));
	mc->nslots = nslots;
	mc->proc_root = "/proc";
	pthread_mutex_init(&mc->mu, NULL);
	pthread_cond_init(&mc->cv, NULL);
	if (socket)
		mc->rt = grpc_client_new(socket, RPC_TIMEOUT_MS);
	if (cri_socket)
		mc->cri = grpc_client_new(cri_socket, RPC_TIMEOUT_MS);
	if (socket)
		mc->img = image_store_new();
	if (!mc->slots || (socket && (!mc->rt || !mc->img)) || (cri_socket && !mc->cri)) {
		meta_cache_free(mc);
		return NULL;
	}
	if ((mc->rt || mc->cri) && pthread_create(&mc->thread, NULL, resolver, mc) == 0)
		mc->started = true;
	return mc;
}

void meta_cache_free(struct meta_cache *mc)
{
	if (!mc)
		return;
	if (mc->started) {
		pthread_mutex_lock(&mc->mu);
		mc->stop = true;
		pthread_cond_signal(&mc->cv);
		pthread_mutex_unlock(&mc->mu);
		pthread_join(mc->thread, NULL);
	}
	grpc_client_free(mc->rt);
	grpc_client_free(mc->cri);
	image_store_free(mc->img);
	pthread_mutex_destroy(&mc->mu);
	pthread_cond_destroy(&mc->cv);
	free(mc->slots);
	free(mc);
}

#define PROBE 8 /* slots an id may live in: its hash's and the next 7 */

static unsigned hash_id(const char *id)
{
	unsigned h = 2166136261u; /* FNV-1a */

	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h;
}

/* The slot holding id, or the one to (re)use for it among its PROBE slots: an empty one,
 * else the least recently used that is not waiting for the resolver. O(PROBE) per event. */
static int find_slot(struct meta_cache *mc, const char *id, bool *found)
{
	unsigned base = hash_id(id);
	int victim = -1;

	*found = false;
	for (unsigned k = 0; k < PROBE && k < mc->nslots; k++) {
		unsigned i = (base + k) % mc->nslots;
		struct slot *s = &mc->slots[i];

		if (s->m.state != META_EMPTY && !strcmp(s->m.id, id)) {
			*found = true;
			return (int)i;
		}
		if (s->m.state == META_PENDING)
			continue;
		if (victim < 0 || s->m.state == META_EMPTY ||
		    (mc->slots[victim].m.state != META_EMPTY && s->used < mc->slots[victim].used))
			victim = (int)i;
	}
	return victim;
}

static enum meta_state queue_lookup(struct meta_cache *mc, int i, const char *id,
				    const char *ns_hint, uint32_t pid)
{
	struct slot *s = &mc->slots[i];
	bool announced = s->m.state != META_EMPTY && !strcmp(s->m.id, id) && s->announced;

	if (!mc->started || mc->qlen == QUEUE_LEN) {
		mc->st.queue_full += mc->started;
		return META_FAILED; /* never resolved: the event goes out with what it has */
	}
	memset(s, 0, sizeof(*s));
	copy(s->m.id, sizeof(s->m.id), id);
	copy(s->ns_hint, sizeof(s->ns_hint), ns_hint);
	s->pid = pid;
	s->m.state = META_PENDING;
	s->announced = announced; /* a refresh of the same container is not a new start */
	s->used = ++mc->clock;
	mc->q[(mc->qhead + mc->qlen) % QUEUE_LEN] = (unsigned)i;
	mc->qlen++;
	pthread_cond_signal(&mc->cv);
	return META_PENDING;
}

enum meta_state meta_cache_lookup(struct meta_cache *mc, const char *id, const char *ns_hint,
				  uint32_t pid, struct container_meta *out)
{
	enum meta_state st;
	bool found;
	int i;

	pthread_mutex_lock(&mc->mu);
	i = find_slot(mc, id, &found);
	if (found && (mc->slots[i].m.state == META_PENDING || now_s() < mc->slots[i].expires)) {
		struct slot *s = &mc->slots[i];

		st = s->m.state;
		s->used = ++mc->clock;
		if (pid && !s->env_done) { /* an exec in the container: its environment */
			if (st == META_PENDING)
				s->pid = pid; /* the resolver reads it */
			else if (st == META_READY)
				env_try(s, pid, mc->proc_root);
		}
		if (st == META_READY) {
			if (out)
				*out = s->m;
			mc->st.hits++;
		}
	} else {
		/* an expired record is asked for again; its process keeps its environment's chance */
		uint32_t keep = found && !pid ? mc->slots[i].pid : pid;

		mc->st.misses++;
		st = i < 0 ? META_FAILED : queue_lookup(mc, i, id, ns_hint, keep);
	}
	pthread_mutex_unlock(&mc->mu);
	return st;
}

bool meta_cache_next_started(struct meta_cache *mc, struct container_meta *out)
{
	return meta_cache_next_started_spec(mc, out, NULL, NULL);
}

bool meta_cache_next_started_spec(struct meta_cache *mc, struct container_meta *out,
				  struct runtime_mounts *mounts, struct exposures *exposures)
{
	bool got = false;

	/* asked for every container finding: no lock unless the resolver has queued a start */
	if (!__atomic_load_n(&mc->slen, __ATOMIC_ACQUIRE))
		return false;
	pthread_mutex_lock(&mc->mu);
	while (mc->slen && !got) {
		const char *id = mc->announce_q[mc->shead].id;
		bool found;
		int i = find_slot(mc, id, &found);

		if (mounts)
			*mounts = mc->announce_q[mc->shead].mounts;
		if (exposures)
			*exposures = mc->announce_q[mc->shead].exposures;
		mc->shead = (mc->shead + 1) % STARTED_LEN;
		__atomic_store_n(&mc->slen, mc->slen - 1, __ATOMIC_RELEASE);
		if (found && mc->slots[i].m.state == META_READY) { /* else evicted meanwhile */
			*out = mc->slots[i].m;
			got = true;
		}
	}
	pthread_mutex_unlock(&mc->mu);
	return got;
}

void meta_cache_get_stats(struct meta_cache *mc, struct meta_cache_stats *st)
{
	pthread_mutex_lock(&mc->mu);
	*st = mc->st;
	st->entries = 0;
	for (unsigned i = 0; i < mc->nslots; i++)
		st->entries += mc->slots[i].m.state != META_EMPTY;
	st->capacity = mc->nslots;
	pthread_mutex_unlock(&mc->mu);
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

void meta_cache_set_k8s(struct meta_cache *mc, struct k8s *k)
{
	mc->k8s = k;
}

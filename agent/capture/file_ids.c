// SPDX-License-Identifier: BSD-2-Clause
/* file_ids.c - see file_ids.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "file_ids.h"
#include "hostpath.h"
#include "log.h"

#define SLOTS 8192 /* power of two; the maps hold at most 4096 + 1024 ids: load below 2/3 */
#define LEARN_QUEUE 64

enum id_map { ID_FILE = 0, ID_DIR = 1 };
enum id_src { SRC_RULE = 1, SRC_SCAN = 2, SRC_LEARNT = 3 };

struct id_ent {
	uint64_t ino;
	uint32_t dev;
	uint8_t map; /* enum id_map */
	uint8_t src; /* enum id_src; 0: free slot */
	uint16_t pad;
	struct c2d_rule_val val;
};

struct table {
	struct id_ent e[SLOTS];
	size_t n[2]; /* by map */
	bool cred_dirs;
};

struct learn_req {
	char path[C2D_PATH_MAX];
	uint16_t rule_id;
};

struct file_ids {
	struct file_ids_opts o;
	char root[256];
	struct table *cur, *next; /* the maps' content now; the one being built */
	pthread_t thread;
	bool running;
	int evfd, ino_fd, mnt_fd;
	atomic_uint mount_gen;
	atomic_bool stop;
	pthread_mutex_t mu; /* learn queue and stats */
	struct learn_req queue[LEARN_QUEUE];
	unsigned nqueue;
	char *lpath[FILE_IDS_LEARN_MAX]; /* learnt files (host view paths) and their rules */
	uint16_t lrule[FILE_IDS_LEARN_MAX];
	unsigned nlearnt;
	struct file_ids_stats st;
	uint64_t scanned;  /* this scan */
	uint64_t map_full; /* this refresh */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t kdev_of(dev_t d)
{
	return hostpath_kdev(major(d), minor(d));
}

static size_t slot_of(const struct table *t, enum id_map map, uint32_t dev, uint64_t ino)
{
	uint64_t h = (ino * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)dev << 1) ^ map;
	size_t i = (size_t)(h ^ (h >> 29)) & (SLOTS - 1);

	while (t->e[i].src && !(t->e[i].ino == ino && t->e[i].dev == dev && t->e[i].map == map))
		i = (i + 1) & (SLOTS - 1);
	return i;
}

static int map_fd(const struct file_ids *fi, enum id_map map)
{
	return map == ID_FILE ? fi->o.file_fd : fi->o.dir_fd;
}

/* The identity gate (c2d_abi.h c2d_gate_id): an entry's bit, of either map (a directory, a
 * device's marker), is set before the entry is put in the map, so the programs never skip a
 * lookup that would have found it. */
static void gate_set(struct file_ids *fi, const struct c2d_file_id *key)
{
	uint32_t h = c2d_gate_id(key->ino, key->dev);

	if (fi->o.id_gate)
		__atomic_fetch_or(&fi->o.id_gate[c2d_gate_word(h)], c2d_gate_bit(h), __ATOMIC_SEQ_CST);
}

/* After a refresh has removed the stale ids from the map: the gate becomes exactly the bits of
 * the ids the map still holds (each word written at once; a bit of a kept id is never cleared,
 * not even for a moment). */
static void gate_rebuild(struct file_ids *fi, const struct table *t)
{
	uint64_t w[C2D_GATE_WORDS] = {0};

	if (!fi->o.id_gate)
		return;
	for (size_t i = 0; i < SLOTS; i++) {
		const struct id_ent *e = &t->e[i];
		uint32_t h;

		if (!e->src)
			continue;
		h = c2d_gate_id(e->ino, e->dev);
		w[c2d_gate_word(h)] |= c2d_gate_bit(h);
	}
	for (size_t i = 0; i < C2D_GATE_WORDS; i++)
		__atomic_store_n(&fi->o.id_gate[i], w[i], __ATOMIC_SEQ_CST);
}

/* Put one id into the table being built and, if the maps do not hold it already, into its map.
 * The first rule to name an id keeps it. */
static void put_id(struct file_ids *fi, enum id_map map, const struct stat *st,
		   const struct c2d_rule_val *v, enum id_src src)
{
	struct table *t = fi->next;
	struct c2d_file_id key = {.ino = st->st_ino, .dev = kdev_of(st->st_dev)};
	size_t i = slot_of(t, map, key.dev, key.ino), old;
	const struct id_ent *o;

	if (t->e[i].src)
		return;
	if (t->n[0] + t->n[1] >= SLOTS * 2 / 3) {
		fi->map_full++;
		return;
	}
	old = slot_of(fi->cur, map, key.dev, key.ino);
	o = &fi->cur->e[old];
	if (!o->src || memcmp(&o->val, v, sizeof(*v))) {
		gate_set(fi, &key);
		if (bpf_map_update_elem(map_fd(fi, map), &key, v, BPF_ANY) < 0) {
			fi->map_full++;
			return;
		}
	}
	t->e[i] = (struct id_ent){.ino = key.ino, .dev = key.dev, .map = (uint8_t)map,
				  .src = (uint8_t)src, .val = *v};
	if (key.ino) /* a device marker is not a directory */
		t->n[map]++;
	if (map == ID_DIR && v->kind == C2D_KIND_CREDENTIAL_READ)
		t->cred_dirs = true;
	if (map == ID_DIR && key.ino) {
		/* the device's marker: the kernel walks only files on a device that has one */
		struct stat dm = {.st_ino = 0, .st_dev = st->st_dev};
		const struct c2d_rule_val none = {.rule_id = 0xffff, .kind = C2D_KIND_NONE};

		put_id(fi, ID_DIR, &dm, &none, src);
	}
}

static int host_path(const struct file_ids *fi, const char *path, char *out, size_t cap)
{
	int n = snprintf(out, cap, "%s%s", fi->root, path);

	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

/* Regular files directly in a credential directory (symlinks followed: kubelet's `token` is
 * `..data/token`), at most FILE_IDS_DIR_FILES_MAX. */
static void put_dir_files(struct file_ids *fi, const char *dir, const struct c2d_rule_val *v)
{
	int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	unsigned n = 0;

	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && n < FILE_IDS_DIR_FILES_MAX) {
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (fstatat(dfd, de->d_name, &st, 0) == 0 && S_ISREG(st.st_mode)) {
			put_id(fi, ID_FILE, &st, v, SRC_RULE);
			n++;
		}
	}
	closedir(d);
}

/* Files below a storage directory with more than one link (hard links made before the agent
 * started: a write through the other name is a write here). Bounded in entries and depth;
 * symlinks are not followed. */
static void scan_links(struct file_ids *fi, int dfd, unsigned depth, const struct c2d_rule_val *v)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) != NULL && fi->scanned < FILE_IDS_SCAN_ENTRIES) {
		struct stat st;

		if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
			continue;
		if (++fi->scanned % 10000 == 0)
			log_debug("file ids: storage scan: %llu entries so far",
				  (unsigned long long)fi->scanned);
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode) && st.st_nlink > 1) {
			put_id(fi, ID_FILE, &st, v, SRC_SCAN);
		} else if (S_ISDIR(st.st_mode) && depth < FILE_IDS_SCAN_DEPTH) {
			int sub = openat(dirfd(d), de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

			if (sub >= 0)
				scan_links(fi, sub, depth + 1, v);
		}
	}
	if (fi->scanned >= FILE_IDS_SCAN_ENTRIES && depth == 0)
		log_warn("file ids: storage scan stopped after %u entries: hard links further down "
			 "are matched by name only", FILE_IDS_SCAN_ENTRIES);
	closedir(d);
}

/* Watch the directory an id may change in, or its nearest existing ancestor (for a rule
 * whose directory does not exist yet). At most two per rule (its directory and its parent):
 * bounded by the rule table; the kernel returns the same watch for a directory watched twice. */
static void watch(struct file_ids *fi, const char *hpath)
{
	const uint32_t mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO |
			      IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR;
	char p[C2D_PATH_MAX];
	size_t rootlen = strlen(fi->root);

	snprintf(p, sizeof(p), "%s", hpath);
	for (int i = 0; i < 32; i++) {
		char *slash;

		if (inotify_add_watch(fi->ino_fd, p, mask) >= 0 || errno == ENOSPC)
			return;
		slash = strrchr(p, '/');
		if (!slash || (size_t)(slash - p) <= rootlen)
			return;
		*slash = 0;
	}
}

/* One path rule's ids: its file (exact) or its directory (prefix), and what lies in it. */
static void resolve_rule(struct file_ids *fi, size_t idx, bool full)
{
	const struct c2d_rule *r = &fi->o.policy->rules[idx];
	struct c2d_rule_val v = {.rule_id = (uint16_t)idx, .kind = (uint8_t)r->kind};
	char hp[C2D_PATH_MAX], parent[C2D_PATH_MAX];
	struct stat st;
	char *slash;

	if (host_path(fi, r->pattern, hp, sizeof(hp)) < 0)
		return;
	snprintf(parent, sizeof(parent), "%s", hp);
	if (r->match == C2D_MATCH_PREFIX) {
		size_t n = strlen(parent);

		if (n > 1 && parent[n - 1] == '/')
			parent[n - 1] = 0; /* the directory itself */
		if (r->kind == C2D_KIND_CREDENTIAL_READ)
			watch(fi, parent); /* its files are swapped in place (..data) */
	}
	slash = strrchr(parent, '/');
	if (slash && slash > parent)
		*slash = 0;
	watch(fi, parent);
	if (stat(hp, &st) < 0)
		return; /* not there (yet): the watch above sees it appear */
	if (r->match == C2D_MATCH_EXACT && S_ISREG(st.st_mode)) {
		put_id(fi, ID_FILE, &st, &v, SRC_RULE);
	} else if (r->match == C2D_MATCH_PREFIX && S_ISDIR(st.st_mode)) {
		put_id(fi, ID_DIR, &st, &v, SRC_RULE);
		if (r->kind == C2D_KIND_CREDENTIAL_READ) {
			put_dir_files(fi, hp, &v);
		} else if (full) {
			int dfd = open(hp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

			if (dfd >= 0)
				scan_links(fi, dfd, 0, &v);
		}
	}
}

/* A light refresh keeps what the last full one found by scanning. */
static void carry_scanned(struct file_ids *fi)
{
	for (size_t i = 0; i < SLOTS; i++) {
		const struct id_ent *e = &fi->cur->e[i];
		struct stat st = {0};

		if (e->src != SRC_SCAN)
			continue;
		st.st_ino = e->ino;
		st.st_dev = makedev(hostpath_kdev_major(e->dev), hostpath_kdev_minor(e->dev));
		put_id(fi, (enum id_map)e->map, &st, &e->val, SRC_SCAN);
	}
}

/* Learnt files: kept while their path still names a regular file (the maps get its id as it
 * is now). Runs on the thread; the queue is taken under the lock. */
static void put_learnt(struct file_ids *fi)
{
	unsigned k = 0;

	pthread_mutex_lock(&fi->mu);
	for (unsigned i = 0; i < fi->nqueue && fi->nlearnt < FILE_IDS_LEARN_MAX; i++) {
		char *p = strdup(fi->queue[i].path);

		if (!p)
			break;
		fi->lpath[fi->nlearnt] = p;
		fi->lrule[fi->nlearnt++] = fi->queue[i].rule_id;
		fi->st.learnt++;
	}
	fi->nqueue = 0;
	pthread_mutex_unlock(&fi->mu);
	for (unsigned i = 0; i < fi->nlearnt; i++) {
		uint16_t id = fi->lrule[i];
		char hp[C2D_PATH_MAX];
		struct c2d_rule_val v;
		struct stat st;

		if (!strncmp(fi->lpath[i], "/proc/", 6)) /* a process's view: /proc/<pid>/root/… */
			snprintf(hp, sizeof(hp), "%s", fi->lpath[i]);
		else if (host_path(fi, fi->lpath[i], hp, sizeof(hp)) < 0)
			hp[0] = 0;
		if (id >= fi->o.policy->n || !hp[0] ||
		    stat(hp, &st) < 0 || !S_ISREG(st.st_mode)) {
			free(fi->lpath[i]); /* gone: forgotten */
			continue;
		}
		v = (struct c2d_rule_val){.rule_id = id, .kind = (uint8_t)fi->o.policy->rules[id].kind};
		put_id(fi, ID_FILE, &st, &v, SRC_LEARNT);
		fi->lpath[k] = fi->lpath[i];
		fi->lrule[k++] = id;
	}
	fi->nlearnt = k;
}

/* Ids in the maps that the refresh did not find again are removed. */
static void remove_stale(struct file_ids *fi)
{
	for (size_t i = 0; i < SLOTS; i++) {
		const struct id_ent *e = &fi->cur->e[i];
		struct c2d_file_id key = {.ino = e->ino, .dev = e->dev};

		if (!e->src || fi->next->e[slot_of(fi->next, (enum id_map)e->map, e->dev, e->ino)].src)
			continue;
		bpf_map_delete_elem(map_fd(fi, (enum id_map)e->map), &key);
	}
}

/* Which maps the programs should look at. Set after the maps are filled, so a program that
 * sees a bit finds the ids. */
static void set_flags(struct file_ids *fi, const struct table *t)
{
	uint32_t all = C2D_POL_FILE_IDS | C2D_POL_DIR_IDS | C2D_POL_DIR_IDS_CRED, on = 0;

	if (t->n[ID_FILE])
		on |= C2D_POL_FILE_IDS;
	if (t->n[ID_DIR])
		on |= C2D_POL_DIR_IDS;
	if (t->cred_dirs)
		on |= C2D_POL_DIR_IDS_CRED;
	__atomic_fetch_or(fi->o.policy_flags, on, __ATOMIC_SEQ_CST);
	__atomic_fetch_and(fi->o.policy_flags, ~(all & ~on), __ATOMIC_SEQ_CST);
}

/* Re-resolve every rule (full: also rescan storage and re-check learnt files), then drop what
 * was not found again. */
static void refresh(struct file_ids *fi, bool full)
{
	const struct c2d_policy *p = fi->o.policy;
	uint64_t t0 = mono_ms();
	struct table *done;

	memset(fi->next, 0, sizeof(*fi->next));
	fi->scanned = 0;
	fi->map_full = 0;
	for (size_t i = 0; i < p->n; i++) {
		const struct c2d_rule *r = &p->rules[i];

		if (r->enabled && (r->kind == C2D_KIND_CREDENTIAL_READ ||
				   r->kind == C2D_KIND_STORAGE_WRITE) &&
		    (r->match == C2D_MATCH_EXACT || r->match == C2D_MATCH_PREFIX))
			resolve_rule(fi, i, full);
	}
	if (!full)
		carry_scanned(fi);
	put_learnt(fi);
	remove_stale(fi);
	gate_rebuild(fi, fi->next);
	done = fi->cur;
	fi->cur = fi->next;
	fi->next = done;
	set_flags(fi, fi->cur);
	pthread_mutex_lock(&fi->mu);
	fi->st.files = fi->cur->n[ID_FILE];
	fi->st.dirs = fi->cur->n[ID_DIR];
	fi->st.refreshes++;
	fi->st.scanned += fi->scanned;
	fi->st.map_full += fi->map_full;
	pthread_mutex_unlock(&fi->mu);
	if (full && (fi->scanned || fi->map_full))
		log_debug("file ids: refreshed in %llu ms: %zu files, %zu directories, %llu storage "
			  "entries scanned, %llu did not fit",
			  (unsigned long long)(mono_ms() - t0), fi->cur->n[ID_FILE],
			  fi->cur->n[ID_DIR], (unsigned long long)fi->scanned,
			  (unsigned long long)fi->map_full);
}

/* Drain inotify; true if anything came. */
static bool drain(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	bool any = false;

	while (read(fd, buf, sizeof(buf)) > 0)
		any = true;
	return any;
}

static void *run(void *arg)
{
	struct file_ids *fi = arg;
	uint64_t next_full = mono_ms() + fi->o.refresh_ms;

	while (!atomic_load(&fi->stop)) {
		struct pollfd pf[3] = {{.fd = fi->evfd, .events = POLLIN},
				       {.fd = fi->ino_fd, .events = POLLIN},
				       {.fd = fi->mnt_fd, .events = POLLPRI}};
		uint64_t now = mono_ms();
		int timeout = next_full > now ? (int)(next_full - now) : 0;
		bool light = false, full = false;
		uint64_t one;

		if (poll(pf, 3, timeout) < 0 && errno != EINTR)
			break;
		if (pf[0].revents & POLLIN) {
			if (read(fi->evfd, &one, sizeof(one)) < 0) { /* a wakeup: stop or learn */
			}
			light = true;
		}
		if (pf[1].revents & POLLIN) {
			drain(fi->ino_fd);
			usleep(FILE_IDS_DEBOUNCE_MS * 1000); /* a rename burst settles */
			drain(fi->ino_fd);
			light = true;
		}
		if (pf[2].revents & (POLLPRI | POLLERR)) {
			/* the rules' files at once; the storage rescan within FILE_IDS_MOUNT_FULL_MS
			 * (a node starting containers changes its mounts many times a minute) */
			atomic_fetch_add(&fi->mount_gen, 1);
			light = true;
			if (next_full > mono_ms() + FILE_IDS_MOUNT_FULL_MS)
				next_full = mono_ms() + FILE_IDS_MOUNT_FULL_MS;
		}
		if (mono_ms() >= next_full)
			full = true;
		if (atomic_load(&fi->stop))
			break;
		if (full || light)
			refresh(fi, full);
		if (full)
			next_full = mono_ms() + fi->o.refresh_ms;
	}
	return NULL;
}

int file_ids_learn(struct file_ids *fi, const char *path, uint16_t rule_id)
{
	uint64_t one = 1;
	int rc = 0;

	if (!fi || !path || path[0] != '/' || strlen(path) >= C2D_PATH_MAX)
		return -EINVAL;
	pthread_mutex_lock(&fi->mu);
	if (fi->nqueue < LEARN_QUEUE) {
		snprintf(fi->queue[fi->nqueue].path, C2D_PATH_MAX, "%s", path);
		fi->queue[fi->nqueue++].rule_id = rule_id;
	} else {
		rc = -ENOSPC;
	}
	pthread_mutex_unlock(&fi->mu);
	if (!rc && write(fi->evfd, &one, sizeof(one)) < 0)
		rc = -errno;
	return rc;
}

const atomic_uint *file_ids_mount_gen(const struct file_ids *fi)
{
	return fi ? &fi->mount_gen : NULL;
}

void file_ids_get_stats(struct file_ids *fi, struct file_ids_stats *st)
{
	pthread_mutex_lock(&fi->mu);
	*st = fi->st;
	pthread_mutex_unlock(&fi->mu);
}

void file_ids_stop(struct file_ids *fi)
{
	uint64_t one = 1;

	if (!fi)
		return;
	if (fi->running) {
		atomic_store(&fi->stop, true);
		if (write(fi->evfd, &one, sizeof(one)) < 0)
			log_warn("file ids: cannot wake the thread: %s", strerror(errno));
		pthread_join(fi->thread, NULL);
	}
	for (unsigned i = 0; i < fi->nlearnt; i++)
		free(fi->lpath[i]);
	if (fi->evfd >= 0)
		close(fi->evfd);
	if (fi->ino_fd >= 0)
		close(fi->ino_fd);
	if (fi->mnt_fd >= 0)
		close(fi->mnt_fd);
	pthread_mutex_destroy(&fi->mu);
	free(fi->cur);
	free(fi->next);
	free(fi);
}

int file_ids_start(struct file_ids **out, const struct file_ids_opts *o)
{
	struct file_ids *fi = calloc(1, sizeof(*fi));
	int rc;

	*out = NULL;
	if (!fi)
		return -ENOMEM;
	fi->o = *o;
	fi->evfd = fi->ino_fd = fi->mnt_fd = -1;
	pthread_mutex_init(&fi->mu, NULL);
	if (!fi->o.refresh_ms)
		fi->o.refresh_ms = FILE_IDS_REFRESH_MS;
	snprintf(fi->root, sizeof(fi->root), "%s", o->host_root ? o->host_root : FILE_IDS_HOST_ROOT);
	if (fi->root[0] && access(fi->root, X_OK) < 0)
		fi->root[0] = 0; /* no /proc/1/root to go through: this namespace's view */
	fi->cur = calloc(1, sizeof(*fi->cur));
	fi->next = calloc(1, sizeof(*fi->next));
	fi->evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fi->ino_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	fi->mnt_fd = open(o->mountinfo ? o->mountinfo : FILE_IDS_MOUNTINFO, O_RDONLY | O_CLOEXEC);
	if (!fi->cur || !fi->next || fi->evfd < 0 || fi->ino_fd < 0) {
		rc = fi->cur && fi->next ? -errno : -ENOMEM;
		goto fail;
	}
	refresh(fi, true);
	log_info("file ids: %zu files and %zu directories of the path rules by identity (%s)",
		 fi->cur->n[ID_FILE], fi->cur->n[ID_DIR], fi->root[0] ? fi->root : "/");
	rc = -pthread_create(&fi->thread, NULL, run, fi);
	if (rc < 0)
		goto fail;
	fi->running = true;
	*out = fi;
	return 0;
fail:
	file_ids_stop(fi);
	return rc;
}

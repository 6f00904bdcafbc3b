// SPDX-License-Identifier: BSD-2-Clause
/* cgroup.c - see cgroup.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"

#define FILEID_KERNFS 0xfe /* include/linux/exportfs.h; confirmed at start from the mount */

struct cgroup_cache {
	struct cgroup_info *slots; /* by v2 id */
	bool *used;
	struct cgroup_info *pslots; /* by process, when the v2 id is the root */
	bool *pused;
	unsigned nslots; /* power of two */
	int root_fd;
	int handle_type;
	size_t root_len;
	char root[256];
	char proc_root[64];
};

static int find_cgroup2(char *out, size_t cap);

struct cgroup_cache *cgroup_cache_new(unsigned slots, const char *root, const char *proc_root)
{
	struct cgroup_cache *cc = calloc(1, sizeof(*cc));
	unsigned n = 1;

	if (!cc)
		return NULL;
	cc->root_fd = -1;
	while (n < slots)
		n <<= 1;
	cc->slots = calloc(n, sizeof(*cc->slots));
	cc->used = calloc(n, sizeof(*cc->used));
	cc->pslots = calloc(n, sizeof(*cc->pslots));
	cc->pused = calloc(n, sizeof(*cc->pused));
	if (!cc->slots || !cc->used || !cc->pslots || !cc->pused) {
		cgroup_cache_free(cc);
		return NULL;
	}
	cc->nslots = n;
	if (root)
		snprintf(cc->root, sizeof(cc->root), "%s", root);
	else if (find_cgroup2(cc->root, sizeof(cc->root)) < 0)
		snprintf(cc->root, sizeof(cc->root), "/sys/fs/cgroup");
	snprintf(cc->proc_root, sizeof(cc->proc_root), "%s", proc_root);
	cc->root_len = strlen(cc->root);
	cc->root_fd = open(cc->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cc->handle_type = FILEID_KERNFS;
	if (cc->root_fd >= 0) {
		struct {
			struct file_handle fh;
			unsigned char data[16];
		} h = {.fh.handle_bytes = 16};
		int mnt;

		if (name_to_handle_at(cc->root_fd, "", &h.fh, &mnt, AT_EMPTY_PATH) == 0)
			cc->handle_type = h.fh.handle_type;
	}
	return cc;
}

void cgroup_cache_free(struct cgroup_cache *cc)
{
	if (!cc)
		return;
	if (cc->root_fd >= 0)
		close(cc->root_fd);
	free(cc->slots);
	free(cc->used);
	free(cc->pslots);
	free(cc->pused);
	free(cc);
}

/* Copy a whole path or nothing: a cut path could name the wrong cgroup. */
static int copy_path(char *out, size_t cap, const char *src)
{
	size_t n = strlen(src);

	if (n >= cap)
		return -ENAMETOOLONG;
	memcpy(out, src, n + 1);
	return 0;
}

/* id → path relative to the cgroup2 root, through a file handle. */
static int path_by_handle(struct cgroup_cache *cc, uint64_t id, char *out, size_t cap)
{
	struct {
		struct file_handle fh;
		uint64_t id;
	} h = {.fh.handle_bytes = sizeof(uint64_t), .fh.handle_type = cc->handle_type, .id = id};
	char link[64], buf[C2D_CGROUP_PATH_MAX + 256];
	ssize_t n;
	int fd;

	if (cc->root_fd < 0)
		return -ENOENT;
	fd = open_by_handle_at(cc->root_fd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -ENOENT;
	buf[n] = 0;
	if (strncmp(buf, cc->root, cc->root_len) != 0)
		return -ENOENT;
	return copy_path(out, cap, buf[cc->root_len] ? buf + cc->root_len : "/");
}

/*
 * /proc/<pid>/cgroup: on a cgroup v1 or hybrid host the container shows in the controller
 * lines (`4:memory:/default/<id>`) while the v2 line says `0::/`; the first line naming a
 * container wins, else the v2 path.
 */
static int path_by_pid(struct cgroup_cache *cc, uint32_t pid, struct cgroup_info *ci)
{
	char p[96], line[C2D_CGROUP_PATH_MAX + 64];
	int rc = -ENOENT;
	FILE *f;

	snprintf(p, sizeof(p), "%s/%u/cgroup", cc->proc_root, pid);
	f = fopen(p, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *path = strchr(line, ':');

		path = path ? strchr(path + 1, ':') : NULL;
		if (!path)
			continue;
		path[strcspn(path, "\n")] = 0;
		path++;
		if (container_id_from_path(path, &ci->ref) == 0 &&
		    copy_path(ci->path, sizeof(ci->path), path) == 0) {
			ci->is_container = true;
			rc = 0;
			break;
		}
		if (strncmp(line, "0::", 3) == 0 && copy_path(ci->path, sizeof(ci->path), path) == 0)
			rc = 0;
	}
	fclose(f);
	return rc;
}

/* Where the cgroup2 hierarchy is mounted (/sys/fs/cgroup, or …/unified on hybrid hosts). */
static int find_cgroup2(char *out, size_t cap)
{
	char line[1024];
	int rc = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char mnt[512], fstype[64];
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2") != 0)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %511s", mnt) == 1 && strlen(mnt) < cap) {
			snprintf(out, cap, "%s", mnt);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static unsigned slot_of(const struct cgroup_cache *cc, uint64_t key)
{
	return (unsigned)((key * 0x9E3779B97F4A7C15ull) >> 32) & (cc->nslots - 1);
}

/* Per process: for the v2 root id, which every process of a v1/hybrid host shares. */
static const struct cgroup_info *resolve_pid(struct cgroup_cache *cc, uint64_t id, uint32_t pid,
					     uint64_t start_ns)
{
	unsigned slot = slot_of(cc, pid);
	struct cgroup_info *ci = &cc->pslots[slot];

	if (cc->pused[slot] && ci->id == pid && ci->start_ns == start_ns) {
		return ci;
	}
	memset(ci, 0, sizeof(*ci));
	cc->pused[slot] = false;
	if (!pid || path_by_pid(cc, pid, ci) < 0) {
		return NULL;
	}
	ci->id = pid;
	ci->start_ns = start_ns;
	cc->pused[slot] = true;
	return ci;
}

/* "/a/b/leaf" from names given leaf first; false if it does not fit. */
static bool path_from_names(char *out, size_t cap, const char *const *names, int n)
{
	size_t len = 0;

	out[0] = 0;
	for (int i = n - 1; i >= 0; i--) {
		int w = snprintf(out + len, cap - len, "/%s", names[i]);

		if (w < 0 || (size_t)w >= cap - len)
			return false;
		len += (size_t)w;
	}
	return len > 0;
}

/* Fill the slot of id: its path by the id while the cgroup exists, else from names (leaf
 * first; n may be 0), then whose it is. The v2 root is remembered as per-process, so the handle
 * is opened once. false, and the slot left empty, when neither gives a path. */
static bool fill_slot(struct cgroup_cache *cc, unsigned slot, uint64_t id,
		      const char *const *names, int n)
{
	struct cgroup_info *ci = &cc->slots[slot];

	memset(ci, 0, sizeof(*ci));
	cc->used[slot] = false;
	if (path_by_handle(cc, id, ci->path, sizeof(ci->path)) < 0 &&
	    !path_from_names(ci->path, sizeof(ci->path), names, n))
		return false;
	ci->id = id;
	cc->used[slot] = true;
	if (strcmp(ci->path, "/") == 0)
		ci->per_process = true;
	else /* a real v2 cgroup names its owner: cached by id, container or host */
		ci->is_container = container_id_from_path(ci->path, &ci->ref) == 0;
	return true;
}

const struct cgroup_info *cgroup_resolve(struct cgroup_cache *cc, uint64_t id, uint32_t pid,
					 uint64_t start_ns)
{
	unsigned slot = slot_of(cc, id);
	struct cgroup_info *ci = &cc->slots[slot];

	if (!(cc->used[slot] && ci->id == id) && !fill_slot(cc, slot, id, NULL, 0))
		return resolve_pid(cc, id, pid, start_ns); /* gone already, or no cgroup2 mount */
	return ci->per_process ? resolve_pid(cc, id, pid, start_ns) : ci;
}

void cgroup_note(struct cgroup_cache *cc, uint64_t id, const char *const *names, int n)
{
	unsigned slot = slot_of(cc, id);

	if (!(cc->used[slot] && cc->slots[slot].id == id))
		fill_slot(cc, slot, id, names, n);
}


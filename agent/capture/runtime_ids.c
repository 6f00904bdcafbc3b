// SPDX-License-Identifier: BSD-2-Clause
/* runtime_ids.c - see runtime_ids.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "runtime_ids.h"

/* Runtime daemons, shims, OCI runtimes and the kubelet: what sets containers up. */
static const char *const names[] = {"runc",   "crun",	 "youki",   "containerd", "conmon",
				    "conmonrs", "crio", "dockerd", "kubelet",	  "k3s"};
static const char shim_prefix[] = "containerd-shim"; /* -runc-v2, -kata-v2, … */

/* Where distributions, upstream tarballs and managed node images install them. */
static const char *const dirs[] = {
	"/usr/bin",	       "/usr/sbin",	    "/usr/local/bin",	   "/usr/local/sbin",
	"/bin",		       "/sbin",		    "/usr/libexec/crio",   "/usr/libexec/podman",
	"/opt/bin",	       "/home/kubernetes/bin", "/var/lib/rancher/k3s/data/current/bin",
	"/opt/containerd/bin",
};

/* snprintf that says when it cut: a cut path names another file, never looked at. */
static int __attribute__((format(printf, 3, 4))) fmt(char *buf, size_t cap, const char *f, ...)
{
	va_list ap;
	int n;

	va_start(ap, f);
	n = vsnprintf(buf, cap, f, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

bool runtime_ids_name_is_runtime(const char *base)
{
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(base, names[i]))
			return true;
	return !strncmp(base, shim_prefix, sizeof(shim_prefix) - 1);
}

uint32_t runtime_ids_kdev(dev_t dev)
{
	return (uint32_t)(major(dev) << 20 | (minor(dev) & 0xfffff));
}

bool runtime_ids_has(const struct runtime_ids *s, const struct c2d_file_id *id)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->v[i].id.ino == id->ino && s->v[i].id.dev == id->dev)
			return true;
	return false;
}

bool runtime_ids_equal(const struct runtime_ids *a, const struct runtime_ids *b)
{
	if (a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (!runtime_ids_has(b, &a->v[i].id))
			return false;
	return true;
}

/* stat() path (following links: an exec opens the target); add it if it is a regular file
 * not yet in s. */
static void add_file(struct runtime_ids *s, const char *path, const char *shown)
{
	struct c2d_file_id id = {0};
	struct stat st;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return;
	id.ino = (uint64_t)st.st_ino;
	id.dev = runtime_ids_kdev(st.st_dev);
	if (runtime_ids_has(s, &id))
		return;
	if (s->n == RUNTIME_IDS_MAX) {
		s->dropped++;
		return;
	}
	s->v[s->n].id = id;
	snprintf(s->v[s->n].path, sizeof(s->v[s->n].path), "%s", shown);
	s->n++;
}

/* Every runtime name in one host directory. */
static void scan_dir(struct runtime_ids *s, const char *host_root, const char *dir)
{
	char path[512], shown[256];
	struct dirent *de;
	DIR *d;

	if (fmt(path, sizeof(path), "%s%s", host_root, dir) < 0 || !(d = opendir(path)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (!runtime_ids_name_is_runtime(de->d_name))
			continue;
		if (fmt(path, sizeof(path), "%s%s/%s", host_root, dir, de->d_name) == 0 &&
		    fmt(shown, sizeof(shown), "%s/%s", dir, de->d_name) == 0)
			add_file(s, path, shown);
	}
	closedir(d);
}

/* The agent's own $PATH too, looked up on the host. */
static void scan_path_env(struct runtime_ids *s, const char *host_root)
{
	const char *env = getenv("PATH");
	char buf[1024], *save = NULL, *dir;

	if (!env)
		return;
	snprintf(buf, sizeof(buf), "%s", env);
	for (dir = strtok_r(buf, ":", &save); dir; dir = strtok_r(NULL, ":", &save))
		if (dir[0] == '/')
			scan_dir(s, host_root, dir);
}

static bool is_pid(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

static ino_t ns_ino(const char *proc_root, const char *pid);

static ino_t ns_ino(const char *proc_root, const char *pid)
{
	char path[128];
	struct stat st;

	if (fmt(path, sizeof(path), "%s/%s/ns/mnt", proc_root, pid) < 0 || stat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

/* A running process of the host's mount namespace whose binary has a runtime's name: its
 * file (through the exe link: the very inode it runs, even deleted by an upgrade). A process
 * of another mount namespace (a container) is never asked: its names are its own. */
static void scan_proc(struct runtime_ids *s, const char *proc_root)
{
	ino_t host_ns = runtime_ids_host_mntns(proc_root);
	char path[128], link[256];
	struct dirent *de;
	DIR *d = opendir(proc_root);

	if (!d || !host_ns) {
		if (d)
			closedir(d);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		const char *base;
		char *del;
		ssize_t n;

		if (!is_pid(de->d_name))
			continue;
		if (fmt(path, sizeof(path), "%s/%s/exe", proc_root, de->d_name) < 0)
			continue;
		n = readlink(path, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = 0;
		if ((del = strstr(link, " (deleted)")) != NULL)
			*del = 0;
		base = strrchr(link, '/');
		base = base ? base + 1 : link;
		if (!runtime_ids_name_is_runtime(base) || ns_ino(proc_root, de->d_name) != host_ns)
			continue;
		add_file(s, path, link);
	}
	closedir(d);
}

/* PID 1's mount namespace (the host's, for an agent with the host's PID namespace); the
 * agent's own where PID 1 is closed to it (a sandbox's init) — then the agent runs on it. */
uint32_t runtime_ids_host_mntns(const char *proc_root)
{
	ino_t ino = ns_ino(proc_root, "1");

	return (uint32_t)(ino ? ino : ns_ino(proc_root, "self"));
}

int runtime_ids_find(struct runtime_ids *out, const char *proc_root)
{
	char host_root[128];
	struct stat st;

	memset(out, 0, sizeof(*out));
	if (fmt(host_root, sizeof(host_root), "%s/1/root", proc_root) < 0)
		return 0;
	if (stat(host_root, &st) < 0) /* PID 1 closed to us: its root is ours (see above) */
		host_root[0] = 0;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		scan_dir(out, host_root, dirs[i]);
	scan_path_env(out, host_root);
	scan_proc(out, proc_root);
	return (int)out->n;
}

/* starttime (field 22 of /proc/<pid>/stat, after the comm's last ')'), in clock ticks. */
static int start_ticks(const char *proc_root, const char *pid, uint64_t *out)
{
	char path[128], buf[1024], *p;
	unsigned long long v;
	ssize_t n;
	int fd;

	if (fmt(path, sizeof(path), "%s/%s/stat", proc_root, pid) < 0)
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	p = strrchr(buf, ')');
	/* the i-th space from ')' is the one before field 3 + i: starttime is field 22 */
	for (int i = 0; p && i < 20; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return -EINVAL;
	*out = v;
	return 0;
}

int runtime_ids_running(const struct runtime_ids *s, const char *proc_root,
			int (*put)(void *arg, uint32_t tgid, uint64_t start_ns), void *arg)
{
	long hz = sysconf(_SC_CLK_TCK);
	ino_t host_ns = runtime_ids_host_mntns(proc_root);
	char path[128];
	struct dirent *de;
	DIR *d;
	int found = 0;

	if (!s->n || hz <= 0 || !(d = opendir(proc_root)))
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct c2d_file_id id = {0};
		struct stat st;
		uint64_t ticks = 0;

		if (!is_pid(de->d_name))
			continue;
		if (fmt(path, sizeof(path), "%s/%s/exe", proc_root, de->d_name) < 0 ||
		    stat(path, &st) < 0)
			continue;
		id.ino = (uint64_t)st.st_ino;
		id.dev = runtime_ids_kdev(st.st_dev);
		/* as the kernel marks: in the host's mount namespace only (a container running the
		 * host's runc through a hostPath of / is not the runtime) */
		if (!runtime_ids_has(s, &id) || ns_ino(proc_root, de->d_name) != host_ns ||
		    start_ticks(proc_root, de->d_name, &ticks) < 0)
			continue;
		if (put(arg, (uint32_t)strtoul(de->d_name, NULL, 10),
			ticks * (1000000000ull / (uint64_t)hz)) == 0)
			found++;
	}
	closedir(d);
	return found;
}

// SPDX-License-Identifier: BSD-2-Clause
/* hostpath.c - see hostpath.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hostpath.h"
#include "log.h"

#define KUBELET_PODS "/var/lib/kubelet/pods/"

/* mountinfo escapes space, tab, newline and backslash as \ooo (fs/proc_namespace.c). */
static char *unescape(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;

	if (!out)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			*o++ = (char)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
			i += 3;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return out;
}

/* Fields of one line: "<id> <parent> <maj>:<min> <root> <mount point> …". 0 or -EINVAL. */
static int parse_line(const char *line, size_t len, struct hostpath_mount *m)
{
	const char *f[5], *end = line + len;
	size_t flen[5];
	const char *p = line;
	unsigned maj, min;

	for (int i = 0; i < 5; i++) {
		while (p < end && *p == ' ')
			p++;
		f[i] = p;
		while (p < end && *p != ' ')
			p++;
		flen[i] = (size_t)(p - f[i]);
		if (!flen[i])
			return -EINVAL;
	}
	if (sscanf(f[2], "%u:%u", &maj, &min) != 2 || f[3][0] != '/' || f[4][0] != '/')
		return -EINVAL;
	m->dev = hostpath_kdev(maj, min);
	m->root = unescape(f[3], flen[3]);
	m->mpoint = unescape(f[4], flen[4]);
	if (!m->root || !m->mpoint) {
		free(m->root);
		free(m->mpoint);
		return -ENOMEM;
	}
	return 0;
}

void hostpath_table_free(struct hostpath_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->m[i].root);
		free(t->m[i].mpoint);
	}
	free(t->m);
	t->m = NULL;
	t->n = 0;
}

int hostpath_parse(struct hostpath_table *t, const char *text)
{
	size_t cap = 64;
	const char *p = text;

	hostpath_table_free(t);
	t->m = calloc(cap, sizeof(*t->m));
	if (!t->m)
		return -ENOMEM;
	while (*p && t->n < HOSTPATH_MAX_MOUNTS) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (t->n == cap) {
			struct hostpath_mount *m = realloc(t->m, 2 * cap * sizeof(*m));

			if (!m)
				return -ENOMEM;
			t->m = m;
			cap *= 2;
		}
		if (parse_line(p, len, &t->m[t->n]) == 0)
			t->n++;
		p += len + (nl ? 1 : 0);
	}
	return 0;
}

/* Is root a whole-component prefix of path? Returns the length to skip, or -1. */
static long root_prefix(const char *root, const char *path)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/"))
		return 0;
	if (strncmp(root, path, n) || (path[n] && path[n] != '/'))
		return -1;
	return (long)n;
}

/* Which mount shows (dev, fs_path): a mount of the whole filesystem (root `/`) with the
 * shortest mount point (the canonical place, not a later bind of it), else the mount of the
 * deepest root above the file. -1 if none. */
static long best_mount(const struct hostpath_table *t, uint32_t dev, const char *fs_path)
{
	long best = -1, best_skip = -1;

	for (size_t i = 0; i < t->n; i++) {
		const struct hostpath_mount *m = &t->m[i];
		long skip;

		if (m->dev != dev || (skip = root_prefix(m->root, fs_path)) < 0)
			continue;
		if (best < 0 ||
		    (skip == 0 && (best_skip != 0 ||
				   strlen(m->mpoint) < strlen(t->m[best].mpoint))) ||
		    (best_skip != 0 && skip > best_skip)) {
			best = (long)i;
			best_skip = skip;
		}
	}
	return best;
}

/* a then b into out, as snprintf("%s%s") would (cut to fit, terminated; every finding about a
 * file comes here: no printf). 0, or -ENAMETOOLONG when it did not fit. */
static int join2(char *out, size_t cap, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), n;

	if (!cap)
		return -ENAMETOOLONG;
	n = la < cap - 1 ? la : cap - 1;
	memcpy(out, a, n);
	lb = lb < cap - 1 - n ? lb : cap - 1 - n;
	memcpy(out + n, b, lb);
	out[n + lb] = 0;
	return la + strlen(b) >= cap ? -ENAMETOOLONG : 0;
}

int hostpath_resolve(const struct hostpath_table *t, uint32_t dev, const char *fs_path, char *out,
		     size_t cap)
{
	long i, skip;
	const char *rest, *mp;

	if (!fs_path || fs_path[0] != '/')
		return -ENOENT;
	i = best_mount(t, dev, fs_path);
	if (i < 0)
		return -ENOENT;
	skip = root_prefix(t->m[i].root, fs_path);
	rest = fs_path + skip; /* "" or "/…" */
	if (!strcmp(rest, "/"))
		rest = ""; /* the mount's root itself: its mount point, without a trailing '/' */
	mp = t->m[i].mpoint;
	if (!strcmp(mp, "/"))
		return join2(out, cap, "", rest[0] ? rest : "/");
	return join2(out, cap, mp, rest);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The whole file, bounded, NUL-terminated; NULL on error. */
static char *read_all(const char *path)
{
	size_t cap = 1 << 16, len = 0;
	char *buf = malloc(cap + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!buf || fd < 0)
		goto fail;
	for (;;) {
		ssize_t r;

		if (len == cap) {
			char *nb;

			if (cap >= HOSTPATH_MOUNTINFO_MAX)
				break; /* the rest is not read: bounded */
			nb = realloc(buf, 2 * cap + 1);
			if (!nb)
				goto fail;
			buf = nb;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	close(fd);
	buf[len] = 0;
	return buf;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return NULL;
}

static int reload(struct hostpath_cache *c)
{
	char *text = read_all(c->mountinfo);
	int rc;

	c->loaded_ns = mono_ns();
	if (c->gen)
		c->loaded_gen = atomic_load(c->gen);
	if (!text)
		return -errno;
	rc = hostpath_parse(&c->t, text);
	free(text);
	c->reloads++;
	return rc;
}

int hostpath_lookup(struct hostpath_cache *c, uint32_t dev, const char *fs_path, char *out,
		    size_t cap)
{
	int rc;

	if (!c->loaded_ns || (c->gen && atomic_load(c->gen) != c->loaded_gen))
		reload(c);
	rc = hostpath_resolve(&c->t, dev, fs_path, out, cap);
	if (rc == -ENOENT && mono_ns() - c->loaded_ns > 1000000000ull) { /* a mount we missed */
		reload(c);
		rc = hostpath_resolve(&c->t, dev, fs_path, out, cap);
	}
	if (rc < 0)
		c->misses++;
	return rc;
}

void hostpath_cache_free(struct hostpath_cache *c)
{
	hostpath_table_free(&c->t);
}

/* Copy the component at *p (up to '/' or the end) into out; advances *p past it. */
static int take_comp(const char **p, char *out, size_t cap)
{
	const char *s = *p, *e = strchrnul(s, '/');
	size_t n = (size_t)(e - s);

	if (!n || n >= cap)
		return -ENOENT;
	memcpy(out, s, n);
	out[n] = 0;
	*p = *e ? e + 1 : e;
	return 0;
}

int hostpath_volume(const char *host_path, struct hostpath_volume *v)
{
	const char *p = host_path;
	char word[16];
	int n;

	if (strncmp(p, KUBELET_PODS, sizeof(KUBELET_PODS) - 1))
		return -ENOENT;
	p += sizeof(KUBELET_PODS) - 1;
	if (take_comp(&p, v->pod_uid, sizeof(v->pod_uid)) < 0 ||
	    take_comp(&p, word, sizeof(word)) < 0 || strcmp(word, "volumes") ||
	    take_comp(&p, v->plugin, sizeof(v->plugin)) < 0 ||
	    take_comp(&p, v->name, sizeof(v->name)) < 0)
		return -ENOENT;
	n = snprintf(v->host_path, sizeof(v->host_path), KUBELET_PODS "%s/volumes/%s/%s",
		     v->pod_uid, v->plugin, v->name);
	return n < 0 || (size_t)n >= sizeof(v->host_path) ? -ENOENT : 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * corpus.c - the paths of the kernel-equivalence test: tests/bpf/corpus/paths.txt, families
 * generated around the matchers' limits, and the corpus made real files (build_tree).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_test.h"

struct cpath corpus[MAX_PATHS];
int ncorpus, nfile_paths, nfiles, nfile_skipped;
char files_root[PATH_MAX];

static void add_path(char *path, const char *expect)
{
	if (ncorpus < MAX_PATHS) {
		corpus[ncorpus].path = path;
		corpus[ncorpus++].expect = expect;
	} else {
		free(path);
	}
}

static void add_pathf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void add_pathf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) >= 0)
		add_path(p, NULL);
	va_end(ap);
}

/* "<path>" or "<path> <expected rule name | ->" per line; '#' comments. */
int read_corpus(const char *corpus_dir)
{
	char fn[PATH_MAX], line[8192];
	FILE *f;

	snprintf(fn, sizeof(fn), "%s/paths.txt", corpus_dir);
	f = fopen(fn, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = strtok(line, " \t\n"), *e = strtok(NULL, " \t\n");

		if (!p || p[0] == '#')
			continue;
		add_path(strdup(p), e ? strdup(e) : NULL);
	}
	fclose(f);
	nfile_paths = ncorpus;
	return 0;
}

static char *repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = 0;
	return s;
}

/* Families generated around the limits: component lengths at C2D_COMP_MAX, path lengths at
 * the 255-byte LPM key, depths past the four components the kernel keeps. */
void gen_corpus(void)
{
	char *c62 = repeat('c', 62), *c63 = repeat('c', 63), *c64 = repeat('c', 64);
	char *n255 = repeat('n', 255), *p249 = repeat('p', 249), *pad;
	char deep[PATH_MAX] = "";

	for (int i = 0; i < 2; i++) {
		const char *c[] = {c62, c63, c64};

		for (int j = 0; j < 3; j++) {
			add_pathf("/home/%s/.aws/credentials", c[j]);
			add_pathf("/home/u/%s/.aws/credentials", c[j]);
			add_pathf("/%s/key", c[j]);
			add_pathf("/x/%s/key", c[j]);
			add_pathf("/home/%s/.azure/token", c[j]);
			add_pathf("/home/u/.ssh/id_%s", c[j]);
			add_pathf("/home/u/.azure/%s", c[j]);
			add_pathf("/home/%s/.gnupg/%s", c[j], c[j]);
			add_pathf("/etc/kubernetes/pki/%s", c[j]);
			add_pathf("/srv/prod/%s", c[j]);
		}
		(void)i;
	}
	add_pathf("/%s", n255);
	add_pathf("/home/%s/.aws/credentials", n255);
	add_pathf("/srv/prod/%s", n255);
	add_pathf("/srv/prod/%s/%s/%s", n255, n255, n255);
	/* total lengths 250..260 around the 255-byte key, for an exact, a prefix, a suffix, a
	 * directory and a storage rule (the 254-byte prefix rule is in policy.json) */
	for (int len = 248; len <= 262; len++) {
		int room;

		room = len - (int)strlen("/etc/kubernetes/pki/");
		add_pathf("/etc/kubernetes/pki/%.*s", room, p249);
		room = len - (int)strlen("//.aws/credentials");
		add_pathf("/%.*s/.aws/credentials", room, p249);
		room = len - (int)strlen("//.azure/x");
		add_pathf("/%.*s/.azure/x", room, p249);
		room = len - (int)strlen("/srv/prod/");
		add_pathf("/srv/prod/%.*s", room, p249);
		room = len - (int)strlen("/opt/");
		add_pathf("/opt/%.*s", room, p249);
		room = len - (int)strlen("/opt//x");
		add_pathf("/opt/%.*s/x", room, p249);
		room = len - (int)strlen("/opt/app/");
		add_pathf("/opt/app/%.*s", room, p249);
	}
	/* an exact rule's own path made long by a prefix of slashes is not canonical; instead
	 * a path of exactly 254 and 255 bytes equal to the long prefix rule plus a leaf */
	pad = repeat('p', 254 - 6);
	add_pathf("/opt/%s", pad);
	add_pathf("/opt/%s/", pad); /* the rule itself (not a walk's spelling: trailing '/') */
	add_pathf("/opt/%s/k", pad);
	add_pathf("/opt/%sq/k", pad);
	free(pad);
	/* depth: 1 to 70 components, each time ending in a credential name */
	for (int d = 0; d < 70; d++) {
		size_t n = strlen(deep);

		snprintf(deep + n, sizeof(deep) - n, "/d%d", d);
		add_pathf("%s", deep);
		add_pathf("%s/.aws/credentials", deep);
		add_pathf("%s/.ssh/id_rsa", deep);
		if (d % 7 == 0) {
			add_pathf("%s/x1/x2/x3/f", deep);
			add_pathf("%s/k1/k2/k3/tok", deep);
		}
	}
	free(c62);
	free(c63);
	free(c64);
	free(n255);
	free(p249);
}


/* A path as a walk spells it: absolute, no "//", `.`, `..` or trailing '/', components of
 * at most NAME_MAX bytes, short enough for the walk's buffer. */
bool canonical(const char *p)
{
	size_t len = strlen(p), comp = 0;

	if (p[0] != '/' || len > C2D_PATH_MAX - 2 || (len > 1 && p[len - 1] == '/'))
		return false;
	if (strstr(p, "//") || strstr(p, "/./") || strstr(p, "/../"))
		return false;
	if ((len >= 2 && !strcmp(p + len - 2, "/.")) || (len >= 3 && !strcmp(p + len - 3, "/..")))
		return false;
	for (const char *c = p + 1; *c; c++) {
		comp = *c == '/' ? 0 : comp + 1;
		if (comp > 255)
			return false;
	}
	return true;
}

int depth(const char *p)
{
	int n = 0;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* mkdir -p of every directory before the last component of rel, under dirfd. */
int mkparents(int dirfd, const char *rel)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", rel);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdirat(dirfd, buf, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return 0;
}

/* Paths a real file can have, within the walk's depth (deeper ones are truncated by design,
 * test_walk_depth_truncated). */
static bool fileable(const char *p)
{
	return canonical(p) && strcmp(p, "/") && depth(p) <= C2D_MAX_DEPTH - 4;
}

/* The corpus as real files under files_root. Directories first: a path that is also
 * another's directory (/d0 and /d0/.aws/credentials) stays a directory, and is walked as one. */
void build_tree(const char *root)
{
	int rfd;

	snprintf(files_root, sizeof(files_root), "%s/files", root);
	mkdir(files_root, 0755);
	rfd = open(files_root, O_DIRECTORY | O_RDONLY);
	if (rfd < 0)
		return;
	for (int i = 0; i < ncorpus; i++)
		if (fileable(corpus[i].path))
			mkparents(rfd, corpus[i].path + 1);
	for (int i = 0; i < ncorpus; i++) {
		const char *p = corpus[i].path;
		struct stat st;
		int fd;

		if (!fileable(p)) {
			nfile_skipped++;
			continue;
		}
		fd = openat(rfd, p + 1, O_CREAT | O_WRONLY, 0600);
		if (fd < 0 && !(fstatat(rfd, p + 1, &st, 0) == 0 && S_ISDIR(st.st_mode))) {
			nfile_skipped++;
			continue;
		}
		if (fd >= 0)
			close(fd);
		corpus[i].file = true;
		nfiles++;
	}
	close(rfd);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * walk_join.c - the walk of real files against realpath() (nested, a symlinked directory,
 * `..`, a bind mount, past C2D_MAX_DEPTH and C2D_PATH_MAX) and c2d_path_join of relative
 * names (the joined string, C2D_F_UNRESOLVED, the components noted), in the kernel.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bpf_test.h"

int walk_path(const char *path, int root_fd)
{
	int fd = open(path, O_PATH), rc;

	if (fd < 0)
		return -errno;
	rc = run(skel->progs.c2d_test_walk_fd, (uint64_t)fd, (uint64_t)(int64_t)root_fd);
	close(fd);
	return rc;
}

void assert_walk_is_realpath(const char *name)
{
	char *rp = realpath(name, NULL);

	assert_non_null(rp);
	assert_int_equal(walk_path(name, -1), 0);
	assert_non_null(out_path());
	assert_string_equal(out_path(), rp);
	assert_true(out.flags & C2D_F_FROM_FD);
	assert_false(out.flags & C2D_F_PATH_TRUNCATED);
	free(rp);
}

/* The components the kernel noted (leaf first) are the last ones of path. */
void assert_comps(const char *path)
{
	char buf[C2D_PATH_MAX];
	const char *want[4];
	int n = 0;
	char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	while (n < 4 && (s = strrchr(buf, '/'))) {
		if (s[1])
			want[n++] = s + 1;
		*s = 0;
	}
	assert_int_equal(out.ncomp, n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(out.comp_len[i], strlen(want[i]));
		assert_memory_equal(out.pbuf + out.comp_off[i], want[i], out.comp_len[i]);
	}
}

/* ---- the walk ---------------------------------------------------------------------------- */

static void mkfile(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void mkfile(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int fd;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	assert_int_equal(mkparents(AT_FDCWD, p), 0);
	fd = open(p, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
}

void test_walk_realpath(void **state)
{
	char p[PATH_MAX], l[PATH_MAX];
	int dfd, fd;

	mkfile("%s/w/a/b/c/file", scratch_root);
	snprintf(l, sizeof(l), "%s/w/link", scratch_root);
	assert_int_equal(symlink("a/b", l), 0);
	snprintf(p, sizeof(p), "%s/w/a/b/c/file", scratch_root);
	assert_walk_is_realpath(p);
	snprintf(p, sizeof(p), "%s/w/link/c/file", scratch_root); /* a symlinked directory */
	assert_walk_is_realpath(p);
	snprintf(p, sizeof(p), "%s/w/a/b/../b/c/./file", scratch_root); /* `..` and `.` */
	assert_walk_is_realpath(p);
	snprintf(p, sizeof(p), "%s/w/a/b/c", scratch_root); /* a directory */
	assert_walk_is_realpath(p);
	assert_walk_is_realpath("/");
	assert_walk_is_realpath("/dev/null");		/* devtmpfs: a mount crossing */
	assert_walk_is_realpath("/proc/self/status"); /* /proc/<pid>/status */

	/* a file opened relative to a dirfd */
	snprintf(p, sizeof(p), "%s/w/a", scratch_root);
	dfd = open(p, O_DIRECTORY | O_RDONLY);
	fd = openat(dfd, "b/c/file", O_RDONLY);
	assert_true(dfd >= 0 && fd >= 0);
	assert_int_equal(run(skel->progs.c2d_test_walk_fd, (uint64_t)fd, (uint64_t)-1), 0);
	snprintf(p, sizeof(p), "%s/w/a/b/c/file", scratch_root);
	assert_string_equal(out_path(), p);
	assert_comps(p);
	close(fd);
	close(dfd);
}

/* Deeper than C2D_MAX_DEPTH: flagged, and what comes out is the path's tail. */
void test_walk_depth_truncated(void **state)
{
	char p[PATH_MAX];
	int levels[] = {40, C2D_MAX_DEPTH + 6};

	for (size_t t = 0; t < ARRAY_SIZE(levels); t++) {
		char *rp;
		int n;

		n = snprintf(p, sizeof(p), "%s/deep%zu", scratch_root, t);
		for (int i = 0; i < levels[t]; i++)
			n += snprintf(p + n, sizeof(p) - (size_t)n, "/d");
		snprintf(p + n, sizeof(p) - (size_t)n, "/.aws/credentials");
		mkfile("%s", p);
		rp = realpath(p, NULL);
		assert_non_null(rp);
		assert_int_equal(walk_path(p, -1), 0);
		if (levels[t] < C2D_MAX_DEPTH - 8) {
			assert_false(out.flags & C2D_F_PATH_TRUNCATED);
			assert_string_equal(out_path(), rp);
		} else {
			size_t lo = strlen(out_path()), lr = strlen(rp);

			assert_true(out.flags & C2D_F_PATH_TRUNCATED);
			assert_int_equal(out.pre_n, -1); /* the prewalk leaves it to the walk */
			assert_true(lo < lr);
			assert_string_equal(out_path(), rp + lr - lo); /* the tail, from a '/' */
			assert_int_equal(depth(out_path()), C2D_MAX_DEPTH);
		}
		/* the tail still names the credential: the suffix rule matches */
		assert_int_equal(k_cred(), policy_find(&pol, "aws-credentials", 0));
		free(rp);
	}
}

/*
 * The prewalk hashes a name as the gates do, and the walk copies it, whether it lives inside
 * its dentry (under 40 bytes on 6.14+: loads) or apart (helper reads), at every length where
 * the last 8 bytes straddle words: with the leaf's bit set in the leaf gate it must go to the
 * walk, and without it take the gates' decision; the walked path is the real one.
 */
void test_prewalk_names(void **state)
{
	static const int lens[] = {1, 5, 7, 8, 9, 12, 15, 16, 17, 23, 31, 32, 33, 38, 39, 40, 41, 63, 64, 200, 255};
	struct c2d_gates *kg = (struct c2d_gates *)&skel->bss->c2d_gates;
	char name[256], p[2 * PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		int len = lens[i];
		uint64_t head = 0, tail = 0, saved;
		uint32_t h, w;
		char *rp;

		for (int j = 0; j < len; j++)
			name[j] = (char)('a' + (j * 7 + len) % 26);
		name[len] = 0;
		mkfile("%s/pw/%s", scratch_root, name);
		snprintf(p, sizeof(p), "%s/pw/%s", scratch_root, name);
		rp = realpath(p, NULL);
		assert_non_null(rp);
		memcpy(&head, name, len < 8 ? (size_t)len : 8);
		if (len < 8)
			tail = head;
		else
			memcpy(&tail, name + len - 8, 8);
		h = c2d_gate_hash(head, tail, (uint32_t)len, 0);
		w = c2d_gate_word(h);
		saved = kg->leaf[w];
		kg->leaf[w] |= c2d_gate_bit(h);
		assert_int_equal(walk_path(p, -1), 0);
		assert_string_equal(out_path(), rp); /* the walk copies the name the same way */
		assert_int_equal(out.pre_n, depth(rp));
		if (!out.pre_admit)
			print_message("prewalk: a %d-byte leaf with its bit set was not admitted\n", len);
		assert_int_equal(out.pre_admit, 1);
		kg->leaf[w] = saved;
		assert_int_equal(walk_path(p, -1), 0);
		assert_int_equal(out.pre_admit, (int)policy_gates_admit(kg, rp, CRED | STOR));
		free(rp);
	}
}

/*
 * Short names one inside the other, each copied by whole words that run past its end over
 * what the walk wrote before (path.bpf.c path__prepend): every length under 40, longest
 * first, shortest first, and alternating, must walk to the real path.
 */
void test_walk_short_names_nested(void **state)
{
	char p[2 * PATH_MAX], name[41];
	static const int orders[3][2] = {{39, -1}, {1, 1}, {0, 0}};

	for (int o = 0; o < 3; o++) {
		int n = snprintf(p, sizeof(p), "%s/nest%d", scratch_root, o);

		for (int i = 0; i < 39; i++) {
			int len = orders[o][1] ? orders[o][0] + orders[o][1] * i
					       : (i % 2 ? 39 - i / 2 : 1 + i / 2);

			for (int j = 0; j < len; j++)
				name[j] = (char)('a' + (i + j) % 26);
			name[len] = 0;
			n += snprintf(p + n, sizeof(p) - (size_t)n, "/%s", name);
		}
		mkfile("%s", p);
		assert_walk_is_realpath(p);
	}
}

/* Longer than C2D_PATH_MAX (no realpath(): built with *at calls): flagged, tail kept. */
void test_walk_length_truncated(void **state)
{
	char name[251], *want;
	size_t wl = 0, lo;
	int dfd, fd;

	memset(name, 'L', 250);
	name[250] = 0;
	want = malloc(8 * PATH_MAX);
	wl = (size_t)snprintf(want, 8 * PATH_MAX, "%s/long", scratch_root);
	assert_int_equal(mkdir(want, 0755), 0);
	dfd = open(want, O_DIRECTORY | O_RDONLY);
	for (int i = 0; i < 18; i++) { /* 18 * 251 bytes: past 4096 */
		int nfd;

		assert_int_equal(mkdirat(dfd, name, 0755), 0);
		nfd = openat(dfd, name, O_DIRECTORY | O_RDONLY);
		close(dfd);
		dfd = nfd;
		wl += (size_t)snprintf(want + wl, 8 * PATH_MAX - wl, "/%s", name);
	}
	fd = openat(dfd, "id_rsa", O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	snprintf(want + wl, 8 * PATH_MAX - wl, "/id_rsa");
	assert_int_equal(run(skel->progs.c2d_test_walk_fd, (uint64_t)fd, (uint64_t)-1), 0);
	assert_true(out.flags & C2D_F_PATH_TRUNCATED);
	assert_int_equal(out.pre_n, -1);
	lo = strlen(out_path());
	assert_true(lo < C2D_PATH_MAX && lo > C2D_PATH_MAX - 256);
	assert_string_equal(out_path(), want + strlen(want) - lo);
	assert_comps(out_path());
	close(fd);
	close(dfd);
	free(want);
}

/* A bind mount in a private mount namespace: the walk gives the name through the mount. */
void test_walk_bind_mount(void **state)
{
	char src[PATH_MAX], dst[PATH_MAX], p[2 * PATH_MAX];

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		skip(); /* no mount namespaces here */
	mkfile("%s/bsrc/x/.aws/credentials", scratch_root);
	snprintf(src, sizeof(src), "%s/bsrc", scratch_root);
	snprintf(dst, sizeof(dst), "%s/bdst", scratch_root);
	assert_int_equal(mkdir(dst, 0755), 0);
	assert_int_equal(mount(src, dst, NULL, MS_BIND, NULL), 0);
	snprintf(p, sizeof(p), "%s/x/.aws/credentials", dst);
	assert_walk_is_realpath(p);
	assert_int_equal(depth(out_path()), depth(p));
	assert_int_equal(out.pre_n, depth(p)); /* the prewalk crosses the mount as the walk does */
	assert_int_equal(out.pre_admit, 1);	/* .aws/credentials: the leaf gate */
	assert_int_equal(k_cred(), policy_find(&pol, "aws-credentials", 0));
	/* the bind mount's root itself */
	assert_walk_is_realpath(dst);
	assert_int_equal(umount2(dst, MNT_DETACH), 0);
}

/* ---- the join ---------------------------------------------------------------------------- */

static void join(int dirfd, const char *name)
{
	assert_int_equal(run(skel->progs.c2d_test_join, (uint64_t)(int64_t)dirfd, (uintptr_t)name), 0);
	assert_non_null(out_path());
}

void test_join_relative(void **state)
{
	char dir[PATH_MAX], want[2 * PATH_MAX];
	int cwd = open(".", O_DIRECTORY | O_RDONLY), dfd, root;

	mkfile("%s/j/a/b/file", scratch_root);
	snprintf(dir, sizeof(dir), "%s/j/a", scratch_root);
	dfd = open(dir, O_DIRECTORY | O_RDONLY);
	assert_true(dfd >= 0 && cwd >= 0);
	snprintf(want, sizeof(want), "%s/b/file", dir);
	join(dfd, "b/file");
	assert_string_equal(out_path(), want);
	assert_false(out.flags & C2D_F_UNRESOLVED);
	assert_comps(want);
	assert_int_equal(chdir(dir), 0); /* AT_FDCWD: the cwd */
	join(AT_FDCWD, "b/file");
	assert_string_equal(out_path(), want);
	assert_comps(want);
	assert_int_equal(fchdir(cwd), 0);
	snprintf(want, sizeof(want), "%s/.ssh/id_ed25519", dir); /* a tail of two components */
	join(dfd, ".ssh/id_ed25519");
	assert_string_equal(out_path(), want);
	assert_comps(want);
	assert_int_equal(k_cred(), policy_find(&pol, "ssh-private-key", 0));
	/* the directory "/": no "//" */
	root = open("/", O_DIRECTORY | O_RDONLY);
	join(root, "etc/shadow");
	assert_string_equal(out_path(), "/etc/shadow");
	assert_comps("/etc/shadow");
	assert_int_equal(k_cred(), policy_find(&pol, "etc-shadow", 0));
	join(root, "srv/prod/db/x");
	assert_int_equal(k_stor(), policy_find(&pol, "production-storage", 0));
	/* an absolute name ignores dirfd */
	join(dfd, "/etc/shadow");
	assert_string_equal(out_path(), "/etc/shadow");
	close(root);
	close(dfd);
	close(cwd);
}

void test_join_unresolved(void **state)
{
	static const char *const flagged[] = {".", "..", "./x", "../x", "a/./b", "a/../b",
					      "a//b", "a/.", "a/..", ".hidden/x"};
	static const char *const plain[] = {"x", "a/b", "a.b/c.", "a/b..c", "x/y/z/w/v"};
	char dir[PATH_MAX], want[2 * PATH_MAX];
	int dfd;

	snprintf(dir, sizeof(dir), "%s/j", scratch_root);
	mkdir(dir, 0755);
	dfd = open(dir, O_DIRECTORY | O_RDONLY);
	assert_true(dfd >= 0);
	for (size_t i = 0; i < ARRAY_SIZE(flagged); i++) {
		join(dfd, flagged[i]);
		snprintf(want, sizeof(want), "%s/%s", dir, flagged[i]); /* as given */
		assert_string_equal(out_path(), want);
		if (!(out.flags & C2D_F_UNRESOLVED))
			fail_msg("join of \"%s\" not flagged unresolved", flagged[i]);
	}
	/* `..` is left to user space: whatever the kernel matched on the raw name (here the
	 * storage prefix, though the name leads to /tmp/x), the join is flagged */
	join(dfd, "/srv/prod/../../tmp/x");
	assert_true(out.flags & C2D_F_UNRESOLVED);
	for (size_t i = 0; i < ARRAY_SIZE(plain); i++) {
		join(dfd, plain[i]);
		snprintf(want, sizeof(want), "%s/%s", dir, plain[i]);
		assert_string_equal(out_path(), want);
		if (out.flags & C2D_F_UNRESOLVED)
			fail_msg("join of \"%s\" flagged unresolved", plain[i]);
		assert_comps(want);
	}
	close(dfd);
}

/* Chrooted to files_root: every corpus file joined from its parent (leaf) and its
 * grandparent (two components), matched like its full path. */
void test_join_relative_chroot(void **state)
{
	int oldroot = open("/", O_DIRECTORY | O_RDONLY), cwd = open(".", O_DIRECTORY | O_RDONLY);
	int div = 0, n = 0;

	assert_true(oldroot >= 0 && cwd >= 0);
	assert_int_equal(chroot(files_root), 0);
	for (int i = 0; i < ncorpus; i++) {
		char dir[PATH_MAX], *p = corpus[i].path;

		if (!corpus[i].file || depth(p) < 2)
			continue;
		for (int up = 1; up <= 2 && up < depth(p); up++) {
			char *cut;
			int dfd;

			snprintf(dir, sizeof(dir), "%s", p);
			cut = dir + strlen(dir);
			for (int k = 0; k < up; k++)
				cut = memrchr(dir, '/', (size_t)(cut - dir));
			*cut = 0;
			dfd = open(dir, O_DIRECTORY | O_RDONLY);
			if (dfd < 0)
				continue;
			join(dfd, cut + 1 - dir + p);
			close(dfd);
			n++;
			if (strcmp(out_path(), p)) {
				print_message("join of %s + %s gave %s\n", dir, cut + 1 - dir + p,
					      out_path());
				div++;
				continue;
			}
			div += check_same("join, relative", p);
		}
	}
	assert_int_equal(fchdir(oldroot), 0);
	assert_int_equal(chroot("."), 0);
	assert_int_equal(fchdir(cwd), 0);
	close(oldroot);
	close(cwd);
	print_message("join (relative, chrooted): %d joins, %d divergences\n", n, div);
	assert_true(n > 200);
	assert_int_equal(div, 0);
}


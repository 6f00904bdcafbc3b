// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_bpf.c - the agent's path walk, user-path join and policy matchers, run in the kernel
 * (tests/bpf/match_test.bpf.c under BPF_PROG_TEST_RUN) and held to user space's reference.
 *
 * The policy maps are filled by the agent's own code (policy_defaults, policy_load_file,
 * policy_add_storage_path, loader_fill_policy_maps) from tests/bpf/corpus/. Then:
 *  - equivalence: every corpus path, laid out as the walk leaves it, gets the same verdict and
 *    rule from c2d_match_credential/c2d_match_storage as from policy_match_path(); the same
 *    again through c2d_path_join (absolute names), and through the real walk of real files
 *    created under a scratch root;
 *  - the walk of real files (nested, through a symlinked directory, `..`, a bind mount in a
 *    private mount namespace, deeper than C2D_MAX_DEPTH, longer than C2D_PATH_MAX) equals
 *    realpath(), or is flagged truncated;
 *  - c2d_path_join of relative names with a dirfd gives the joined string, and flags
 *    C2D_F_UNRESOLVED where user space must normalise.
 * Usage: test_bpf <corpus directory> (as root; `make bpf-test`).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "c2d_test.skel.h"
#include "loader.h"
#include "match_test.h"
#include "policy.h"
#include "unit.h"

#define CRED (1u << C2D_KIND_CREDENTIAL_READ)
#define STOR (1u << C2D_KIND_STORAGE_WRITE)
#define MAX_PATHS 4096
#define MAX_SHOWN 20 /* divergences printed in full */

static const char *corpus_dir = "tests/bpf/corpus";
static struct c2d_test_bpf *skel;
static struct c2d_policy pol; /* ~400 KiB: not on the stack */
static struct c2d_test_out out;
static char scratch_root[] = "/tmp/c2d-bpftest.XXXXXX";
static char files_root[PATH_MAX]; /* the corpus as real files: scratch_root/files */
static int nfiles, nfile_skipped;

struct cpath {
	char *path;
	const char *expect; /* rule name, "-" for none, NULL: not stated */
	bool file;	    /* created under files_root by build_tree() */
};
static struct cpath corpus[MAX_PATHS];
static int ncorpus, nfile_paths;

/* ---- running the test programs ---------------------------------------------------------- */

static int run(struct bpf_program *prog, uint64_t a0, uint64_t a1)
{
	uint64_t args[2] = {a0, a1};
	uint32_t key = 0;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);

	if (err)
		return err;
	if (opts.retval)
		return (int)opts.retval;
	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.test_out), &key, &out);
}

/* The path the program left, or NULL. */
static const char *out_path(void)
{
	if (out.ret < 0 || out.ret >= (int)sizeof(out.pbuf) || out.end >= sizeof(out.pbuf))
		return NULL;
	return out.pbuf + out.ret;
}

static int k_cred(void)
{
	return out.cred_hit ? out.cred_rule.rule_id : -1;
}

static int k_stor(void)
{
	return out.stor_hit ? out.stor_rule.rule_id : -1;
}

static const char *rname(int i)
{
	return i < 0 ? "-" : pol.rules[i].name;
}

/* Compare the kernel's verdicts in `out` for `path` with the reference; print a divergence. */
static int check_same(const char *how, const char *path)
{
	int uc = policy_match_path(&pol, path, CRED), us = policy_match_path(&pol, path, STOR);
	int kc = k_cred(), ks = k_stor();
	static int shown;

	if (out.cred_hit && pol.rules[kc].kind != (enum c2d_kind)out.cred_rule.kind)
		kc = -2;
	if (out.stor_hit && pol.rules[ks].kind != (enum c2d_kind)out.stor_rule.kind)
		ks = -2;
	if (kc == uc && ks == us)
		return 0;
	if (shown++ < MAX_SHOWN)
		print_message("DIVERGENCE (%s) %.*s%s (%zu bytes): kernel cred=%s stor=%s, "
			      "user space cred=%s stor=%s\n",
			      how, 160, path, strlen(path) > 160 ? "…" : "", strlen(path),
			      kc == -2 ? "(wrong kind)" : rname(kc), ks == -2 ? "(wrong kind)" : rname(ks),
			      rname(uc), rname(us));
	return 1;
}

/* ---- the policy and the corpus ------------------------------------------------------------ */

static int fill_policy(void)
{
	const struct loader_policy_maps m = {
		.prefix_trie = bpf_map__fd(skel->maps.prefix_trie),
		.suffix_trie = bpf_map__fd(skel->maps.suffix_trie),
		.dir_trie = bpf_map__fd(skel->maps.dir_trie),
		.storage_trie = bpf_map__fd(skel->maps.storage_trie),
		.meta_addrs = bpf_map__fd(skel->maps.meta_addrs),
		.sys_rules = bpf_map__fd(skel->maps.sys_rules),
	};
	char err[512], fn[PATH_MAX], line[PATH_MAX];
	uint32_t flags;
	FILE *f;

	policy_defaults(&pol);
	snprintf(fn, sizeof(fn), "%s/policy.json", corpus_dir);
	if (policy_load_file(&pol, fn, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	snprintf(fn, sizeof(fn), "%s/storage-paths.txt", corpus_dir);
	f = fopen(fn, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		if (policy_add_storage_path(&pol, line, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", line, err);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	if (loader_fill_policy_maps(&m, &pol, &flags, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return -1;
	}
	skel->bss->c2d_policy_flags = flags;
	return 0;
}

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
static int read_corpus(void)
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
static void gen_corpus(void)
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

static void build_tree(void);

/* ---- setup ------------------------------------------------------------------------------- */

static int setup(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_bpf: needs root (BPF_PROG_TEST_RUN, mounts)\n");
		return -1;
	}
	skel = c2d_test_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "test_bpf: cannot load the test object: %s\n", strerror(errno));
		return -1;
	}
	if (fill_policy() < 0 || read_corpus() < 0) {
		fprintf(stderr, "test_bpf: cannot read the corpus in %s\n", corpus_dir);
		return -1;
	}
	gen_corpus();
	if (!mkdtemp(scratch_root))
		return -1;
	build_tree();
	print_message("corpus: %d paths (%d from paths.txt), %zu rules\n", ncorpus, nfile_paths,
		      pol.n);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_root);
	if (system(cmd) != 0)
		fprintf(stderr, "test_bpf: cannot remove %s\n", scratch_root);
	for (int i = 0; i < ncorpus; i++) {
		free(corpus[i].path);
		if (corpus[i].expect)
			free((char *)corpus[i].expect);
	}
	c2d_test_bpf__destroy(skel);
	return 0;
}

/* ---- helpers ----------------------------------------------------------------------------- */

/* A path as a walk spells it: absolute, no "//", `.`, `..` or trailing '/', components of
 * at most NAME_MAX bytes, short enough for the walk's buffer. */
static bool canonical(const char *p)
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

static int depth(const char *p)
{
	int n = 0;

	for (; *p; p++)
		n += *p == '/';
	return n;
}

/* mkdir -p of every directory before the last component of rel, under dirfd. */
static int mkparents(int dirfd, const char *rel)
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

/* The corpus as real files under files_root: a path that is also another's directory stays a
 * directory; a path below another's file cannot exist and is skipped. */
static void build_tree(void)
{
	int rfd;

	snprintf(files_root, sizeof(files_root), "%s/files", scratch_root);
	mkdir(files_root, 0755);
	rfd = open(files_root, O_DIRECTORY | O_RDONLY);
	for (int i = 0; i < ncorpus && rfd >= 0; i++) {
		const char *p = corpus[i].path;
		struct stat st;
		int fd;

		/* the walk's room: the root's own components are not walked */
		if (!canonical(p) || !strcmp(p, "/") || depth(p) > C2D_MAX_DEPTH - 4) {
			nfile_skipped++;
			continue;
		}
		if (mkparents(rfd, p + 1) < 0) {
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
	if (rfd >= 0)
		close(rfd);
}

/* Run c2d_test_walk_fd on the file at path (opened O_PATH); root_fd -1: the task's root. */
static int walk_path(const char *path, int root_fd)
{
	int fd = open(path, O_PATH), rc;

	if (fd < 0)
		return -errno;
	rc = run(skel->progs.c2d_test_walk_fd, (uint64_t)fd, (uint64_t)(int64_t)root_fd);
	close(fd);
	return rc;
}

static void assert_walk_is_realpath(const char *name)
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
static void assert_comps(const char *path)
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

/* ---- equivalence ------------------------------------------------------------------------- */

/* The corpus says what it expects (credential rule first, then storage): both matchers agree. */
static void test_corpus_expectations(void **state)
{
	int bad = 0, n = 0;

	for (int i = 0; i < ncorpus; i++) {
		const char *p = corpus[i].path, *want = corpus[i].expect;
		int u = policy_match_path(&pol, p, CRED), k;

		if (!want)
			continue;
		n++;
		if (u < 0)
			u = policy_match_path(&pol, p, STOR);
		assert_int_equal(run(skel->progs.c2d_test_match, (uintptr_t)p, strlen(p)), 0);
		k = k_cred() >= 0 ? k_cred() : k_stor();
		if (strcmp(rname(u), want) || strcmp(rname(k), want)) {
			print_message("EXPECTATION %s: want %s, user space %s, kernel %s\n", p, want,
				      rname(u), rname(k));
			bad++;
		}
	}
	print_message("expectations: %d stated, %d wrong\n", n, bad);
	assert_true(n > 100);
	assert_int_equal(bad, 0);
}

static void test_equivalence_layout(void **state)
{
	int div = 0, n = 0;

	for (int i = 0; i < ncorpus; i++) {
		const char *p = corpus[i].path;
		size_t len = strlen(p);

		if (!canonical(p))
			continue;
		n++;
		assert_int_equal(run(skel->progs.c2d_test_match, (uintptr_t)p, len), 0);
		assert_int_equal(out.ret, C2D_PATH_MAX - 1 - (int)len);
		assert_string_equal(out_path(), p);
		assert_comps(p);
		div += check_same("walk layout", p);
	}
	print_message("walk layout: %d paths, %d divergences\n", n, div);
	assert_int_equal(div, 0);
}

static void test_equivalence_join_absolute(void **state)
{
	int div = 0, n = 0, nlong = 0, nlong_miss = 0;

	for (int i = 0; i < ncorpus; i++) {
		const char *p = corpus[i].path;

		if (!canonical(p))
			continue;
		n++;
		assert_int_equal(run(skel->progs.c2d_test_join, (uint64_t)(int64_t)AT_FDCWD,
				     (uintptr_t)p),
				 0);
		assert_int_equal(out.ret, C2D_PATH_MAX);
		assert_string_equal(out_path(), p);
		assert_int_equal(!!(out.flags & C2D_F_UNRESOLVED),
				 strlen(p) > 255 || strstr(p, "/.") != NULL);
		if (strlen(p) > 255) {
			/* Not scanned past 255 bytes: flagged, and user space decides when the
			 * kernel has no hit; a kernel hit is trusted, so it must be right. */
			int uc = policy_match_path(&pol, p, CRED);
			int us = policy_match_path(&pol, p, STOR);

			nlong++;
			if ((out.cred_hit && k_cred() != uc) || (out.stor_hit && k_stor() != us))
				div += check_same("join, absolute, long", p);
			else
				nlong_miss += k_cred() != uc || k_stor() != us;
			continue;
		}
		assert_comps(p);
		div += check_same("join, absolute", p);
	}
	print_message("join (absolute names): %d paths, %d divergences; %d names over 255 bytes, "
		      "%d left to user space\n",
		      n, div, nlong, nlong_miss);
	assert_int_equal(div, 0);
}

/* The corpus as real files, walked from their dentries up to files_root (as if chrooted). */
static void test_equivalence_walk_files(void **state)
{
	int rfd = open(files_root, O_DIRECTORY | O_RDONLY), div = 0;
	char full[2 * PATH_MAX];

	assert_true(rfd >= 0);
	for (int i = 0; i < ncorpus; i++) {
		const char *p = corpus[i].path;

		if (!corpus[i].file)
			continue;
		snprintf(full, sizeof(full), "%s%s", files_root, p);
		assert_int_equal(walk_path(full, rfd), 0);
		assert_non_null(out_path());
		if (strcmp(out_path(), p)) {
			print_message("walk of %s gave %s\n", full, out_path());
			fail();
		}
		assert_false(out.flags & C2D_F_PATH_TRUNCATED);
		assert_comps(p);
		div += check_same("real walk", p);
	}
	close(rfd);
	print_message("real walk: %d files (%d corpus paths cannot be files), %d divergences\n",
		      nfiles, nfile_skipped, div);
	assert_true(nfiles > 200);
	assert_int_equal(div, 0);
}

/*
 * Two directory rules on one directory: the kernel's trie keeps one value per key, so the
 * later rule silently replaced the earlier (`.../.ssh/known_host*` turned `.../.ssh/id_*` off
 * in the kernel, 14 corpus paths diverged). Such a policy is now refused before any map is
 * written.
 */
static void test_dir_rule_collision_refused(void **state)
{
	struct c2d_policy *p = malloc(sizeof(*p));
	const struct loader_policy_maps m = {-1, -1, -1, -1, -1, -1}; /* never written */
	char err[256];
	uint32_t flags;

	assert_non_null(p);
	memcpy(p, &pol, sizeof(*p));
	assert_int_equal(policy_check_dir_rules(p, err, sizeof(err)), 0);
	assert_int_equal(policy_add_path_rule(p, "ssh-known-hosts", C2D_KIND_CREDENTIAL_READ,
					      "*/.ssh/known_host*", "low", err, sizeof(err)),
			 0);
	assert_int_equal(loader_fill_policy_maps(&m, p, &flags, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ssh-private-key"));
	assert_non_null(strstr(err, "ssh-known-hosts"));
	/* the same pattern twice is one key and one value: the later rule, on both sides */
	p->n--;
	assert_int_equal(policy_add_path_rule(p, "ssh-private-key-2", C2D_KIND_CREDENTIAL_READ,
					      "*/.ssh/id_*", "low", err, sizeof(err)),
			 0);
	assert_int_equal(policy_check_dir_rules(p, err, sizeof(err)), 0);
	/* disabled, the other rule may take the directory */
	p->n--;
	p->rules[policy_find(p, "ssh-private-key", 0)].enabled = false;
	assert_int_equal(policy_add_path_rule(p, "ssh-known-hosts", C2D_KIND_CREDENTIAL_READ,
					      "*/.ssh/known_host*", "low", err, sizeof(err)),
			 0);
	assert_int_equal(policy_check_dir_rules(p, err, sizeof(err)), 0);
	free(p);
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

static void test_walk_realpath(void **state)
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
static void test_walk_depth_truncated(void **state)
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
			assert_true(lo < lr);
			assert_string_equal(out_path(), rp + lr - lo); /* the tail, from a '/' */
			assert_int_equal(depth(out_path()), C2D_MAX_DEPTH);
		}
		/* the tail still names the credential: the suffix rule matches */
		assert_int_equal(k_cred(), policy_find(&pol, "aws-credentials", 0));
		free(rp);
	}
}

/* Longer than C2D_PATH_MAX (no realpath(): built with *at calls): flagged, tail kept. */
static void test_walk_length_truncated(void **state)
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
	lo = strlen(out_path());
	assert_true(lo < C2D_PATH_MAX && lo > C2D_PATH_MAX - 256);
	assert_string_equal(out_path(), want + strlen(want) - lo);
	assert_comps(out_path());
	close(fd);
	close(dfd);
	free(want);
}

/* A bind mount in a private mount namespace: the walk gives the name through the mount. */
static void test_walk_bind_mount(void **state)
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

static void test_join_relative(void **state)
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

static void test_join_unresolved(void **state)
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
static void test_join_relative_chroot(void **state)
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_expectations),
		cmocka_unit_test(test_equivalence_layout),
		cmocka_unit_test(test_equivalence_join_absolute),
		cmocka_unit_test(test_equivalence_walk_files),
		cmocka_unit_test(test_dir_rule_collision_refused),
		cmocka_unit_test(test_walk_realpath),
		cmocka_unit_test(test_walk_depth_truncated),
		cmocka_unit_test(test_walk_length_truncated),
		cmocka_unit_test(test_walk_bind_mount),
		cmocka_unit_test(test_join_relative),
		cmocka_unit_test(test_join_unresolved),
		cmocka_unit_test(test_join_relative_chroot),
	};

	if (argc > 1)
		corpus_dir = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}

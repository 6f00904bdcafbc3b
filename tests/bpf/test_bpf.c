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
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "c2d_abi.h" /* before the skeleton: its .bss holds struct c2d_gates */
#include "c2d_test.skel.h"
#include "c2d_test_pr.skel.h"
#include "skel_open.h"
#include "loader.h"
#include "match_test.h"
#include "policy.h"
#include "bpf_test.h"

#define MAX_SHOWN 20 /* divergences printed in full */

static const char *corpus_dir = "tests/bpf/corpus";
struct c2d_test_bpf *skel;
struct c2d_policy pol; /* ~400 KiB: not on the stack */
struct c2d_test_out out;
char scratch_root[] = "/tmp/c2d-bpftest.XXXXXX";

/* ---- running the test programs ---------------------------------------------------------- */

int run(struct bpf_program *prog, uint64_t a0, uint64_t a1)
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
const char *out_path(void)
{
	if (out.ret < 0 || out.ret >= (int)sizeof(out.pbuf) || out.end >= sizeof(out.pbuf))
		return NULL;
	return out.pbuf + out.ret;
}

int k_cred(void)
{
	return out.cred_hit ? out.cred_rule.rule_id : -1;
}

int k_stor(void)
{
	return out.stor_hit ? out.stor_rule.rule_id : -1;
}

const char *rname(int i)
{
	return i < 0 ? "-" : pol.rules[i].name;
}

/* Compare the kernel's verdicts in `out` for `path` with the reference; print a divergence. */
int check_same(const char *how, const char *path)
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
	policy_gates(&pol, (struct c2d_gates *)&skel->bss->c2d_gates);
	skel->bss->c2d_policy_flags = flags | C2D_POL_GATES; /* as loader_fill_policy() */
	return 0;
}

/* ---- setup ------------------------------------------------------------------------------- */

static int setup(void **state)
{
	if (geteuid() != 0) {
		fprintf(stderr, "test_bpf: needs root (BPF_PROG_TEST_RUN, mounts)\n");
		return -1;
	}
	/* C2D_BPF_READS=probe: the object whose walk reads by helper calls (make bpf-test runs both) */
	if (getenv("C2D_BPF_READS") && strcmp(getenv("C2D_BPF_READS"), "probe") == 0) {
		size_t sz = 0;
		const void *bytes = c2d_test_bpf_pr__elf_bytes(&sz);

		skel = SKEL_OPEN_BYTES(c2d_test_bpf, bytes, sz);
		if (skel && c2d_test_bpf__load(skel)) {
			c2d_test_bpf__destroy(skel);
			skel = NULL;
		}
		fprintf(stderr, "test_bpf: the helper-read object (C2D_PROBE_READS)\n");
	} else {
		skel = c2d_test_bpf__open_and_load();
	}
	if (!skel) {
		fprintf(stderr, "test_bpf: cannot load the test object: %s\n", strerror(errno));
		return -1;
	}
	if (fill_policy() < 0 || read_corpus(corpus_dir) < 0) {
		fprintf(stderr, "test_bpf: cannot read the corpus in %s\n", corpus_dir);
		return -1;
	}
	gen_corpus();
	if (!mkdtemp(scratch_root))
		return -1;
	build_tree(scratch_root);
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

/*
 * The corpus as real files, walked from their dentries up to files_root (as if chrooted). The
 * prewalk (open__may_match's decision before any path is built) runs first on each: it must
 * see as many components as the walk and take exactly the gates' decision on them, and it
 * must keep from the walk most files no rule matches, never one a rule matches.
 */
static void test_equivalence_walk_files(void **state)
{
	const struct c2d_gates *kg = (const struct c2d_gates *)&skel->bss->c2d_gates;
	int rfd = open(files_root, O_DIRECTORY | O_RDONLY), div = 0, nomatch = 0, kept = 0;
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
		assert_int_equal(out.pre_n, depth(p));
		if (out.pre_admit != (int)policy_gates_admit(kg, p, CRED | STOR)) {
			print_message("prewalk of %s: admit %d, the gates say otherwise\n", p,
				      out.pre_admit);
			fail();
		}
		if (out.cred_hit || out.stor_hit) {
			assert_int_equal(out.pre_admit, 1);
		} else {
			nomatch++;
			kept += !out.pre_admit;
		}
	}
	close(rfd);
	print_message("real walk: %d files (%d corpus paths cannot be files), %d divergences; "
		      "the prewalk kept %d of the %d no rule matches from the walk\n",
		      nfiles, nfile_skipped, div, kept, nomatch);
	assert_true(nfiles > 200);
	assert_int_equal(div, 0);
	assert_true(kept * 2 > nomatch);
}

/*
 * The gates (c2d_gates): no path a rule matches is kept from its trie (the equivalence tests
 * above run with them on), most paths no rule matches are, and the kernel reads the bits user
 * space computed (the same hash on both sides): with every bit clear it finds nothing.
 */
static void test_gates(void **state)
{
	struct c2d_gates *kg = (struct c2d_gates *)&skel->bss->c2d_gates, saved;
	int n = 0, nomatch = 0, closed = 0;

	for (int i = 0; i < ncorpus; i++) {
		const char *p = corpus[i].path;
		int uc = policy_match_path(&pol, p, CRED), us = policy_match_path(&pol, p, STOR);

		if (!canonical(p) || !strcmp(p, "/"))
			continue;
		n++;
		if (uc >= 0)
			assert_true(policy_gates_admit(kg, p, CRED));
		if (us >= 0)
			assert_true(policy_gates_admit(kg, p, STOR));
		if (uc < 0 && us < 0) {
			nomatch++;
			closed += !policy_gates_admit(kg, p, CRED | STOR);
		}
	}
	print_message("gates: %d paths, %d match no rule, %d of them kept from every trie\n", n,
		      nomatch, closed);
	assert_true(nomatch > 100);
	assert_true(closed * 2 > nomatch);

	assert_int_equal(run(skel->progs.c2d_test_match, (uintptr_t) "/etc/shadow", 11), 0);
	assert_true(out.cred_hit);
	memcpy(&saved, kg, sizeof(saved));
	memset(kg, 0, sizeof(*kg));
	assert_int_equal(run(skel->progs.c2d_test_match, (uintptr_t) "/etc/shadow", 11), 0);
	assert_false(out.cred_hit);
	memcpy(kg, &saved, sizeof(saved));
	assert_int_equal(run(skel->progs.c2d_test_match, (uintptr_t) "/etc/shadow", 11), 0);
	assert_true(out.cred_hit);
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

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_expectations),
		cmocka_unit_test(test_equivalence_layout),
		cmocka_unit_test(test_equivalence_join_absolute),
		cmocka_unit_test(test_equivalence_walk_files),
		cmocka_unit_test(test_gates),
		cmocka_unit_test(test_dir_rule_collision_refused),
		cmocka_unit_test(test_walk_realpath),
		cmocka_unit_test(test_walk_depth_truncated),
		cmocka_unit_test(test_walk_length_truncated),
		cmocka_unit_test(test_walk_bind_mount),
		cmocka_unit_test(test_prewalk_names),
		cmocka_unit_test(test_walk_short_names_nested),
		cmocka_unit_test(test_join_relative),
		cmocka_unit_test(test_join_unresolved),
		cmocka_unit_test(test_join_relative_chroot),
	};

	if (argc > 1)
		corpus_dir = argv[1];
	return cmocka_run_group_tests(tests, setup, teardown);
}

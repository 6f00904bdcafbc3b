/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * bpf_test.h - what the kernel-side test's files share (test_bpf.c: setup, programs, the
 * equivalence tests; corpus.c: the paths; walk_join.c: the walk and join tests).
 */
#ifndef C2D_BPF_TEST_H
#define C2D_BPF_TEST_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "c2d_abi.h" /* before the skeleton: its .bss holds struct c2d_gates */
#include "c2d_test.skel.h"
#include "match_test.h"
#include "policy.h"
#include "unit.h"

#define CRED (1u << C2D_KIND_CREDENTIAL_READ)
#define STOR (1u << C2D_KIND_STORAGE_WRITE)
#define MAX_PATHS 4096

/* test_bpf.c */
extern struct c2d_test_bpf *skel;
extern struct c2d_policy pol;
extern struct c2d_test_out out; /* what the last program run left */
extern char scratch_root[];	/* a fresh directory under /tmp, removed at the end */

/* Run a test program with ctx = {a0, a1}; 0 and `out` filled, or an error. */
int run(struct bpf_program *prog, uint64_t a0, uint64_t a1);
const char *out_path(void); /* the path the program left, or NULL */
int k_cred(void);	    /* rule index the kernel's credential matcher found, or -1 */
int k_stor(void);
const char *rname(int i);
/* 0 if the kernel's verdicts in `out` equal policy_match_path()'s for path; else print, 1. */
int check_same(const char *how, const char *path);

/* corpus.c */
struct cpath {
	char *path;
	const char *expect; /* rule name, "-" for none, NULL: not stated */
	bool file;	    /* created under files_root by build_tree() */
};
extern struct cpath corpus[MAX_PATHS];
extern int ncorpus, nfile_paths, nfiles, nfile_skipped;
extern char files_root[PATH_MAX]; /* the corpus as real files: scratch_root/files */

int read_corpus(const char *dir);
void gen_corpus(void);
void build_tree(const char *root);
bool canonical(const char *path); /* spelled as a walk spells a path */
int depth(const char *path);	   /* its number of '/' */
int mkparents(int dirfd, const char *rel);

/* walk_join.c */
int walk_path(const char *path, int root_fd);
void assert_walk_is_realpath(const char *name);
void assert_comps(const char *path);
void test_walk_realpath(void **state);
void test_walk_depth_truncated(void **state);
void test_walk_length_truncated(void **state);
void test_walk_bind_mount(void **state);
void test_prewalk_names(void **state);
void test_walk_short_names_nested(void **state);
void test_join_relative(void **state);
void test_join_unresolved(void **state);
void test_join_relative_chroot(void **state);

#endif

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * match_test.bpf.c - raw_tp wrappers around the agent's own path walk, user-path join and
 * policy matchers, run from tests/bpf/test_bpf.c with BPF_PROG_TEST_RUN (Tetragon bpf/tests/).
 *
 * Linked (bpftool gen object) with bpf/maps.bpf.c, path.bpf.c, policy.bpf.c and budget.bpf.c,
 * exactly as the agent's object is: the functions under test are the agent's, called through
 * their declared prototypes (lib/path.bpf.h, lib/policy.bpf.h). Nothing here is attached; a
 * test run executes a program once, in the calling test process (current task = the test), with
 * ctx = the u64 arguments the test passes. Each program leaves what it saw in test_out.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/policy.bpf.h"
#include "match_test.h"

/* One result, read back by the test after each run (test runs are serialised by the test). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct c2d_test_out);
} test_out SEC(".maps");

static __always_inline struct c2d_test_out *test__out(void)
{
	__u32 k = 0;

	return bpf_map_lookup_elem(&test_out, &k);
}

/* Copy what a walk or a join left in scratch, then (off >= 0) run both matchers on it, as
 * file.bpf.c does: credential first, storage second. */
static __always_inline void test__record(struct c2d_scratch *s, struct c2d_test_out *o, int off)
{
	o->ret = off;
	o->end = s->end;
	o->ncomp = s->ncomp;
	for (int i = 0; i < 4; i++) {
		o->comp_off[i] = s->comp_off[i];
		o->comp_len[i] = s->comp_len[i];
	}
	bpf_probe_read_kernel(o->pbuf, sizeof(o->pbuf), s->pbuf);
	o->cred_hit = 0;
	o->stor_hit = 0;
	if (off >= 0) {
		__builtin_memset(&s->rule, 0, sizeof(s->rule));
		o->cred_hit = c2d_match_credential(s, off);
		if (o->cred_hit)
			o->cred_rule = s->rule;
		__builtin_memset(&s->rule, 0, sizeof(s->rule));
		o->stor_hit = c2d_match_storage(s, off);
		if (o->stor_hit)
			o->stor_rule = s->rule;
	}
	o->flags = s->flags; /* last: the matchers may add flags too */
}

struct layout_ctx {
	__u32 start;   /* pbuf offset of the path's first byte (its leading '/') */
	__u32 len;     /* path bytes, NUL excluded */
	__u32 compend; /* pbuf offset just past the component being scanned */
};

/* One byte of the synthetic layout, right to left: a '/' closes a component. */
static long layout__byte(__u32 i, void *data)
{
	struct layout_ctx *lc = data;
	struct c2d_scratch *s = scratch__get();
	__u32 p = lc->start + lc->len - 1 - i;
	__u32 n, clen;

	if (!s)
		return 1;
	if (s->pbuf[p & C2D_PATH_MASK] != '/')
		return 0;
	clen = lc->compend - (p + 1);
	lc->compend = p;
	if (!clen)
		return 0; /* the root "/": the walk notes no component for it */
	/* as c2d_path_walk(): the last two seen are the path's first two */
	s->top_off[1] = s->top_off[0];
	s->top_len[1] = s->top_len[0];
	s->top_off[0] = p + 1;
	s->top_len[0] = clen;
	s->ntop++;
	n = s->ncomp;
	if (n >= 4)
		return 0; /* go on: the first components are still to come */
	/* as path__note_comp(): offset of the byte after the slash, leaf first */
	s->comp_off[n & 3] = p + 1;
	s->comp_len[n & 3] = clen;
	s->ncomp = n + 1;
	return 0;
}

/*
 * ctx[0]: user pointer to a canonical absolute path (no "//", ".", "..", trailing '/'),
 * ctx[1]: its length (1..C2D_PATH_MAX - 2).
 * Lays it out in scratch the way c2d_path_walk() leaves a walked path (right-aligned in
 * pbuf[0, C2D_PATH_MAX), NUL at C2D_PATH_MAX - 1, the last four components noted leaf
 * first), then runs the matchers. Paths that no file can have (a component > 255 bytes) are
 * refused: the walk's component length is masked to NAME_MAX.
 */
SEC("raw_tp")
int c2d_test_match(__u64 *ctx)
{
	struct c2d_test_out *o = test__out();
	struct c2d_scratch *s = scratch__get();
	struct layout_ctx lc;
	__u64 upath = ctx[0];
	__u32 len = ctx[1];
	__u32 off, n;

	if (!o || !s)
		return -1;
	if (len == 0 || len > C2D_PATH_MAX - 2)
		return -2;
	off = C2D_PATH_MAX - 1 - len;
	n = len;
	s->flags = 0;
	s->ncomp = 0;
	s->ntop = 0;
	s->end = C2D_PATH_MAX - 1;
	/* verifier: clang folds the masks after the range check unless told it cannot */
	c2d_barrier_var(off);
	c2d_barrier_var(n);
	off &= C2D_PATH_MASK;
	n &= C2D_PATH_MASK;
	if (bpf_probe_read_user(&s->pbuf[off], n, (const void *)upath) < 0)
		return -3;
	s->pbuf[C2D_PATH_MAX - 1] = 0;
	lc.start = off;
	lc.len = len;
	lc.compend = C2D_PATH_MAX - 1;
	bpf_loop(len, layout__byte, &lc, 0);
	path__gate_walked(s, off); /* a whole canonical path, as a walk leaves it */
	test__record(s, o, off);
	return 0;
}

/*
 * ctx[0]: an fd of the test process; ctx[1]: an fd of a directory to stop at (as a chroot
 * would), or -1 for the task's own root. Walks the file's path as the open programs do
 * (path__fd_file, path__from_file or c2d_path_walk), then runs the matchers.
 */
SEC("raw_tp")
int c2d_test_walk_fd(__u64 *ctx)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct c2d_test_out *o = test__out();
	struct c2d_scratch *s = scratch__get();
	long fd = (long)ctx[0], rootfd = (long)ctx[1];
	struct file *f, *rf;
	int off;

	if (!o || !s)
		return -1;
	s->flags = 0;
	s->fh.file = 0; /* as sysev__reset(): the head read belongs to one program run */
	f = path__fd_file(task, fd);
	if (!f)
		return -2;
	/* the prefilter first, as open__may_match() runs it, to the same root */
	if (rootfd < 0) {
		o->pre_admit = c2d_open_prefilter(s, 0, (__u64)f);
	} else {
		rf = path__fd_file(task, rootfd);
		if (!rf)
			return -2;
		o->pre_admit = c2d_open_prefilter_at(s, (__u64)f,
						     (__u64)BPF_CORE_READ(rf, f_path.dentry),
						     (__u64)BPF_CORE_READ(rf, f_path.mnt));
	}
	o->pre_n = s->pre_got;
	s->fh.file = 0;
	if (rootfd < 0) {
		off = path__from_file(s, NULL, f); /* NULL: the current task */
	} else {
		off = c2d_path_walk(s, (__u64)BPF_CORE_READ(f, f_path.dentry),
				    (__u64)BPF_CORE_READ(f, f_path.mnt),
				    (__u64)BPF_CORE_READ(rf, f_path.dentry),
				    (__u64)BPF_CORE_READ(rf, f_path.mnt));
	}
	path__gate_walked(s, off); /* as file__walk() */
	test__record(s, o, off);
	return 0;
}

/* ctx[0]: dirfd (or AT_FDCWD), ctx[1]: user pointer to a name. c2d_path_join, then match. */
SEC("raw_tp")
int c2d_test_join(__u64 *ctx)
{
	struct c2d_test_out *o = test__out();
	struct c2d_scratch *s = scratch__get();
	int off;

	if (!o || !s)
		return -1;
	s->flags = 0;
	s->ncomp = 0;
	off = c2d_path_join(s, (long)ctx[0], ctx[1]);
	test__record(s, o, off);
	return 0;
}

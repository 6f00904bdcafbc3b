// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * uring.bpf.c - io_uring: operations that open, rename, unlink, link or truncate files, and
 * the creation of a ring.
 *
 * An io_uring operation passes no syscall tracepoint: it runs inline in io_uring_enter, in an
 * io-wq worker (IOSQE_ASYNC, or a blocking open) or in the SQPOLL thread, which never enters a
 * syscall at all. Two io_uring tracepoints see every request, with tp_btf giving the request
 * itself (struct io_kiocb, whose command area holds the per-op struct io_open, io_rename…):
 *
 *  - io_uring_submit_req: after prep, before the op runs. Name-based ops (UNLINKAT, RENAMEAT,
 *    LINKAT, SYMLINKAT) are judged here: prep copied the names into kernel memory (struct
 *    filename), race-free, and the op frees them when it runs, so completion is too late to
 *    read them. A finding waits in uring_pending for its result.
 *  - io_uring_complete: the CQE is posted with the result. Opens are judged here from the
 *    file the kernel opened (the fd's struct file, or the fixed-file slot), like a successful
 *    open(), with their name (judged at submit) standing in when the fd no longer holds that
 *    file or the open was denied; FTRUNCATE from the request's file; pending name findings go
 *    out with `ret`.
 *
 * Every mode runs in a thread of the submitting process (inline: the submitter; io-wq workers
 * and the SQPOLL thread are created as its threads: same tgid, files, fs and cgroup), but the
 * thread may be `iou-wrk-N`/`iou-sqp-N`: the header names the submitter (req->tctx->task),
 * its process's comm, and the process itself (no thread id) when the submitter is the SQ
 * thread.
 *
 * Cheapest first: opcode → self-exclusion → policy switch → path → rules → emit.
 *
 * Limits (README): a request with IOSQE_CQE_SKIP_SUCCESS posts no CQE on success, so it has no
 * completion: it is judged at submit (opens by the kernel's copy of the name, FTRUNCATE by the
 * fd) and reported with ret 0. A CQE that goes to the overflow list (CQ ring full) passes no
 * io_uring_complete either: io_uring_cqe_overflow sees it, with the ring and user_data, from
 * which uring_reqs finds the request. An open through a symlink (or `..`) whose fd is swapped
 * before completion is missed: its name did not match, and its file is gone from the fd.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"
#include "lib/open.bpf.h"

/* uapi opcodes: fixed numbers */
#define C2D_IORING_OP_OPENAT 18
#define C2D_IORING_OP_OPENAT2 28
#define C2D_IORING_OP_RENAMEAT 35
#define C2D_IORING_OP_UNLINKAT 36
#define C2D_IORING_OP_SYMLINKAT 38
#define C2D_IORING_OP_LINKAT 39
#define C2D_IORING_OP_FTRUNCATE 55

#define C2D_REQ_F_FIXED_FILE (1ull << 0)
#define C2D_REQ_F_CQE_SKIP (1ull << 6) /* IOSQE_CQE_SKIP_SUCCESS: no CQE on success */
#define C2D_FFS_MASK (~3ul)		/* fixed slot: file pointer | FFS_NOWAIT | FFS_ISREG */
#define C2D_FILE_INDEX_ALLOC 0xffffffffu /* open into a free fixed slot: res is the slot */
#define C2D_PF_IO_WORKER 0x10	/* task_struct.flags: an io_uring thread (io-wq, SQPOLL) */

/* Before 6.13 the request named its task directly. */
struct io_kiocb___task {
	struct task_struct *task;
};

static __always_inline __u16 uring__sys(__u8 op)
{
	switch (op) {
	case C2D_IORING_OP_OPENAT:
		return C2D_SYS_URING_OPENAT;
	case C2D_IORING_OP_OPENAT2:
		return C2D_SYS_URING_OPENAT2;
	case C2D_IORING_OP_RENAMEAT:
		return C2D_SYS_URING_RENAMEAT;
	case C2D_IORING_OP_UNLINKAT:
		return C2D_SYS_URING_UNLINKAT;
	case C2D_IORING_OP_SYMLINKAT:
		return C2D_SYS_URING_SYMLINKAT;
	case C2D_IORING_OP_LINKAT:
		return C2D_SYS_URING_LINKAT;
	case C2D_IORING_OP_FTRUNCATE:
		return C2D_SYS_URING_FTRUNCATE;
	}
	return C2D_SYS_MAX;
}

/* The task that submitted the request (an SQPOLL ring: its SQ thread, a thread of the
 * process that made the ring). */
static __always_inline struct task_struct *uring__task(struct io_kiocb *req)
{
	struct task_struct *t;

	if (bpf_core_field_exists(req->tctx))
		t = BPF_CORE_READ(req, tctx, task);
	else
		t = BPF_CORE_READ((struct io_kiocb___task *)req, task);
	return t ? t : (struct task_struct *)bpf_get_current_task();
}

/* The header describes the submitter and its process, whichever io_uring thread runs this:
 * the tgid and cgroup are the same (io threads are threads of the submitter), but the thread
 * id and comm of a worker (`iou-wrk-N`) would mislead. */
static __always_inline void uring__hdr(struct c2d_scratch *s, struct task_struct *t)
{
	struct c2d_event_hdr *h = &s->ev.hdr;

	h->tgid = BPF_CORE_READ(t, tgid);
	/* an SQPOLL ring's submitter is its SQ thread: the kernel's, acting for the process */
	h->pid = (BPF_CORE_READ(t, flags) & C2D_PF_IO_WORKER) ? h->tgid : BPF_CORE_READ(t, pid);
	h->ppid = BPF_CORE_READ(t, real_parent, tgid);
	h->uid = BPF_CORE_READ(t, real_cred, uid.val);
	h->euid = BPF_CORE_READ(t, real_cred, euid.val);
	h->gid = BPF_CORE_READ(t, real_cred, gid.val);
	h->cgroup_id = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
	h->start_ns = BPF_CORE_READ(t, group_leader, start_boottime);
	BPF_CORE_READ_STR_INTO(&h->comm, t, group_leader, comm);
}

/* The event in scratch, from the submitter. args: [0] open flags or op flags, [1] dirfd,
 * [2] second dirfd, [3] the request's user_data (correlates with the program's own CQE). */
static __always_inline void uring__begin(struct c2d_scratch *s, struct io_kiocb *req,
					 struct task_struct *t, __u16 sys, long ret, __u64 a0,
					 __u64 a1, __u64 a2)
{
	struct c2d_sysargs a = {};

	a.a[0] = a0;
	a.a[1] = a1;
	a.a[2] = a2;
	a.a[3] = BPF_CORE_READ(req, cqe.user_data);
	sysev__begin(s, bpf_get_current_task_btf(), sys, ret, &a);
	uring__hdr(s, t);
}

/* ---- submit: name-based operations ---- */

struct uring_names {
	__u64 old_name; /* kernel copies (struct filename.name) */
	__u64 new_name; /* 0: none (unlink) */
	long old_dfd;
	long new_dfd;
	__u64 flags;
};

static __always_inline int uring__read_names(struct io_kiocb *req, __u16 sys,
					     struct uring_names *n)
{
	if (sys == C2D_SYS_URING_UNLINKAT) {
		struct io_unlink *u = (void *)req;

		n->old_dfd = BPF_CORE_READ(u, dfd);
		n->old_name = (__u64)BPF_CORE_READ(u, filename, name);
		n->flags = BPF_CORE_READ(u, flags);
	} else if (sys == C2D_SYS_URING_RENAMEAT) {
		struct io_rename *r = (void *)req;

		n->old_dfd = BPF_CORE_READ(r, old_dfd);
		n->new_dfd = BPF_CORE_READ(r, new_dfd);
		n->old_name = (__u64)BPF_CORE_READ(r, oldpath, name);
		n->new_name = (__u64)BPF_CORE_READ(r, newpath, name);
		n->flags = BPF_CORE_READ(r, flags);
	} else {
		struct io_link *l = (void *)req;

		n->old_dfd = BPF_CORE_READ(l, old_dfd);
		n->new_dfd = BPF_CORE_READ(l, new_dfd);
		n->old_name = (__u64)BPF_CORE_READ(l, oldpath, name);
		n->new_name = (__u64)BPF_CORE_READ(l, newpath, name);
		n->flags = BPF_CORE_READ(l, flags);
	}
	return n->old_name ? 0 : -1;
}

/* The first name: the file that loses a name (unlink, rename) or gets a new one (link: a
 * credential file under another name is a finding; symlink: its target, when absolute — a
 * relative target resolves against the link's own directory and is not judged). */
static __always_inline int uring__judge_old(struct c2d_scratch *s, __u16 sys, struct uring_names *n,
					    __u8 *kind)
{
	bool link = sys == C2D_SYS_URING_LINKAT || sys == C2D_SYS_URING_SYMLINKAT;
	char c = 0;
	int off;

	if (sys == C2D_SYS_URING_SYMLINKAT) {
		bpf_probe_read_kernel(&c, 1, (void *)n->old_name);
		if (c != '/')
			return -1;
	}
	off = c2d_path_join_kstr(s, n->old_dfd, n->old_name);
	if (off < 0)
		return -1;
	if (link && c2d_match_credential(s, off)) {
		*kind = C2D_KIND_CREDENTIAL_READ;
	} else if (c2d_match_storage(s, off)) {
		*kind = C2D_KIND_STORAGE_WRITE;
	}
	sysev__add_path_as(s, off, C2D_STR_PATH);
	return 0;
}

/* Keep the finding until the request completes; if it cannot wait (no CQE will come, or
 * the map refuses), send it now, without the result: never lose it. */
static __always_inline int uring__hold(struct c2d_scratch *s, struct io_kiocb *req,
				       struct c2d_rule_val *rule, __u8 kind, bool now)
{
	__u64 key = (__u64)req;

	if (!now) {
		s->ev.rule_id = rule ? rule->rule_id : 0xffff;
		s->ev.kind = kind;
		s->ev.hdr.size = sizeof(s->ev) + sysev__used(s);
		if (bpf_map_update_elem(&uring_pending, &key, &s->ev, BPF_ANY) == 0)
			return 0;
		C2D_STAT_INC(map_full);
	}
	return sysev__send(s, rule, kind);
}

static __always_inline int uring__names(struct io_kiocb *req, __u16 sys, bool now)
{
	struct uring_names n = {};
	struct c2d_rule_val rule = {};
	struct c2d_scratch *s;
	__u8 kind = C2D_KIND_NONE;
	int off;

	if (sys != C2D_SYS_URING_LINKAT && sys != C2D_SYS_URING_SYMLINKAT &&
	    !(c2d_policy_flags & C2D_POL_STORAGE))
		return 0;
	if (uring__read_names(req, sys, &n) < 0)
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	if (uring__judge_old(s, sys, &n, &kind) == 0 && kind != C2D_KIND_NONE)
		rule = s->rule;
	if (n.new_name) {
		off = c2d_path_join_kstr(s, n.new_dfd, n.new_name);
		if (off < 0)
			return 0;
		if (kind == C2D_KIND_NONE && c2d_match_storage(s, off)) {
			kind = C2D_KIND_STORAGE_WRITE;
			rule = s->rule;
		}
		sysev__add_path_as(s, off, C2D_STR_NEW_PATH);
	}
	/* a name with `.`/`..` goes to user space, which normalises and re-checks it */
	if (kind == C2D_KIND_NONE && !(s->flags & C2D_F_UNRESOLVED))
		return 0;
	uring__begin(s, req, uring__task(req), sys, 0, n.flags, n.old_dfd, n.new_dfd);
	return uring__hold(s, req, kind == C2D_KIND_NONE ? NULL : &rule, kind, now);
}

/* FTRUNCATE whose success posts no CQE: judged at submit, from the fd in the request. */
static __always_inline int uring__ftrunc_fd(struct io_kiocb *req, __u64 rflags)
{
	struct task_struct *t = uring__task(req);
	struct c2d_scratch *s;
	struct file *f;
	int off;

	if (!(c2d_policy_flags & C2D_POL_STORAGE) || (rflags & C2D_REQ_F_FIXED_FILE))
		return 0;
	f = path__fd_file_of(t, BPF_CORE_READ(req, cqe.fd));
	s = scratch__get();
	if (!s || !f)
		return 0;
	sysev__reset(s);
	off = path__from_file(s, t, f);
	if (off < 0 || !c2d_match_storage(s, off))
		return 0;
	sysev__add_path(s, off);
	uring__begin(s, req, t, C2D_SYS_URING_FTRUNCATE, 0, 0, 0, 0);
	return sysev__send(s, &s->rule, C2D_KIND_STORAGE_WRITE);
}

/*
 * An open judged by its name and flags, the kernel's copies made at prep (race-free, but not
 * resolved: symlinks are not followed, `.`/`..` go to user space). Two uses:
 *  - an open whose success posts no CQE (IOSQE_CQE_SKIP_SUCCESS) has no completion to judge
 *    it: sent now (`now`), ret 0: unknown;
 *  - every other open: held until completion, which judges the file the fd holds then. Between
 *    the fd's install and the CQE (a whole submit batch, inline) another thread can close the
 *    fd and dup2 a harmless file onto it: measured, that hid 45 % of such opens. The name held
 *    here is then sent (tampered), and so is a denied open (EACCES), which has no file.
 */
static __always_inline int uring__open_name(struct io_kiocb *req, __u16 sys, bool now)
{
	struct io_open *o = (void *)req;
	__u64 oflags = BPF_CORE_READ(o, how.flags);
	struct c2d_scratch *s;
	__u8 kind = C2D_KIND_NONE;
	int off, hit;

	if (oflags & C2D_O_PATH)
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	off = c2d_path_join_kstr(s, BPF_CORE_READ(o, dfd), (__u64)BPF_CORE_READ(o, filename, name));
	if (off < 0)
		return 0;
	hit = open__judge(s, off, oflags, &kind);
	if (!hit && !(s->flags & C2D_F_UNRESOLVED))
		return 0;
	sysev__add_path(s, off);
	uring__begin(s, req, uring__task(req), sys, 0, oflags, BPF_CORE_READ(o, dfd),
		     BPF_CORE_READ(o, file_slot));
	return uring__hold(s, req, hit ? &s->rule : NULL, kind, now);
}

/* Remember which request a (ring, user_data) CQE belongs to, should it overflow. */
static __always_inline void uring__index(struct io_kiocb *req)
{
	struct c2d_uring_ud k = {.ring = (__u64)BPF_CORE_READ(req, ctx),
				 .user_data = BPF_CORE_READ(req, cqe.user_data)};
	__u64 v = (__u64)req;

	if (bpf_map_update_elem(&uring_reqs, &k, &v, BPF_ANY) < 0)
		C2D_STAT_INC(map_full);
}

/* io_uring_submit_req(struct io_kiocb *req): after prep, before issue. */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(c2d_uring_submit, struct io_kiocb *req)
{
	__u16 sys = uring__sys(BPF_CORE_READ(req, opcode));
	__u64 rflags;

	if (sys == C2D_SYS_MAX || self__is_agent())
		return 0;
	rflags = BPF_CORE_READ(req, flags);
	if (rflags & C2D_REQ_F_CQE_SKIP) { /* no completion will come: judge now */
		if (sys == C2D_SYS_URING_OPENAT || sys == C2D_SYS_URING_OPENAT2)
			return uring__open_name(req, sys, true);
		if (sys == C2D_SYS_URING_FTRUNCATE)
			return uring__ftrunc_fd(req, rflags);
		return uring__names(req, sys, true);
	}
	uring__index(req);
	if (sys == C2D_SYS_URING_OPENAT || sys == C2D_SYS_URING_OPENAT2)
		return uring__open_name(req, sys, false); /* judged again at completion */
	if (sys == C2D_SYS_URING_FTRUNCATE)
		return 0; /* judged at completion */
	return uring__names(req, sys, false);
}

/* ---- completion: opens, ftruncate, pending findings ---- */

/* The file a successful open made: in the submitter's file table, or in the ring's fixed
 * file table (file_slot: slot + 1, or IORING_FILE_INDEX_ALLOC with the slot as result). */
static __always_inline struct file *uring__opened_file(struct io_kiocb *req, struct task_struct *t,
						       long res)
{
	struct io_open *o = (void *)req;
	__u32 slot = BPF_CORE_READ(o, file_slot);
	struct io_rsrc_node **nodes, *node = NULL;
	struct io_ring_ctx *ctx;

	if (!slot)
		return path__fd_file_of(t, res);
	slot = slot == C2D_FILE_INDEX_ALLOC ? (__u32)res : slot - 1;
	ctx = BPF_CORE_READ(req, ctx);
	if (!bpf_core_field_exists(ctx->file_table.data) ||
	    slot >= BPF_CORE_READ(ctx, file_table.data.nr))
		return NULL;
	nodes = BPF_CORE_READ(ctx, file_table.data.nodes);
	bpf_probe_read_kernel(&node, sizeof(node), &nodes[slot]);
	if (!node)
		return NULL;
	return (struct file *)(BPF_CORE_READ(node, file_ptr) & C2D_FFS_MASK);
}

/* The file the fd (or slot) holds at completion, judged like a successful open(); 1 if it is
 * a finding (sent, or over budget), 0 if not. */
static __always_inline int uring__opened_exact(struct io_kiocb *req, __u16 sys, long res)
{
	struct task_struct *t = uring__task(req);
	struct c2d_scratch *s;
	struct file *f;
	__u8 kind = C2D_KIND_NONE;
	__u64 oflags;
	__u32 fmode;
	int off;

	if (res < 0)
		return 0;
	f = uring__opened_file(req, t, res);
	if (!f)
		return 0;
	fmode = BPF_CORE_READ(f, f_mode);
	if (fmode & C2D_FMODE_PATH) /* O_PATH: names the file, reads and writes nothing */
		return 0;
	/* The access mode the file has (f_flags; FMODE_WRITE for writers) plus O_CREAT/O_TRUNC,
	 * which the open consumed, and O_CLOEXEC (an fd flag), from the request's own copy made
	 * at prep (kernel memory). */
	oflags = BPF_CORE_READ(f, f_flags) & ~(__u64)(C2D_O_CREAT | C2D_O_TRUNC);
	oflags |= BPF_CORE_READ((struct io_open *)req, how.flags) &
		  (C2D_O_CREAT | C2D_O_TRUNC | C2D_O_CLOEXEC);
	if ((fmode & C2D_FMODE_WRITE) && !(oflags & C2D_O_ACCMODE))
		oflags |= C2D_O_WRONLY;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	if (!open__may_match(s, t, f) || !open__judge_file(s, t, f, oflags, &kind, &off))
		return 0;
	sysev__add_path(s, off);
	file__add_fs_path(s, f);
	uring__begin(s, req, t, sys, res, oflags, BPF_CORE_READ((struct io_open *)req, dfd),
		     BPF_CORE_READ((struct io_open *)req, file_slot));
	sysev__send(s, &s->rule, kind);
	return 1;
}

static __always_inline int uring__ftruncated(struct io_kiocb *req, long res)
{
	struct task_struct *t = uring__task(req);
	struct file *f = BPF_CORE_READ(req, file);
	struct c2d_scratch *s;
	__u32 idk;
	int off;

	if (!(c2d_policy_flags & C2D_POL_STORAGE) || !f)
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	idk = file__ids_on() ? C2D_KBIT(C2D_KIND_STORAGE_WRITE) : 0;
	off = file__walk(s, t, f, idk);
	if (off < 0 || (!c2d_match_storage(s, off) && !(idk && c2d_match_ids(s, idk))))
		return 0;
	sysev__add_path(s, off);
	file__add_fs_path(s, f);
	uring__begin(s, req, t, C2D_SYS_URING_FTRUNCATE, res, 0, 0, 0);
	return sysev__send(s, &s->rule, C2D_KIND_STORAGE_WRITE);
}

/* A name-based finding held at submit goes out with the result; `flag` (C2D_F_TAMPERED) says
 * the file at completion was not the one the name judged. */
static __always_inline int uring__release(struct io_kiocb *req, long res, __u16 flag)
{
	__u64 key = (__u64)req;
	struct c2d_uring_pending *p = bpf_map_lookup_elem(&uring_pending, &key);
	__u32 size;
	__u8 kind;

	if (!p)
		return 0;
	p->ev.ret = res;
	kind = p->ev.kind;
	if (flag && kind != C2D_KIND_NONE) {
		p->ev.hdr.flags |= flag;
		C2D_STAT_INC(tampered);
	}
	size = p->ev.hdr.size;
	if (size > sizeof(*p))
		goto out;
	c2d_barrier_var(size); /* verifier: the bound stays on the register passed to output */
	if (size < sizeof(p->ev))
		goto out;
	if (!budget__take(p->ev.hdr.cgroup_id, 1)) {
		C2D_STAT_INC(rate_limited);
	} else {
		if (emit__output(p, size) < 0)
			C2D_STAT_INC(drop_ringbuf);
		else if (kind == C2D_KIND_NONE)
			C2D_STAT_INC(unresolved);
		else
			stats__event(kind);
	}
out:
	bpf_map_delete_elem(&uring_pending, &key);
	return 0;
}

static __always_inline int uring__forget(struct io_kiocb *req)
{
	__u64 key = (__u64)req;

	bpf_map_delete_elem(&uring_pending, &key);
	return 0;
}

/* An open completes: the file is the truth; the name judged at submit stands in when the
 * file is gone from the fd (swapped: tampered) or when the open was denied. */
static __always_inline int uring__opened(struct io_kiocb *req, __u16 sys, long res)
{
	if (res >= 0 && uring__opened_exact(req, sys, res))
		return uring__forget(req);
	if (res >= 0)
		return uring__release(req, res, C2D_F_TAMPERED);
	if (open__report_failure(res))
		return uring__release(req, res, 0);
	return uring__forget(req);
}

static __always_inline void uring__unindex(__u64 ring, __u64 user_data)
{
	struct c2d_uring_ud k = {.ring = ring, .user_data = user_data};

	bpf_map_delete_elem(&uring_reqs, &k);
}

static __always_inline int uring__completed(struct io_kiocb *req, __u16 sys, long res)
{
	if (sys == C2D_SYS_URING_OPENAT || sys == C2D_SYS_URING_OPENAT2)
		return uring__opened(req, sys, res);
	if (sys == C2D_SYS_URING_FTRUNCATE)
		return uring__ftruncated(req, res);
	return uring__release(req, res, 0);
}

/* io_uring_complete(ctx, void *req, struct io_uring_cqe *cqe): a CQE posted (req may be
 * NULL for an auxiliary CQE). Runs in whichever io_uring thread completes the request. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(c2d_uring_complete, struct io_ring_ctx *ring, void *req_p, struct io_uring_cqe *cqe)
{
	struct io_kiocb *req = req_p;
	__u16 sys;
	long res;

	if (!req)
		return 0;
	sys = uring__sys(BPF_CORE_READ(req, opcode));
	if (sys == C2D_SYS_MAX || self__is_agent())
		return 0;
	res = BPF_CORE_READ(cqe, res);
	uring__unindex((__u64)ring, BPF_CORE_READ(req, cqe.user_data));
	return uring__completed(req, sys, res);
}

/* io_uring_cqe_overflow(ctx, user_data, res, cflags, ocqe): a CQE that did not fit the CQ
 * ring (one way to pass no io_uring_complete). The request is found through uring_reqs and
 * must still be the one with this ring and user_data. */
SEC("tp_btf/io_uring_cqe_overflow")
int BPF_PROG(c2d_uring_overflow, void *ring, unsigned long long user_data, s32 res, u32 cflags,
	     void *ocqe)
{
	struct c2d_uring_ud k = {.ring = (__u64)ring, .user_data = user_data};
	struct io_kiocb *req;
	__u64 *v;
	__u16 sys;

	if (self__is_agent())
		return 0;
	v = bpf_map_lookup_elem(&uring_reqs, &k);
	if (!v)
		return 0;
	req = (struct io_kiocb *)*v;
	bpf_map_delete_elem(&uring_reqs, &k);
	if ((__u64)BPF_CORE_READ(req, ctx) != (__u64)ring ||
	    BPF_CORE_READ(req, cqe.user_data) != user_data)
		return 0;
	sys = uring__sys(BPF_CORE_READ(req, opcode));
	if (sys == C2D_SYS_MAX)
		return 0;
	return uring__completed(req, sys, res);
}

/* ---- ring creation: a privileged-call rule (io-uring-setup) ---- */

/* io_uring_setup(u32 entries, struct io_uring_params *p): the flags are read from the ring the
 * kernel made (the returned fd's file → struct io_ring_ctx), not from the caller's params. */
SEC("tracepoint/syscalls/sys_exit_io_uring_setup")
int c2d_exit_io_uring_setup(struct c2d_sys_exit_ctx *ctx)
{
	__u32 key = C2D_SYS_IO_URING_SETUP;
	struct c2d_rule_val rv = {};
	struct task_struct *task;
	struct c2d_sys_rule *r;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	long ret = ctx->ret;

	if (self__is_agent())
		return 0;
	r = bpf_map_lookup_elem(&sys_rules, &key);
	if (!r || !r->enabled)
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	a.a[2] = 0;
	if (ret >= 0) {
		struct file *f = path__fd_file(task, ret);
		struct io_ring_ctx *rctx = f ? BPF_CORE_READ(f, private_data) : NULL;

		if (rctx) {
			a.a[2] = BPF_CORE_READ(rctx, flags);
			a.a[3] = BPF_CORE_READ(rctx, sq_thread_idle);
			a.a[4] = 1; /* the flags are the ring's */
		}
	}
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	sysev__begin(s, task, C2D_SYS_IO_URING_SETUP, ret, &a);
	rv.rule_id = r->rule_id;
	return sysev__send(s, &rv, C2D_KIND_PRIVILEGED_CALL);
}

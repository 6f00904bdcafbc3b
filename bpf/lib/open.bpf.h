/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * open.bpf.h - the judgement of an open, shared by every way a file is opened (the open
 * syscalls in file.bpf.c, io_uring's OPENAT/OPENAT2 in uring.bpf.c): one rule set, one order.
 */
#ifndef C2D_OPEN_BPF_H
#define C2D_OPEN_BPF_H

#include "policy.bpf.h"

#define C2D_O_ACCMODE 03
#define C2D_O_WRONLY 01
#define C2D_O_CREAT 0100
#define C2D_O_TRUNC 01000
#define C2D_O_PATH 010000000
#define C2D_O_CLOEXEC 02000000

static __always_inline bool open__is_write(__u64 f)
{
	return (f & C2D_O_ACCMODE) != 0 || (f & (C2D_O_CREAT | C2D_O_TRUNC)) != 0;
}

#define C2D_EACCES 13
#define C2D_EPERM 1

/* Denied opens are findings too (outcome: failure); other errors (ENOENT…) are not. */
static __always_inline bool open__report_failure(long ret)
{
	return (c2d_policy_flags & C2D_POL_FAILURES) && (ret == -C2D_EACCES || ret == -C2D_EPERM);
}

/* The path pbuf[off, end] of a file opened with `oflags`: a credential rule first (any access
 * mode reads or can read), then the storage rules when the open can change the file. Returns
 * 1 with *kind set and the rule in s->rule, or 0. */
static __always_inline int open__judge(struct c2d_scratch *s, int off, __u64 oflags, __u8 *kind)
{
	if (c2d_match_credential(s, off)) {
		*kind = C2D_KIND_CREDENTIAL_READ;
		return 1;
	}
	if (open__is_write(oflags) && c2d_match_storage(s, off)) {
		*kind = C2D_KIND_STORAGE_WRITE;
		return 1;
	}
	return 0;
}

#endif /* C2D_OPEN_BPF_H */

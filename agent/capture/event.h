/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * event.h - decode and validate one ring-buffer record. Nothing from the kernel is trusted:
 * sizes, counts and string terminators are all checked before any field is used.
 */
#ifndef C2D_EVENT_H
#define C2D_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "c2d_abi.h"

struct c2d_decoded {
	const struct c2d_event_hdr *hdr;
	/* C2D_EV_SYSCALL */
	const struct c2d_syscall_event *sys;
	const char *strs[C2D_MAX_STRS];
	size_t slen[C2D_MAX_STRS]; /* without the NUL */
	uint8_t roles[C2D_MAX_STRS]; /* enum c2d_str_role */
	int nstr;
	/* C2D_EV_EXEC */
	const struct c2d_exec_event *exec;
	const char *exe;
	const char *args; /* NUL separated */
	size_t args_len;
	/* the first exec in a cgroup: the names of the cgroup and its ancestors, leaf first */
	const char *cg_names[C2D_CG_DEPTH];
	int cg_n;
	/* C2D_EV_FORK / C2D_EV_EXIT */
	const struct c2d_fork_event *fork;
	const struct c2d_exit_event *exit;
	/* C2D_EV_FOLD */
	const struct c2d_fold_event *fold;
};

/* Returns 0, or -EINVAL for a malformed record. */
int event_decode(const void *data, size_t size, struct c2d_decoded *out);

/* The first string of a syscall event with this role, or NULL. */
const char *event_str(const struct c2d_decoded *d, enum c2d_str_role role);

#endif

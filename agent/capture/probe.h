/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.h - what this kernel offers, and so which hooks the agent uses. Checked at start-up:
 * kernel BTF, the BPF ring buffer, bpf_task_pt_regs, tp_btf for the scheduler tracepoints,
 * and each syscall's exit tracepoint (a kernel without modules has no init_module one…).
 */
#ifndef C2D_PROBE_H
#define C2D_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "c2d_abi.h"

struct c2d_hook_plan {
	bool sys_available[C2D_SYS_MAX];
	int n_available;
	char missing[512]; /* comma-separated syscall names without a tracepoint */
	char events_dir[64]; /* tracefs events directory */
	bool uring_available; /* tp_btf io_uring_submit_req, _complete and _cqe_overflow */
	bool tcp_state;	     /* tp_btf/inet_sock_set_state attachable (4.16+ with BTF) */
	bool compat_possible; /* the kernel takes 32-bit syscalls (x86-64 IA32 emulation on) */
	bool btf_loads;	      /* tracepoint programs may call bpf_rdonly_cast and load through it */
};

/* Returns 0, or a negative errno with the reason (and what to do) in err. */
int probe_kernel(struct c2d_hook_plan *plan, char *err, size_t errlen);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* syscalls.h - the hooked syscalls: names, tracepoints, and how their arguments render. */
#ifndef C2D_SYSCALLS_H
#define C2D_SYSCALLS_H

#include <stdint.h>

#include "c2d_abi.h"
#include "jsonw.h"

struct c2d_sysinfo {
	const char *name;	/* as the kernel names it: "openat", "umount2", … */
	const char *tracepoint; /* syscalls/sys_exit_<tracepoint> */
	const char *prog;	/* BPF program name */
	/* Render syscall.args (privileged calls) from the raw args and strings. */
	void (*render)(struct jw *w, const uint64_t *args, const char *const *strs, int nstr);
};

const struct c2d_sysinfo *sys_info(unsigned sys);
int sys_by_name(const char *name); /* enum c2d_sys or -1 */

/* Open flags as names ("O_RDONLY", "O_CLOEXEC", …), into a JSON array. */
void sys_render_open_flags(struct jw *w, uint64_t flags);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* syscalls.h - the hooked syscalls: names, tracepoints, and how their arguments render. */
#ifndef C2D_SYSCALLS_H
#define C2D_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>

#include "c2d_abi.h"
#include "jsonw.h"

/* A set of enum c2d_sys (more than 64 of them). */
typedef unsigned __int128 c2d_sysmask;
#define SYSBIT(s) ((c2d_sysmask)1 << (s))

/* What a hooked call does: decides which policy kinds need its program, and how user space
 * re-checks a candidate. No logic depends on the enum's order. */
enum sys_family {
	SYSF_OPEN = 1,	 /* opens a file: credential reads, storage writes when opened for writing */
	SYSF_WRITE_NAME, /* changes a file by name or fd: storage writes */
	SYSF_LINK,	 /* makes a new name for a file: credential and storage rules */
	SYSF_NET,	 /* reaches an address: metadata access */
	SYSF_PRIV,	 /* a privileged call: sys_rules */
};

struct c2d_sysinfo {
	const char *name;	/* as the kernel names it: "openat", "umount2", "io_uring:openat" */
	const char *tracepoint; /* syscalls/sys_exit_<tracepoint>; NULL: reported by another hook */
	const char *prog;	/* BPF program name (NULL with tracepoint) */
	enum sys_family family;
	/* Render syscall.args (privileged calls) from the raw args and strings. */
	void (*render)(struct jw *w, const uint64_t *args, const char *const *strs, int nstr);
};

const struct c2d_sysinfo *sys_info(unsigned sys);
int sys_by_name(const char *name); /* enum c2d_sys or -1 */
bool sys_is(unsigned sys, enum sys_family fam);

/* Open flags as names ("O_RDONLY", "O_CLOEXEC", …), into a JSON array. */
void sys_render_open_flags(struct jw *w, uint64_t flags);

#endif

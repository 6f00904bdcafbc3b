/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime_ids.h - the container runtime's executables on the host, by identity.
 *
 * The kernel marks a process as the runtime when it execs one of these files (bpf/proc.bpf.c:
 * runtime_ids → runtime_tasks), and every finding of a marked process carries C2D_F_RUNTIME;
 * the pipeline drops the runtime's privileged calls by that flag only. A file is known by
 * (device, inode), never by name: a workload can call itself "runc:[2:INIT]" or install its
 * tool at /usr/bin/runc in its image, but cannot make its file the host's runc.
 *
 * Found on the host (through <proc>/1/root, so an agent in a container sees the node's files):
 * runtime names (runtime_ids_name_is_runtime) in the usual directories and $PATH, and the
 * executables of running processes of the host's mount namespace whose binary has such a name
 * (a runtime installed anywhere, a deleted binary still running after an upgrade).
 */
#ifndef C2D_RUNTIME_IDS_H
#define C2D_RUNTIME_IDS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "c2d_abi.h"

#define RUNTIME_IDS_MAX 64 /* = runtime_ids max_entries (bpf/lib/maps.bpf.h) */

struct runtime_id {
	struct c2d_file_id id;
	char path[160]; /* where it was found (for the log only) */
};

struct runtime_ids {
	struct runtime_id v[RUNTIME_IDS_MAX];
	unsigned n;
	unsigned dropped; /* found beyond RUNTIME_IDS_MAX */
};

/* Is this base name a runtime binary's? runc, crun, youki, containerd, containerd-shim*,
 * conmon, conmonrs, crio, dockerd, kubelet, k3s. */
bool runtime_ids_name_is_runtime(const char *base);

/* st_dev (user-space encoding) → the kernel's s_dev encoding (major << 20 | minor). */
uint32_t runtime_ids_kdev(dev_t dev);

/* Fill *out from the host under proc_root ("/proc"). Returns the number found. */
int runtime_ids_find(struct runtime_ids *out, const char *proc_root);

/* Inode of the host's mount namespace (PID 1's, else the agent's own), 0 if unknown. */
uint32_t runtime_ids_host_mntns(const char *proc_root);

bool runtime_ids_has(const struct runtime_ids *s, const struct c2d_file_id *id);

/* Same files? (order-insensitive) */
bool runtime_ids_equal(const struct runtime_ids *a, const struct runtime_ids *b);

/*
 * Processes of the host's mount namespace already running one of these files (started before
 * the kernel could see their exec), for runtime_tasks: calls put(arg, tgid, start) for each, start being the process's
 * start in boot-time ns floored to the clock tick (the kernel allows for that). Returns the
 * number found.
 */
int runtime_ids_running(const struct runtime_ids *s, const char *proc_root,
			int (*put)(void *arg, uint32_t tgid, uint64_t start_ns), void *arg);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime_noise.h - the container runtime's own privileged calls. Every container start makes
 * the runtime mount, pivot_root, setuid, unshare and keyctl inside the new container's cgroup
 * (runc's init process, "runc:[2:INIT]"), and containerd and its shims mount on the host. These
 * are not the workload's behaviour: reported, they would put dozens of findings on every
 * revision of every workload and hide the ones that matter.
 */
#ifndef C2D_RUNTIME_NOISE_H
#define C2D_RUNTIME_NOISE_H

#include <stdbool.h>

/*
 * True when a privileged call by this process is the runtime's: its comm (taken by the kernel
 * at the call) is runc's init stage, or its executable is a runtime daemon's. Only privileged
 * calls are ever dropped this way, never credential reads, storage writes or metadata access:
 * comm can be set by any process (prctl), so a workload naming itself "runc:[2:INIT]" could
 * hide its mounts this way, but not what it reads or writes.
 */
bool runtime_noise(const char *comm, const char *exe);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime_mounts.h - the host paths a container runtime bind-mounts into a container, from the
 * container's OCI runtime spec (`mounts[]`): containerd's Containers/Get gives the spec itself,
 * CRI's verbose ContainerStatus gives it as `runtimeSpec` in its info. Each one that matters
 * becomes a `container_mount` event (rule host-path-mount) when the container is first resolved.
 *
 * What matters: a bind mount whose source is a host path outside what the runtime and the
 * kubelet make for the container themselves (runtime_mount_matters):
 *   /var/lib/kubelet/pods/      the pod's own volumes (emptyDir, secret, configMap, projected
 *                               token, CSI/PVC), its etc-hosts and termination log
 *   /var/lib/containerd/ /run/containerd/ /var/run/containerd/
 *                               containerd's per-sandbox hostname, hosts, resolv.conf, shm
 *                               (and those four files under any other containerd root:
 *                               <dir>/io.containerd.grpc.v1.cri/sandboxes/<id>/<file>, k3s)
 *   /var/lib/containers/ /run/containers/ /var/run/containers/
 *                               CRI-O's and podman's, the same
 *   /var/lib/docker/containers/ /var/lib/docker/volumes/
 *                               Docker's per-container files and its named volumes
 *   /dev/shm at /dev/shm        the host's IPC shared memory (host IPC, not a file system path)
 *   the host's /etc/hosts, /etc/hostname, /etc/resolv.conf (or systemd-resolved's) at the same
 *                               name in the container: what a host-network container is given
 * Everything else — `/`, `/etc`, `/var/run/docker.sock`, `/var/lib/kubelet`, `/root`, a
 * hostPath volume anywhere — is reported. The prefixes end in `/`: the directory itself
 * (`/var/lib/kubelet/pods`, every pod's volumes) is reported.
 */
#ifndef C2D_RUNTIME_MOUNTS_H
#define C2D_RUNTIME_MOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RUNTIME_SPEC_MAX (4u << 20) /* the largest OCI spec parsed */
#define RUNTIME_MOUNTS_MAX 8 /* per container; more are counted, not kept */
#define RUNTIME_MOUNT_PATH 256

struct runtime_mount {
	char source[RUNTIME_MOUNT_PATH];      /* on the host */
	char destination[RUNTIME_MOUNT_PATH]; /* in the container */
	bool read_only;
};

struct runtime_mounts {
	struct runtime_mount m[RUNTIME_MOUNTS_MAX];
	uint16_t n;
	uint16_t dropped; /* mattered, did not fit (or a path was longer than kept) */
};

/* Does a bind of host `source` at `destination` matter (see above)? */
bool runtime_mount_matters(const char *source, const char *destination);

/* The bind mounts that matter from an OCI spec (JSON, at most 4 MiB): 0, or -EINVAL when it
 * is not a spec. out is cleared first. */
int runtime_mounts_from_spec(const char *json, size_t len, struct runtime_mounts *out);

/* The same from a parsed spec object (CRI's info.runtimeSpec); a const cJSON *. */
int runtime_mounts_from_cjson(const void *spec, struct runtime_mounts *out);

#endif

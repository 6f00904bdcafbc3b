/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * container_id.h - from a cgroup path to the container (and pod) that owns it, by a table of
 * the layouts runtimes and drivers produce (INTEGRATION.md §3): containerd (systemd
 * `cri-containerd-<id>.scope`, cgroupfs `/kubepods/.../<id>`, `ctr` `/<namespace>/<id>`),
 * CRI-O `crio-<id>[.scope][/container]`, Docker `docker-<id>.scope` and `/docker/<id>`,
 * podman `libpod-<id>[.scope][/container]`, nerdctl, the misconfigured `:cri-containerd:<id>`.
 * Components are tried from the leaf upward (a container may create child cgroups).
 */
#ifndef C2D_CONTAINER_ID_H
#define C2D_CONTAINER_ID_H

#include <stddef.h>

#define C2D_CONTAINER_ID_MAX 128
#define C2D_POD_UID_LEN 36

struct container_ref {
	char id[C2D_CONTAINER_ID_MAX + 1];
	const char *runtime; /* "containerd", "cri-o", "docker", "podman" */
	char ns[32];	     /* containerd namespace when the path tells it ("k8s.io", "default") */
	char pod_uid[C2D_POD_UID_LEN + 1]; /* empty if not a Kubernetes pod */
};

/* Returns 0 and fills out if the path is a container's, -ENOENT for a host cgroup,
 * -EINVAL for a malformed path. */
int container_id_from_path(const char *cgroup_path, struct container_ref *out);

#endif

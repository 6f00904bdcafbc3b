/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * cri_client.h - the CRI calls a kubelet makes to run a pod, for the tests only (there is no
 * crictl on Debian 12): RunPodSandbox, CreateContainer, StartContainer, StopPodSandbox,
 * RemovePodSandbox, hand-encoded (k8s.io/cri-api runtime.v1 field numbers) and sent with the
 * agent's gRPC client. The pod shares the node's network namespace, so no CNI is needed.
 */
#ifndef C2D_INTEG_CRI_CLIENT_H
#define C2D_INTEG_CRI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "grpc.h"

struct crit_pod {
	const char *name, *uid, *ns;
	const char *cgroup_parent; /* cgroupfs syntax: /kubepods/besteffort/pod<uid> */
	char id[129];		   /* filled by crit_run_pod */
};

/* Encoders (exposed for the unit tests). Return the length or -ENAMETOOLONG. */
int crit_encode_run_pod(const struct crit_pod *p, uint8_t *buf, size_t cap);
int crit_encode_create(const struct crit_pod *p, const char *name, const char *image,
		       const char *const *cmd, const char *const *labels, uint8_t *buf,
		       size_t cap);
int crit_encode_id(const char *id, uint8_t *buf, size_t cap); /* {string id = 1}: the rest */

/* A volume as the kubelet gives it (ContainerConfig.mounts: Mount {container_path = 1,
 * host_path = 2, readonly = 3}). */
struct crit_mount {
	const char *container_path, *host_path;
	bool readonly;
};

/* crit_encode_create with mounts (n of them). */
int crit_encode_create_mounts(const struct crit_pod *p, const char *name, const char *image,
			      const char *const *cmd, const char *const *labels,
			      const struct crit_mount *mounts, size_t n, uint8_t *buf, size_t cap);

/* 0 or the grpc_call error. labels: key, value, …, NULL. */
int crit_run_pod(struct grpc_client *c, struct crit_pod *p);
int crit_create_container(struct grpc_client *c, const struct crit_pod *p, const char *name,
			  const char *image, const char *const *cmd, const char *const *labels,
			  char *id, size_t idcap);
int crit_create_container_mounts(struct grpc_client *c, const struct crit_pod *p,
				 const char *name, const char *image, const char *const *cmd,
				 const char *const *labels, const struct crit_mount *mounts,
				 size_t n, char *id, size_t idcap);
int crit_start_container(struct grpc_client *c, const char *id);
int crit_stop_pod(struct grpc_client *c, const char *pod_id);
int crit_remove_pod(struct grpc_client *c, const char *pod_id);

#endif

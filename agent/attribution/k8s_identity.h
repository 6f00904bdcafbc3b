/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * k8s_identity.h - what a pod's containers run as, from its pod spec and its ServiceAccount
 * (agent/IDENTITY.md says where every key and field was verified): the service-account token
 * (automounted, projected audiences), the cloud identity the ServiceAccount is annotated with
 * (AWS IRSA, GKE Workload Identity, Azure Workload Identity), the host namespaces and host
 * paths of the pod, and per container privileged / privilege escalation / root / added
 * capabilities. Rendered as `k8s.identity` of every event about the container.
 *
 * Every value is the workload's own: lists are bounded (K8S_ID_LIST, sorted, deduplicated),
 * strings are capped and must be printable ASCII without quote or backslash; anything dropped
 * or cut sets `truncated`. Sorted and fixed-order, so equal identities render byte-identically.
 */
#ifndef C2D_K8S_IDENTITY_H
#define C2D_K8S_IDENTITY_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#define K8S_ID_LIST	  8   /* audiences, host paths, capabilities: at most this many each */
#define K8S_ID_CONTAINERS 16  /* containers of a pod with their security context kept */
#define K8S_ID_AUD_LEN	  128 /* bytes of an audience, with its NUL */
#define K8S_ID_PATH_LEN	  192 /* of a host path */
#define K8S_ID_CAP_LEN	  24  /* of a capability name ("CAP_" dropped) */
#define K8S_ID_CLOUD_LEN  256 /* of a cloud identity value (an ARN, an e-mail, a UUID) */
#define K8S_ID_CLOUD_KEYS 5   /* the annotations of k8s_identity_cloud_keys[] */

/* A pod spec's or ServiceAccount's optional boolean. */
enum k8s_tri { K8S_UNSET = 0, K8S_FALSE, K8S_TRUE };

/* The ServiceAccount's annotations that name a cloud identity, in rendering order. */
struct k8s_cloud_key {
	const char *provider; /* "aws", "azure", "gcp" */
	const char *key;      /* the annotation */
};
extern const struct k8s_cloud_key k8s_identity_cloud_keys[K8S_ID_CLOUD_KEYS];

/* From GET /api/v1/namespaces/<ns>/serviceaccounts/<name>. */
struct k8s_sa_identity {
	bool read;	   /* the API answered with the object */
	bool truncated;	   /* a value was dropped or cut */
	uint8_t automount; /* enum k8s_tri: its automountServiceAccountToken */
	char cloud[K8S_ID_CLOUD_KEYS]
		  [K8S_ID_CLOUD_LEN]; /* by k8s_identity_cloud_keys[], "" absent */
};

struct k8s_container_sec {
	char name[64];
	bool privileged, allow_escalation, run_as_root;
	uint8_t ncaps;
	char caps[K8S_ID_LIST][K8S_ID_CAP_LEN]; /* capabilities.add, sorted */
};

/* Of one pod, kept with its k8s_pod_info. */
struct k8s_pod_identity {
	bool known; /* a pod spec was parsed */
	bool truncated;
	bool host_network, host_pid, host_ipc;
	bool azure_use;	   /* pod label azure.workload.identity/use: "true" */
	uint8_t automount; /* enum k8s_tri: spec.automountServiceAccountToken */
	uint8_t naud, npaths, ncontainers;
	char audiences[K8S_ID_LIST][K8S_ID_AUD_LEN];
	char host_paths[K8S_ID_LIST][K8S_ID_PATH_LEN];
	struct k8s_container_sec containers[K8S_ID_CONTAINERS];
	struct k8s_sa_identity sa;
};

/* What one container runs as: what is rendered. */
struct k8s_identity {
	bool known;
	bool automount_token;
	bool privileged, allow_privilege_escalation, run_as_root;
	bool host_network, host_pid, host_ipc;
	bool sa_unread; /* the ServiceAccount could not be read: cloud and its default unknown */
	bool truncated;
	uint8_t naud, npaths, ncaps;
	char cloud[K8S_ID_CLOUD_KEYS][K8S_ID_CLOUD_LEN];
	char audiences[K8S_ID_LIST][K8S_ID_AUD_LEN];
	char host_paths[K8S_ID_LIST][K8S_ID_PATH_LEN];
	char caps[K8S_ID_LIST][K8S_ID_CAP_LEN];
};

/* The pod's part from its metadata and spec (either may be NULL); id->sa is left alone. */
void k8s_identity_parse_pod(struct k8s_pod_identity *id, const cJSON *meta, const cJSON *spec);
/* A ServiceAccount object as the API returns it. */
void k8s_identity_parse_sa(struct k8s_sa_identity *sa, const cJSON *obj);
/* The identity of the pod's container `container` (unknown containers get the pod's part). */
void k8s_identity_resolve(const struct k8s_pod_identity *pod, const char *container,
			  struct k8s_identity *out);

struct jw;
/* "identity": {…} inside the k8s object; nothing when !id->known. */
void k8s_identity_render(struct jw *w, const char *service_account, const struct k8s_identity *id);

#endif

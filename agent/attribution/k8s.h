/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * k8s.h - pods of this node from the Kubernetes API: list, then watch from the list's
 * resourceVersion (resumed after a drop, relisted on 410 Gone), over verified TLS with a bearer
 * token re-read on every request (kubelet rotates it). Each pod's controller is followed to its
 * workload (ReplicaSet → Deployment, Job → CronJob). A thread of its own; bounded table.
 */
#ifndef C2D_K8S_H
#define C2D_K8S_H

#include <stdbool.h>
#include <stdint.h>

#include "gitops_tie.h"
#include "k8s_identity.h"
#include "labels.h"
#include "secrets.h"

#define K8S_PODS_MAX 256 /* a node runs at most 110 pods by default */
#define K8S_ENV_REFS 16	 /* per pod: its containers' env entries that say where a secret is from */
#define K8S_ARG_REFS 8	 /* per pod: secrets in its containers' command and args */

/* Where a container's environment variable comes from, per its pod spec. */
enum k8s_env_origin {
	K8S_ENV_LITERAL = 1, /* env[].value: written in the manifest (kept only when it is a secret) */
	K8S_ENV_SECRET,	     /* env[].valueFrom.secretKeyRef, or envFrom[].secretRef (var "") */
	K8S_ENV_CONFIGMAP,   /* env[].valueFrom.configMapKeyRef, or envFrom[].configMapRef (var "") */
};

struct k8s_env_ref {
	char container[64];
	char var[64];	/* "": every variable of an envFrom source */
	uint8_t origin; /* enum k8s_env_origin */
	char source[64]; /* the Secret's or ConfigMap's name */
};

/* A secret written in a container's `command` or `args` in the pod spec: its keyed
 * fingerprint only (secrets.h), never the value. */
struct k8s_arg_ref {
	char container[64];
	char fingerprint[SECRET_FP_LEN];
};

struct k8s_pod_info {
	char uid[40];
	char ns[64];
	char name[254];
	char service_account[254];
	char workload_kind[32];
	char workload_name[254];
	struct label_set annotations;
	struct label_set labels;
	struct k8s_env_ref env[K8S_ENV_REFS];
	uint16_t nenv;
	struct k8s_arg_ref args[K8S_ARG_REFS];
	uint16_t nargs;
	struct k8s_pod_identity identity; /* its spec's and its ServiceAccount's */
	struct gitops_tie deploy_tie; /* its workload's GitOps object and Helm release */
};

struct k8s_stats {
	uint64_t lists, watches, events, errors, pods;
};

struct k8s;

/* api: "https://10.0.0.1:443"; ca_file: the cluster CA; token_file: the bearer token. */
struct k8s *k8s_start(const char *api, const char *ca_file, const char *token_file,
		      const char *node);
void k8s_stop(struct k8s *k);
/* Copy the pod with this uid; false if unknown. */
bool k8s_pod(struct k8s *k, const char *uid, struct k8s_pod_info *out);
void k8s_get_stats(struct k8s *k, struct k8s_stats *st);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * exposures.h - secrets a container is started with, from its OCI runtime spec: each
 * `process.env` entry (NAME=VALUE) and each `process.args` argument (`--flag=value`,
 * `--flag value`, or a bare value) that secrets.c recognises. The spec is what the runtime
 * actually ran (image Env merged with the pod's env), read from containerd's Containers/Get or
 * CRI's verbose ContainerStatus, so no race with the process and no /proc read.
 *
 * What is kept of each: where it was (env or arg), its name (the variable, the flag, or
 * "argv[N]"), the detector's id and the keyed fingerprint. The value is read in place in the
 * parsed spec and never copied. Each becomes a `secret_exposure` event (rule secret-exposure)
 * when the container is first resolved.
 */
#ifndef C2D_EXPOSURES_H
#define C2D_EXPOSURES_H

#include <stdint.h>

#include "secrets.h"

#define EXPOSURES_MAX 8 /* per container; more are counted, not kept */
#define EXPOSURE_NAME 64

enum exposure_source {
	EXPOSURE_ENV = 1,
	EXPOSURE_ARG,
};

/* Where it reached the container from (exposures_set_origins). */
enum exposure_origin {
	EXPOSURE_UNKNOWN = 0, /* no pod spec to compare with (not Kubernetes, or not seen yet) */
	EXPOSURE_IMAGE,	      /* in the container, not in its pod spec: baked into the image */
	EXPOSURE_MANIFEST,    /* a literal value in the pod spec */
	EXPOSURE_K8S_SECRET,  /* a Kubernetes Secret (valueFrom.secretKeyRef, envFrom.secretRef) */
	EXPOSURE_K8S_CONFIGMAP, /* a ConfigMap: a secret where none belongs */
};

struct exposure {
	uint8_t source;		   /* enum exposure_source */
	uint8_t origin;		   /* enum exposure_origin */
	char origin_ref[64];	   /* the Secret's or ConfigMap's name */
	char name[EXPOSURE_NAME];  /* the variable or flag (cut at 63 bytes), or "argv[N]" */
	const char *detector;	   /* secrets_detect()'s id: a static string */
	char fingerprint[SECRET_FP_LEN];
};

struct exposures {
	struct exposure e[EXPOSURES_MAX];
	uint16_t n;
	uint16_t dropped; /* recognised, did not fit */
};

/* The exposures of a parsed OCI spec (a cJSON object; NULL or no `process`: none). */
int exposures_from_cjson(const void *spec, struct exposures *out);

/* "env" or "arg". */
const char *exposure_source_name(uint8_t source);

/*
 * Where each exposure came from, against the pod spec of the container (pod NULL: unknown):
 * a variable the pod spec sets is from the manifest (a literal) or from the Secret/ConfigMap
 * it names; one it does not set reached the container from its image config (Kubernetes sets
 * a container's environment to the image's Env plus the pod's). An envFrom source takes the
 * variables no entry names. Arguments stay unknown (the pod's command or the image's).
 */
struct k8s_pod_info;
void exposures_set_origins(struct exposures *x, const struct k8s_pod_info *pod,
			   const char *container);

/* "image", "manifest", "k8s-secret", "k8s-configmap" or "unknown". */
const char *exposure_origin_name(uint8_t origin);

#endif

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

#include <stdbool.h>
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
	EXPOSURE_UNKNOWN = 0, /* a source could not be read (image config, pod spec not seen yet) */
	EXPOSURE_IMAGE,	      /* its NAME=VALUE is in the image config (Env, Entrypoint+Cmd) */
	EXPOSURE_MANIFEST,    /* a literal value in the pod spec */
	EXPOSURE_K8S_SECRET,  /* a Kubernetes Secret (valueFrom.secretKeyRef, envFrom.secretRef) */
	EXPOSURE_K8S_CONFIGMAP, /* a ConfigMap: a secret where none belongs */
	EXPOSURE_RUNTIME,	/* in neither: set by the runtime or whoever started the container */
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

/* The secrets an image config bakes in (a cJSON object: `config.Env`, and `config.Entrypoint`
 * then `config.Cmd` as one argv), named and fingerprinted as a container's are, so that each of
 * a container's can be looked up in them by name and fingerprint, values never kept. 0, or
 * -EINVAL if cfg is not an image config (`config` neither an object nor absent/null). */
int exposures_from_image(const void *cfg, struct exposures *out);

/* The secrets of an argv given as two parts scanned as one (a pod spec's `command` then `args`:
 * cJSON arrays, either NULL), named and fingerprinted as a container's are. */
int exposures_from_argv(const void *command, const void *args, struct exposures *out);

/* What the origins are decided against. */
struct k8s_pod_info;
struct exposure_sources {
	const struct k8s_pod_info *pod; /* the container's pod spec; NULL: none */
	bool pod_known;			/* pod is it, or the container is no pod's: nothing to ask */
	const char *container;		/* its name in the pod spec */
	const struct exposures *image;	/* the image config's secrets; NULL: could not be read */
};

/*
 * Where each exposure came from. A variable the pod spec names is from the manifest (a
 * literal) or from the Secret/ConfigMap it names: the pod's value overrides the image's. Else
 * one whose NAME and value (fingerprint) are in the image config's Env is the image's; else an
 * envFrom source of the container takes it; else, when the image config and the pod spec (or
 * that there is none) were both read, `runtime` (set by the runtime or by whoever started the
 * container: `ctr run --env`, a parent), otherwise `unknown`. An argument is the image's when
 * the image's Entrypoint+Cmd has it at the same place (flag or argv[N]) with the same value;
 * otherwise, outside Kubernetes, `runtime`/`unknown` likewise, and under Kubernetes `unknown`
 * (the pod's command/args are not read).
 */
void exposures_set_origins(struct exposures *x, const struct exposure_sources *src);

/* "image", "manifest", "k8s-secret", "k8s-configmap", "runtime" or "unknown". */
const char *exposure_origin_name(uint8_t origin);

#endif

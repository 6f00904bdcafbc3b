/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime_cri.h - container records from any CRI runtime (runtime.v1: containerd's CRI plugin,
 * CRI-O), INTEGRATION.md §1.6: ContainerStatus (verbose) gives the kubelet's labels, the
 * image reference and digest and, in its `info` JSON, the sandbox and the runtime handler;
 * ImageStatus (verbose) gives the repo tags and digests and, in its `info` JSON, the image
 * config labels (the provenance), which CRI-O never merges into the container's labels.
 * Blocking calls: from the resolver thread only.
 */
#ifndef C2D_RUNTIME_CRI_H
#define C2D_RUNTIME_CRI_H

#include <stdbool.h>
#include <stdint.h>

#include "grpc.h"
#include "labels.h"
#include "runtime_containerd.h"
#include "exposures.h"
#include "runtime_mounts.h"

#define CRI_INFO_MAX (2u << 20) /* verbose info JSON parsed at most (a runtime spec is ~20 KiB) */

struct cri_container {
	char id[129];
	char name[128];		/* metadata.name: the container's name in the pod */
	char image[256];	/* ImageSpec.image as the runtime reports it */
	char image_ref[256];	/* digested reference ("repo@sha256:…"), or the image id */
	char image_id[80];	/* node-local config digest (cri-api >= 0.30 runtimes) */
	char sandbox_id[129];	/* info: sandboxID */
	char runtime_type[64];	/* info: runtimeType (containerd: io.containerd.runc.v2) */
	uint32_t pid;		/* info: pid */
	struct runtime_mounts mounts; /* info: runtimeSpec.mounts, the host binds that matter */
	struct exposures exposures;   /* info: runtimeSpec.process env and args, their secrets */
	struct label_set labels; /* the kubelet's: io.kubernetes.pod.*, container.name */
	struct label_set annotations;
};

struct cri_image {
	char id[80];
	char repo_tag[256];    /* the first of repo_tags */
	char repo_digest[256]; /* the first of repo_digests */
	unsigned ntags, ndigests;
	struct label_set labels; /* the image config's Labels, from the verbose info */
};

/* Version: runtime_name ("containerd", "cri-o") and runtime_version. 0 or -errno/GRPC_ERR. */
int cri_version(struct grpc_client *c, char *name, size_t ncap, char *ver, size_t vcap);
int cri_container_status(struct grpc_client *c, const char *id, struct cri_container *out);
/* -ENOENT when the runtime does not know the image (the response carries no image). */
int cri_image_status(struct grpc_client *c, const char *image, struct cri_image *out);

/*
 * ContainerStatus then ImageStatus, merged into the record the containerd client fills:
 * labels are the container's, then the image config's not already there (kubelet's win, as
 * containerd's CRI merges them); runtime_name is left to the caller (it is per runtime).
 */
int cri_get(struct grpc_client *c, const char *id, struct container_record *out);

/* Request encoders and response decoders, exposed for the unit tests and the fuzzer.
 * Encoders return the length written or -ENAMETOOLONG. */
int cri_encode_container_status(const char *id, bool verbose, uint8_t *buf, size_t cap);
int cri_encode_image_status(const char *image, bool verbose, uint8_t *buf, size_t cap);
int cri_decode_version(const uint8_t *msg, size_t len, char *name, size_t ncap, char *ver,
		       size_t vcap);
int cri_decode_container_status(const uint8_t *msg, size_t len, struct cri_container *out);
int cri_decode_image_status(const uint8_t *msg, size_t len, struct cri_image *out);
/* The verbose info["info"] JSON of each (containerd's and CRI-O's shapes); -EINVAL if it
 * is not a JSON object. */
int cri_parse_container_info(const char *json, size_t len, struct cri_container *out);
int cri_parse_image_info(const char *json, size_t len, struct label_set *labels);

#endif

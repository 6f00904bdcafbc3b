/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runtime_containerd.h - container records from containerd's native API (INTEGRATION.md §1.2):
 * Containers/Get gives the labels (for CRI containers: the image's config labels merged with
 * kubelet's io.kubernetes.* labels), the image name, the runtime and the sandbox;
 * Images/Get gives the image's digest and media type (image_store.h follows it to the
 * config). The record's spec (an Any holding the OCI runtime spec as JSON) gives the host paths
 * bound into the container.
 */
#ifndef C2D_RUNTIME_CONTAINERD_H
#define C2D_RUNTIME_CONTAINERD_H

#include "grpc.h"
#include "labels.h"
#include "exposures.h"
#include "runtime_mounts.h"

#define CONTAINERD_SOCKET "/run/containerd/containerd.sock"

struct container_record {
	char id[129];
	char ns[64];	      /* containerd namespace it was found in */
	char image[256];      /* image name as the container references it */
	char image_digest[80]; /* sha256:… of the image's root (index or manifest) */
	char image_media_type[96]; /* the root's media type (Images/Get); "": not said (CRI) */
	char runtime[64];     /* io.containerd.runc.v2 … */
	char sandbox[129];    /* the pod sandbox (containerd 2.x CRI) */
	char runtime_name[16]; /* who answered: "containerd", or CRI's runtime_name ("cri-o") */
	struct runtime_mounts mounts; /* host paths bound in, from the OCI spec (those that matter) */
	struct exposures exposures;   /* secrets in its env and args, from the same spec */
	struct label_set labels;
};

/* Containers/Get then Images/Get in namespace ns. 0, or a negative errno / GRPC_ERR(). */
int containerd_get(struct grpc_client *c, const char *ns, const char *id,
		   struct container_record *out);

/* Decoders, exposed for the unit tests and the fuzzer. */
int containerd_decode_container(const uint8_t *msg, size_t len, struct container_record *out);
int containerd_decode_image(const uint8_t *msg, size_t len, struct container_record *out);

#endif

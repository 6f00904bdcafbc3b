/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * image_store.h - what an image's config bakes in (its secrets: exposures_from_image), read
 * from containerd's content store (Content/Read, a server stream) by following the image's
 * root: index → this platform's manifest → config (image_config.h checks each blob: bounded,
 * digest verified). Cached by root digest, since many containers share an image: a small table,
 * least recently used replaced; failures are cached for a short while too.
 *
 * What is cached is names and keyed fingerprints (exposures.h), never a value: the config's
 * text lives only in the buffer of one read, which is wiped after the scan.
 *
 * One caller at a time (the meta cache's resolver thread); blocking, bounded by the gRPC
 * client's timeout for each blob.
 */
#ifndef C2D_IMAGE_STORE_H
#define C2D_IMAGE_STORE_H

#include <stdint.h>

#include "exposures.h"
#include "grpc.h"

#define IMAGE_STORE_SLOTS 32

struct image_store_stats {
	uint64_t hits, misses, failures;
	uint64_t last_miss_us; /* how long the last look-up that read the store took */
};

struct image_store;

struct image_store *image_store_new(void);
void image_store_free(struct image_store *s);

/*
 * The secrets the config of the image rooted at root_digest bakes in, in containerd namespace
 * ns; media_type: the root's (Images/Get's target), or "" / NULL when not known (a CRI image
 * id or repo digest: the blob says). 0 and *out (valid until the next call), or a negative
 * errno (not readable: the caller does not know what the image bakes in).
 */
int image_store_secrets(struct image_store *s, struct grpc_client *c, const char *ns,
			const char *root_digest, const char *media_type,
			const struct exposures **out);

void image_store_get_stats(const struct image_store *s, struct image_store_stats *st);

/* The blob-to-secrets walk without a socket, for the unit tests: fetch(ctx, desc, buf, cap)
 * writes the blob into buf and returns its length (more than cap - 1: too big) or a negative
 * errno; buf holds IMAGE_BLOB_MAX + 1 bytes. 0, or a negative errno. */
struct image_desc;
typedef long (*image_fetch_fn)(void *ctx, const struct image_desc *d, uint8_t *buf, size_t cap);
int image_walk(image_fetch_fn fetch, void *ctx, uint8_t *buf, const char *root_digest,
	       const char *media_type, struct exposures *out);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * image_config.h - the OCI image documents between an image's root and its config, checked
 * like any input from the outside: an image index or Docker manifest list (the manifest for
 * this node's platform is picked), an image manifest (its `config` descriptor), the config
 * (what it bakes in: exposures_from_image). Each blob is bounded (IMAGE_BLOB_MAX) and must hash
 * to its digest (sha256) before it is parsed. No I/O here: image_store.c reads the blobs.
 *
 * Media types and fields from opencontainers/image-spec specs-go/v1/{mediatype,index,manifest,
 * descriptor,config}.go and containerd images/mediatypes.go (agent/CRI.md).
 */
#ifndef C2D_IMAGE_CONFIG_H
#define C2D_IMAGE_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define IMAGE_BLOB_MAX	 (1u << 20) /* an index, a manifest or a config: kilobytes in practice */
#define IMAGE_DIGEST_LEN 72	    /* "sha256:" + 64 hex + NUL */

enum image_blob_kind {
	IMAGE_BLOB_BAD = 0, /* not one of the three (a layer, an unknown type) */
	IMAGE_BLOB_INDEX,   /* OCI image index, Docker manifest list */
	IMAGE_BLOB_MANIFEST,
	IMAGE_BLOB_CONFIG,
};

struct image_desc {
	char media_type[96]; /* "" when the referrer did not say */
	char digest[IMAGE_DIGEST_LEN];
	int64_t size; /* -1 when the referrer did not say */
};

/* The kind a media type names; "" is IMAGE_BLOB_BAD (then image_blob_sniff decides). */
enum image_blob_kind image_blob_kind(const char *media_type);

/* The kind of a parsed document whose referrer gave no media type (a CRI image id or repo
 * digest): its own `mediaType`, else its shape (`manifests`: an index; `config` + `layers`: a
 * manifest; `rootfs` or `architecture`: a config). */
enum image_blob_kind image_blob_sniff(const void *doc);

/* A descriptor fit to follow: "sha256:" + 64 lower-case hex, size unknown or 1..IMAGE_BLOB_MAX. */
int image_desc_check(const struct image_desc *d);

/* Does data (len bytes) hash to digest ("sha256:<hex>")? 0, -EBADMSG (it does not), or -EINVAL
 * (not a sha256 digest). */
int image_digest_verify(const void *data, size_t len, const char *digest);

/* The platform this agent runs on, as Go names it (GOARCH: "amd64", "arm64"…) and "linux". */
const char *image_goarch(void);

/*
 * The manifest of a parsed index for platform os/arch (variant not compared): the first entry
 * whose platform matches; else, when no entry states a platform at all, the only manifest entry
 * (`ctr import` of an OCI layout keeps index.json as is: umoci writes none). 0, -ENOENT (none
 * for this platform, or several without one), -EINVAL (not an index, bad entry).
 */
int image_index_pick(const void *index, const char *arch, const char *os, struct image_desc *out);

/* The `config` descriptor of a parsed image manifest. 0, -EINVAL (missing, or not a config
 * media type). */
int image_manifest_config(const void *manifest, struct image_desc *out);

/* Is a parsed config for os/arch, or silent about it? 0, or -ENOENT (another platform's). */
int image_config_platform(const void *config, const char *arch, const char *os);

#endif

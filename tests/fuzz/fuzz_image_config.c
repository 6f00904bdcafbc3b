// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_image_config.c - libFuzzer harness for the image document readers
 * (agent/attribution/image_config.c) and the walk (agent/attribution/image_store.c): blobs from
 * containerd's content store. The input is parsed as JSON and given to every reader; then it is the
 * root blob of a walk under its own digest, so that it passes the digest check and reaches the
 * index, manifest and config readers. Every descriptor a reader accepts must be one
 * image_desc_check accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include "image_config.h"
#include "image_store.h"
#include "fuzz.h"

static const uint8_t *in;
static size_t in_len;

static long serve(void *ctx, const struct image_desc *d, uint8_t *buf, size_t cap)
{
	size_t n = in_len < cap ? in_len : cap;

	memcpy(buf, in, n);
	return (long)n;
}

static void root_digest(const uint8_t *data, size_t size, char out[IMAGE_DIGEST_LEN])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];

	SHA256(data, size, md);
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 15];
	}
	out[IMAGE_DIGEST_LEN - 1] = 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *buf;
	static int keyed;
	char digest[IMAGE_DIGEST_LEN];
	struct image_desc d;
	struct exposures x;
	cJSON *doc;

	if (!keyed)
		keyed = secrets_key_init(NULL) == 0;
	if (!buf && !(buf = malloc(IMAGE_BLOB_MAX + 1)))
		return 0;
	doc = cJSON_ParseWithLength((const char *)data, size);
	image_blob_sniff(doc);
	if (image_index_pick(doc, image_goarch(), "linux", &d) == 0)
		CHECK(image_desc_check(&d) == 0 &&
		      image_blob_kind(d.media_type) == IMAGE_BLOB_MANIFEST);
	if (image_manifest_config(doc, &d) == 0)
		CHECK(image_desc_check(&d) == 0 &&
		      image_blob_kind(d.media_type) == IMAGE_BLOB_CONFIG);
	image_config_platform(doc, image_goarch(), "linux");
	if (exposures_from_image(doc, &x) == 0)
		CHECK(x.n <= EXPOSURES_MAX);
	cJSON_Delete(doc);
	in = data;
	in_len = size;
	root_digest(data, size, digest);
	image_walk(serve, NULL, buf, digest, "", &x);
	CHECK(x.n <= EXPOSURES_MAX);
	return 0;
}

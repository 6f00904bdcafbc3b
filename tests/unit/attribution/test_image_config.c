// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_image_config.c - agent/attribution/image_config.c and the walk of
 * agent/attribution/image_store.c, without a socket: an index gives this platform's manifest, a
 * manifest its config, a config its secrets; every blob must hash to its digest and be no larger
 * than the cap; wrong media types, missing fields, sizes and digests out of shape are refused.
 * Every value here is a fake of the right shape.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include "image_config.h"
#include "image_store.h"
#include "unit.h"

#define STRIPE	     "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
#define OCI_INDEX    "application/vnd.oci.image.index.v1+json"
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define OCI_CONFIG   "application/vnd.oci.image.config.v1+json"
#define OCI_LAYER    "application/vnd.oci.image.layer.v1.tar+gzip"

/* A tiny content store: digest → bytes. */
#define BLOBS 24
static struct {
	char digest[IMAGE_DIGEST_LEN];
	char *data;
	size_t len;
} blobs[BLOBS];
static unsigned nblobs;
static uint8_t *buf;
static int fetches;

static void digest_of(const char *data, size_t len, char out[IMAGE_DIGEST_LEN])
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	int at = snprintf(out, IMAGE_DIGEST_LEN, "sha256:");

	SHA256((const unsigned char *)data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++)
		at += snprintf(out + at, IMAGE_DIGEST_LEN - at, "%02x", md[i]);
}

/* Store text (printf format) as a blob; its digest into d, its size into *size. */
static const char *put(char d[IMAGE_DIGEST_LEN], size_t *size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static const char *put(char d[IMAGE_DIGEST_LEN], size_t *size, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	assert_true(vasprintf(&s, fmt, ap) > 0);
	va_end(ap);
	assert_true(nblobs < BLOBS);
	blobs[nblobs].data = s;
	blobs[nblobs].len = strlen(s);
	digest_of(s, strlen(s), blobs[nblobs].digest);
	snprintf(d, IMAGE_DIGEST_LEN, "%s", blobs[nblobs].digest);
	if (size)
		*size = strlen(s);
	return blobs[nblobs++].digest;
}

static long fetch(void *ctx, const struct image_desc *d, uint8_t *out, size_t cap)
{
	fetches++;
	for (unsigned i = 0; i < nblobs; i++)
		if (!strcmp(blobs[i].digest, d->digest)) {
			size_t n = blobs[i].len < cap ? blobs[i].len : cap;

			memcpy(out, blobs[i].data, n);
			return (long)n;
		}
	return -ENOENT;
}

/* A blob that says it is more than the cap (what content_fetch returns then). */
static long fetch_huge(void *ctx, const struct image_desc *d, uint8_t *out, size_t cap)
{
	memset(out, ' ', cap);
	return (long)cap;
}

static int setup(void **state)
{
	buf = malloc(IMAGE_BLOB_MAX + 1);
	return buf && secrets_key_init(NULL) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	for (unsigned i = 0; i < nblobs; i++)
		free(blobs[i].data);
	nblobs = 0;
	free(buf);
	secrets_key_clear();
	return 0;
}

static const char *other_arch(void)
{
	return strcmp(image_goarch(), "s390x") ? "s390x" : "arm64";
}

/* config → manifest → index (a decoy of another platform first); the index's digest. */
struct image {
	char config[IMAGE_DIGEST_LEN], decoy_config[IMAGE_DIGEST_LEN];
	char manifest[IMAGE_DIGEST_LEN], decoy[IMAGE_DIGEST_LEN], index[IMAGE_DIGEST_LEN];
};

static void make_image(struct image *im)
{
	size_t cs, ds, ms, dms;

	put(im->config, &cs,
	    "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/bin\","
	    "\"STRIPE_KEY=" STRIPE "\"],\"Cmd\":[\"/bin/sh\"]},\"rootfs\":{\"type\":\"layers\","
	    "\"diff_ids\":[]}}",
	    image_goarch());
	put(im->decoy_config, &ds,
	    "{\"architecture\":\"%s\",\"os\":\"linux\",\"config\":{\"Env\":["
	    "\"GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789\"]}}",
	    other_arch());
	put(im->manifest, &ms,
	    "{\"schemaVersion\":2,\"mediaType\":\"" OCI_MANIFEST "\",\"config\":{\"mediaType\":"
	    "\"" OCI_CONFIG "\",\"digest\":\"%s\",\"size\":%zu},\"layers\":[]}",
	    im->config, cs);
	put(im->decoy, &dms,
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" OCI_CONFIG "\",\"digest\":\"%s\","
	    "\"size\":%zu},\"layers\":[]}",
	    im->decoy_config, ds);
	put(im->index, NULL,
	    "{\"schemaVersion\":2,\"mediaType\":\"" OCI_INDEX "\",\"manifests\":["
	    "{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
	    "\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}},"
	    "{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":%zu,"
	    "\"platform\":{\"architecture\":\"%s\",\"os\":\"linux\"}}]}",
	    im->decoy, dms, other_arch(), im->manifest, ms, image_goarch());
}

static void test_media_types(void **state)
{
	cJSON *d;

	assert_int_equal(image_blob_kind(OCI_INDEX), IMAGE_BLOB_INDEX);
	assert_int_equal(
	    image_blob_kind("application/vnd.docker.distribution.manifest.list.v2+json"),
	    IMAGE_BLOB_INDEX);
	assert_int_equal(image_blob_kind("application/vnd.docker.distribution.manifest.v2+json"),
			 IMAGE_BLOB_MANIFEST);
	assert_int_equal(image_blob_kind("application/vnd.docker.container.image.v1+json"),
			 IMAGE_BLOB_CONFIG);
	assert_int_equal(image_blob_kind(OCI_LAYER), IMAGE_BLOB_BAD);
	assert_int_equal(image_blob_kind(""), IMAGE_BLOB_BAD);
	assert_int_equal(image_blob_kind(NULL), IMAGE_BLOB_BAD);
	d = cJSON_Parse("{\"manifests\":[]}");
	assert_int_equal(image_blob_sniff(d), IMAGE_BLOB_INDEX);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"config\":{},\"layers\":[]}");
	assert_int_equal(image_blob_sniff(d), IMAGE_BLOB_MANIFEST);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"rootfs\":{}}");
	assert_int_equal(image_blob_sniff(d), IMAGE_BLOB_CONFIG);
	cJSON_Delete(d);
	d = cJSON_Parse("{\"mediaType\":\"" OCI_LAYER "\",\"manifests\":[]}"); /* it says */
	assert_int_equal(image_blob_sniff(d), IMAGE_BLOB_BAD);
	cJSON_Delete(d);
	d = cJSON_Parse("[1]");
	assert_int_equal(image_blob_sniff(d), IMAGE_BLOB_BAD);
	cJSON_Delete(d);
}

static void test_digest_verify(void **state)
{
	char d[IMAGE_DIGEST_LEN];
	struct image_desc desc = {.size = 10};

	digest_of("hello", 5, d);
	assert_int_equal(image_digest_verify("hello", 5, d), 0);
	assert_int_equal(image_digest_verify("hellO", 5, d), -EBADMSG);
	assert_int_equal(image_digest_verify("hello", 4, d), -EBADMSG);
	assert_int_equal(image_digest_verify("hello", 5, "md5:5d41402abc4b2a76b9719d911017c592"),
			 -EINVAL);
	assert_int_equal(image_digest_verify("hello", 5, NULL), -EINVAL);
	snprintf(desc.digest, sizeof(desc.digest), "%s", d);
	assert_int_equal(image_desc_check(&desc), 0);
	desc.digest[10] = 'A'; /* upper case is not a digest */
	assert_int_equal(image_desc_check(&desc), -EINVAL);
	desc.digest[10] = 'a';
	desc.size = (int64_t)IMAGE_BLOB_MAX + 1;
	assert_int_equal(image_desc_check(&desc), -EFBIG);
	desc.size = 0;
	assert_int_equal(image_desc_check(&desc), -EFBIG);
	desc.size = -1; /* not said: read, then checked */
	assert_int_equal(image_desc_check(&desc), 0);
	desc.digest[70] = 0; /* short */
	assert_int_equal(image_desc_check(&desc), -EINVAL);
}

static int pick(const char *json, struct image_desc *out)
{
	cJSON *d = cJSON_Parse(json);
	int rc;

	assert_non_null(d);
	rc = image_index_pick(d, "amd64", "linux", out);
	cJSON_Delete(d);
	return rc;
}

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ENTRY(arch)                                                                                \
	"{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":\"sha256:" D64 "\",\"size\":10"            \
	",\"platform\":{\"architecture\":\"" arch "\",\"os\":\"linux\"}}"
#define BARE "{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":\"sha256:" D64 "\",\"size\":10}"

static void test_index_pick(void **state)
{
	struct image_desc d;

	assert_int_equal(pick("{\"manifests\":[" ENTRY("arm64") "," ENTRY("amd64") "]}", &d), 0);
	assert_string_equal(d.digest, "sha256:" D64);
	assert_int_equal(d.size, 10);
	assert_string_equal(d.media_type, OCI_MANIFEST);
	/* none for this platform; an entry without a platform does not stand in for one */
	assert_int_equal(pick("{\"manifests\":[" ENTRY("arm64") "]}", &d), -ENOENT);
	assert_int_equal(pick("{\"manifests\":[" ENTRY("arm64") "," BARE "]}", &d), -ENOENT);
	/* no platform anywhere: the only manifest (an OCI layout's index.json), not one of two */
	assert_int_equal(pick("{\"manifests\":[" BARE "]}", &d), 0);
	assert_int_equal(pick("{\"manifests\":[" BARE "," BARE "]}", &d), -ENOENT);
	assert_int_equal(pick("{\"manifests\":[]}", &d), -ENOENT);
	/* hostile entries */
	assert_int_equal(pick("{\"manifests\":[{\"mediaType\":\"" OCI_LAYER
			      "\",\"digest\":\"sha256:" D64 "\",\"size\":10}]}",
			      &d),
			 -EINVAL);
	assert_int_equal(pick("{\"manifests\":[{\"mediaType\":\"" OCI_MANIFEST
			      "\",\"digest\":\"sha256:abc\",\"size\":10}]}",
			      &d),
			 -EINVAL);
	assert_int_equal(pick("{\"manifests\":[{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":"
			      "\"sha256:" D64 "\",\"size\":1e12}]}",
			      &d),
			 -EINVAL);
	assert_int_equal(pick("{\"manifests\":[{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":"
			      "\"sha256:" D64 "\",\"size\":\"10\"}]}",
			      &d),
			 -EINVAL);
	assert_int_equal(pick("{\"manifests\":[{\"mediaType\":\"" OCI_MANIFEST "\"}]}", &d),
			 -EINVAL);
	assert_int_equal(pick("{\"manifests\":[\"x\"]}", &d), -EINVAL);
	assert_int_equal(pick("{\"manifests\":{}}", &d), -EINVAL);
	assert_int_equal(pick("{\"config\":{},\"layers\":[]}", &d), -EINVAL); /* a manifest */
}

static int config_of(const char *json, struct image_desc *out)
{
	cJSON *d = cJSON_Parse(json);
	int rc;

	assert_non_null(d);
	rc = image_manifest_config(d, out);
	cJSON_Delete(d);
	return rc;
}

static void test_manifest_config(void **state)
{
	struct image_desc d;

	assert_int_equal(config_of("{\"config\":{\"mediaType\":\"" OCI_CONFIG "\",\"digest\":"
				   "\"sha256:" D64 "\",\"size\":455},\"layers\":[]}",
				   &d),
			 0);
	assert_string_equal(d.digest, "sha256:" D64);
	assert_int_equal(d.size, 455);
	assert_int_equal(config_of("{\"config\":{\"mediaType\":\"" OCI_LAYER "\",\"digest\":"
				   "\"sha256:" D64 "\",\"size\":455},\"layers\":[]}",
				   &d),
			 -EINVAL);
	assert_int_equal(config_of("{\"layers\":[]}", &d), -EINVAL);
	assert_int_equal(config_of("{\"config\":{\"mediaType\":\"" OCI_CONFIG "\",\"size\":455},"
				   "\"layers\":[]}",
				   &d),
			 -EINVAL);
	assert_int_equal(
	    config_of("{\"mediaType\":\"" OCI_INDEX "\",\"config\":{},\"layers\":[]}", &d),
	    -EINVAL);
}

/* The whole walk: from the index, this platform's config, its secret by name and fingerprint
 * (the decoy's GITHUB_TOKEN never); a manifest root without a media type (a CRI image id) too. */
static void test_walk(void **state)
{
	struct image im;
	struct exposures x;
	char fp[SECRET_FP_LEN];

	make_image(&im);
	assert_int_equal(image_walk(fetch, NULL, buf, im.index, OCI_INDEX, &x), 0);
	assert_int_equal(x.n, 1);
	assert_string_equal(x.e[0].name, "STRIPE_KEY");
	assert_int_equal(secrets_fingerprint(STRIPE, strlen(STRIPE), fp), 0);
	assert_string_equal(x.e[0].fingerprint, fp);
	assert_int_equal(image_walk(fetch, NULL, buf, im.index, NULL, &x), 0); /* sniffed */
	assert_int_equal(x.n, 1);
	assert_int_equal(image_walk(fetch, NULL, buf, im.manifest, "", &x), 0);
	assert_string_equal(x.e[0].name, "STRIPE_KEY");
	assert_int_equal(image_walk(fetch, NULL, buf, im.config, OCI_CONFIG, &x), 0);
	assert_int_equal(x.n, 1);
	/* another platform's config, reached without an index to choose */
	assert_int_equal(image_walk(fetch, NULL, buf, im.decoy, OCI_MANIFEST, &x), -ENOENT);
	assert_int_equal(x.n, 0);
	/* the descriptor and the blob disagree; a root that is a layer */
	assert_int_equal(image_walk(fetch, NULL, buf, im.index, OCI_MANIFEST, &x), -EINVAL);
	assert_int_equal(image_walk(fetch, NULL, buf, im.config, OCI_LAYER, &x), -EINVAL);
	assert_int_equal(image_walk(fetch, NULL, buf, "sha256:" D64, OCI_INDEX, &x), -ENOENT);
	assert_int_equal(image_walk(fetch, NULL, buf, "sha256:short", OCI_INDEX, &x), -EINVAL);
	assert_int_equal(image_walk(fetch_huge, NULL, buf, im.index, OCI_INDEX, &x), -EFBIG);
}

/* Blobs that are not what their digest or size says; an index of indexes; a walk that loops. */
static void test_walk_hostile(void **state)
{
	struct image im;
	struct exposures x;
	char d[IMAGE_DIGEST_LEN], inner[IMAGE_DIGEST_LEN];
	size_t n;

	make_image(&im);
	/* tampered: the manifest's bytes changed, its digest kept */
	for (unsigned i = 0; i < nblobs; i++)
		if (!strcmp(blobs[i].digest, im.manifest))
			blobs[i].data[blobs[i].len - 2] = ' ';
	assert_int_equal(image_walk(fetch, NULL, buf, im.index, OCI_INDEX, &x), -EBADMSG);
	/* a size that is not the blob's */
	put(d, NULL,
	    "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"" OCI_CONFIG "\",\"digest\":\"%s\","
	    "\"size\":12},\"layers\":[]}",
	    im.config);
	assert_int_equal(image_walk(fetch, NULL, buf, d, OCI_MANIFEST, &x), -EBADMSG);
	/* an index whose entry is an index */
	put(inner, &n, "{\"manifests\":[]}");
	put(d, NULL,
	    "{\"manifests\":[{\"mediaType\":\"" OCI_INDEX "\",\"digest\":\"%s\",\"size\":%zu}]}",
	    inner, n);
	assert_int_equal(image_walk(fetch, NULL, buf, d, OCI_INDEX, &x), -EINVAL);
	/* a blob that is not JSON */
	put(d, NULL, "not json");
	assert_int_equal(image_walk(fetch, NULL, buf, d, OCI_CONFIG, &x), -EBADMSG);
	/* a config whose `config` is not an object */
	put(d, NULL, "{\"architecture\":\"%s\",\"config\":\"x\"}", image_goarch());
	assert_int_equal(image_walk(fetch, NULL, buf, d, OCI_CONFIG, &x), -EINVAL);
	/* a manifest pointing at itself cannot be written (its digest is of its own bytes): a
	 * manifest whose config is a manifest is refused by media type */
	put(d, NULL,
	    "{\"config\":{\"mediaType\":\"" OCI_MANIFEST "\",\"digest\":\"%s\",\"size\":10},"
	    "\"layers\":[]}",
	    im.manifest);
	assert_int_equal(image_walk(fetch, NULL, buf, d, OCI_MANIFEST, &x), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_media_types), cmocka_unit_test(test_digest_verify),
	    cmocka_unit_test(test_index_pick),	cmocka_unit_test(test_manifest_config),
	    cmocka_unit_test(test_walk),	cmocka_unit_test(test_walk_hostile),
	};

	return cmocka_run_group_tests_name("image_config", tests, setup, teardown);
}

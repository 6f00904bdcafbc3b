// SPDX-License-Identifier: BSD-2-Clause
/* image_config.c - see image_config.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/sha.h>

#include "image_config.h"

static const struct {
	const char *type;
	enum image_blob_kind kind;
} media_types[] = {
    {"application/vnd.oci.image.index.v1+json", IMAGE_BLOB_INDEX},
    {"application/vnd.docker.distribution.manifest.list.v2+json", IMAGE_BLOB_INDEX},
    {"application/vnd.oci.image.manifest.v1+json", IMAGE_BLOB_MANIFEST},
    {"application/vnd.docker.distribution.manifest.v2+json", IMAGE_BLOB_MANIFEST},
    {"application/vnd.oci.image.config.v1+json", IMAGE_BLOB_CONFIG},
    {"application/vnd.docker.container.image.v1+json", IMAGE_BLOB_CONFIG},
};

enum image_blob_kind image_blob_kind(const char *media_type)
{
	for (size_t i = 0; media_type && i < sizeof(media_types) / sizeof(media_types[0]); i++)
		if (!strcmp(media_type, media_types[i].type))
			return media_types[i].kind;
	return IMAGE_BLOB_BAD;
}

static const cJSON *member(const void *doc, const char *key)
{
	return cJSON_GetObjectItemCaseSensitive((const cJSON *)doc, key);
}

enum image_blob_kind image_blob_sniff(const void *doc)
{
	const cJSON *mt = member(doc, "mediaType");

	if (!cJSON_IsObject((const cJSON *)doc))
		return IMAGE_BLOB_BAD;
	if (mt)
		return image_blob_kind(cJSON_GetStringValue(mt));
	if (cJSON_IsArray(member(doc, "manifests")))
		return IMAGE_BLOB_INDEX;
	if (cJSON_IsObject(member(doc, "config")) && cJSON_IsArray(member(doc, "layers")))
		return IMAGE_BLOB_MANIFEST;
	if (member(doc, "rootfs") || member(doc, "architecture"))
		return IMAGE_BLOB_CONFIG;
	return IMAGE_BLOB_BAD;
}

static bool sha256_digest_ok(const char *d)
{
	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != 7 + 64)
		return false;
	for (const char *p = d + 7; *p; p++)
		if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
			return false;
	return true;
}

int image_desc_check(const struct image_desc *d)
{
	if (!sha256_digest_ok(d->digest))
		return -EINVAL;
	if (d->size == 0 || d->size < -1 || d->size > (int64_t)IMAGE_BLOB_MAX)
		return -EFBIG;
	return 0;
}

int image_digest_verify(const void *data, size_t len, const char *digest)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[SHA256_DIGEST_LENGTH];
	char got[2 * SHA256_DIGEST_LENGTH + 1];

	if (!digest || !sha256_digest_ok(digest))
		return -EINVAL;
	SHA256(data, len, md);
	for (int i = 0; i < SHA256_DIGEST_LENGTH; i++) {
		got[2 * i] = hex[md[i] >> 4];
		got[2 * i + 1] = hex[md[i] & 15];
	}
	got[sizeof(got) - 1] = 0;
	return strcmp(got, digest + 7) ? -EBADMSG : 0;
}

const char *image_goarch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__i386__)
	return "386";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#else
	return "unknown";
#endif
}

/* A descriptor object (mediaType, digest, size) into out; -EINVAL when malformed. */
static int desc_from(const cJSON *o, struct image_desc *out)
{
	const cJSON *mt = member(o, "mediaType"), *dg = member(o, "digest"),
		    *sz = member(o, "size");
	const char *m = cJSON_GetStringValue(mt), *d = cJSON_GetStringValue(dg);

	memset(out, 0, sizeof(*out));
	out->size = -1;
	if (!cJSON_IsObject(o) || !d || (mt && !m) || (sz && !cJSON_IsNumber(sz)))
		return -EINVAL;
	if ((m && strlen(m) >= sizeof(out->media_type)) || strlen(d) >= sizeof(out->digest))
		return -EINVAL;
	snprintf(out->media_type, sizeof(out->media_type), "%s", m ? m : "");
	snprintf(out->digest, sizeof(out->digest), "%s", d);
	if (sz) {
		double v = cJSON_GetNumberValue(sz);

		if (v < 1 || v > (double)IMAGE_BLOB_MAX)
			return -EFBIG;
		out->size = (int64_t)v;
	}
	return image_desc_check(out);
}

static bool str_is(const cJSON *o, const char *key, const char *want)
{
	const char *v = cJSON_GetStringValue(member(o, key));

	return v && !strcmp(v, want);
}

int image_index_pick(const void *index, const char *arch, const char *os, struct image_desc *out)
{
	const cJSON *ms = member(index, "manifests"), *m, *only = NULL;
	int n = 0, with_platform = 0;

	if (image_blob_sniff(index) != IMAGE_BLOB_INDEX || !cJSON_IsArray(ms))
		return -EINVAL;
	cJSON_ArrayForEach(m, ms)
	{
		const cJSON *p = member(m, "platform");

		if (!cJSON_IsObject(m))
			return -EINVAL;
		if (p) {
			with_platform++;
			if (str_is(p, "architecture", arch) && str_is(p, "os", os))
				break;
		}
		only = m;
		n++;
	}
	if (!m && (with_platform || n != 1))
		return -ENOENT;
	if (desc_from(m ? m : only, out) < 0)
		return -EINVAL;
	return image_blob_kind(out->media_type) == IMAGE_BLOB_MANIFEST ? 0 : -EINVAL;
}

int image_manifest_config(const void *manifest, struct image_desc *out)
{
	if (image_blob_sniff(manifest) != IMAGE_BLOB_MANIFEST)
		return -EINVAL;
	if (desc_from(member(manifest, "config"), out) < 0)
		return -EINVAL;
	return image_blob_kind(out->media_type) == IMAGE_BLOB_CONFIG ? 0 : -EINVAL;
}

int image_config_platform(const void *config, const char *arch, const char *os)
{
	const char *a = cJSON_GetStringValue(member(config, "architecture"));
	const char *o = cJSON_GetStringValue(member(config, "os"));

	if ((a && a[0] && strcmp(a, arch)) || (o && o[0] && strcmp(o, os)))
		return -ENOENT;
	return 0;
}

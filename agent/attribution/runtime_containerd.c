// SPDX-License-Identifier: BSD-2-Clause
/*
 * runtime_containerd.c - see runtime_containerd.h. Field numbers from containerd's
 * api/services/{containers,images}/v1 (identical in 1.6, 1.7 and 2.x).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pb.h"
#include "runtime_containerd.h"

#define PATH_CONTAINERS_GET "/containerd.services.containers.v1.Containers/Get"
#define PATH_IMAGES_GET "/containerd.services.images.v1.Images/Get"

enum { CTR_ID = 1, CTR_LABELS = 2, CTR_IMAGE = 3, CTR_RUNTIME = 4, CTR_SPEC = 5, CTR_SANDBOX = 11 };
enum { ANY_TYPE_URL = 1, ANY_VALUE = 2 };
enum { IMG_NAME = 1, IMG_TARGET = 3 };
enum { DESC_MEDIA_TYPE = 1, DESC_DIGEST = 2 };

static int decode_runtime(const struct pb_field *f, struct container_record *out)
{
	struct pb_reader r;
	struct pb_field g;

	pb_sub(f, &r);
	while (pb_next(&r, &g))
		if (g.num == 1 && g.wire == PB_LEN)
			pb_str(&g, out->runtime, sizeof(out->runtime));
	return r.error ? -EPROTO : 0;
}

/* spec: google.protobuf.Any { type_url = 1; value = 2 }, value the OCI spec as JSON, parsed
 * once for its mounts and its exposures. A spec we cannot read costs only those, never the
 * record. */
static int decode_spec(const struct pb_field *f, struct container_record *out)
{
	struct pb_reader r;
	struct pb_field g;

	pb_sub(f, &r);
	while (pb_next(&r, &g))
		if (g.num == ANY_VALUE && g.wire == PB_LEN) {
			cJSON *spec = g.len <= RUNTIME_SPEC_MAX
					      ? cJSON_ParseWithLength((const char *)g.data, g.len)
					      : NULL;

			runtime_mounts_from_cjson(spec, &out->mounts);
			exposures_from_cjson(spec, &out->exposures);
			cJSON_Delete(spec);
		}
	return r.error ? -EPROTO : 0;
}

static int decode_record(const struct pb_field *f, struct container_record *out)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	struct pb_reader r;
	struct pb_field g;

	pb_sub(f, &r);
	while (pb_next(&r, &g)) {
		if (g.wire != PB_LEN)
			continue;
		switch (g.num) {
		case CTR_ID:
			pb_str(&g, out->id, sizeof(out->id));
			break;
		case CTR_LABELS:
			if (pb_map_entry(&g, &k, &kl, &v, &vl))
				labels_add(&out->labels, k, kl, v, vl);
			break;
		case CTR_IMAGE:
			pb_str(&g, out->image, sizeof(out->image));
			break;
		case CTR_RUNTIME:
			if (decode_runtime(&g, out) < 0)
				return -EPROTO;
			break;
		case CTR_SPEC:
			if (decode_spec(&g, out) < 0)
				return -EPROTO;
			break;
		case CTR_SANDBOX:
			pb_str(&g, out->sandbox, sizeof(out->sandbox));
			break;
		}
	}
	return r.error ? -EPROTO : 0;
}

/* GetContainerResponse { Container container = 1; } */
int containerd_decode_container(const uint8_t *msg, size_t len, struct container_record *out)
{
	struct pb_reader r;
	struct pb_field f;
	int found = 0;

	labels_init(&out->labels);
	memset(&out->mounts, 0, sizeof(out->mounts));
	memset(&out->exposures, 0, sizeof(out->exposures));
	pb_reader_init(&r, msg, len);
	while (pb_next(&r, &f)) {
		if (f.num == 1 && f.wire == PB_LEN) {
			if (decode_record(&f, out) < 0)
				return -EPROTO;
			found = 1;
		}
	}
	if (r.error)
		return -EPROTO;
	return found ? 0 : -ENOENT;
}

static int decode_target(const struct pb_field *f, struct container_record *out)
{
	struct pb_reader r;
	struct pb_field g;

	pb_sub(f, &r);
	while (pb_next(&r, &g)) {
		if (g.num == DESC_DIGEST && g.wire == PB_LEN)
			pb_str(&g, out->image_digest, sizeof(out->image_digest));
		else if (g.num == DESC_MEDIA_TYPE && g.wire == PB_LEN)
			pb_str(&g, out->image_media_type, sizeof(out->image_media_type));
	}
	return r.error ? -EPROTO : 0;
}

/* GetImageResponse { Image image = 1; }, Image { name = 1; target = 3 (Descriptor) } */
int containerd_decode_image(const uint8_t *msg, size_t len, struct container_record *out)
{
	struct pb_reader r, ri;
	struct pb_field f, g;

	pb_reader_init(&r, msg, len);
	while (pb_next(&r, &f)) {
		if (f.num != 1 || f.wire != PB_LEN)
			continue;
		pb_sub(&f, &ri);
		while (pb_next(&ri, &g))
			if (g.num == IMG_TARGET && g.wire == PB_LEN && decode_target(&g, out) < 0)
				return -EPROTO;
		if (ri.error)
			return -EPROTO;
	}
	return r.error ? -EPROTO : 0;
}

static int get_one(struct grpc_client *c, const char *ns, const char *path, const char *key,
		   const uint8_t **resp, size_t *len)
{
	uint8_t req[512];
	struct pb_writer w;

	pb_writer_init(&w, req, sizeof(req));
	pb_put_str_field(&w, 1, key); /* GetContainerRequest.id / GetImageRequest.name */
	if (w.overflow)
		return -ENAMETOOLONG;
	return grpc_call(c, path, ns, req, w.len, resp, len);
}

int containerd_get(struct grpc_client *c, const char *ns, const char *id,
		   struct container_record *out)
{
	const uint8_t *resp;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	snprintf(out->ns, sizeof(out->ns), "%s", ns);
	snprintf(out->runtime_name, sizeof(out->runtime_name), "containerd");
	rc = get_one(c, ns, PATH_CONTAINERS_GET, id, &resp, &len);
	if (rc == 0)
		rc = containerd_decode_container(resp, len, out);
	if (rc < 0 || !out->image[0])
		return rc;
	/* the digest is best effort: an image removed since the container started has none */
	if (get_one(c, ns, PATH_IMAGES_GET, out->image, &resp, &len) == 0)
		containerd_decode_image(resp, len, out);
	return 0;
}

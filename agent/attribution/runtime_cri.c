// SPDX-License-Identifier: BSD-2-Clause
/*
 * runtime_cri.c - see runtime_cri.h. Field numbers from k8s.io/cri-api
 * pkg/apis/runtime/v1/api.proto (INTEGRATION.md §1.6, §2.2); unknown fields are skipped, so
 * one decoder serves every cri-api version.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "pb.h"
#include "runtime_cri.h"

#define PATH_VERSION "/runtime.v1.RuntimeService/Version"
#define PATH_CONTAINER_STATUS "/runtime.v1.RuntimeService/ContainerStatus"
#define PATH_IMAGE_STATUS "/runtime.v1.ImageService/ImageStatus"
#define CRI_API_VERSION "v1"

enum { VER_RUNTIME_NAME = 2, VER_RUNTIME_VERSION = 3 };
enum { CSR_STATUS = 1, CSR_INFO = 2 }; /* ContainerStatusResponse, ImageStatusResponse alike */
enum {
	CS_ID = 1,
	CS_METADATA = 2,
	CS_IMAGE = 8,
	CS_IMAGE_REF = 9,
	CS_LABELS = 12,
	CS_ANNOTATIONS = 13,
	CS_IMAGE_ID = 17,
};
enum { IMG_ID = 1, IMG_REPO_TAGS = 2, IMG_REPO_DIGESTS = 3 };

static void clear_container(struct cri_container *out)
{
	memset(out, 0, offsetof(struct cri_container, labels));
	labels_init(&out->labels);
	labels_init(&out->annotations);
}

int cri_encode_container_status(const char *id, bool verbose, uint8_t *buf, size_t cap)
{
	struct pb_writer w;

	pb_writer_init(&w, buf, cap);
	pb_put_str_field(&w, 1, id); /* container_id */
	if (verbose)
		pb_put_varint_field(&w, 2, 1);
	return w.overflow ? -ENAMETOOLONG : (int)w.len;
}

/* ImageStatusRequest { ImageSpec image = 1 { string image = 1 }; bool verbose = 2 } */
int cri_encode_image_status(const char *image, bool verbose, uint8_t *buf, size_t cap)
{
	uint8_t spec[600];
	struct pb_writer w, ws;

	pb_writer_init(&ws, spec, sizeof(spec));
	pb_put_str_field(&ws, 1, image);
	pb_writer_init(&w, buf, cap);
	pb_put_bytes_field(&w, 1, spec, ws.len);
	if (verbose)
		pb_put_varint_field(&w, 2, 1);
	return ws.overflow || w.overflow ? -ENAMETOOLONG : (int)w.len;
}

int cri_decode_version(const uint8_t *msg, size_t len, char *name, size_t ncap, char *ver,
		       size_t vcap)
{
	struct pb_reader r;
	struct pb_field f;

	name[0] = ver[0] = 0;
	pb_reader_init(&r, msg, len);
	while (pb_next(&r, &f)) {
		if (f.wire != PB_LEN)
			continue;
		if (f.num == VER_RUNTIME_NAME)
			pb_str(&f, name, ncap);
		else if (f.num == VER_RUNTIME_VERSION)
			pb_str(&f, ver, vcap);
	}
	if (r.error)
		return -EPROTO;
	return name[0] ? 0 : -ENOENT;
}

/* The first string field `num` of a sub-message (ContainerMetadata.name, ImageSpec.image). */
static int sub_str(const struct pb_field *f, uint32_t num, char *out, size_t cap)
{
	struct pb_reader r;
	struct pb_field g;

	pb_sub(f, &r);
	while (pb_next(&r, &g))
		if (g.num == num && g.wire == PB_LEN)
			pb_str(&g, out, cap);
	return r.error ? -EPROTO : 0;
}

static void add_entry(const struct pb_field *f, struct label_set *ls)
{
	const uint8_t *k, *v;
	size_t kl, vl;

	if (pb_map_entry(f, &k, &kl, &v, &vl))
		labels_add(ls, k, kl, v, vl);
	else
		ls->dropped++;
}

static int decode_cstatus(const struct pb_field *f, struct cri_container *out)
{
	struct pb_reader r;
	struct pb_field g;
	int rc = 0;

	pb_sub(f, &r);
	while (rc == 0 && pb_next(&r, &g)) {
		if (g.wire != PB_LEN)
			continue;
		switch (g.num) {
		case CS_ID:
			pb_str(&g, out->id, sizeof(out->id));
			break;
		case CS_METADATA:
			rc = sub_str(&g, 1, out->name, sizeof(out->name));
			break;
		case CS_IMAGE:
			rc = sub_str(&g, 1, out->image, sizeof(out->image));
			break;
		case CS_IMAGE_REF:
			pb_str(&g, out->image_ref, sizeof(out->image_ref));
			break;
		case CS_LABELS:
			add_entry(&g, &out->labels);
			break;
		case CS_ANNOTATIONS:
			add_entry(&g, &out->annotations);
			break;
		case CS_IMAGE_ID:
			pb_str(&g, out->image_id, sizeof(out->image_id));
			break;
		}
	}
	return r.error || rc ? -EPROTO : 0;
}

/* The verbose map's "info" entry: its JSON, as a view. */
static bool info_json(const struct pb_field *f, const char **json, size_t *len)
{
	const uint8_t *k, *v;
	size_t kl, vl;

	if (!pb_map_entry(f, &k, &kl, &v, &vl) || kl != 4 || memcmp(k, "info", 4) != 0)
		return false;
	*json = (const char *)v;
	*len = vl;
	return true;
}

/*
 * ContainerStatusResponse and ImageStatusResponse share a shape: the status message (field 1,
 * given to decode) and the verbose info map (field 2, its JSON returned in *json and *jlen, or
 * NULL). -EPROTO when malformed, -ENOENT without a status.
 */
static int status_and_info(const uint8_t *msg, size_t len,
			   int (*decode)(const struct pb_field *, void *), void *out,
			   const char **json, size_t *jlen)
{
	struct pb_reader r;
	struct pb_field f;
	bool found = false;

	*json = NULL;
	*jlen = 0;
	pb_reader_init(&r, msg, len);
	while (pb_next(&r, &f)) {
		if (f.wire != PB_LEN)
			continue;
		if (f.num == CSR_STATUS) {
			if (decode(&f, out) < 0)
				return -EPROTO;
			found = true;
		} else if (f.num == CSR_INFO) {
			info_json(&f, json, jlen);
		}
	}
	if (r.error)
		return -EPROTO;
	return found ? 0 : -ENOENT;
}

static int decode_cstatus_any(const struct pb_field *f, void *out)
{
	return decode_cstatus(f, out);
}

int cri_decode_container_status(const uint8_t *msg, size_t len, struct cri_container *out)
{
	const char *json;
	size_t jlen;
	int rc;

	clear_container(out);
	rc = status_and_info(msg, len, decode_cstatus_any, out, &json, &jlen);
	if (rc < 0)
		return rc;
	if (!out->id[0])
		return -ENOENT;
	/* the info is extra: a runtime that gives none, or a shape we do not know, costs only
	 * the sandbox and the handler */
	if (json)
		cri_parse_container_info(json, jlen, out);
	return 0;
}

static void first_str(const struct pb_field *f, char *out, size_t cap, unsigned *n)
{
	if ((*n)++ == 0)
		pb_str(f, out, cap);
}

static int decode_image(const struct pb_field *f, struct cri_image *out)
{
	struct pb_reader r;
	struct pb_field g;

	pb_sub(f, &r);
	while (pb_next(&r, &g)) {
		if (g.wire != PB_LEN)
			continue;
		if (g.num == IMG_ID)
			pb_str(&g, out->id, sizeof(out->id));
		else if (g.num == IMG_REPO_TAGS)
			first_str(&g, out->repo_tag, sizeof(out->repo_tag), &out->ntags);
		else if (g.num == IMG_REPO_DIGESTS)
			first_str(&g, out->repo_digest, sizeof(out->repo_digest), &out->ndigests);
	}
	return r.error ? -EPROTO : 0;
}

static int decode_image_any(const struct pb_field *f, void *out)
{
	return decode_image(f, out);
}

int cri_decode_image_status(const uint8_t *msg, size_t len, struct cri_image *out)
{
	const char *json;
	size_t jlen;
	int rc;

	memset(out, 0, offsetof(struct cri_image, labels));
	labels_init(&out->labels);
	/* "If the image is not present, returns a response with Image set to nil": -ENOENT */
	rc = status_and_info(msg, len, decode_image_any, out, &json, &jlen);
	if (rc < 0)
		return rc;
	if (json)
		cri_parse_image_info(json, jlen, &out->labels);
	return 0;
}

static cJSON *parse_object(const char *json, size_t len)
{
	cJSON *root;

	if (!len || len > CRI_INFO_MAX)
		return NULL;
	root = cJSON_ParseWithLength(json, len);
	if (root && !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

static void json_str(const cJSON *obj, const char *key, char *out, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	if (cJSON_IsString(v) && v->valuestring)
		snprintf(out, cap, "%s", v->valuestring);
}

/* containerd: {"sandboxID","pid","runtimeType","runtimeSpec",…}; CRI-O: {"sandboxID","pid",
 * "runtimeSpec",…} (no runtimeType). */
int cri_parse_container_info(const char *json, size_t len, struct cri_container *out)
{
	cJSON *root = parse_object(json, len);
	const cJSON *pid, *spec;

	if (!root)
		return -EINVAL;
	json_str(root, "sandboxID", out->sandbox_id, sizeof(out->sandbox_id));
	json_str(root, "runtimeType", out->runtime_type, sizeof(out->runtime_type));
	pid = cJSON_GetObjectItemCaseSensitive(root, "pid");
	if (cJSON_IsNumber(pid) && pid->valuedouble > 0 && pid->valuedouble < 4194305)
		out->pid = (uint32_t)pid->valuedouble;
	spec = cJSON_GetObjectItemCaseSensitive(root, "runtimeSpec");
	runtime_mounts_from_cjson(spec, &out->mounts);
	exposures_from_cjson(spec, &out->exposures);
	cJSON_Delete(root);
	return 0;
}

static void add_string_members(const cJSON *obj, struct label_set *ls)
{
	const cJSON *it;

	if (!cJSON_IsObject(obj))
		return;
	cJSON_ArrayForEach(it, obj) {
		if (!it->string || !cJSON_IsString(it) || !it->valuestring) {
			ls->dropped++; /* a label is a string; anything else is not ours to guess */
			continue;
		}
		labels_add(ls, it->string, strlen(it->string), it->valuestring,
			   strlen(it->valuestring));
	}
}

/* containerd: {"chainID","imageSpec":{OCI image config: "config":{"Labels":{…}}}};
 * CRI-O: {"labels":{…},"imageSpec":{…}}. imageSpec.config.Labels first (the config itself),
 * CRI-O's top-level "labels" only when there is no config. */
int cri_parse_image_info(const char *json, size_t len, struct label_set *labels)
{
	cJSON *root = parse_object(json, len);
	const cJSON *spec, *cfg, *l = NULL;

	if (!root)
		return -EINVAL;
	spec = cJSON_GetObjectItemCaseSensitive(root, "imageSpec");
	cfg = cJSON_IsObject(spec) ? cJSON_GetObjectItemCaseSensitive(spec, "config") : NULL;
	if (cJSON_IsObject(cfg))
		l = cJSON_GetObjectItemCaseSensitive(cfg, "Labels");
	if (!cJSON_IsObject(l))
		l = cJSON_GetObjectItemCaseSensitive(root, "labels");
	add_string_members(l, labels);
	cJSON_Delete(root);
	return 0;
}

int cri_version(struct grpc_client *c, char *name, size_t ncap, char *ver, size_t vcap)
{
	uint8_t req[16];
	const uint8_t *resp;
	struct pb_writer w;
	size_t len;
	int rc;

	pb_writer_init(&w, req, sizeof(req));
	pb_put_str_field(&w, 1, CRI_API_VERSION); /* VersionRequest.version */
	rc = grpc_call(c, PATH_VERSION, NULL, req, w.len, &resp, &len);
	return rc < 0 ? rc : cri_decode_version(resp, len, name, ncap, ver, vcap);
}

int cri_container_status(struct grpc_client *c, const char *id, struct cri_container *out)
{
	uint8_t req[160];
	const uint8_t *resp;
	size_t len;
	int n, rc;

	n = cri_encode_container_status(id, true, req, sizeof(req));
	if (n < 0)
		return n;
	rc = grpc_call(c, PATH_CONTAINER_STATUS, NULL, req, (size_t)n, &resp, &len);
	return rc < 0 ? rc : cri_decode_container_status(resp, len, out);
}

int cri_image_status(struct grpc_client *c, const char *image, struct cri_image *out)
{
	uint8_t req[640];
	const uint8_t *resp;
	size_t len;
	int n, rc;

	n = cri_encode_image_status(image, true, req, sizeof(req));
	if (n < 0)
		return n;
	rc = grpc_call(c, PATH_IMAGE_STATUS, NULL, req, (size_t)n, &resp, &len);
	return rc < 0 ? rc : cri_decode_image_status(resp, len, out);
}

#define DIGEST_LEN (7 + 64) /* "sha256:" and 64 hex digits */

/* "repo@sha256:<hex>" → "sha256:<hex>", a bare "sha256:<hex>" as it is; false for anything
 * else (a digest is checked, not trusted: it is a join key downstream). */
static bool digest_of(const char *ref, char *out, size_t cap)
{
	const char *at = strrchr(ref, '@');
	const char *d = at ? at + 1 : ref;

	if (strncmp(d, "sha256:", 7) != 0 || strlen(d) != DIGEST_LEN || cap <= DIGEST_LEN ||
	    strspn(d + 7, "0123456789abcdef") != 64)
		return false;
	memcpy(out, d, DIGEST_LEN + 1);
	return true;
}

static void merge(const struct cri_container *cc, const struct cri_image *img, bool have_img,
		  struct container_record *out)
{
	const struct label_set *il = &img->labels;

	snprintf(out->id, sizeof(out->id), "%s", cc->id);
	/* a container created from an image id is named by the image's first tag */
	snprintf(out->image, sizeof(out->image), "%s",
		 !strncmp(cc->image, "sha256:", 7) && have_img && img->repo_tag[0] ? img->repo_tag
										   : cc->image);
	if (!(have_img && digest_of(img->repo_digest, out->image_digest, sizeof(out->image_digest))) &&
	    !digest_of(cc->image_ref, out->image_digest, sizeof(out->image_digest)) &&
	    !digest_of(cc->image_id, out->image_digest, sizeof(out->image_digest)) && have_img)
		digest_of(img->id, out->image_digest, sizeof(out->image_digest));
	snprintf(out->runtime, sizeof(out->runtime), "%s", cc->runtime_type);
	snprintf(out->sandbox, sizeof(out->sandbox), "%s", cc->sandbox_id);
	out->mounts = cc->mounts;
	out->exposures = cc->exposures;
	for (size_t i = 0; i < cc->labels.n; i++)
		labels_add(&out->labels, cc->labels.kv[i].key, strlen(cc->labels.kv[i].key),
			   cc->labels.kv[i].val, strlen(cc->labels.kv[i].val));
	for (size_t i = 0; have_img && i < il->n; i++)
		if (!labels_get(&out->labels, il->kv[i].key))
			labels_add(&out->labels, il->kv[i].key, strlen(il->kv[i].key),
				   il->kv[i].val, strlen(il->kv[i].val));
}

int cri_get(struct grpc_client *c, const char *id, struct container_record *out)
{
	struct cri_container *cc = malloc(sizeof(*cc));
	struct cri_image *img = malloc(sizeof(*img));
	const char *ask;
	bool have_img;
	int rc = -ENOMEM;

	memset(out, 0, offsetof(struct container_record, labels));
	labels_init(&out->labels);
	if (!cc || !img)
		goto out;
	rc = cri_container_status(c, id, cc);
	if (rc < 0)
		goto out;
	/* the digested reference names exactly the image in use; the id and name are fallbacks */
	ask = cc->image_ref[0] ? cc->image_ref : cc->image_id[0] ? cc->image_id : cc->image;
	/* best effort: an image removed since the container started has no status */
	have_img = ask[0] && cri_image_status(c, ask, img) == 0;
	merge(cc, img, have_img, out);
out:
	free(cc);
	free(img);
	return rc;
}

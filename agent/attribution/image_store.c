// SPDX-License-Identifier: BSD-2-Clause
/*
 * image_store.c - see image_store.h. Field numbers from containerd's
 * api/services/content/v1/content.proto (agent/CRI.md).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "image_config.h"
#include "image_store.h"
#include "log.h"
#include "pb.h"

#define PATH_CONTENT_READ "/containerd.services.content.v1.Content/Read"
#define PATH_CONTENT_INFO "/containerd.services.content.v1.Content/Info"
#define TTL_OK_S	  3600 /* content-addressed: what a digest holds never changes */
#define TTL_FAILED_S	  30   /* an image being pulled, a store not answering: asked again soon */
#define WALK_DEPTH	  3    /* index → manifest → config */

enum { READ_REQ_DIGEST = 1, READ_REQ_OFFSET = 2, READ_REQ_SIZE = 3 };
enum { READ_RESP_OFFSET = 1, READ_RESP_DATA = 2 };
enum { INFO_REQ_DIGEST = 1, INFO_RESP_INFO = 1, INFO_SIZE = 2 };

struct entry {
	char digest[IMAGE_DIGEST_LEN]; /* "": free */
	int rc;			       /* 0, or the cached failure */
	time_t expires;
	uint64_t used;
	struct exposures secrets;
};

struct image_store {
	struct entry e[IMAGE_STORE_SLOTS];
	uint64_t clock;
	uint8_t *buf; /* IMAGE_BLOB_MAX + 1: one blob at a time */
	struct image_store_stats st;
};

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

struct image_store *image_store_new(void)
{
	struct image_store *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->buf = malloc(IMAGE_BLOB_MAX + 1);
	if (!s->buf) {
		free(s);
		return NULL;
	}
	return s;
}

void image_store_free(struct image_store *s)
{
	if (!s)
		return;
	free(s->buf);
	free(s);
}

/* Read and check one blob, parse it: its length must be the descriptor's, its hash the digest.
 * *n: how many bytes of buf were written (to wipe). */
static int read_doc(image_fetch_fn fetch, void *ctx, const struct image_desc *d, uint8_t *buf,
		    size_t *n, cJSON **doc)
{
	long got = fetch(ctx, d, buf, IMAGE_BLOB_MAX + 1);
	int rc;

	*doc = NULL;
	*n = 0;
	if (got < 0)
		return (int)got;
	*n = (size_t)got > IMAGE_BLOB_MAX + 1 ? IMAGE_BLOB_MAX + 1 : (size_t)got;
	if ((size_t)got > IMAGE_BLOB_MAX)
		return -EFBIG;
	if (d->size >= 0 && got != d->size)
		return -EBADMSG;
	rc = image_digest_verify(buf, (size_t)got, d->digest);
	if (rc < 0)
		return rc;
	*doc = cJSON_ParseWithLength((const char *)buf, (size_t)got);
	return *doc ? 0 : -EBADMSG;
}

/* What a blob is: its descriptor's media type says, and the blob must not say otherwise. */
static enum image_blob_kind kind_of(const struct image_desc *d, const cJSON *doc)
{
	enum image_blob_kind k = image_blob_sniff(doc);

	if (!d->media_type[0])
		return k;
	if (cJSON_GetObjectItemCaseSensitive(doc, "mediaType") &&
	    k != image_blob_kind(d->media_type))
		return IMAGE_BLOB_BAD;
	return image_blob_kind(d->media_type);
}

/* One step of the walk: the next descriptor (1), or the config scanned into out (0). */
static int step(const cJSON *doc, enum image_blob_kind k, int depth, struct image_desc *next,
		struct exposures *out)
{
	const char *arch = image_goarch();
	int rc;

	switch (k) {
	case IMAGE_BLOB_INDEX: /* only the root may be an index: no index of indexes */
		if (depth)
			return -EINVAL;
		rc = image_index_pick(doc, arch, "linux", next);
		return rc < 0 ? rc : 1;
	case IMAGE_BLOB_MANIFEST:
		rc = image_manifest_config(doc, next);
		return rc < 0 ? rc : 1;
	case IMAGE_BLOB_CONFIG:
		rc = image_config_platform(doc, arch, "linux");
		return rc < 0 ? rc : exposures_from_image(doc, out);
	default:
		return -EINVAL;
	}
}

int image_walk(image_fetch_fn fetch, void *ctx, uint8_t *buf, const char *root_digest,
	       const char *media_type, struct exposures *out)
{
	struct image_desc d = {.size = -1};
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!root_digest || strlen(root_digest) >= sizeof(d.digest) ||
	    (media_type && strlen(media_type) >= sizeof(d.media_type)))
		return -EINVAL;
	snprintf(d.digest, sizeof(d.digest), "%s", root_digest);
	snprintf(d.media_type, sizeof(d.media_type), "%s", media_type ? media_type : "");
	if (d.media_type[0] && image_blob_kind(d.media_type) == IMAGE_BLOB_BAD)
		return -EINVAL;
	for (int depth = 0; depth < WALK_DEPTH; depth++) {
		cJSON *doc;
		size_t n;

		if (image_desc_check(&d) < 0)
			return -EINVAL;
		rc = read_doc(fetch, ctx, &d, buf, &n, &doc);
		if (rc == 0)
			rc = step(doc, kind_of(&d, doc), depth, &d, out);
		cJSON_Delete(doc);
		explicit_bzero(buf, n); /* a config's values were in it */
		if (rc <= 0)
			return rc;
	}
	return -ELOOP;
}

/* ---- containerd's content store ---------------------------------------------------------- */

struct content_read {
	struct grpc_client *c;
	const char *ns;
	uint8_t *buf;
	size_t cap, len;
	bool bad; /* a chunk out of place or past the cap: the blob is refused */
};

/* ReadContentResponse { int64 offset = 1; bytes data = 2; }, chunks in order. */
static void on_chunk(void *ctx, const uint8_t *msg, size_t len)
{
	struct content_read *r = ctx;
	struct pb_reader pr;
	struct pb_field f;
	uint64_t off = 0;
	const uint8_t *data = NULL;
	size_t dlen = 0;

	if (r->bad)
		return;
	pb_reader_init(&pr, msg, len);
	while (pb_next(&pr, &f)) {
		if (f.num == READ_RESP_OFFSET && f.wire == PB_VARINT)
			off = f.u64;
		else if (f.num == READ_RESP_DATA && f.wire == PB_LEN)
			data = f.data, dlen = f.len;
	}
	if (pr.error || off != r->len || dlen > r->cap - r->len) {
		r->bad = true;
		return;
	}
	if (dlen)
		memcpy(r->buf + r->len, data, dlen);
	r->len += dlen;
}

/* Content/Info: the size of a blob whose referrer did not give it (a CRI image id). */
static long content_size(struct content_read *r, const char *digest)
{
	uint8_t req[160];
	struct pb_writer w;
	struct pb_reader pr, pi;
	struct pb_field f, g;
	const uint8_t *resp;
	size_t len;
	long size = -EPROTO;
	int rc;

	pb_writer_init(&w, req, sizeof(req));
	pb_put_str_field(&w, INFO_REQ_DIGEST, digest);
	if (w.overflow)
		return -EINVAL;
	rc = grpc_call(r->c, PATH_CONTENT_INFO, r->ns, req, w.len, &resp, &len);
	if (rc < 0)
		return rc;
	pb_reader_init(&pr, resp, len);
	while (pb_next(&pr, &f)) {
		if (f.num != INFO_RESP_INFO || f.wire != PB_LEN)
			continue;
		pb_sub(&f, &pi);
		while (pb_next(&pi, &g))
			if (g.num == INFO_SIZE && g.wire == PB_VARINT)
				size = g.u64 > IMAGE_BLOB_MAX ? -EFBIG : (long)g.u64;
	}
	return pr.error ? -EPROTO : size;
}

static long content_fetch(void *ctx, const struct image_desc *d, uint8_t *buf, size_t cap)
{
	struct content_read *r = ctx;
	long size = d->size;
	uint8_t req[160];
	struct pb_writer w;
	int rc;

	if (size < 0 && (size = content_size(r, d->digest)) < 0)
		return size;
	r->buf = buf;
	r->cap = cap;
	r->len = 0;
	r->bad = false;
	pb_writer_init(&w, req, sizeof(req));
	pb_put_str_field(&w, READ_REQ_DIGEST, d->digest);
	pb_put_varint_field(&w, READ_REQ_SIZE, (uint64_t)size); /* never past the blob's end */
	if (w.overflow)
		return -EINVAL;
	rc = grpc_stream(r->c, PATH_CONTENT_READ, r->ns, req, w.len, on_chunk, r, NULL);
	if (rc < 0)
		return rc;
	return r->bad ? -EBADMSG : (long)r->len;
}

/* The slot of digest, or the one to replace (a free one, else the least recently used). */
static struct entry *slot_for(struct image_store *s, const char *digest, bool *found)
{
	struct entry *victim = &s->e[0];

	*found = false;
	for (unsigned i = 0; i < IMAGE_STORE_SLOTS; i++) {
		struct entry *e = &s->e[i];

		if (e->digest[0] && !strcmp(e->digest, digest)) {
			*found = true;
			return e;
		}
		if (victim->digest[0] && (!e->digest[0] || e->used < victim->used))
			victim = e;
	}
	return victim;
}

int image_store_secrets(struct image_store *s, struct grpc_client *c, const char *ns,
			const char *root_digest, const char *media_type,
			const struct exposures **out)
{
	struct content_read r = {.c = c, .ns = ns};
	bool found;
	struct entry *e;
	uint64_t t0;

	*out = NULL;
	if (!root_digest || strlen(root_digest) >= IMAGE_DIGEST_LEN)
		return -EINVAL;
	e = slot_for(s, root_digest, &found);
	e->used = ++s->clock;
	if (found && e->expires > now_s()) {
		s->st.hits++;
		*out = e->rc == 0 ? &e->secrets : NULL;
		return e->rc;
	}
	s->st.misses++;
	t0 = now_us();
	snprintf(e->digest, sizeof(e->digest), "%s", root_digest);
	e->rc = image_walk(content_fetch, &r, s->buf, root_digest, media_type, &e->secrets);
	s->st.last_miss_us = now_us() - t0;
	e->expires = now_s() + (e->rc == 0 ? TTL_OK_S : TTL_FAILED_S);
	if (e->rc < 0) {
		s->st.failures++;
		log_debug("image config of %s (namespace %s) not read: %d", root_digest,
			  ns ? ns : "-", e->rc);
		return e->rc;
	}
	log_debug("image config of %s read in %llu us: %u secrets", root_digest,
		  (unsigned long long)s->st.last_miss_us, (unsigned)e->secrets.n);
	*out = &e->secrets;
	return 0;
}

void image_store_get_stats(const struct image_store *s, struct image_store_stats *st)
{
	*st = s->st;
}

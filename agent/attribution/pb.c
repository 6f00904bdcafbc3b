// SPDX-License-Identifier: BSD-2-Clause
/*
 * pb.c - see pb.h. The input comes from another process over a socket: every length is checked
 * against what is left of the buffer before it is used, and the first fault stops the reader
 * for good, so a caller may test r->error once after its loop.
 */
#include <string.h>

#include "pb.h"

/* 64 bits in 7-bit groups; a tag is a 32-bit varint with 3 bits of wire type. */
#define PB_VARINT_MAX 10
#define PB_FIELD_MAX  536870911u /* 2^29 - 1 */

/* What an absent map value points at: a valid address even when the buffer is empty. */
static const uint8_t pb_empty[1];

static bool pb_fail(struct pb_reader *r)
{
	r->error = true;
	return false;
}

static size_t pb_left(const struct pb_reader *r)
{
	return (size_t)(r->end - r->p);
}

void pb_reader_init(struct pb_reader *r, const void *buf, size_t len)
{
	/* NULL + 0 is undefined in C: an empty reader without a buffer gets p == end == NULL. */
	r->p = buf;
	r->end = buf ? r->p + len : NULL;
	r->error = !buf && len;
}

/*
 * A 64-bit varint. The 10th byte holds bit 63 only, so it must be 0 or 1: anything more would
 * either overflow or announce an 11th byte.
 */
static bool pb_varint(struct pb_reader *r, uint64_t *out)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < PB_VARINT_MAX; i++) {
		uint8_t c;

		if (r->p == r->end)
			return pb_fail(r);
		c = *r->p++;
		if (i == PB_VARINT_MAX - 1 && c > 1)
			return pb_fail(r);
		v |= (uint64_t)(c & 0x7f) << (7 * i);
		if (!(c & 0x80)) {
			*out = v;
			return true;
		}
	}
	return pb_fail(r); /* not reached: the 10th byte cannot have the continuation bit */
}

/* n little-endian bytes, assembled byte by byte so that the host's order does not matter. */
static bool pb_fixed(struct pb_reader *r, unsigned int n, uint64_t *out)
{
	uint64_t v = 0;

	if (pb_left(r) < n)
		return pb_fail(r);
	for (unsigned int i = 0; i < n; i++)
		v |= (uint64_t)r->p[i] << (8 * i);
	r->p += n;
	*out = v;
	return true;
}

static bool pb_len(struct pb_reader *r, struct pb_field *f)
{
	uint64_t len;

	if (!pb_varint(r, &len))
		return false;
	/* Against what is left, never p + len: a huge len would wrap the pointer. */
	if (len > pb_left(r))
		return pb_fail(r);
	f->data = r->p;
	f->len = (size_t)len;
	r->p += f->len;
	return true;
}

bool pb_next(struct pb_reader *r, struct pb_field *f)
{
	uint64_t tag;

	memset(f, 0, sizeof(*f));
	if (r->error || r->p == r->end)
		return false;
	if (!pb_varint(r, &tag))
		return false;
	if (tag >> 3 == 0 || tag >> 3 > PB_FIELD_MAX)
		return pb_fail(r);
	f->num = (uint32_t)(tag >> 3);
	f->wire = (enum pb_wire)(tag & 7);
	switch (tag & 7) {
	case PB_VARINT:
		return pb_varint(r, &f->u64);
	case PB_I64:
		return pb_fixed(r, 8, &f->u64);
	case PB_I32:
		return pb_fixed(r, 4, &f->u64);
	case PB_LEN:
		return pb_len(r, f);
	default:
		/* groups never occur in the runtime APIs, 6 and 7 are not wire types at all */
		return pb_fail(r);
	}
}

void pb_sub(const struct pb_field *f, struct pb_reader *sub)
{
	if (f->wire != PB_LEN) {
		/* a scalar read as a message: the schema and the sender disagree */
		pb_reader_init(sub, NULL, 0);
		sub->error = true;
		return;
	}
	pb_reader_init(sub, f->data, f->len);
}

bool pb_str(const struct pb_field *f, char *out, size_t cap)
{
	if (!cap)
		return false;
	out[0] = 0;
	/* An embedded NUL would let the C string say less than the sender meant. */
	if (f->wire != PB_LEN || f->len >= cap || (f->len && memchr(f->data, 0, f->len)))
		return false;
	if (f->len)
		memcpy(out, f->data, f->len);
	out[f->len] = 0;
	return true;
}

/* Key or value of a map entry: either must be a string (PB_LEN); a repeat replaces it. */
static bool pb_map_part(const struct pb_field *e, const uint8_t **p, size_t *n)
{
	if (e->wire != PB_LEN)
		return false;
	*p = e->len ? e->data : pb_empty;
	*n = e->len;
	return true;
}

bool pb_map_entry(const struct pb_field *f, const uint8_t **key, size_t *klen, const uint8_t **val,
		  size_t *vlen)
{
	struct pb_reader sub;
	struct pb_field e;
	bool has_key = false;

	*key = *val = pb_empty;
	*klen = *vlen = 0;
	pb_sub(f, &sub);
	while (pb_next(&sub, &e)) {
		if (e.num == 1) {
			if (!pb_map_part(&e, key, klen))
				return false;
			has_key = true;
		} else if (e.num == 2) {
			if (!pb_map_part(&e, val, vlen))
				return false;
		}
		/* other fields: unknown to this version, skipped */
	}
	return !sub.error && has_key;
}

void pb_writer_init(struct pb_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = buf ? cap : 0;
	w->overflow = false;
}

static size_t pb_varint_size(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

/* Room for the caller's check done already. */
static void pb_emit_varint(struct pb_writer *w, uint64_t v)
{
	while (v >= 0x80) {
		w->buf[w->len++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	w->buf[w->len++] = (uint8_t)v;
}

/*
 * Reserves a whole field (tag, the varint v, then n more bytes) or nothing: a field is never
 * cut in half, and once one did not fit the rest are refused too, so that a request with a
 * hole in it is never sent. A field number the wire cannot carry counts as an overflow too.
 */
static bool pb_reserve(struct pb_writer *w, uint32_t num, enum pb_wire wire, uint64_t v, size_t n)
{
	uint64_t tag = (uint64_t)num << 3 | wire;
	size_t head = pb_varint_size(tag) + pb_varint_size(v);
	size_t room = w->cap - w->len;

	if (w->overflow || num == 0 || num > PB_FIELD_MAX || head > room || n > room - head) {
		w->overflow = true;
		return false;
	}
	pb_emit_varint(w, tag);
	pb_emit_varint(w, v);
	return true;
}

void pb_put_varint_field(struct pb_writer *w, uint32_t num, uint64_t v)
{
	pb_reserve(w, num, PB_VARINT, v, 0);
}

void pb_put_bytes_field(struct pb_writer *w, uint32_t num, const void *data, size_t len)
{
	if (!pb_reserve(w, num, PB_LEN, len, len) || !len)
		return;
	memcpy(w->buf + w->len, data, len);
	w->len += len;
}

void pb_put_str_field(struct pb_writer *w, uint32_t num, const char *s)
{
	pb_put_bytes_field(w, num, s, s ? strlen(s) : 0);
}

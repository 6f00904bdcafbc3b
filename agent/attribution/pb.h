/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * pb.h - the protobuf wire format, as much as the runtime APIs need: a reader that walks the
 * fields of a message (skipping unknown ones, never reading past the buffer) and a writer
 * for small requests. No schema, no allocation: strings and sub-messages are views into the
 * caller's buffer.
 */
#ifndef C2D_PB_H
#define C2D_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_SGROUP = 3, PB_EGROUP = 4, PB_I32 = 5 };

struct pb_reader {
	const uint8_t *p;
	const uint8_t *end;
	bool error; /* sticky: truncated or malformed input */
};

struct pb_field {
	uint32_t num;
	enum pb_wire wire;
	uint64_t u64;	     /* PB_VARINT, PB_I64, PB_I32 */
	const uint8_t *data; /* PB_LEN: view into the buffer */
	size_t len;
};

void pb_reader_init(struct pb_reader *r, const void *buf, size_t len);
/* Next field; false at the end of the message or on error (then r->error is set).
 * Groups (deprecated) are an error. Field numbers 0 and above 2^29-1 are an error. */
bool pb_next(struct pb_reader *r, struct pb_field *f);
/* A PB_LEN field as a sub-message reader. */
void pb_sub(const struct pb_field *f, struct pb_reader *sub);
/* Copy a PB_LEN field as a NUL-terminated string into out (cap bytes); false if it does not
 * fit or holds a NUL byte (then out is ""). */
bool pb_str(const struct pb_field *f, char *out, size_t cap);

/* map<string,string> entry (key = 1, value = 2): views into the buffer; false if malformed. */
bool pb_map_entry(const struct pb_field *f, const uint8_t **key, size_t *klen,
		  const uint8_t **val, size_t *vlen);

struct pb_writer {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool overflow; /* sticky */
};

void pb_writer_init(struct pb_writer *w, void *buf, size_t cap);
void pb_put_varint_field(struct pb_writer *w, uint32_t num, uint64_t v);
void pb_put_bytes_field(struct pb_writer *w, uint32_t num, const void *data, size_t len);
void pb_put_str_field(struct pb_writer *w, uint32_t num, const char *s);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * jsonw.h - a direct JSON writer into a caller's fixed buffer: no allocation, no DOM
 * (PERFORMANCE.md: ~10x cheaper than cJSON for rendering events). Overflow is sticky:
 * jw_finish() reports it and the caller drops or truncates the record, never writes half of it.
 * Strings are escaped; bytes that are not valid UTF-8 (paths may hold any byte) become U+FFFD.
 */
#ifndef C2D_JSONW_H
#define C2D_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JW_MAX_DEPTH 16

struct jw {
	char *buf;
	size_t len;
	size_t cap;
	bool overflow;
	bool after_key;
	int depth;
	bool first[JW_MAX_DEPTH];
};

void jw_init(struct jw *w, char *buf, size_t cap);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
/*
 * Keys. jw_key() and the jw_kv_*() take a string literal only (`"" k ""` does not compile for
 * anything else), written as it is: no strlen, no escaping, on every key of every event. A key
 * that comes from data or a table (a label's name, a syscall's argument name) goes through
 * jw_dkey() and the jw_dkv_*(), escaped like any string value.
 */
#define jw_key(w, k) jw_key_lit_((w), "" k "", sizeof(k) - 1)
#define jw_kv_str(w, k, v) (jw_key(w, k), jw_str((w), (v)))
#define jw_kv_u64(w, k, v) (jw_key(w, k), jw_u64((w), (v)))
#define jw_kv_i64(w, k, v) (jw_key(w, k), jw_i64((w), (v)))
void jw_key_lit_(struct jw *w, const char *key, size_t n);
void jw_dkey(struct jw *w, const char *key);
void jw_dkv_str(struct jw *w, const char *k, const char *v);
void jw_dkv_u64(struct jw *w, const char *k, uint64_t v);
void jw_dkv_i64(struct jw *w, const char *k, int64_t v);
void jw_strn(struct jw *w, const char *s, size_t n);
void jw_str(struct jw *w, const char *s);
void jw_u64(struct jw *w, uint64_t v);
/* The decimal digits of v written backwards ending just before end (room for 20); returns
 * where they start. What jw_u64/jw_i64 write, for callers that build a string of numbers. */
char *jw_digits(char *end, uint64_t v);
void jw_i64(struct jw *w, int64_t v);
void jw_bool(struct jw *w, bool v);
void jw_raw(struct jw *w, const char *s); /* a literal already in JSON */

/* Returns the length written, or -ENOSPC if the buffer overflowed. */
long jw_finish(struct jw *w);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_event.c - libFuzzer harness for event_decode (agent/capture/event.c), the first reader of
 * every ring-buffer record: the kernel side is ours, but a record is bytes the agent must never
 * trust. On success every pointer it hands out lies inside the record and every string ends inside
 * it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "fuzz.h"

static void check_str(const char *s, const char *lo, const char *hi)
{
	CHECK(s >= lo && s < hi);
	CHECK(memchr(s, 0, (size_t)(hi - s)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *rec = malloc(size ? size : 1); /* exact size: ASan sees any read past the end */
	struct c2d_decoded d;

	if (!rec)
		return 0;
	memcpy(rec, data, size);
	if (event_decode(rec, size, &d) == 0) {
		const char *end = rec + d.hdr->size;

		CHECK(d.hdr->size <= size);
		for (int i = 0; i < d.nstr; i++) {
			check_str(d.strs[i], rec, end);
			CHECK(strlen(d.strs[i]) == d.slen[i]);
		}
		if (d.exec) {
			check_str(d.exe, rec, end);
			CHECK(d.args + d.args_len <= end);
			CHECK(d.cg_n <= C2D_CG_DEPTH);
			for (int i = 0; i < d.cg_n; i++) {
				check_str(d.cg_names[i], rec, end);
				CHECK(strlen(d.cg_names[i]) < C2D_CG_NAME_MAX);
			}
		}
	}
	free(rec);
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_elastic.c - libFuzzer harness for fwd_elastic_parse (collector/forward/fwd_elastic.c): the
 * answer of an Elasticsearch/OpenSearch `_bulk` request, from a backend we do not control.
 * The first byte is the batch size n (1-256). Whatever the answer, the acknowledgement stays
 * within the batch: done <= n, refused <= done, and a retry never claims the whole batch.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fwd.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fwd_ack ack = {0};
	size_t n;
	char *resp;

	if (size < 1)
		return 0;
	n = (size_t)data[0] + 1;
	resp = malloc(size); /* the answer, NUL-terminated as the HTTP client keeps it */
	if (!resp)
		return 0;
	memcpy(resp, data + 1, size - 1);
	resp[size - 1] = 0;
	ack.done = n; /* what on_success starts from */
	if (fwd_elastic_parse(resp, size - 1, n, &ack) == 0) {
		CHECK(ack.done <= n);
		CHECK(ack.refused <= ack.done);
		CHECK(!ack.retry || ack.done < n);
	}
	free(resp);
	return 0;
}

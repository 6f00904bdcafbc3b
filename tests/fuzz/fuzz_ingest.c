// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_ingest.c - libFuzzer harness for the collector's ingest path: the first byte picks
 * plain (NDJSON/array → pre-scan, cJSON, validation, batch) or gzip (streamed in pieces into
 * a small cap, then the same). Any crash, leak or sanitizer report is a bug.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gunzip.h"
#include "ingest.h"

static const struct ingest_limits lim = {50, {32, 4096, 32768}};

static void parse(char *body, size_t len)
{
	char err[512];
	struct batch b;

	if (batch_parse(&b, body, len, &lim, err, sizeof(err)) == 0)
		batch_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gunzip *g;
	struct buf out;
	size_t piece;
	int ret = 0;

	if (size < 1)
		return 0;
	if (!(data[0] & 1)) {
		char *copy = malloc(size);

		memcpy(copy, data + 1, size - 1);
		copy[size - 1] = 0;
		parse(copy, size - 1);
		free(copy);
		return 0;
	}
	piece = (size_t)(data[0] >> 1) + 1;
	g = gunzip_new();
	buf_init(&out, 1 << 20);
	for (size_t off = 1; off < size && !ret; off += piece)
		ret = gunzip_feed(g, data + off, size - off < piece ? size - off : piece, &out);
	if (!ret && gunzip_finish(g) == 0 && out.len)
		parse(out.p, out.len);
	gunzip_free(g);
	buf_free(&out);
	return 0;
}

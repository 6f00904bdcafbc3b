// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_cri.c - libFuzzer harness for the CRI (runtime.v1) response decoders and the verbose
 * info JSON readers (agent/attribution/runtime_cri.c): bytes from a runtime socket. The first byte
 * picks the decoder. Every string the decoders fill must end inside its buffer.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "runtime_cri.h"
#include "fuzz.h"

#define TERMINATED(a) CHECK(memchr((a), 0, sizeof(a)))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cri_container c;
	static struct cri_image im;
	char name[64], ver[64];
	uint8_t *msg;

	if (size < 1)
		return 0;
	msg = malloc(size - 1 ? size - 1 : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		if (cri_decode_version(msg, size - 1, name, sizeof(name), ver, sizeof(ver)) == 0) {
			TERMINATED(name);
			TERMINATED(ver);
		}
		break;
	case 1:
		memset(&c, 0, sizeof(c));
		if (cri_decode_container_status(msg, size - 1, &c) == 0) {
			TERMINATED(c.id);
			TERMINATED(c.image_ref);
		}
		break;
	case 2:
		memset(&im, 0, sizeof(im));
		cri_decode_image_status(msg, size - 1, &im);
		break;
	case 3:
		memset(&c, 0, sizeof(c));
		cri_parse_container_info((const char *)msg, size - 1, &c);
		break;
	default:
		memset(&im, 0, sizeof(im));
		cri_parse_image_info((const char *)msg, size - 1, &im.labels);
		break;
	}
	free(msg);
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_kubeconfig.c - libFuzzer harness for kubeconfig_parse (agent/attribution/kubeconfig.c,
 * libyaml): a file an operator points --kubeconfig at, YAML with anchors, aliases, flow style and
 * inline base64. Any input either parses into terminated fields or is refused with a message.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "kubeconfig.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kubeconfig kc = {.ca_fd = -1, .token_fd = -1};
	char err[512] = "";
	char *y = malloc(size ? size : 1);

	if (!y)
		return 0;
	memcpy(y, data, size);
	if (kubeconfig_parse(y, size, "/nonexistent", "fuzz", &kc, err, sizeof(err)) == 0) {
		CHECK(memchr(kc.server, 0, sizeof(kc.server)));
		CHECK(memchr(kc.token_file, 0, sizeof(kc.token_file)));
	} else {
		CHECK(err[0] && memchr(err, 0, sizeof(err)));
	}
	kubeconfig_release(&kc);
	free(y);
	return 0;
}

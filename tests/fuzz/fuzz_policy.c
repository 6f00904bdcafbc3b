// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_policy.c - libFuzzer harness for policy_load_json (agent/policy/policy_file.c): the --policy
 * file, applied on top of the built-in rules. Accepted or refused with a message, the policy
 * stays within its bounds and every rule keeps a valid name and kind.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct c2d_policy p;
	char err[512] = "";
	char *j = malloc(size ? size : 1);

	if (!j)
		return 0;
	memcpy(j, data, size);
	policy_defaults(&p);
	if (policy_load_json(&p, j, size, "fuzz", err, sizeof(err)) != 0)
		CHECK(err[0] && memchr(err, 0, sizeof(err)));
	CHECK(p.n <= C2D_MAX_RULES);
	for (size_t i = 0; i < p.n; i++) {
		CHECK(policy_name_valid(p.rules[i].name));
		CHECK(p.rules[i].kind > C2D_KIND_NONE && (int)p.rules[i].kind < C2D_RULE_KINDS);
	}
	free(j);
	return 0;
}

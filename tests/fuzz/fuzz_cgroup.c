// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_cgroup.c - libFuzzer harness for container_id_from_path. The path comes from the kernel
 * (a cgroup a container runtime named), so any bytes up to PATH_MAX; it is handed over as a
 * NUL-terminated heap copy of exact size. Besides memory errors, the result must be one of the
 * documented return codes and a well-formed container_ref.
 *
 * Checks that show a known bug are off unless C2D_FUZZ_BUGS=1 is in the environment, as with
 * SKIP_KNOWN_BUG() in the unit tests, so that the run passes until the fix lands.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "container_id.h"
#include "fuzz.h"

#define FUZZ_PATH_MAX 4096

static const char *const runtimes[] = {"containerd", "cri-o", "docker", "podman"};

static void check_ref(const struct container_ref *ref)
{
	size_t ul = strnlen(ref->pod_uid, sizeof(ref->pod_uid));
	bool known = false;

	CHECK(memchr(ref->id, 0, sizeof(ref->id)));
	CHECK(ref->id[0] && !strchr(ref->id, '/')); /* an id is one path component */
	for (size_t i = 0; i < sizeof(runtimes) / sizeof(runtimes[0]); i++)
		known |= ref->runtime && !strcmp(ref->runtime, runtimes[i]);
	CHECK(known);
	/* a pod component that fails half-way must leave nothing behind (found by this harness:
	 * "/pod0000000x-0000-0000-0000-000000000000/docker-<id>.scope" once gave "0000000") */
	CHECK(ul == 0 || ul == C2D_POD_UID_LEN);
	for (size_t i = 0; i < ul; i++)
		CHECK(strchr("0123456789abcdefABCDEF-", ref->pod_uid[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct container_ref ref;
	char *path;
	int rc;

	if (size > FUZZ_PATH_MAX)
		return 0;
	path = malloc(size + 1);
	if (!path)
		return 0;
	memcpy(path, data, size);
	path[size] = 0;
	rc = container_id_from_path(path, &ref);
	CHECK(rc == 0 || rc == -ENOENT || rc == -EINVAL);
	if (rc == 0)
		check_ref(&ref);
	free(path);
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * meta_env.c - see meta_env.h. The one place the metadata cache reads /proc. Both the resolver
 * thread and the ring-buffer thread call it, neither with the cache's lock held.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "meta_env.h"

#define ENV_READ_MAX (32 * 1024) /* of a process's environment, for allowlisted names */

/* The buffer is wiped after use: other values are never looked at, but were in memory. */
int meta_env_provenance(const char *proc_root, uint32_t pid, struct provenance *p)
{
	int filled = 0;
	char path[96], *env;
	ssize_t n;
	int fd;

	if (!pid)
		return 0;
	snprintf(path, sizeof(path), "%s/%u/environ", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_debug("container environment of pid %u: %s", pid, strerror(errno));
		return 0;
	}
	env = malloc(ENV_READ_MAX); /* both threads come here: no shared buffer */
	n = env ? read(fd, env, ENV_READ_MAX) : -1;
	close(fd);
	if (n > 0)
		filled = provenance_from_env(env, (size_t)n, p);
	if (env) {
		explicit_bzero(env, ENV_READ_MAX);
		free(env);
	}
	return filled;
}

int meta_env_merge(struct provenance *dst, const struct provenance *src)
{
	int merged = 0;

	for (int f = 0; f < PROV_MAX; f++) {
		if (dst->value[f][0] || !src->value[f][0])
			continue;
		memcpy(dst->value[f], src->value[f], PROV_VALUE_MAX);
		memcpy(dst->source[f], src->source[f], PROV_SOURCE_MAX);
		merged++;
	}
	return merged;
}

// SPDX-License-Identifier: BSD-2-Clause
/* runtime_noise.c - see runtime_noise.h. */
#include <string.h>

#include "runtime_noise.h"

/* runc names its stages "runc:[0:PARENT]", "runc:[1:CHILD]", "runc:[2:INIT]" */
static const char *const comm_prefixes[] = {"runc:["};

/* Runtime daemons and their helpers, as installed by Debian/Ubuntu and the upstream tarballs. */
static const char *const executables[] = {
	"/usr/bin/containerd",
	"/usr/bin/containerd-shim-runc-v2",
	"/usr/local/bin/containerd",
	"/usr/local/bin/containerd-shim-runc-v2",
	"/usr/sbin/runc",
	"/usr/bin/runc",
	"/usr/local/sbin/runc",
	"/usr/bin/crun",
	"/usr/bin/crio",
	"/usr/bin/conmon",
	"/usr/libexec/crio/conmon",
	"/usr/bin/dockerd",
	"/usr/bin/kubelet",
	"/usr/local/bin/kubelet",
};

bool runtime_noise(const char *comm, const char *exe)
{
	for (size_t i = 0; i < sizeof(comm_prefixes) / sizeof(comm_prefixes[0]); i++)
		if (!strncmp(comm, comm_prefixes[i], strlen(comm_prefixes[i])))
			return true;
	for (size_t i = 0; exe && i < sizeof(executables) / sizeof(executables[0]); i++)
		if (!strcmp(exe, executables[i]))
			return true;
	return false;
}

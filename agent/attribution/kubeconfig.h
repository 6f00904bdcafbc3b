/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * kubeconfig.h - the Kubernetes client's settings from a kubeconfig file (--kubeconfig), for an
 * agent run outside the cluster: the current context's cluster server and CA
 * (certificate-authority path or -data) and its user's bearer token (token or tokenFile).
 * Inline data is kept in memory-only files (memfd) that the client opens by path, so it
 * never lands on disk and the client re-reads a tokenFile as it does the in-cluster one.
 * Client certificates, exec and auth-provider plugins are refused by name.
 */
#ifndef C2D_KUBECONFIG_H
#define C2D_KUBECONFIG_H

#include <stddef.h>

#define KUBECONFIG_MAX (1u << 20) /* bytes of YAML read at most */

struct kubeconfig {
	char server[256];
	char ca_file[4096];    /* a path: the file named, or /proc/self/fd/N of the decoded data */
	char token_file[4096]; /* likewise; the token itself is never copied here */
	int ca_fd, token_fd;   /* memfds, or -1 */
};

/* Load path. 0, or -EINVAL/-errno with "<file>: <field>: <why>" in err (never a value). */
int kubeconfig_load(const char *path, struct kubeconfig *kc, char *err, size_t errlen);
/* The same from a buffer (tests); dir resolves relative paths, name is for messages. */
int kubeconfig_parse(const char *yaml, size_t len, const char *dir, const char *name,
		     struct kubeconfig *kc, char *err, size_t errlen);
void kubeconfig_release(struct kubeconfig *kc);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/* runtime_mounts.c - see runtime_mounts.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "runtime_mounts.h"


/* The runtime's and kubelet's own per-container and per-pod directories. */
static const char *const own_prefixes[] = {
	"/var/lib/kubelet/pods/",     "/var/lib/containerd/",	  "/run/containerd/",
	"/var/run/containerd/",	      "/var/lib/containers/",	  "/run/containers/",
	"/var/run/containers/",	      "/var/lib/docker/containers/", "/var/lib/docker/volumes/",
};

/* The host's own name resolution files, given to a host-network container at their name. */
static const struct {
	const char *dest;
	const char *source;
} host_net_files[] = {
	{"/etc/hosts", "/etc/hosts"},
	{"/etc/hostname", "/etc/hostname"},
	{"/etc/resolv.conf", "/etc/resolv.conf"},
	{"/etc/resolv.conf", "/run/systemd/resolve/resolv.conf"},
	{"/etc/resolv.conf", "/run/systemd/resolve/stub-resolv.conf"},
};

/* containerd's CRI sandbox files under any containerd root or state directory (k3s keeps
 * them in /var/lib/rancher/k3s/agent/containerd/):
 * <dir>/io.containerd.grpc.v1.cri/sandboxes/<id>/{hostname,hosts,resolv.conf,shm} */
static bool cri_sandbox_file(const char *src)
{
	static const char mid[] = "/io.containerd.grpc.v1.cri/sandboxes/";
	static const char *const leaves[] = {"hostname", "hosts", "resolv.conf", "shm"};
	const char *at = strstr(src, mid), *leaf;

	if (!at)
		return false;
	at += sizeof(mid) - 1;
	leaf = strchr(at, '/');
	if (!leaf || leaf == at)
		return false;
	for (size_t i = 0; i < sizeof(leaves) / sizeof(leaves[0]); i++)
		if (!strcmp(leaf + 1, leaves[i]))
			return true;
	return false;
}

static bool runtime_own(const char *source)
{
	for (size_t i = 0; i < sizeof(own_prefixes) / sizeof(own_prefixes[0]); i++)
		if (!strncmp(source, own_prefixes[i], strlen(own_prefixes[i])))
			return true;
	return cri_sandbox_file(source);
}

bool runtime_mount_matters(const char *source, const char *destination)
{
	if (source[0] != '/')
		return false; /* not a host path (a named volume, a device name) */
	/* a `..` could leave any prefix: such a source is judged as given, never exempted */
	if (!strstr(source, "/..") && runtime_own(source))
		return false;
	if (!strcmp(source, "/dev/shm") && !strcmp(destination, "/dev/shm"))
		return false;
	for (size_t i = 0; i < sizeof(host_net_files) / sizeof(host_net_files[0]); i++)
		if (!strcmp(destination, host_net_files[i].dest) &&
		    !strcmp(source, host_net_files[i].source))
			return false;
	return true;
}

static bool has_option(const cJSON *opts, const char *want)
{
	const cJSON *o;

	cJSON_ArrayForEach(o, opts)
		if (cJSON_IsString(o) && o->valuestring && !strcmp(o->valuestring, want))
			return true;
	return false;
}

static const char *str_of(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
}

/* One entry of mounts[]: kept when it is a bind of a host path that matters. */
static void add_mount(const cJSON *m, struct runtime_mounts *out)
{
	const cJSON *opts = cJSON_GetObjectItemCaseSensitive(m, "options");
	const char *type = str_of(m, "type"), *src = str_of(m, "source");
	const char *dst = str_of(m, "destination");
	struct runtime_mount *rm;

	if (!src || !dst)
		return;
	/* a bind is type "bind", or any type with a bind option (runc's own convention) */
	if (!(type && !strcmp(type, "bind")) && !has_option(opts, "bind") &&
	    !has_option(opts, "rbind"))
		return;
	if (!runtime_mount_matters(src, dst))
		return;
	if (out->n == RUNTIME_MOUNTS_MAX || strlen(src) >= RUNTIME_MOUNT_PATH ||
	    strlen(dst) >= RUNTIME_MOUNT_PATH) {
		out->dropped++;
		return;
	}
	rm = &out->m[out->n++];
	snprintf(rm->source, sizeof(rm->source), "%s", src);
	snprintf(rm->destination, sizeof(rm->destination), "%s", dst);
	rm->read_only = has_option(opts, "ro");
}

int runtime_mounts_from_cjson(const void *spec, struct runtime_mounts *out)
{
	const cJSON *mounts, *m;

	memset(out, 0, sizeof(*out));
	if (!cJSON_IsObject((const cJSON *)spec))
		return -EINVAL;
	mounts = cJSON_GetObjectItemCaseSensitive(spec, "mounts");
	if (!mounts)
		return 0;
	if (!cJSON_IsArray(mounts))
		return -EINVAL;
	cJSON_ArrayForEach(m, mounts)
		if (cJSON_IsObject(m))
			add_mount(m, out);
	return 0;
}

int runtime_mounts_from_spec(const char *json, size_t len, struct runtime_mounts *out)
{
	cJSON *root;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!len || len > RUNTIME_SPEC_MAX || !(root = cJSON_ParseWithLength(json, len)))
		return -EINVAL;
	rc = runtime_mounts_from_cjson(root, out);
	cJSON_Delete(root);
	return rc;
}

// SPDX-License-Identifier: BSD-2-Clause
/* container_id.c - see container_id.h. One table row per layout; no regex engine. */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "container_id.h"

#define HEX_ID_LEN 64
#define MAX_DEPTH 32

struct layout {
	const char *prefix;	/* text before the id in the component */
	const char *suffix;	/* text after it ("" = none) */
	const char *reject;	/* components starting with this are not the container */
	const char *runtime;
};

/* Tried in order on each component; the id between prefix and suffix must be 64 hex. */
static const struct layout layouts[] = {
	{"cri-containerd-", ".scope", NULL, "containerd"},
	{"crio-", ".scope", "crio-conmon-", "cri-o"},
	{"crio-", "", "crio-conmon-", "cri-o"},
	{"docker-", ".scope", NULL, "docker"},
	{"libpod-", ".scope", "libpod-conmon-", "podman"},
	{"libpod-", "", "libpod-conmon-", "podman"},
	{"nerdctl-", ".scope", NULL, "containerd"},
};

/* Namespaces under which `ctr`/containerd's default spec puts `/<namespace>/<id>`. */
static const char *const ctr_namespaces[] = {"default", "k8s.io", "moby", "buildkit"};

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool starts(const char *s, size_t n, const char *p)
{
	size_t pl = strlen(p);

	return n >= pl && memcmp(s, p, pl) == 0;
}

static void set_id(struct container_ref *out, const char *id, size_t n, const char *rt)
{
	if (n > C2D_CONTAINER_ID_MAX)
		n = C2D_CONTAINER_ID_MAX;
	memcpy(out->id, id, n);
	out->id[n] = 0;
	out->runtime = rt;
}

/* One component against the table and the plain / colon forms. */
static bool match_component(const char *c, size_t n, struct container_ref *out)
{
	const char *colon;

	for (size_t i = 0; i < sizeof(layouts) / sizeof(layouts[0]); i++) {
		const struct layout *l = &layouts[i];
		size_t pl = strlen(l->prefix), sl = strlen(l->suffix);

		if (l->reject && starts(c, n, l->reject))
			continue;
		if (n != pl + HEX_ID_LEN + sl || !starts(c, n, l->prefix) ||
		    memcmp(c + pl + HEX_ID_LEN, l->suffix, sl) != 0 || !is_hex(c + pl, HEX_ID_LEN))
			continue;
		set_id(out, c + pl, HEX_ID_LEN, l->runtime);
		return true;
	}
	/* kubelet systemd + containerd cgroupfs: a literal "<slice>:cri-containerd:<id>" dir */
	colon = memmem(c, n, ":cri-containerd:", 16);
	if (colon && (size_t)(c + n - (colon + 16)) == HEX_ID_LEN && is_hex(colon + 16, HEX_ID_LEN)) {
		set_id(out, colon + 16, HEX_ID_LEN, "containerd");
		return true;
	}
	return false;
}

/* kubepods-burstable-pod<uid with _>.slice (systemd), or pod<uid> (cgroupfs). */
static bool match_pod(const char *c, size_t n, char *uid)
{
	const char *p;

	if (starts(c, n, "pod") && n == 3 + C2D_POD_UID_LEN) {
		p = c + 3;
	} else if (starts(c, n, "kubepods") && n > 6 && !memcmp(c + n - 6, ".slice", 6) &&
		   (p = memmem(c, n, "-pod", 4)) != NULL &&
		   (size_t)(c + n - 6 - (p + 4)) == C2D_POD_UID_LEN) {
		p += 4;
	} else {
		return false;
	}
	char tmp[C2D_POD_UID_LEN + 1];

	for (size_t i = 0; i < C2D_POD_UID_LEN; i++) { /* into tmp: a failed match leaves uid */
		char ch = p[i] == '_' ? '-' : p[i];

		if (!(isxdigit((unsigned char)ch) || ch == '-'))
			return false;
		tmp[i] = ch;
	}
	tmp[C2D_POD_UID_LEN] = 0;
	memcpy(uid, tmp, sizeof(tmp));
	return true;
}

static bool is_ctr_namespace(const char *c, size_t n)
{
	for (size_t i = 0; i < sizeof(ctr_namespaces) / sizeof(ctr_namespaces[0]); i++)
		if (strlen(ctr_namespaces[i]) == n && memcmp(c, ctr_namespaces[i], n) == 0)
			return true;
	return false;
}

/* The plain 64-hex leaf: the ancestors say whose it is. */
static const char *plain_runtime(const char *const *comp, const size_t *len, int idx)
{
	for (int i = idx - 1; i >= 0; i--) {
		if (len[i] == 6 && memcmp(comp[i], "docker", 6) == 0)
			return "docker";
		if (starts(comp[i], len[i], "kubepods"))
			return "containerd";
	}
	return idx == 1 && is_ctr_namespace(comp[0], len[0]) ? "containerd" : NULL;
}

int container_id_from_path(const char *path, struct container_ref *out)
{
	const char *comp[MAX_DEPTH];
	size_t len[MAX_DEPTH];
	int n = 0, found = -1;

	memset(out, 0, sizeof(*out));
	if (!path || path[0] != '/')
		return -EINVAL;
	for (const char *s = path; *s;) {
		const char *e;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		if (n == MAX_DEPTH)
			return -EINVAL;
		comp[n] = s;
		len[n] = e ? (size_t)(e - s) : strlen(s);
		s += len[n];
		n++;
	}
	for (int i = n - 1; i >= 0 && found < 0; i--) {
		const char *rt;

		if (match_component(comp[i], len[i], out)) {
			found = i;
		} else if (len[i] == HEX_ID_LEN && is_hex(comp[i], HEX_ID_LEN) &&
			   (rt = plain_runtime(comp, len, i)) != NULL) {
			set_id(out, comp[i], HEX_ID_LEN, rt);
			found = i;
		} else if (i == 1 && is_ctr_namespace(comp[0], len[0]) && len[1] > 0 &&
			   len[1] <= C2D_CONTAINER_ID_MAX) {
			set_id(out, comp[1], len[1], "containerd"); /* ctr: /<namespace>/<any id> */
			snprintf(out->ns, sizeof(out->ns), "%.*s", (int)len[0], comp[0]);
			found = i;
		}
	}
	if (found < 0)
		return -ENOENT;
	if (!out->ns[0] && !strcmp(out->runtime, "containerd") && strstr(path, "kubepods"))
		snprintf(out->ns, sizeof(out->ns), "k8s.io"); /* the CRI plugin's namespace */
	for (int i = found - 1; i >= 0; i--)
		if (match_pod(comp[i], len[i], out->pod_uid))
			break;
	return 0;
}

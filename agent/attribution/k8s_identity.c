// SPDX-License-Identifier: BSD-2-Clause
/*
 * k8s_identity.c - see k8s_identity.h. Field names and defaults: agent/IDENTITY.md
 * (kubernetes/api core/v1/types.go, kubernetes pkg/securitycontext/util.go, the webhooks of
 * AWS IRSA and Azure Workload Identity, GKE's documentation).
 */
#include <stdio.h>
#include <string.h>

#include "k8s_identity.h"

/* Sorted by provider, then key: the order they are rendered in. */
const struct k8s_cloud_key k8s_identity_cloud_keys[K8S_ID_CLOUD_KEYS] = {
    {"aws", "eks.amazonaws.com/audience"},	    {"aws", "eks.amazonaws.com/role-arn"},
    {"azure", "azure.workload.identity/client-id"}, {"azure", "azure.workload.identity/tenant-id"},
    {"gcp", "iam.gke.io/gcp-service-account"},
};
enum { AWS_AUDIENCE, AWS_ROLE_ARN, AZURE_CLIENT_ID, AZURE_TENANT_ID, GCP_SA };

/* Printable ASCII without '"' and '\': nothing to escape, nothing to mislead a reader. */
static bool clean(const char *s)
{
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* A workload's string into dst[cap]: false (and *trunc) when not a clean non-empty string;
 * cut to fit (and *trunc) when longer. */
static bool take(char *dst, size_t cap, const cJSON *v, bool *trunc)
{
	const char *s = cJSON_GetStringValue(v);
	size_t n;

	dst[0] = 0;
	if (!v)
		return false;
	if (!s || !s[0] || !clean(s)) {
		*trunc = true;
		return false;
	}
	n = strlen(s);
	if (n >= cap) {
		n = cap - 1;
		*trunc = true;
	}
	memcpy(dst, s, n);
	dst[n] = 0;
	return true;
}

/*
 * Add s to the sorted, unique list base[*n] of elements of size `elem`, at most K8S_ID_LIST:
 * when full, the greatest is dropped, so that the same set always keeps the same members,
 * whatever the order it came in.
 */
static void add_sorted(char *base, size_t elem, uint8_t *n, const char *s, bool *trunc)
{
	size_t at = 0;
	int c = 1;

	while (at < *n && (c = strcmp(base + at * elem, s)) < 0)
		at++;
	if (at < *n && c == 0)
		return;
	if (*n == K8S_ID_LIST) {
		*trunc = true;
		if (at == K8S_ID_LIST)
			return;
		(*n)--;
	}
	memmove(base + (at + 1) * elem, base + at * elem, (*n - at) * elem);
	snprintf(base + at * elem, elem, "%s", s);
	(*n)++;
}

static uint8_t tri(const cJSON *v)
{
	return cJSON_IsBool(v) ? (cJSON_IsTrue(v) ? K8S_TRUE : K8S_FALSE) : K8S_UNSET;
}

static void volumes(struct k8s_pod_identity *id, const cJSON *spec)
{
	char s[K8S_ID_PATH_LEN > K8S_ID_AUD_LEN ? K8S_ID_PATH_LEN : K8S_ID_AUD_LEN];
	const cJSON *v, *src;

	cJSON_ArrayForEach(v, cJSON_GetObjectItem(spec, "volumes"))
	{
		const cJSON *hp = cJSON_GetObjectItem(v, "hostPath");

		if (cJSON_IsObject(hp) &&
		    take(s, K8S_ID_PATH_LEN, cJSON_GetObjectItem(hp, "path"), &id->truncated))
			add_sorted(id->host_paths[0], K8S_ID_PATH_LEN, &id->npaths, s,
				   &id->truncated);
		cJSON_ArrayForEach(
		    src, cJSON_GetObjectItem(cJSON_GetObjectItem(v, "projected"), "sources"))
		{
			const cJSON *t = cJSON_GetObjectItem(src, "serviceAccountToken");

			/* no audience: the API server's own, as the automounted token has */
			if (cJSON_IsObject(t) &&
			    take(s, K8S_ID_AUD_LEN, cJSON_GetObjectItem(t, "audience"),
				 &id->truncated))
				add_sorted(id->audiences[0], K8S_ID_AUD_LEN, &id->naud, s,
					   &id->truncated);
		}
	}
}

/* "NET_ADMIN", "net_admin" and "CAP_NET_ADMIN" are the same capability to the runtime. */
static void add_cap(struct k8s_container_sec *c, const cJSON *v, bool *trunc)
{
	char s[K8S_ID_CAP_LEN + 4];
	const char *p = s;

	if (!take(s, sizeof(s), v, trunc))
		return;
	for (char *q = s; *q; q++)
		if (*q >= 'a' && *q <= 'z')
			*q = (char)(*q - 'a' + 'A');
	if (!strncmp(p, "CAP_", 4))
		p += 4;
	if (!p[0] || strlen(p) >= K8S_ID_CAP_LEN) {
		*trunc = true;
		return;
	}
	add_sorted(c->caps[0], K8S_ID_CAP_LEN, &c->ncaps, p, trunc);
}

/*
 * One container's security context over the pod's (runAsUser: the container's wins). Privilege
 * escalation is allowed unless allowPrivilegeEscalation is false: the kubelet sets
 * no_new_privs only then (pkg/securitycontext AddNoNewPrivileges); privileged or CAP_SYS_ADMIN
 * allow it whatever the field says.
 */
static void container(struct k8s_pod_identity *id, const cJSON *c, const cJSON *pod_sc)
{
	const cJSON *sc = cJSON_GetObjectItem(c, "securityContext");
	const cJSON *uid = cJSON_GetObjectItem(sc, "runAsUser"), *a;
	struct k8s_container_sec *k;

	if (id->ncontainers == K8S_ID_CONTAINERS) {
		id->truncated = true;
		return;
	}
	k = &id->containers[id->ncontainers];
	memset(k, 0, sizeof(*k));
	if (!take(k->name, sizeof(k->name), cJSON_GetObjectItem(c, "name"), &id->truncated))
		return;
	for (uint8_t i = 0; i < id->ncontainers; i++)
		if (!strcmp(id->containers[i].name, k->name))
			return; /* names are unique in a pod: the first one counts */
	k->privileged = cJSON_IsTrue(cJSON_GetObjectItem(sc, "privileged"));
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(cJSON_GetObjectItem(sc, "capabilities"), "add"))
	    add_cap(k, a, &id->truncated);
	k->allow_escalation = tri(cJSON_GetObjectItem(sc, "allowPrivilegeEscalation")) != K8S_FALSE;
	for (uint8_t i = 0; i < k->ncaps; i++)
		if (!strcmp(k->caps[i], "SYS_ADMIN") || !strcmp(k->caps[i], "ALL"))
			k->allow_escalation = true;
	k->allow_escalation |= k->privileged;
	if (!cJSON_IsNumber(uid))
		uid = cJSON_GetObjectItem(pod_sc, "runAsUser");
	k->run_as_root = cJSON_IsNumber(uid) && uid->valuedouble == 0;
	id->ncontainers++;
}

void k8s_identity_parse_pod(struct k8s_pod_identity *id, const cJSON *meta, const cJSON *spec)
{
	static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};
	const cJSON *pod_sc = cJSON_GetObjectItem(spec, "securityContext"), *c;
	const char *use = cJSON_GetStringValue(cJSON_GetObjectItem(
	    cJSON_GetObjectItem(meta, "labels"), "azure.workload.identity/use"));
	struct k8s_sa_identity sa = id->sa;

	memset(id, 0, sizeof(*id));
	id->sa = sa;
	if (!cJSON_IsObject(spec))
		return;
	id->known = true;
	id->automount = tri(cJSON_GetObjectItem(spec, "automountServiceAccountToken"));
	id->host_network = cJSON_IsTrue(cJSON_GetObjectItem(spec, "hostNetwork"));
	id->host_pid = cJSON_IsTrue(cJSON_GetObjectItem(spec, "hostPID"));
	id->host_ipc = cJSON_IsTrue(cJSON_GetObjectItem(spec, "hostIPC"));
	id->azure_use = use && !strcmp(use, "true");
	volumes(id, spec);
	for (size_t l = 0; l < sizeof(lists) / sizeof(lists[0]); l++)
		cJSON_ArrayForEach(c, cJSON_GetObjectItem(spec, lists[l])) container(id, c, pod_sc);
}

void k8s_identity_parse_sa(struct k8s_sa_identity *sa, const cJSON *obj)
{
	const cJSON *ann = cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"), "annotations");

	memset(sa, 0, sizeof(*sa));
	if (!cJSON_IsObject(obj))
		return;
	sa->read = true;
	sa->automount = tri(cJSON_GetObjectItem(obj, "automountServiceAccountToken"));
	for (size_t i = 0; i < K8S_ID_CLOUD_KEYS; i++)
		take(sa->cloud[i], K8S_ID_CLOUD_LEN,
		     cJSON_GetObjectItemCaseSensitive(ann, k8s_identity_cloud_keys[i].key),
		     &sa->truncated);
}

/* The cloud identity the pod's webhook acts on: IRSA's audience only with a role, Azure's
 * only for a pod labelled azure.workload.identity/use=true. */
static void cloud(const struct k8s_pod_identity *pod, struct k8s_identity *out)
{
	const struct k8s_sa_identity *sa = &pod->sa;

	for (size_t i = 0; i < K8S_ID_CLOUD_KEYS; i++)
		memcpy(out->cloud[i], sa->cloud[i], sizeof(out->cloud[i]));
	if (!sa->cloud[AWS_ROLE_ARN][0])
		out->cloud[AWS_AUDIENCE][0] = 0;
	if (!pod->azure_use)
		out->cloud[AZURE_CLIENT_ID][0] = out->cloud[AZURE_TENANT_ID][0] = 0;
}

void k8s_identity_resolve(const struct k8s_pod_identity *pod, const char *name,
			  struct k8s_identity *out)
{
	memset(out, 0, sizeof(*out));
	if (!pod->known)
		return;
	out->known = true;
	/* the pod's field, else its ServiceAccount's, else true (the API's default) */
	if (pod->automount != K8S_UNSET)
		out->automount_token = pod->automount == K8S_TRUE;
	else
		out->automount_token = pod->sa.automount != K8S_FALSE;
	out->sa_unread = !pod->sa.read;
	out->truncated = pod->truncated || pod->sa.truncated;
	cloud(pod, out);
	out->host_network = pod->host_network;
	out->host_pid = pod->host_pid;
	out->host_ipc = pod->host_ipc;
	out->naud = pod->naud;
	memcpy(out->audiences, pod->audiences, sizeof(out->audiences));
	out->npaths = pod->npaths;
	memcpy(out->host_paths, pod->host_paths, sizeof(out->host_paths));
	for (uint8_t i = 0; name && name[0] && i < pod->ncontainers; i++) {
		const struct k8s_container_sec *c = &pod->containers[i];

		if (strcmp(c->name, name) != 0)
			continue;
		out->privileged = c->privileged;
		out->allow_privilege_escalation = c->allow_escalation;
		out->run_as_root = c->run_as_root;
		out->ncaps = c->ncaps;
		memcpy(out->caps, c->caps, sizeof(out->caps));
		break;
	}
}

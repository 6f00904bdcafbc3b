// SPDX-License-Identifier: BSD-2-Clause
/*
 * k8s_identity_json.c - `k8s.identity` (docs/events.md). A fixed order, sorted lists, booleans
 * only when true (but automount_token, always): the collector compares identities of two
 * revisions byte for byte.
 */
#include "jsonw.h"
#include "k8s_identity.h"

static void flag(struct jw *w, const char *k, bool v)
{
	if (v)
		jw_dkey(w, k), jw_bool(w, true);
}

static void list(struct jw *w, const char *k, const char *base, size_t elem, unsigned n)
{
	if (!n)
		return;
	jw_dkey(w, k);
	jw_arr_begin(w);
	for (unsigned i = 0; i < n; i++)
		jw_str(w, base + i * elem);
	jw_arr_end(w);
}

static void cloud(struct jw *w, const struct k8s_identity *id)
{
	bool any = false;

	for (size_t i = 0; i < K8S_ID_CLOUD_KEYS; i++) {
		if (!id->cloud[i][0])
			continue;
		if (!any)
			jw_key(w, "cloud"), jw_arr_begin(w);
		any = true;
		jw_obj_begin(w);
		jw_kv_str(w, "provider", k8s_identity_cloud_keys[i].provider);
		jw_kv_str(w, "key", k8s_identity_cloud_keys[i].key);
		jw_kv_str(w, "value", id->cloud[i]);
		jw_obj_end(w);
	}
	if (any)
		jw_arr_end(w);
}

void k8s_identity_render(struct jw *w, const char *service_account, const struct k8s_identity *id)
{
	if (!id->known)
		return;
	jw_key(w, "identity");
	jw_obj_begin(w);
	if (service_account && service_account[0])
		jw_kv_str(w, "service_account", service_account);
	cloud(w, id);
	jw_key(w, "automount_token");
	jw_bool(w, id->automount_token);
	list(w, "token_audiences", id->audiences[0], K8S_ID_AUD_LEN, id->naud);
	flag(w, "privileged", id->privileged);
	flag(w, "allow_privilege_escalation", id->allow_privilege_escalation);
	flag(w, "run_as_root", id->run_as_root);
	list(w, "capabilities_added", id->caps[0], K8S_ID_CAP_LEN, id->ncaps);
	list(w, "host_paths", id->host_paths[0], K8S_ID_PATH_LEN, id->npaths);
	flag(w, "host_network", id->host_network);
	flag(w, "host_pid", id->host_pid);
	flag(w, "host_ipc", id->host_ipc);
	flag(w, "service_account_unread", id->sa_unread);
	flag(w, "truncated", id->truncated);
	jw_obj_end(w);
}

// SPDX-License-Identifier: BSD-2-Clause
/* event_columns.c - see event_columns.h. */
#include <string.h>

#include "event_columns.h"
#include "validate.h"

/* Where each text column comes from, in evcol_names order. */
static const char *const paths[EVCOL_NTEXT] = {
	"kind",
	"rule",
	"severity",
	"outcome",
	"node.name",
	"k8s.namespace",
	"k8s.pod",
	"k8s.pod_uid",
	"k8s.workload.kind",
	"k8s.workload.name",
	"k8s.service_account",
	"container.id",
	"container.name",
	"container.image.name",
	"container.image.digest",
	"provenance.commit",
	"provenance.repository",
	"provenance.pipeline_id",
	"provenance.pipeline_url",
	"provenance.version",
	"provenance.build_time",
	"provenance.deploy_commit",
	"process.executable",
};

const char *const evcol_names[EVCOL_NTEXT] = {
	"kind",		  "rule",	   "severity",	     "outcome",	      "node",
	"namespace",	  "pod",	   "pod_uid",	     "workload_kind", "workload_name",
	"service_account", "container_id", "container_name", "image_name",    "image_digest",
	"commit_sha",	  "repository",	   "pipeline_id",    "pipeline_url",  "version",
	"build_time",	  "deploy_commit", "executable",
};

/* What a finding is about, most specific first: the file, the address, the host path bound
 * in (container_mount), the secret's fingerprint (secret_exposure: wherever it appears), the
 * identity it changed to (identity_change), else the call. */
static const char *const target_paths[] = {
	"file.path",	    "network.address",		 "mount.source",
	"exposure.fingerprint", "identity_change.summary", "syscall.name",
};

/* The member of object o named by the n bytes at name (no copy of the name: this runs some
 * thirty times per stored event). */
static const cJSON *member(const cJSON *o, const char *name, size_t n)
{
	if (!cJSON_IsObject(o))
		return NULL;
	for (const cJSON *c = o->child; c; c = c->next)
		if (c->string && !strncmp(c->string, name, n) && !c->string[n])
			return c;
	return NULL;
}

const char *store_str_at(const cJSON *ev, const char *path)
{
	const char *dot;

	while (ev && (dot = strchr(path, '.'))) {
		ev = member(ev, path, (size_t)(dot - path));
		path = dot + 1;
	}
	ev = ev ? member(ev, path, strlen(path)) : NULL;
	return cJSON_IsString(ev) ? ev->valuestring : NULL;
}

const char *event_revision(const cJSON *ev)
{
	const char *rev = store_str_at(ev, "provenance.commit");

	if (!rev)
		rev = store_str_at(ev, "container.image.digest");
	return rev ? rev : "";
}

void event_columns(const cJSON *ev, struct event_columns *c)
{
	memset(c, 0, sizeof(*c));
	c->id = store_str_at(ev, "id");
	if (c->id)
		valid_event_id(c->id, &c->agent_seq);
	parse_time_ns(store_str_at(ev, "time"), &c->time_ns);
	for (size_t i = 0; i < EVCOL_NTEXT; i++)
		c->text[i] = store_str_at(ev, paths[i]);
	for (size_t i = 0; !c->target && i < sizeof(target_paths) / sizeof(target_paths[0]); i++)
		c->target = store_str_at(ev, target_paths[i]);
	c->revision = event_revision(ev);
}

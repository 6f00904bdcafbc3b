/* SPDX-License-Identifier: BSD-2-Clause */
/* render.h - one finding as a cloud2dev.event/v1 JSON object (EVENTS.md), into a buffer. */
#ifndef C2D_RENDER_H
#define C2D_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "event.h"
#include "hostpath.h"
#include "jsonw.h"
#include "meta_cache.h"
#include "policy.h"
#include "proc_cache.h"
#include "proc_snap.h"

#define C2D_SCHEMA "cloud2dev.event/v1"
#define C2D_EVENT_JSON_MAX 16384

/* What rendering reads: settings and the caches it looks processes and containers up in. Event
 * ids are not in it: the pipeline issues them (event_ids.h) and passes each to its render. */
struct render_ctx {
	const char *node_name;
	int64_t boot_to_real_ns;  /* wall clock = boot-time ns + this */
	const struct c2d_policy *policy;
	struct proc_cache *pc;
	const char *proc_root;
	struct cgroup_cache *cg; /* NULL: no container attribution (the pipeline resolves) */
	struct gitops *gitops;	 /* deploy revisions by time (gitops.h); NULL: none */
};

struct finding {
	const struct c2d_decoded *d;
	int rule;		/* index in policy->rules */
	enum c2d_kind kind;
	const char *path[2];	/* file.path and file.new_path (rename, link); NULL if none */
	const char *entry[2];	/* the same names as read at syscall entry, when the call was
				 * tampered with (syscall.args_at_entry); NULL if none */
	const char *host_path;	/* file.host_path: the same file in the host's mount namespace */
	const struct hostpath_volume *volume; /* the pod volume the file is in, or NULL */
	const struct cgroup_info *cgroup;  /* the process's cgroup if known (container fields) */
	const struct container_meta *meta; /* the runtime's record of its container, or NULL */
	const struct proc_snap *proc; /* its process and parent as the pipeline found them
				       * (enrich.h; when held back: as they were then); NULL:
				       * not known */
};

/* "major:minor" of a kernel device number (MINORBITS 20) into out (cap bytes); returns out. */
const char *render_dev(char *out, size_t cap, uint32_t kdev);

/* Format boot-time ns as RFC 3339 UTC with nanoseconds. */
void render_time(char *out, size_t cap, uint64_t boot_ns, int64_t boot_to_real_ns);

/* The head every event shares (EVENTS.md): schema, id, time (RFC 3339), kind, the rule (when
 * given) and severity; the caller has opened the object. Then render_node for "node". */
void render_envelope(struct jw *w, const char *id, const char *time, const char *kind,
		     const char *rule, const char *severity);
void render_node(struct jw *w, const struct render_ctx *ctx);


/* Render the finding as event id. Returns the length, or -ENOSPC. */
long render_finding(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
		    const struct finding *f);

/* A container_start event (a kind beyond EVENTS.md): this container's record was resolved, at
 * boot-time boot_ns. It tells the collector that a workload revision ran, even one that
 * produces no finding, so that "introduced between A and B" can name A. */
long render_container_start(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
			    const struct container_meta *m, uint64_t boot_ns);

/* A container_mount event: the runtime bound host path mnt->source into container m (rule:
 * index of host-path-mount). */
long render_container_mount(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
			    const struct container_meta *m, const struct runtime_mount *mnt,
			    int rule, uint64_t boot_ns);

/* A secret_exposure event: container m was started with secret x in its environment or
 * arguments (rule: index of secret-exposure): where, its name, the detector and the keyed
 * fingerprint. */
long render_secret_exposure(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
			    const struct container_meta *m, const struct exposure *x, int rule,
			    uint64_t boot_ns);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* render.h - one finding as a cloud2dev.event/v1 JSON object (EVENTS.md), into a buffer. */
#ifndef C2D_RENDER_H
#define C2D_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "cgroup.h"
#include "event.h"
#include "hostpath.h"
#include "meta_cache.h"
#include "policy.h"
#include "proc_cache.h"

#define C2D_SCHEMA "cloud2dev.event/v1"
#define C2D_EVENT_JSON_MAX 16384

struct render_ctx {
	const char *node_name;
	char instance[17];	  /* 16 hex digits, random per agent start */
	uint64_t seq;		  /* last id issued */
	/* --state-dir: ids from seq_limit on are not reserved yet; reaching it calls reserve once
	 * per block (NULL: no reservation, a random instance per start) */
	uint64_t seq_limit;
	int (*reserve)(void *arg, uint64_t next, uint64_t *limit);
	void *reserve_arg;
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
};

/* Format boot-time ns as RFC 3339 UTC with nanoseconds. */
void render_time(char *out, size_t cap, uint64_t boot_ns, int64_t boot_to_real_ns);

/* Take the next event id, "<instance>-<16 hex sequence>" (34 bytes with the NUL). */
void render_next_id(struct render_ctx *ctx, char id[34]);

/* Render; takes the next id. Returns the length, or -ENOSPC. */
long render_finding(char *buf, size_t cap, struct render_ctx *ctx, const struct finding *f);

/* A container_start event (a kind beyond EVENTS.md): this container's record was resolved, at
 * boot-time boot_ns. It tells the collector that a workload revision ran, even one that
 * produces no finding, so that "introduced between A and B" can name A. Takes the next id. */
long render_container_start(char *buf, size_t cap, struct render_ctx *ctx,
			    const struct container_meta *m, uint64_t boot_ns);

/* A container_mount event: the runtime bound host path mnt->source into container m (rule:
 * index of host-path-mount). Takes the next id. */
long render_container_mount(char *buf, size_t cap, struct render_ctx *ctx,
			    const struct container_meta *m, const struct runtime_mount *mnt,
			    int rule, uint64_t boot_ns);

/* A secret_exposure event: container m was started with secret x in its environment or
 * arguments (rule: index of secret-exposure): where, its name, the detector and the keyed
 * fingerprint. Takes the next id. */
long render_secret_exposure(char *buf, size_t cap, struct render_ctx *ctx,
			    const struct container_meta *m, const struct exposure *x, int rule,
			    uint64_t boot_ns);

#endif

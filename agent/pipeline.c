// SPDX-License-Identifier: BSD-2-Clause
/* pipeline.c - see pipeline.h. Runs on the ring-buffer thread: never blocks on the network. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "pipeline.h"
#include "redact.h"

/* What the kernel's header says of a process, into its cache entry. */
static void entry_from_hdr(struct proc_entry *e, const struct c2d_event_hdr *h)
{
	e->ppid = h->ppid;
	e->uid = h->uid;
	e->euid = h->euid;
	e->gid = h->gid;
	e->start_ns = h->start_ns;
	e->cgroup_id = h->cgroup_id;
	memcpy(e->comm, h->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = 0;
}

/* The cgroup (and so container) of the process an event is about, or NULL. */
static const struct cgroup_info *event_cgroup(struct pipeline *pl, const struct c2d_event_hdr *h)
{
	return pl->rctx.cg ? cgroup_resolve(pl->rctx.cg, h->cgroup_id, h->tgid, h->start_ns) : NULL;
}

/* The runtime's record of ci's container (copied into m unless NULL); FAILED when there is no
 * container or no runtime to ask. pid: see meta_cache_lookup(). */
static enum meta_state container_state(struct pipeline *pl, const struct cgroup_info *ci,
				       uint32_t pid, struct container_meta *m)
{
	if (!pl->meta || !ci || !ci->is_container)
		return META_FAILED;
	return meta_cache_lookup(pl->meta, ci->ref.id, ci->ref.ns[0] ? ci->ref.ns : NULL, pid, m);
}

static void on_exec(struct pipeline *pl, const struct c2d_decoded *d)
{
	const struct c2d_event_hdr *h = d->hdr;
	struct proc_entry *e = proc_cache_upsert(pl->rctx.pc, h->tgid);
	char args[C2D_PROC_ARGS_MAX];
	size_t n;

	if (d->cg_n && pl->rctx.cg) /* a new cgroup: named now, in case it is gone before its findings are read */
		cgroup_note(pl->rctx.cg, h->cgroup_id, d->cg_names, d->cg_n);
	if (!e)
		return;
	entry_from_hdr(e, h);
	/* while the process is alive (a v1/hybrid host resolves through /proc); a container's
	 * exec asks the runtime now, before its first finding, and offers its environment */
	container_state(pl, event_cgroup(pl, h), h->tgid, NULL);
	n = redact_args(d->args, d->args_len, args, sizeof(args)); /* before anything keeps it */
	proc_cache_set_exec(pl->rctx.pc, e, d->exe, args, n,
			    (h->flags & C2D_F_ARGS_TRUNCATED) != 0);
}

static void on_fork(struct pipeline *pl, const struct c2d_decoded *d)
{
	const struct c2d_event_hdr *h = d->hdr;
	struct proc_entry *parent = proc_cache_get(pl->rctx.pc, d->fork->parent_tgid);
	char *exe = NULL, *args = NULL;
	size_t alen = 0;
	bool trunc = false;
	struct proc_entry *e;

	/* the child runs the parent's image until it execs: copy before the upsert may evict */
	if (parent) {
		exe = parent->exe ? strdup(parent->exe) : NULL;
		if (parent->args_len && (args = malloc(parent->args_len)) != NULL) {
			memcpy(args, parent->args, parent->args_len);
			alen = parent->args_len;
		}
		trunc = parent->args_truncated;
	}
	e = proc_cache_upsert(pl->rctx.pc, h->tgid);
	if (e) {
		entry_from_hdr(e, h);
		proc_cache_set_exec(pl->rctx.pc, e, exe, args, alen, trunc);
	}
	free(exe);
	free(args);
}

/*
 * A candidate the kernel could not judge (a joined path with `.`/`..`): normalise each path
 * and apply the same rules. Returns 0 if it matches (f is completed), -1 to drop it.
 */
static int resolve(struct pipeline *pl, struct finding *f, char paths[2][C2D_PATH_MAX])
{
	const struct c2d_syscall_event *ev = f->d->sys;
	unsigned kinds = 1u << C2D_KIND_STORAGE_WRITE;

	if (sys_is(ev->hdr.sys, SYSF_OPEN)) {
		kinds = 1u << C2D_KIND_CREDENTIAL_READ;
		if ((ev->args[0] & 3) || (ev->args[0] & (0100 | 01000)))
			kinds |= 1u << C2D_KIND_STORAGE_WRITE;
	}
	for (int i = 0; i < f->d->nstr && i < 2; i++) {
		snprintf(paths[i], C2D_PATH_MAX, "%s", f->d->strs[i]);
		if (policy_normalize_path(paths[i]) < 0)
			return -1;
		f->path[i] = paths[i];
	}
	for (int i = 0; i < f->d->nstr && i < 2; i++) {
		int r = policy_match_path(pl->rctx.policy, paths[i], kinds);

		if (r >= 0) {
			f->rule = r;
			f->kind = pl->rctx.policy->rules[r].kind;
			return 0;
		}
	}
	return -1;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * A finding in a container whose record is still being looked up (PENDING) is held back —
 * returns true when it was — unless `final` (its deadline passed, or the queue is full: then
 * it goes out with what is known). *have says whether m holds the record.
 */
static bool defer_for_record(struct pipeline *pl, const struct c2d_decoded *d, bool final,
			     const struct cgroup_info *ci, struct container_meta *m, bool *have)
{
	enum meta_state st = container_state(pl, ci, 0, m);
	const struct c2d_event_hdr *h = &d->sys->hdr;

	*have = st == META_READY;
	if (st != META_PENDING || final)
		return false;
	if (deferred_push(&pl->deferred, d->sys, h->size, mono_ns() + PIPELINE_DEFER_NS) < 0) {
		pl->st.defer_full++;
		return false;
	}
	pl->st.deferred++;
	return true;
}

/* One rendered event (pl->buf, n bytes, no newline) to every sink: the NDJSON output and,
 * when shipping, the shipper's queue. Never blocks on the network. */
int pipeline_emit(struct pipeline *pl, long n)
{
	/* first: the queue takes the line without the newline the output adds */
	int rc = pl->ship ? ship_push(pl->ship, pl->buf, (size_t)n) : 0;

	if (pl->out) {
		pl->buf[n++] = '\n';
		if (fwrite(pl->buf, 1, (size_t)n, pl->out) != (size_t)n && !pl->st.write_errors++)
			log_error("writing events to the output failed: %s", strerror(errno));
	}
	return rc;
}

/* The host-path-mount rule, if enabled: its index, else -1. */
static int mount_rule(const struct c2d_policy *p)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->rules[i].kind == C2D_KIND_CONTAINER_MOUNT && p->rules[i].enabled)
			return (int)i;
	return -1;
}

/* One container_mount per host path the runtime bound into the container (runtime_mounts.h),
 * right after its container_start: same record, same time. */
static void announce_mounts(struct pipeline *pl, const struct container_meta *m,
			    const struct runtime_mounts *mounts, uint64_t now)
{
	int rule = mounts->n ? mount_rule(pl->rctx.policy) : -1;
	long n;

	for (unsigned i = 0; rule >= 0 && i < mounts->n; i++) {
		n = render_container_mount(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, m,
					   &mounts->m[i], rule, now);
		if (n < 0) {
			pl->st.render_errors++;
			continue;
		}
		pl->st.container_mounts++;
		pipeline_emit(pl, n);
	}
	if (rule >= 0 && mounts->dropped)
		log_warn("container %.12s: %u more host paths bound in than reported (at most %d)",
			 m->id, mounts->dropped, RUNTIME_MOUNTS_MAX);
}

/* One container_start per container resolved for the first time since the last tick. */
static void announce_started(struct pipeline *pl)
{
	static struct container_meta m; /* one ring-buffer thread: off the stack */
	static struct runtime_mounts mounts;
	long n;

	while (pl->meta && meta_cache_next_started_mounts(pl->meta, &m, &mounts)) {
		struct timespec ts; /* event times are boot-time ns, like the kernel's */
		uint64_t now;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		n = render_container_start(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, &m, now);
		if (n < 0) {
			pl->st.render_errors++;
		} else {
			pl->st.container_starts++;
			pipeline_emit(pl, n);
		}
		announce_mounts(pl, &m, &mounts, now);
	}
}

static void on_finding(struct pipeline *pl, const struct c2d_decoded *d, bool final)
{
	static struct container_meta meta; /* one ring-buffer thread: off the stack */
	const struct c2d_syscall_event *ev = d->sys;
	char paths[2][C2D_PATH_MAX];
	struct finding f = {.d = d, .rule = ev->rule_id, .kind = (enum c2d_kind)ev->kind};
	bool have;
	long n;

	if (ev->kind != C2D_KIND_PRIVILEGED_CALL && ev->kind != C2D_KIND_METADATA_ACCESS) {
		f.path[0] = d->nstr > 0 ? d->strs[0] : NULL;
		f.path[1] = d->nstr > 1 ? d->strs[1] : NULL;
	}
	if (ev->kind == C2D_KIND_NONE) {
		if (resolve(pl, &f, paths) < 0) {
			pl->st.user_filtered++;
			return;
		}
	} else if (ev->rule_id >= pl->rctx.policy->n ||
		   pl->rctx.policy->rules[ev->rule_id].kind != (enum c2d_kind)ev->kind) {
		pl->st.decode_errors++; /* a rule id we never gave the kernel */
		return;
	}
	/* the runtime setting a container up (runc's mounts and pivot_root), or a runtime daemon:
	 * marked by the kernel from what the process runs (runtime_ids.h), never by its name.
	 * Only privileged calls: what the runtime reads, writes or connects to is reported. */
	if (f.kind == C2D_KIND_PRIVILEGED_CALL && !pl->report_runtime &&
	    (ev->hdr.flags & C2D_F_RUNTIME)) {
		pl->st.runtime_filtered++;
		return;
	}
	f.cgroup = event_cgroup(pl, &ev->hdr); /* once per finding: record look-up and render */
	if (defer_for_record(pl, d, final, f.cgroup, &meta, &have))
		return;
	f.meta = have ? &meta : NULL;
	if (have)
		announce_started(pl); /* a container's start goes out before its findings */
	n = render_finding(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, &f);
	if (n < 0) {
		pl->st.render_errors++;
		return;
	}
	pl->st.findings[f.kind]++;
	pipeline_emit(pl, n);
}

int pipeline_handle(void *ctx, void *data, size_t size)
{
	struct pipeline *pl = ctx;
	struct c2d_decoded d;

	pl->st.records++;
	if (event_decode(data, size, &d) < 0) {
		if (!pl->st.decode_errors++)
			log_warn("malformed ring-buffer record (%zu bytes) dropped", size);
		return 0;
	}
	switch (d.hdr->type) {
	case C2D_EV_EXEC:
		on_exec(pl, &d);
		break;
	case C2D_EV_FORK:
		on_fork(pl, &d);
		break;
	case C2D_EV_EXIT:
		proc_cache_mark_exited(pl->rctx.pc, d.hdr->tgid);
		break;
	case C2D_EV_SYSCALL:
		on_finding(pl, &d, false);
		break;
	}
	/* this record is consumed either way; a negative return only ends the drain */
	if (pl->budget && --pl->budget == 0)
		return -EAGAIN;
	return 0;
}

void pipeline_tick(struct pipeline *pl, bool flush)
{
	struct deferred_rec *r;
	uint64_t now = mono_ns();

	announce_started(pl); /* before the findings it held back, which come after it */
	while ((r = deferred_peek(&pl->deferred)) != NULL) {
		struct c2d_decoded d;
		bool due = flush || now >= r->deadline_ns;

		if (event_decode(r->data, r->len, &d) < 0) {
			deferred_pop(&pl->deferred);
			continue;
		}
		/* in order: the oldest waits for its container, the rest wait behind it */
		if (!due && container_state(pl, event_cgroup(pl, d.hdr), 0, NULL) == META_PENDING)
			break;
		on_finding(pl, &d, true);
		deferred_pop(&pl->deferred);
	}
}

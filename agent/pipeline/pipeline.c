// SPDX-License-Identifier: BSD-2-Clause
/* pipeline.c - see pipeline.h. Runs on the ring-buffer thread: never blocks on the network. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enrich.h"
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

	/* an entry of the parent's pid that started after the child is a later holder of the
	 * pid, not the parent (its image is not the child's) */
	if (parent && parent->start_ns && h->start_ns && parent->start_ns > h->start_ns)
		parent = NULL;

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

/* The rule kinds a name of this call can match: role 0 is the (old) path, 1 the new one. */
static unsigned resolve_kinds(const struct c2d_syscall_event *ev, int role)
{
	if (sys_is(ev->hdr.sys, SYSF_OPEN)) {
		unsigned kinds = 1u << C2D_KIND_CREDENTIAL_READ;

		if ((ev->args[0] & 3) || (ev->args[0] & (0100 | 01000)))
			kinds |= 1u << C2D_KIND_STORAGE_WRITE;
		return kinds;
	}
	/* a new name for a file: the old one may be a credential file, either may be storage */
	if (sys_is(ev->hdr.sys, SYSF_LINK) && role == 0)
		return 1u << C2D_KIND_CREDENTIAL_READ | 1u << C2D_KIND_STORAGE_WRITE;
	return 1u << C2D_KIND_STORAGE_WRITE;
}

/*
 * A candidate the kernel could not judge (a joined path with `.`/`..`): normalise each name,
 * as read at exit and (tampered calls) at entry, and apply the same rules; a credential rule
 * wins over a storage one, as in the kernel. Returns 0 if one matches (f is completed), -1 to
 * drop it.
 */
static int resolve(struct pipeline *pl, struct finding *f, char paths[4][C2D_PATH_MAX])
{
	const struct c2d_syscall_event *ev = f->d->sys;
	const char **names[4] = {&f->path[0], &f->path[1], &f->entry[0], &f->entry[1]};
	int best = -1;

	for (int i = 0; i < 4; i++) {
		int r;

		if (!*names[i])
			continue;
		snprintf(paths[i], C2D_PATH_MAX, "%s", *names[i]);
		if (policy_normalize_path(paths[i]) < 0)
			return -1;
		*names[i] = paths[i];
		r = policy_match_path(pl->rctx.policy, paths[i], resolve_kinds(ev, i & 1));
		if (r >= 0 && (best < 0 || (pl->rctx.policy->rules[r].kind ==
						    C2D_KIND_CREDENTIAL_READ &&
					    pl->rctx.policy->rules[best].kind != C2D_KIND_CREDENTIAL_READ)))
			best = r;
	}
	if (best < 0 && f->host_path) /* then the host's name of the same file */
		best = policy_match_path(pl->rctx.policy, f->host_path, resolve_kinds(ev, 0));
	if (best < 0)
		return -1;
	f->rule = best;
	f->kind = pl->rctx.policy->rules[best].kind;
	return 0;
}

/* The host's path of the file a finding is about (kernel: device + path from its filesystem's
 * root), and the pod volume it is in. hbuf holds the path. */
static void host_view(struct pipeline *pl, struct finding *f, char *hbuf, size_t cap,
		      struct hostpath_volume *vol)
{
	const char *fs = event_str(f->d, C2D_STR_FS_PATH);

	if (!fs && (f->d->sys->hdr.flags & C2D_F_FS_IS_PATH))
		fs = f->path[0]; /* the kernel saw that they are one (bpf/lib/open.bpf.h) */
	if (!fs || !pl->hp.mountinfo || !f->d->sys->dev)
		return;
	if (hostpath_lookup(&pl->hp, f->d->sys->dev, fs, hbuf, cap) < 0)
		return;
	f->host_path = hbuf;
	if (f->d->sys->kind != C2D_KIND_PRIVILEGED_CALL && hostpath_volume(hbuf, vol) == 0)
		f->volume = vol;
}

/* file.path and file.new_path as read at exit, and at entry for a tampered call. A name the
 * exit could not read (unmapped meanwhile) is known from its entry copy alone. */
static void finding_names(struct finding *f, const struct c2d_decoded *d)
{
	f->path[0] = event_str(d, C2D_STR_PATH);
	f->path[1] = event_str(d, C2D_STR_NEW_PATH);
	if (d->sys->hdr.flags & C2D_F_TAMPERED) {
		f->entry[0] = event_str(d, C2D_STR_ENTRY_PATH);
		f->entry[1] = event_str(d, C2D_STR_ENTRY_NEW_PATH);
		for (int i = 0; i < 2; i++)
			if (!f->path[i])
				f->path[i] = f->entry[i];
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* A finding's process as the enrichment found it (proc_snap.h): copied into the deferred queue
 * when held back, else rendered from here. One ring-buffer thread, one finding at a time. */
static unsigned char snap_buf[PROC_SNAP_MAX];

/*
 * A finding in a container whose record is still being looked up (PENDING) is held back, with
 * its process as it is now — returns true when it was — unless `final` (its deadline passed,
 * or the queue is full: then it goes out with what is known). *have says whether m holds the
 * record.
 */
static bool defer_for_record(struct pipeline *pl, const struct c2d_decoded *d, bool final,
			     const struct cgroup_info *ci, struct container_meta *m, bool *have)
{
	enum meta_state st = container_state(pl, ci, 0, m);
	const struct c2d_event_hdr *h = &d->sys->hdr;

	*have = st == META_READY;
	if (st != META_PENDING || final)
		return false;
	if (deferred_push(&pl->deferred, d->sys, h->size, snap_buf,
			  enrich_process(&pl->rctx, h, snap_buf, true),
			  mono_ns() + PIPELINE_DEFER_NS) < 0) {
		pl->st.defer_full++;
		return false;
	}
	pl->st.deferred++;
	return true;
}

/* One rendered event (pl->buf, n bytes, no newline) to every sink: the NDJSON output and,
 * when shipping, the shipper's queue. Never blocks on the network. */
int pipeline_emit(struct pipeline *pl, long n, uint64_t seq)
{
	/* first: the queue takes the line without the newline the output adds */
	int rc = pl->ship ? ship_push(pl->ship, pl->buf, (size_t)n, seq) : 0;

	if (pl->out) {
		pl->buf[n++] = '\n';
		if (fwrite(pl->buf, 1, (size_t)n, pl->out) != (size_t)n && !pl->st.write_errors++)
			log_error("writing events to the output failed: %s", strerror(errno));
	}
	return rc;
}

/* The rule of a kind user space alone judges (host-path-mount, secret-exposure), if enabled:
 * its index, else -1. */
static int spec_rule(const struct c2d_policy *p, enum c2d_kind kind)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->rules[i].kind == kind && p->rules[i].enabled)
			return (int)i;
	return -1;
}

/* One container_mount per host path the runtime bound into the container (runtime_mounts.h),
 * right after its container_start: same record, same time. */
static void announce_mounts(struct pipeline *pl, const struct container_meta *m,
			    const struct runtime_mounts *mounts, uint64_t now)
{
	int rule = mounts->n ? spec_rule(pl->rctx.policy, C2D_KIND_CONTAINER_MOUNT) : -1;
	char id[EVENT_ID_SIZE];
	uint64_t seq;
	long n;

	for (unsigned i = 0; rule >= 0 && i < mounts->n; i++) {
		seq = event_ids_next(&pl->event_ids, id);
		n = render_container_mount(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, id, m,
					   &mounts->m[i], rule, now);
		if (n < 0) {
			pl->st.render_errors++;
			continue;
		}
		pl->st.container_mounts++;
		pipeline_emit(pl, n, seq);
	}
	if (rule >= 0 && mounts->dropped)
		log_warn("container %.12s: %u more host paths bound in than reported (at most %d)",
			 m->id, mounts->dropped, RUNTIME_MOUNTS_MAX);
}

/* One secret_exposure per secret the container was started with (exposures.h): its name, the
 * detector and the fingerprint, never the value (which the agent never kept). */
static void announce_exposures(struct pipeline *pl, const struct container_meta *m,
			       const struct exposures *x, uint64_t now)
{
	int rule = x->n ? spec_rule(pl->rctx.policy, C2D_KIND_SECRET_EXPOSURE) : -1;
	char id[EVENT_ID_SIZE];
	uint64_t seq;
	long n;

	for (unsigned i = 0; rule >= 0 && i < x->n; i++) {
		seq = event_ids_next(&pl->event_ids, id);
		n = render_secret_exposure(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, id, m, &x->e[i],
					   rule, now);
		if (n < 0) {
			pl->st.render_errors++;
			continue;
		}
		pl->st.secret_exposures++;
		pipeline_emit(pl, n, seq);
	}
	if (rule >= 0 && x->dropped)
		log_warn("container %.12s: %u more secrets in its environment and arguments than "
			 "reported (at most %d)",
			 m->id, x->dropped, EXPOSURES_MAX);
}

/* One container_start per container resolved for the first time since the last tick. */
static void announce_started(struct pipeline *pl)
{
	static struct container_meta m; /* one ring-buffer thread: off the stack */
	static struct runtime_mounts mounts;
	static struct exposures exposures;
	char id[EVENT_ID_SIZE];
	uint64_t seq;
	long n;

	while (pl->meta && meta_cache_next_started_spec(pl->meta, &m, &mounts, &exposures)) {
		struct timespec ts; /* event times are boot-time ns, like the kernel's */
		uint64_t now;

		clock_gettime(CLOCK_BOOTTIME, &ts);
		now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
		seq = event_ids_next(&pl->event_ids, id);
		n = render_container_start(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, id, &m, now);
		if (n < 0) {
			pl->st.render_errors++;
		} else {
			pl->st.container_starts++;
			pipeline_emit(pl, n, seq);
		}
		announce_mounts(pl, &m, &mounts, now);
		announce_exposures(pl, &m, &exposures, now);
	}
}

/* held: the queue's entry a held-back finding is released from (with its process as it was
 * then), else NULL. */
static void on_finding(struct pipeline *pl, const struct c2d_decoded *d,
		       const struct deferred_rec *held)
{
	static struct container_meta meta; /* one ring-buffer thread: off the stack */
	const struct c2d_syscall_event *ev = d->sys;
	static char paths[4][C2D_PATH_MAX]; /* one ring-buffer thread: off the stack */
	static char hbuf[C2D_PATH_MAX];
	static struct hostpath_volume vol;
	struct finding f = {.d = d, .rule = ev->rule_id, .kind = (enum c2d_kind)ev->kind};
	struct proc_snap snap;
	char id[EVENT_ID_SIZE];
	uint64_t seq;
	bool have;
	long n;

	if (ev->kind != C2D_KIND_PRIVILEGED_CALL && ev->kind != C2D_KIND_METADATA_ACCESS) {
		finding_names(&f, d);
		host_view(pl, &f, hbuf, sizeof(hbuf), &vol);
	}
	/* a joined name with `.`/`..`/`//` the kernel could not normalise is judged here on the
	 * normalised names, also when the kernel matched its raw spelling: the kernel's verdict
	 * on "/srv/prod/../../tmp/x" (the file /tmp/x) must not stand (tests/bpf found it) */
	if (ev->kind == C2D_KIND_NONE ||
	    ((ev->hdr.flags & C2D_F_UNRESOLVED) && ev->kind != C2D_KIND_PRIVILEGED_CALL &&
	     ev->kind != C2D_KIND_METADATA_ACCESS)) {
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
	if (defer_for_record(pl, d, held != NULL, f.cgroup, &meta, &have))
		return;
	f.meta = have ? &meta : NULL;
	if (held && held->tail_len &&
	    proc_snap_get((const unsigned char *)held->data + held->len, held->tail_len, &snap) == 0)
		f.proc = &snap;
	if (have)
		announce_started(pl); /* a container's start goes out before its findings */
	if (!f.proc) { /* enrichment: its process and parent now, copied out */
		size_t pn = enrich_process(&pl->rctx, &ev->hdr, snap_buf, false);

		if (proc_snap_get(snap_buf, pn, &snap) == 0)
			f.proc = &snap;
	}
	seq = event_ids_next(&pl->event_ids, id);
	n = render_finding(pl->buf, sizeof(pl->buf) - 1, &pl->rctx, id, &f);
	if (n < 0) {
		pl->st.render_errors++;
		return;
	}
	pl->st.findings[f.kind]++;
	pipeline_emit(pl, n, seq);
}

/* Findings the kernel folded after their key's last event, flushed by the sweep: rendered as
 * that event again (kept in pl->fold), with count and first/last time. */
static void on_fold(struct pipeline *pl, const struct c2d_decoded *d)
{
	static _Alignas(8) unsigned char rec[FOLD_SUMMARY_MAX]; /* one ring-buffer thread */
	struct c2d_syscall_event *ev = (struct c2d_syscall_event *)rec;
	const struct c2d_fold_event *fe = d->fold;
	struct c2d_decoded sd;
	int hit = 0;
	long n = pl->fold ? fold_cache_summary(pl->fold, fe, rec, sizeof(rec), &hit) : -ENOENT;

	if (n > 0 && !hit) { /* bare: the rule says the kind; an unjudged candidate cannot be */
		if (fe->key.rule_id < pl->rctx.policy->n)
			ev->kind = (uint8_t)pl->rctx.policy->rules[fe->key.rule_id].kind;
		else
			n = -ENOENT;
	}
	if (n < 0 || event_decode(rec, (size_t)n, &sd) < 0) {
		pl->st.fold_unmatched++;
		pl->st.fold_unmatched_count += fe->count;
		return;
	}
	pl->st.fold_summaries++;
	pl->st.fold_bare += !hit;
	on_finding(pl, &sd, NULL);
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
		if (pl->fold) /* before anything defers it: its flush comes after it */
			fold_cache_put(pl->fold, d.sys, d.hdr->size);
		on_finding(pl, &d, NULL);
		break;
	case C2D_EV_FOLD:
		on_fold(pl, &d);
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
		on_finding(pl, &d, r);
		deferred_pop(&pl->deferred);
	}
}

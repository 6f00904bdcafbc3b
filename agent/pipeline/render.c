// SPDX-License-Identifier: BSD-2-Clause
/*
 * render.c - a finding as JSON, written directly (jsonw) in the order of EVENTS.md.
 * Fields that are unknown are omitted, never filled with placeholders.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "jsonw.h"
#include "k8s_identity.h"
#include "log.h"
#include "procfs.h"
#include "render.h"
#include "render_net.h"
#include "syscalls.h"

/* "major:minor" of a kernel device number, as "%u:%u" would write it (runs for every event
 * about a file: no printf). cap >= 22 holds any two 32-bit numbers. */
const char *render_dev(char *out, size_t cap, uint32_t kdev)
{
	char tmp[24], *minor = jw_digits(tmp + sizeof(tmp), hostpath_kdev_minor(kdev));
	char *p = jw_digits(minor - 1, hostpath_kdev_major(kdev));
	size_t n = (size_t)(tmp + sizeof(tmp) - p);

	minor[-1] = ':';
	if (n >= cap)
		n = cap ? cap - 1 : 0;
	if (cap) {
		memcpy(out, p, n);
		out[n] = 0;
	}
	return out;
}

void render_time(char *out, size_t cap, uint64_t boot_ns, int64_t boot_to_real_ns)
{
	/* Events come in bursts: format the date part once per second. Two slots, because an
	 * event's time and its process's start time alternate. */
	static __thread time_t sec_of[2] = {-1, -1};
	static __thread char date[2][80];
	static __thread unsigned next;
	int64_t real = (int64_t)boot_ns + boot_to_real_ns;
	time_t sec = (time_t)(real / 1000000000);
	uint32_t ns = (uint32_t)(real % 1000000000);
	unsigned k = sec == sec_of[0] ? 0 : sec == sec_of[1] ? 1 : 2;
	char frac[12];

	if (k == 2) {
		struct tm tm;

		k = next++ & 1;
		gmtime_r(&sec, &tm);
		snprintf(date[k], sizeof(date[k]), "%04d-%02d-%02dT%02d:%02d:%02d",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec);
		sec_of[k] = sec;
	}
	for (int i = 9; i >= 1; i--, ns /= 10)
		frac[i] = (char)('0' + ns % 10);
	frac[0] = '.';
	frac[10] = 'Z';
	frac[11] = 0;
	if (cap) { /* like snprintf: cut to fit, always terminated */
		size_t dl = strlen(date[k]), n = dl + sizeof(frac) - 1;
		char full[96];

		memcpy(full, date[k], dl);
		memcpy(full + dl, frac, sizeof(frac));
		if (n >= cap)
			n = cap - 1;
		memcpy(out, full, n);
		out[n] = 0;
	}
}

static void render_args(struct jw *w, const struct proc_snap *e)
{
	size_t i = 0;

	jw_key(w, "args");
	jw_arr_begin(w);
	while (i < e->args_len) {
		size_t n = strnlen(e->args + i, e->args_len - i);

		jw_strn(w, e->args + i, n);
		i += n + 1;
	}
	jw_arr_end(w);
	if (e->args_truncated)
		jw_key(w, "args_truncated"), jw_bool(w, true);
}

/* The process and its parent: the record's own fields, and what the pipeline's enrichment
 * found of its image and parent (f->proc; NULL: nothing known). No look-up here. */
static void render_process(struct jw *w, struct render_ctx *ctx, const struct finding *f)
{
	static const struct proc_snap none;
	const struct c2d_event_hdr *h = &f->d->sys->hdr;
	const struct proc_snap *e = f->proc ? f->proc : &none;
	char ts[48];

	jw_key(w, "process");
	jw_obj_begin(w);
	jw_kv_u64(w, "pid", h->tgid);
	if (h->pid != h->tgid)
		jw_kv_u64(w, "tid", h->pid);
	jw_kv_u64(w, "ppid", h->ppid);
	jw_kv_u64(w, "uid", h->uid);
	jw_kv_u64(w, "euid", h->euid);
	jw_kv_u64(w, "gid", h->gid);
	jw_key(w, "comm");
	jw_strn(w, h->comm, strnlen(h->comm, sizeof(h->comm)));
	if (e->exe)
		jw_kv_str(w, "executable", e->exe);
	if (e->args)
		render_args(w, e);
	render_time(ts, sizeof(ts), h->start_ns, ctx->boot_to_real_ns);
	jw_kv_str(w, "start_time", ts);
	if (h->flags & C2D_F_RUNTIME) /* runs a runtime binary (kept by --report-runtime-calls) */
		jw_key(w, "runtime"), jw_bool(w, true);
	if (e->parent) {
		jw_key(w, "parent");
		jw_obj_begin(w);
		jw_kv_u64(w, "pid", h->ppid);
		jw_kv_str(w, "comm", e->parent_comm);
		if (e->parent_exe)
			jw_kv_str(w, "executable", e->parent_exe);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void render_syscall(struct jw *w, const struct finding *f)
{
	const struct c2d_syscall_event *ev = f->d->sys;
	const struct c2d_sysinfo *si = sys_info(ev->hdr.sys);

	jw_key(w, "syscall");
	jw_obj_begin(w);
	jw_kv_str(w, "name", si ? si->name : "unknown");
	jw_kv_i64(w, "ret", ev->ret);
	if (ev->ret < 0 && ev->ret > -4096) {
		const char *en = strerrorname_np((int)-ev->ret);

		jw_kv_i64(w, "errno", -ev->ret);
		if (en)
			jw_kv_str(w, "error", en);
	}
	/* name_to_handle_at opens nothing: no open flags */
	if (sys_is(ev->hdr.sys, SYSF_OPEN) && ev->hdr.sys != C2D_SYS_NAME_TO_HANDLE_AT) {
		jw_key(w, "flags");
		sys_render_open_flags(w, ev->args[0]);
	}
	if (f->kind == C2D_KIND_PRIVILEGED_CALL && si && si->render) {
		const char *strs[C2D_MAX_STRS];

		for (int i = 0; i < f->d->nstr; i++)
			strs[i] = f->d->strs[i];
		jw_key(w, "args");
		jw_obj_begin(w);
		si->render(w, (const uint64_t *)ev->args, strs, f->d->nstr);
		jw_obj_end(w);
	}
	if (f->entry[0] || f->entry[1]) { /* tampered: the names as they were at entry */
		jw_key(w, "args_at_entry");
		jw_obj_begin(w);
		if (f->entry[0])
			jw_kv_str(w, "path", f->entry[0]);
		if (f->entry[1])
			jw_kv_str(w, "new_path", f->entry[1]);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

static void kv_opt(struct jw *w, const char *k, const char *v)
{
	if (v && v[0])
		jw_dkv_str(w, k, v);
}

static void render_k8s(struct jw *w, const struct container_meta *m, const char *pod_uid,
		       const char *node)
{
	if (!(m && m->pod[0]) && !pod_uid[0])
		return;
	jw_key(w, "k8s");
	jw_obj_begin(w);
	if (m) {
		kv_opt(w, "namespace", m->k8s_namespace);
		kv_opt(w, "pod", m->pod);
	}
	kv_opt(w, "pod_uid", m && m->pod_uid[0] ? m->pod_uid : pod_uid);
	if (m) {
		kv_opt(w, "container", m->container);
		if (m->pod[0])
			jw_kv_str(w, "node", node);
		kv_opt(w, "service_account", m->service_account);
	}
	if (m && m->workload_kind[0]) {
		jw_key(w, "workload");
		jw_obj_begin(w);
		jw_kv_str(w, "kind", m->workload_kind);
		jw_kv_str(w, "name", m->workload_name);
		if (m->workload_derived) /* from the pod name, not the API's owners */
			jw_key(w, "derived"), jw_bool(w, true);
		jw_obj_end(w);
	}
	if (m)
		k8s_identity_render(w, m->service_account, &m->identity);
	jw_obj_end(w);
}

/* boot_ns: the event's time, for the revision deployed then (provenance.deploy). */
static void render_container_fields(struct jw *w, struct render_ctx *ctx, const char *id,
				    const char *runtime, const char *pod_uid,
				    const struct container_meta *m, uint64_t boot_ns)
{
	jw_key(w, "container");
	jw_obj_begin(w);
	jw_kv_str(w, "id", id);
	jw_kv_str(w, "runtime", runtime);
	if (m) {
		kv_opt(w, "name", m->container[0] ? m->container : NULL);
		jw_key(w, "image");
		jw_obj_begin(w);
		kv_opt(w, "name", m->image);
		kv_opt(w, "digest", m->digest);
		jw_obj_end(w);
	}
	jw_obj_end(w);
	render_k8s(w, m, pod_uid, ctx->node_name);
	if (m)
		provenance_render_at(w, &m->prov, ctx->gitops,
				     (int64_t)boot_ns + ctx->boot_to_real_ns);
}

/* Container and pod from the event's cgroup and the runtime's record; host processes get
 * neither. */
static void render_container(struct jw *w, struct render_ctx *ctx, const struct finding *f)
{
	const struct cgroup_info *ci = f->cgroup;

	if (!ci || !ci->is_container)
		return;
	render_container_fields(w, ctx, ci->ref.id, ci->ref.runtime, ci->ref.pod_uid, f->meta,
				f->d->sys->hdr.ktime_ns);
}

static const char *outcome(const struct c2d_syscall_event *ev)
{
	/* a non-blocking connect in progress reached the endpoint as far as we can know */
	if (ev->ret >= 0 || (ev->hdr.sys == C2D_SYS_CONNECT && ev->ret == -EINPROGRESS))
		return "success";
	return "failure";
}

void render_envelope(struct jw *w, const char *id, const char *time, const char *kind,
		     const char *rule, const char *severity)
{
	jw_kv_str(w, "schema", C2D_SCHEMA);
	jw_kv_str(w, "id", id);
	jw_kv_str(w, "time", time);
	jw_kv_str(w, "kind", kind);
	if (rule)
		jw_kv_str(w, "rule", rule);
	jw_kv_str(w, "severity", severity);
}

void render_node(struct jw *w, const struct render_ctx *ctx)
{
	jw_key(w, "node");
	jw_obj_begin(w);
	jw_kv_str(w, "name", ctx->node_name);
	jw_obj_end(w);
}

/* An event that stands for identical findings folded in the kernel (bpf/fold.bpf.c): how
 * many, the first and the last (the event's own time). */
static void render_fold(struct jw *w, const struct render_ctx *ctx,
			const struct c2d_syscall_event *ev)
{
	char ts[48];

	if (ev->count > 1)
		jw_kv_u64(w, "count", ev->count);
	if (!ev->first_ns)
		return;
	/* two CPUs stamp an entry's times without a lock: never a first after the last */
	render_time(ts, sizeof(ts), ev->first_ns < ev->hdr.ktime_ns ? ev->first_ns : ev->hdr.ktime_ns,
		    ctx->boot_to_real_ns);
	jw_kv_str(w, "first_time", ts);
	render_time(ts, sizeof(ts), ev->hdr.ktime_ns, ctx->boot_to_real_ns);
	jw_kv_str(w, "last_time", ts);
}

/* The file by what it is: its host path, inode and device ("MAJ:MIN"), when the kernel
 * had the opened file. */
static void render_file_identity(struct jw *w, const struct finding *f)
{
	const struct c2d_syscall_event *ev = f->d->sys;
	char dev[24];

	if (f->host_path)
		jw_kv_str(w, "host_path", f->host_path);
	if (!ev->ino)
		return;
	if (ev->ino <= 9007199254740991ull) /* JSON readers keep integers exactly to 2^53 (an
					     * overlayfs xino inode can be larger: left out) */
		jw_kv_u64(w, "inode", ev->ino);
	jw_kv_str(w, "dev", render_dev(dev, sizeof(dev), ev->dev));
}

/* A write through a pod volume: which one (the kubelet's directory names it). */
static void render_volume(struct jw *w, const struct hostpath_volume *v)
{
	jw_key(w, "volume");
	jw_obj_begin(w);
	jw_kv_str(w, "name", v->name);
	jw_kv_str(w, "plugin", v->plugin);
	jw_kv_str(w, "host_path", v->host_path);
	jw_kv_str(w, "pod_uid", v->pod_uid);
	jw_obj_end(w);
}

long render_finding(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
		    const struct finding *f)
{
	const struct c2d_syscall_event *ev = f->d->sys;
	const struct c2d_rule *r = &ctx->policy->rules[f->rule];
	char ts[48];
	struct jw w;

	render_time(ts, sizeof(ts), ev->hdr.ktime_ns, ctx->boot_to_real_ns);
	jw_init(&w, buf, cap);
	jw_obj_begin(&w);
	render_envelope(&w, id, ts, policy_kind_name(f->kind), r->name, r->severity);
	jw_kv_str(&w, "outcome", outcome(ev));
	if (ev->hdr.flags & C2D_F_TAMPERED) /* an argument changed in memory during the call */
		jw_key(&w, "tampered"), jw_bool(&w, true);
	render_fold(&w, ctx, ev);
	render_node(&w, ctx);
	render_process(&w, ctx, f);
	render_syscall(&w, f);
	if (f->path[0] || f->path[1]) {
		jw_key(&w, "file");
		jw_obj_begin(&w);
		if (f->path[0])
			jw_kv_str(&w, "path", f->path[0]);
		if (f->path[1])
			jw_kv_str(&w, "new_path", f->path[1]);
		render_file_identity(&w, f);
		if (ev->hdr.flags & C2D_F_PATH_TRUNCATED)
			jw_key(&w, "truncated"), jw_bool(&w, true);
		jw_obj_end(&w);
	}
	if (f->volume)
		render_volume(&w, f->volume);
	if (f->kind == C2D_KIND_METADATA_ACCESS)
		render_network(&w, f->d);
	render_container(&w, ctx, f);
	jw_kv_u64(&w, "cgroup_id", ev->hdr.cgroup_id);
	jw_obj_end(&w);
	return jw_finish(&w);
}

/* The head of a container's own events: the envelope at boot_ns, then node. */
static void container_event_head(struct jw *w, struct render_ctx *ctx, const char *id,
				 const char *kind, const struct c2d_rule *r, uint64_t boot_ns)
{
	char ts[48];

	render_time(ts, sizeof(ts), boot_ns, ctx->boot_to_real_ns);
	jw_obj_begin(w);
	render_envelope(w, id, ts, kind, r ? r->name : NULL, r ? r->severity : "info");
	render_node(w, ctx);
}

long render_container_start(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
			    const struct container_meta *m, uint64_t boot_ns)
{
	struct jw w;

	jw_init(&w, buf, cap);
	container_event_head(&w, ctx, id, "container_start", NULL, boot_ns);
	render_container_fields(&w, ctx, m->id, m->runtime[0] ? m->runtime : "containerd",
				m->pod_uid, m, boot_ns);
	jw_obj_end(&w);
	return jw_finish(&w);
}

long render_secret_exposure(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
			    const struct container_meta *m, const struct exposure *x, int rule,
			    uint64_t boot_ns)
{
	struct jw w;

	jw_init(&w, buf, cap);
	container_event_head(&w, ctx, id, "secret_exposure", &ctx->policy->rules[rule], boot_ns);
	jw_key(&w, "exposure");
	jw_obj_begin(&w);
	jw_kv_str(&w, "source", exposure_source_name(x->source));
	jw_kv_str(&w, "name", x->name);
	jw_kv_str(&w, "detector", x->detector);
	jw_kv_str(&w, "fingerprint", x->fingerprint);
	jw_kv_str(&w, "origin", exposure_origin_name(x->origin));
	if (x->origin_ref[0])
		jw_kv_str(&w, "origin_ref", x->origin_ref);
	jw_obj_end(&w);
	render_container_fields(&w, ctx, m->id, m->runtime[0] ? m->runtime : "containerd",
				m->pod_uid, m, boot_ns);
	jw_obj_end(&w);
	return jw_finish(&w);
}

long render_container_mount(char *buf, size_t cap, struct render_ctx *ctx, const char *id,
			    const struct container_meta *m, const struct runtime_mount *mnt,
			    int rule, uint64_t boot_ns)
{
	struct jw w;

	jw_init(&w, buf, cap);
	container_event_head(&w, ctx, id, "container_mount", &ctx->policy->rules[rule], boot_ns);
	jw_key(&w, "mount");
	jw_obj_begin(&w);
	jw_kv_str(&w, "source", mnt->source);
	jw_kv_str(&w, "destination", mnt->destination);
	jw_key(&w, "read_only");
	jw_bool(&w, mnt->read_only);
	jw_kv_str(&w, "type", "bind");
	jw_obj_end(&w);
	render_container_fields(&w, ctx, m->id, m->runtime[0] ? m->runtime : "containerd",
				m->pod_uid, m, boot_ns);
	jw_obj_end(&w);
	return jw_finish(&w);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * c2d-agent - the cloud2dev node agent. This file only orchestrates one struct agent (agent.h):
 * options → start (policy → kernel probe → load, fill, attach → /proc seed → "ready") → run
 * (the ring-buffer loop) → stop (clean on SIGINT/SIGTERM, with the loss counters logged).
 * Losses, stats and metrics snapshots are agent_stats.c's.
 */
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "agent.h"
#include "agent_stats.h"
#include "cgroup.h"
#include "file_ids.h"
#include "ids.h"
#include "loader.h"
#include "log.h"
#include "metrics_http.h"
#include "options.h"
#include "pipeline.h"
#include "policy.h"
#include "probe.h"
#include "ring.h"
#include "gitops.h"
#include "k8s.h"
#include "kubeconfig.h"
#include "procfs.h"
#include "runtime_events.h"
#include "runtime_ids.h"
#include "secrets.h"
#include "runmark.h"
#include "seqstate.h"
#include "version.h"
#include "ship.h"

#define EXIT_USAGE 2
#define POLL_MS 20		     /* a lone event waits at most this long (no per-event wakeup) */
#define PROC_CACHE_BYTES (64u << 20) /* hard cap on process-cache memory */
#define CGROUP_CACHE_SLOTS 4096	     /* cgroups remembered (direct-mapped) */
#define RUNTIME_REFRESH_S 60	     /* runtime binaries looked for again (upgrades) */

/*
 * The only file-scope state: a signal handler reaches nothing but globals, and may only set a
 * volatile sig_atomic_t. The loop reads them; everything else is in struct agent.
 */
static volatile sig_atomic_t g_stop; /* SIGINT/SIGTERM: which one; the loop ends */
static volatile sig_atomic_t g_hup;  /* SIGHUP: the policy is read again */

static void log_runtime_ids(const struct runtime_ids *ids, int running, const char *what,
			    double ms)
{
	char list[1024];
	size_t n = 0;

	list[0] = 0;
	for (unsigned i = 0; i < ids->n && n < sizeof(list) - 1; i++)
		n += (size_t)snprintf(list + n, sizeof(list) - n, "%s%s", i ? ", " : "",
				      ids->v[i].path);
	log_info("runtime binaries %s: %u by identity (%s)%s; %d running processes marked "
		 "(scan %.1f ms)",
		 what, ids->n, ids->n ? list : "none: every privileged call is reported",
		 ids->dropped ? " (more than fit: some left out)" : "", running, ms);
}

/*
 * The runtime's binaries on the host into the kernel, and the processes that already run
 * them (their exec came before the programs). At start-up, then every RUNTIME_REFRESH_S: an
 * upgrade replaces a binary (a new inode), a daemon starts from elsewhere. The kernel tracks
 * every exec and fork after this; the scan costs a stat per process, once a minute.
 */
static void runtime_refresh(struct agent *a, bool first)
{
	struct runtime_ids *found = &a->rt_found;
	struct timespec t0, t1;
	int running, rc;
	bool same;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (first)
		loader_set_host_mntns(&a->l, runtime_ids_host_mntns("/proc"));
	runtime_ids_find(found, "/proc");
	same = runtime_ids_equal(found, &a->rt_ids);
	if (!same && (rc = loader_runtime_sync(&a->l, found)) < 0) {
		log_warn("runtime binaries: the kernel map refused them: %s", strerror(-rc));
		return;
	}
	a->rt_ids = *found;
	running = runtime_ids_running(&a->rt_ids, "/proc", loader_runtime_mark, &a->l);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (first || !same)
		log_runtime_ids(&a->rt_ids, running, first ? "found" : "changed",
				(double)(t1.tv_sec - t0.tv_sec) * 1e3 +
					(double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
}

/* --k8s-api, else the in-cluster address; NULL when there is none. */
static const char *k8s_api(const struct c2d_agent_opts *o, char *buf, size_t len)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST");
	const char *port = getenv("KUBERNETES_SERVICE_PORT");

	if (o->k8s_api)
		return strcmp(o->k8s_api, "none") ? o->k8s_api : NULL;
	if (!host || !*host)
		return NULL;
	snprintf(buf, len, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
		 port && *port ? port : "443");
	return buf;
}

static void on_signal(int sig)
{
	g_stop = sig;
}

static void on_hup(int sig)
{
	g_hup = 1;
}

static int build_policy(struct c2d_policy *p, const struct c2d_agent_opts *o);

/* Equal but for severities (what user space alone applies)? */
static bool same_but_severity(const struct c2d_policy *a, const struct c2d_policy *b)
{
	if (a->n != b->n || a->report_denied_opens != b->report_denied_opens)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		struct c2d_rule x = a->rules[i], y = b->rules[i];

		memset(x.severity, 0, sizeof(x.severity));
		memset(y.severity, 0, sizeof(y.severity));
		if (memcmp(&x, &y, sizeof(x)))
			return false;
	}
	return true;
}

/*
 * SIGHUP: the policy file is read and checked again. A policy that does not load is refused
 * with the reason and the running one kept; a change of severities is applied at once (user
 * space renders them); any other change (rules, patterns, switches: the kernel's maps and the
 * set of attached programs) is reported as needing a restart — the maps are not swapped in
 * place yet. The runtime's binaries are looked for again. Never stops the agent.
 */
static void reload(struct agent *a)
{
	const struct c2d_agent_opts *o = &a->o;
	struct c2d_policy *fresh = &a->fresh, *running = &a->policy;

	log_info("SIGHUP: checking %s again",
		 o->policy_file ? o->policy_file : "the built-in policy");
	if (build_policy(fresh, o) < 0) {
		log_error("SIGHUP: the new policy is refused (above); the running one stays");
	} else if (!memcmp(fresh, running, sizeof(*fresh))) {
		log_info("SIGHUP: the policy is unchanged");
	} else if (same_but_severity(fresh, running)) {
		for (size_t i = 0; i < running->n; i++)
			memcpy(running->rules[i].severity, fresh->rules[i].severity,
			       sizeof(running->rules[i].severity));
		log_info("SIGHUP: new severities applied");
	} else {
		log_warn("SIGHUP: the policy changed beyond severities: restart the agent to apply "
			 "it (the running one stays until then)");
	}
	runtime_refresh(a, false);
}

static int64_t boot_to_real_ns(void)
{
	struct timespec r, b;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_BOOTTIME, &b);
	return ((int64_t)r.tv_sec - b.tv_sec) * 1000000000LL + (r.tv_nsec - b.tv_nsec);
}

static const char *node_name(const struct c2d_agent_opts *o, char *buf, size_t len)
{
	const char *env = getenv("C2D_NODE_NAME");

	if (o->node_name)
		return o->node_name;
	if (env && *env)
		return env;
	env = getenv("NODE_NAME");
	if (env && *env)
		return env;
	if (gethostname(buf, len) < 0)
		snprintf(buf, len, "unknown");
	buf[len - 1] = 0;
	return buf;
}

static int build_policy(struct c2d_policy *p, const struct c2d_agent_opts *o)
{
	char err[512];

	policy_defaults(p);
	if (o->policy_file && policy_load_file(p, o->policy_file, err, sizeof(err)) < 0) {
		log_error("policy refused: %s", err);
		return -EINVAL;
	}
	for (int i = 0; i < o->nstorage; i++) {
		if (policy_add_storage_path(p, o->storage_paths[i], err, sizeof(err)) < 0) {
			log_error("--storage-path %s: %s", o->storage_paths[i], err);
			return -EINVAL;
		}
	}
	return 0;
}

/* --check-policy FILE: the policy as the agent would load it (into policy), without
 * privileges or BPF. */
static int check_policy(const struct c2d_agent_opts *o, struct c2d_policy *policy)
{
	struct c2d_agent_opts copy = *o;
	size_t kinds[C2D_KIND_MAX] = {0}, on = 0;

	copy.policy_file = o->check_policy;
	if (build_policy(policy, &copy) < 0)
		return EXIT_USAGE; /* the reason is logged */
	for (size_t i = 0; i < policy->n; i++)
		if (policy->rules[i].enabled && policy->rules[i].kind < C2D_KIND_MAX) {
			kinds[policy->rules[i].kind]++;
			on++;
		}
	printf("policy %s: valid; %zu rules, %zu enabled: credential_read %zu, privileged_call "
	       "%zu, storage_write %zu, metadata_access %zu\n",
	       o->check_policy, policy->n, on, kinds[C2D_KIND_CREDENTIAL_READ],
	       kinds[C2D_KIND_PRIVILEGED_CALL], kinds[C2D_KIND_STORAGE_WRITE],
	       kinds[C2D_KIND_METADATA_ACCESS]);
	return fflush(stdout) == 0 ? 0 : EXIT_FAILURE;
}

/* Once a second: the kernel's counters, read once for the gaps and the metrics. */
static void every_second(struct agent *a)
{
	struct c2d_stats k;
	const struct c2d_stats *kp = loader_read_stats(&a->l, &k) == 0 ? &k : NULL;

	/* folded findings of keys idle for a window: read on the next pass */
	int sw = loader_fold_sweep(&a->l, false);

	if (sw < 0 && !a->sweep_failed++)
		log_warn("sweeping folded findings failed: %s", strerror(-sw));
	agent_report_gaps(a, kp);
	agent_publish_metrics(a, kp);
}

/* The ring-buffer loop, until SIGINT/SIGTERM; what is left in the ring and held back goes out
 * before it returns. 0, or EXIT_FAILURE (logged). */
static int agent_run(struct agent *a)
{
	const struct c2d_agent_opts *o = &a->o;
	struct pipeline *pl = &a->pl;
	struct ring rb;
	int err = ring_open(&rb, loader_ringbuf_fd(&a->l), pipeline_handle, pl);
	time_t last_stats = time(NULL), last_clock = last_stats, last_second = 0;
	time_t last_runtime = last_stats;

	if (err < 0) {
		log_error("ring buffer: %s", strerror(-err));
		return EXIT_FAILURE;
	}
	while (!g_stop) {
		time_t now;
		int n;

		/* records written with BPF_RB_NO_WAKEUP do not wake epoll: ring_poll() reads the
		 * ring on every tick, woken or not; a pass cut by the budget leaves data that makes
		 * the next wait return at once */
		pl->budget = PIPELINE_BUDGET;
		n = ring_poll(&rb, POLL_MS);
		if (n < 0 && n != -EINTR && n != -EAGAIN) {
			log_error("ring buffer poll: %s", strerror(-n));
			break;
		}
		pipeline_tick(pl, false);
		if (pl->out)
			fflush(pl->out);
		now = time(NULL);
		if (now != last_second) {
			every_second(a);
			last_second = now;
		}
		runmark_issued(a->run, pl->event_ids.seq); /* a pwrite when it moved, no fsync */
		if (g_hup) {
			g_hup = 0;
			reload(a);
		}
		if (now - last_runtime >= RUNTIME_REFRESH_S) {
			runtime_refresh(a, false);
			last_runtime = now;
		}
		if (now - last_clock >= 10) { /* follow wall-clock adjustments */
			pl->rctx.boot_to_real_ns = boot_to_real_ns();
			last_clock = now;
		}
		if (o->stats_interval && now - last_stats >= (time_t)o->stats_interval) {
			agent_log_stats(a);
			last_stats = now;
		}
	}
	loader_fold_sweep(&a->l, true); /* what is still folded goes out, window or not */
	pl->budget = 0; /* no budget: what is already in the ring is not lost on stop */
	ring_consume(&rb);
	pipeline_tick(pl, true); /* and nothing held back is lost either */
	if (pl->out)
		fflush(pl->out);
	ring_close(&rb);
	return 0;
}

static void on_spooled(void *arg, uint64_t seq)
{
	runmark_spooled(arg, seq);
}

/* Was the last run killed (runmark.h)? Its events issued but not spooled are counted as lost,
 * to go out as an agent_gap (reason agent_restart) once shipping runs. */
static void note_last_run(struct agent *a, const char *dir)
{
	struct runmark_prev prev;
	int rc = runmark_open(&a->run, dir, seqstate_first(a->seq), &prev);

	if (rc < 0) {
		log_warn("state directory %s: run marker: %s (a kill would go unreported)", dir,
			 strerror(-rc));
		return;
	}
	if (!prev.unclean)
		return;
	if (prev.issued > prev.spooled) {
		log_warn("the last run did not stop cleanly (killed?): %llu events it had issued "
			 "(sequence %llu to %llu) never reached the spool: reported as agent_gap "
			 "agent_restart",
			 (unsigned long long)(prev.issued - prev.spooled),
			 (unsigned long long)prev.spooled + 1, (unsigned long long)prev.issued);
		gap_count(&a->gap, GAP_AGENT_RESTART, prev.issued - prev.spooled,
			  prev.time_ms * 1000000);
	} else {
		log_warn("the last run did not stop cleanly (killed?); every event it had issued "
			 "was in the spool");
	}
}

/* --state-dir / --collector: persistent event ids, then the shipper. 0 or -errno (logged). */
static int start_shipping(struct agent *a)
{
	const struct c2d_agent_opts *o = &a->o;
	struct pipeline *pl = &a->pl;
	const char *dir = o->state_dir ? o->state_dir : o->collector ? C2D_STATE_DIR_DEFAULT : NULL;
	struct ship_opts so = {
		.url = o->collector, .token_file = o->token_file, .ca_file = o->collector_ca,
		.batch = {o->batch_events, o->batch_bytes, o->batch_age_ms},
		.spool_max_bytes = o->spool_max_mb << 20};
	char spool[4096];
	int rc;

	if (!dir)
		return 0;
	rc = seqstate_open(&a->seq, dir, 0);
	if (rc < 0) {
		log_error("state directory %s: %s", dir, strerror(-rc));
		return rc;
	}
	if (o->collector) /* only a shipping agent has a spool to lose events before */
		note_last_run(a, dir);
	memcpy(pl->event_ids.instance, seqstate_agent_id(a->seq), sizeof(pl->event_ids.instance));
	pl->event_ids.seq = seqstate_first(a->seq) - 1;
	pl->event_ids.seq_limit = seqstate_limit(a->seq);
	pl->event_ids.reserve = seqstate_reserve;
	pl->event_ids.reserve_arg = a->seq;
	if (!o->collector)
		return 0;
	snprintf(spool, sizeof(spool), "%s/spool", dir);
	so.spool_dir = spool;
	so.spooled = on_spooled;
	so.spooled_arg = a->run;
	rc = ship_start(&a->ship, &so, &a->gap);
	if (rc < 0) {
		log_error("shipping to %s: %s", o->collector, strerror(-rc));
		return rc;
	}
	pl->ship = a->ship;
	log_info("shipping to %s: spool %s (at most %llu MiB), batches of %llu events / %llu "
		 "bytes / %llu ms", o->collector, spool, (unsigned long long)o->spool_max_mb,
		 (unsigned long long)o->batch_events, (unsigned long long)o->batch_bytes,
		 (unsigned long long)o->batch_age_ms);
	return 0;
}

/* Rules by identity (file_ids.h), after the policy maps are filled; the host paths of findings
 * follow the same mount changes it watches. */
static int start_file_ids(struct agent *a)
{
	struct file_ids_opts fo = {.policy = &a->policy};
	int rc;

	loader_ids_maps(&a->l, &fo.file_fd, &fo.dir_fd, &fo.policy_flags, &fo.id_gate);
	a->pl.hp.mountinfo = FILE_IDS_MOUNTINFO;
	rc = file_ids_start(&a->ids, &fo);
	if (rc < 0) { /* rules still match by name; host paths follow mount changes on misses */
		log_warn("file ids: %s: rules match by path only", strerror(-rc));
		return 0;
	}
	a->pl.ids = a->ids;
	a->pl.hp.gen = file_ids_mount_gen(a->ids);
	return 0;
}

/* The kernel side: probe, load, fill the policy maps, attach, then the rules by identity; the
 * hooks chosen are logged. 0 or -1 (logged). */
static int start_kernel(struct agent *a)
{
	const struct c2d_agent_opts *o = &a->o;
	struct c2d_loader *l = &a->l;
	const struct c2d_policy *p = &a->policy;
	struct loader_opts lo = {.ringbuf_bytes = options_ringbuf_mb(o, libbpf_num_possible_cpus()) << 20,
				 .container_rate = o->container_rate,
				 .container_burst = o->container_burst,
				 .watch_compat = o->watch_compat,
				 .fold_window_ns = o->fold_window_s * 1000000000ull};
	struct c2d_hook_plan plan;
	char err[512];
	int rc;

	if (probe_kernel(&plan, err, sizeof(err)) < 0) {
		log_error("kernel probe: %s", err);
		return -1;
	}
	if (o->kernel_reads == C2D_READS_BTF && !plan.btf_loads) {
		log_error("--kernel-reads btf: this kernel does not let tracepoint programs load "
			  "through BTF types (bpf_rdonly_cast, 6.2 or later); use auto or probe");
		return -1;
	}
	lo.probe_reads = o->kernel_reads == C2D_READS_PROBE || !plan.btf_loads;
	/* auto: a kernel that refuses the BTF-load object (a verifier older than this one, with
	 * less room) is given the helper-read one before giving up */
	rc = loader_load(l, &plan, p, &lo, err, sizeof(err));
	if (rc < 0 && !lo.probe_reads && o->kernel_reads == C2D_READS_AUTO) {
		log_warn("loading the BPF programs with BTF loads failed (%s); trying helper-call reads",
			 err);
		loader_close(l);
		lo.probe_reads = true;
		rc = loader_load(l, &plan, p, &lo, err, sizeof(err));
	}
	if (rc < 0 || loader_fill_policy(l, p, err, sizeof(err)) < 0 ||
	    loader_attach(l, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	log_info("hooks: %d syscall exit tracepoints (per-syscall, arguments from saved registers), "
		 "tp_btf sched_process_exec/fork/exit; ring buffer %llu MiB for all CPUs; "
		 "no tracepoint on this kernel: %s; not needed by the policy: %s",
		 l->n_sys_attached, (unsigned long long)(lo.ringbuf_bytes >> 20),
		 plan.missing[0] ? plan.missing : "none", l->skipped[0] ? l->skipped : "none");
	log_info("kernel reads: %s",
		 !lo.probe_reads			    ? "plain loads through BTF types (bpf_rdonly_cast)"
		 : o->kernel_reads == C2D_READS_PROBE ? "a helper call per read (--kernel-reads probe)"
		 : plan.btf_loads ? "a helper call per read (the BTF-load object was refused)"
				  : "a helper call per read (this kernel has no bpf_rdonly_cast for "
				    "tracepoint programs: 6.2 or later)");
	log_info("io_uring: %s", l->uring ? l->uring : "unknown");
	if (l->compat)
		log_info("32-bit syscalls: %s", l->compat);
	else
		log_info("32-bit syscalls: not watched; this kernel takes them (int $0x80 from any "
			 "process) and no per-syscall tracepoint sees them: run with "
			 "--watch-compat-syscalls, or boot the nodes with ia32_emulation=0");
	if (l->tcp_state)
		log_info("hooks: metadata access on the socket: tp_btf/inet_sock_set_state (TCP "
			 "active opens by connect, Fast Open sendto/sendmsg/sendmmsg, io_uring), "
			 "connect() entry and exit (UDP, failed attempts, tampered sockaddrs)");
	else if (!plan.tcp_state)
		log_warn("hooks: tp_btf/inet_sock_set_state is not available: metadata access is "
			 "seen at connect() only (no TCP Fast Open, no io_uring connect)");
	if (start_file_ids(a) < 0)
		return -1;
	if (o->container_rate)
		log_info("per-container budget: %llu findings/s, bursts of %llu (in the kernel)",
			 (unsigned long long)o->container_rate,
			 (unsigned long long)o->container_burst);
	else
		log_info("per-container budget: none (--container-rate 0)");
	if (o->fold_window_s)
		log_info("identical findings folded within %llu s (in the kernel; swept every second)",
			 (unsigned long long)o->fold_window_s);
	else
		log_info("identical findings not folded (--fold-window 0)");
	return 0;
}

static void set_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal};
	struct sigaction hup = {.sa_handler = on_hup};

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &hup, NULL); /* a reload, never a stop */
	signal(SIGPIPE, SIG_IGN);
}

/* The pipeline's caches and context, and the secret key it fingerprints with. 0 or -1
 * (logged). */
static int start_pipeline(struct agent *a)
{
	const struct c2d_agent_opts *o = &a->o;
	struct pipeline *pl = &a->pl;
	int rc;

	pl->out = o->stdout_mode ? stdout : NULL;
	pl->report_runtime = o->report_runtime_calls;
	pl->rctx.node_name = node_name(o, a->host, sizeof(a->host));
	pl->rctx.policy = &a->policy;
	pl->rctx.proc_root = "/proc";
	pl->rctx.boot_to_real_ns = boot_to_real_ns();
	pl->rctx.pc = proc_cache_new(o->proc_cache_size, PROC_CACHE_BYTES);
	pl->rctx.cg = cgroup_cache_new(CGROUP_CACHE_SLOTS, NULL, "/proc");
	if (o->fold_window_s &&
	    !(pl->fold = fold_cache_new(FOLD_CACHE_RECORDS, FOLD_CACHE_BYTES))) {
		log_error("out of memory at start-up");
		return -1;
	}
	/* before the resolver thread: it fingerprints the secrets of every container's spec */
	if ((rc = secrets_key_init(o->secret_key_file)) < 0) {
		log_error("--secret-key-file %s: %s (at least 16 bytes)", o->secret_key_file,
			  strerror(-rc));
		return -1;
	}
	if (!o->secret_key_file)
		log_info("secret fingerprints: a random key for this run (--secret-key-file names one "
			 "secret the same on every node)");
	return 0;
}

/* Container records from the runtime (CRI first, then containerd's own API), task starts from
 * containerd's events, pods and GitOps objects from the API server: each only when there is
 * one to ask. */
static void start_metadata(struct agent *a)
{
	const struct c2d_agent_opts *o = &a->o;
	struct pipeline *pl = &a->pl;
	const char *ctrd = strcmp(o->containerd_socket, "none") ? o->containerd_socket : NULL;
	const char *k8s_url;

	if (ctrd || o->cri_socket) {
		pl->meta = meta_cache_new_runtimes((unsigned)o->meta_cache_size, ctrd,
						   o->cri_socket);
		if (pl->meta && ctrd)
			a->events = runtime_events_start(ctrd, pl->meta);
	}
	if (pl->meta && (k8s_url = k8s_api(o, a->api, sizeof(a->api))) != NULL) {
		a->k8s = k8s_start(k8s_url, o->k8s_ca, o->k8s_token_file, pl->rctx.node_name);
		meta_cache_set_k8s(pl->meta, a->k8s);
		a->gitops = gitops_start(k8s_url, o->k8s_ca, o->k8s_token_file);
		pl->rctx.gitops = a->gitops;
		log_info("kubernetes: watching pods of node %s at %s", pl->rctx.node_name, k8s_url);
	}
}

/*
 * Everything up to "ready", in this order: --kubeconfig and the policy (refused: EXIT_USAGE),
 * the metrics endpoint, signals, the pipeline and the threads that feed it, event ids and
 * shipping, the programs, then the runtime's binaries and the processes already running.
 * 0, or the exit status (the reason is logged); agent_stop releases what was started.
 */
static int agent_start(struct agent *a)
{
	struct c2d_agent_opts *o = &a->o;
	struct pipeline *pl = &a->pl;
	char err[512];
	int nproc;

	if (o->kubeconfig) { /* instead of the in-cluster settings; --k8s-api still wins */
		if (kubeconfig_load(o->kubeconfig, &a->kc, err, sizeof(err)) < 0) {
			fprintf(stderr, "c2d-agent: --kubeconfig %s\n", err);
			return EXIT_USAGE;
		}
		o->k8s_api = o->k8s_api ? o->k8s_api : a->kc.server;
		o->k8s_ca = a->kc.ca_file;
		o->k8s_token_file = a->kc.token_file;
	}
	if (build_policy(&a->policy, o) < 0)
		return EXIT_USAGE;
	a->start_time = time(NULL);
	if (o->metrics_addr &&
	    metrics_http_start(&a->metrics, o->metrics_addr, err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d-agent: --metrics-addr: %s\n", err);
		return EXIT_FAILURE;
	}
	set_signals();
	if (start_pipeline(a) < 0)
		return EXIT_FAILURE;
	start_metadata(a);
	if (!pl->rctx.pc || !pl->rctx.cg || ids_random_hex16(pl->event_ids.instance) < 0) {
		log_error("out of memory or entropy at start-up");
		return EXIT_FAILURE;
	}
	if (o->stdout_mode)
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (start_shipping(a) < 0 || start_kernel(a) < 0)
		return EXIT_FAILURE;
	runtime_refresh(a, true); /* after attach: every later exec is the kernel's to see */
	nproc = procfs_seed(pl->rctx.pc, "/proc");
	log_info("process cache seeded from /proc: %d processes; policy: %zu rules", nproc,
		 a->policy.n);
	log_info("ready: instance %s on node %s, every program attached%s%s", pl->event_ids.instance,
		 pl->rctx.node_name, a->metrics ? "; metrics on " : "",
		 a->metrics ? o->metrics_addr : "");
	if (a->metrics)
		metrics_http_set_ready(a->metrics, true);
	a->ready = true;
	return 0;
}

/*
 * After a run (ready): no new work, the last batch into the spool, the run marked, the last
 * stats. Then whatever agent_start got to is released, each part before what it uses. Every
 * part not started is NULL (or empty), which its stop or free takes.
 */
static void agent_stop(struct agent *a)
{
	struct pipeline *pl = &a->pl;

	if (a->ready) {
		if (a->metrics)
			metrics_http_set_ready(a->metrics, false); /* stopping: take no new work */
		/* the last batch into the spool, then a bounded send */
		ship_stop(a->ship, SHIP_DRAIN_MS);
		a->ship = pl->ship = NULL;
		runmark_issued(a->run, pl->event_ids.seq);
		agent_log_stats(a);
		log_info("stopped (%s)",
			 g_stop == SIGINT ? "SIGINT" : g_stop == SIGTERM ? "SIGTERM" : "error");
	}
	file_ids_stop(a->ids); /* before the maps it fills */
	a->ids = NULL;
	hostpath_cache_free(&pl->hp);
	loader_close(&a->l);
	proc_cache_free(pl->rctx.pc);
	fold_cache_free(pl->fold);
	cgroup_cache_free(pl->rctx.cg);
	runtime_events_stop(a->events); /* before the cache it feeds */
	meta_cache_free(pl->meta);
	k8s_stop(a->k8s); /* after the resolver that reads it */
	gitops_stop(a->gitops); /* after the last render */
	kubeconfig_release(&a->kc);
	deferred_clear(&pl->deferred);
	ship_stop(a->ship, 0); /* a failed start: nothing was queued */
	runmark_close(a->run, true); /* every issued event is in the spool: a clean stop */
	seqstate_free(a->seq);
	metrics_http_stop(a->metrics);
}

/* Options, and what they answer without an agent: a usage error, --help, --version,
 * --check-policy. true: start the agent; false: exit with *status. */
static bool parse_options(struct agent *a, int argc, char **argv, int *status)
{
	struct c2d_agent_opts *o = &a->o;
	char err[512];

	*status = 0;
	if (options_parse(o, argc, argv, err, sizeof(err)) < 0) {
		fprintf(stderr, "c2d-agent: %s\n", err);
		*status = EXIT_USAGE;
		return false;
	}
	if (o->help) {
		options_usage(stdout, "c2d-agent");
		return false;
	}
	if (o->version) {
		printf("c2d-agent %s (git %s, ABI %d)\n", C2D_VERSION, C2D_GIT_REV,
		       C2D_ABI_VERSION);
		*status = fflush(stdout) == 0 ? 0 : EXIT_FAILURE;
		return false;
	}
	c2d_log_set_level(o->log_level);
	c2d_log_set_format(o->log_format);
	if (o->check_policy) { /* before anything that needs privileges */
		*status = check_policy(o, &a->policy);
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	/* static: two policies, the pipeline's buffer and the metrics text do not fit a stack */
	static struct agent a = {.kc = {.ca_fd = -1, .token_fd = -1}};
	int rc;

	/*
	 * A fixed mmap threshold: glibc's moves up to the largest block freed (libbpf's copy of
	 * the kernel's BTF, 5 MiB), after which libbpf's other load-time buffers land in the heap
	 * and stay resident there (16 MiB of heap RSS idle, against 2 MiB with this).
	 */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (!parse_options(&a, argc, argv, &rc))
		return rc;
	rc = agent_start(&a);
	if (rc == 0)
		rc = agent_run(&a);
	agent_stop(&a);
	return rc;
}

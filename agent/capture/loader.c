// SPDX-License-Identifier: BSD-2-Clause
/* loader.c - see loader.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "c2d_abi.h" /* before the skeleton: its .bss holds struct c2d_gates */
#include "c2d.skel.h"
#include "c2d_pr.skel.h"
#include "loader.h"
#include "log.h"
#include "runtime_ids.h"
#include "skel_open.h"
#include "syscalls.h"

#ifndef SYS_io_uring_enter
#define SYS_io_uring_enter 426 /* the same on every architecture since 5.1 */
#endif

#define WAKEUP_BYTES_DIV 8 /* the CPUs together wake the reader per 1/8 of the ring */
#define WAKEUP_BYTES_MIN (16u << 10) /* …but one CPU not more often than per 16 KiB */

/* A verifier log comes as one message, and its verdict is at the end: a message longer than a
 * log line goes to stderr whole (its last 64 KiB), after a one-line header. */
static int libbpf_log(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	enum c2d_log_level to = lvl == LIBBPF_WARN ? C2D_LOG_WARN : C2D_LOG_DEBUG;
	char *msg = NULL;
	int n;

	if (lvl == LIBBPF_DEBUG && c2d_log_get_level() < C2D_LOG_DEBUG)
		return 0;
	n = vasprintf(&msg, fmt, ap);
	if (n < 0)
		return 0;
	if (n > 900) { /* past one log line: the whole text, raw, so the verdict is not cut */
		c2d_log(to, "libbpf: %.200s… (%d bytes, follows)", msg, n);
		fprintf(stderr, "%s%s", n > 65536 ? "[… the head is cut …]\n" : "",
			msg + (n > 65536 ? n - 65536 : 0));
	} else {
		c2d_log(to, "libbpf: %s", msg);
	}
	free(msg);
	return 0;
}

/* Which privileged rule (enabled) reports syscall s, or -1. */
static int sys_rule(const struct c2d_policy *p, int s)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->rules[i].kind == C2D_KIND_PRIVILEGED_CALL && p->rules[i].enabled &&
		    (p->rules[i].sys_mask & SYSBIT(s)))
			return (int)i;
	return -1;
}

static bool kind_enabled(const struct c2d_policy *p, enum c2d_kind k)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->rules[i].kind == k && p->rules[i].enabled)
			return true;
	return false;
}

/* Is the program of syscall s needed by the policy? ptrace's requests also answer to the
 * process-memory rules (bpf/priv.bpf.c ptrace__rule_sys). */
static bool sys_needed(const struct c2d_policy *p, int s)
{
	if (s == C2D_SYS_PTRACE && (sys_rule(p, C2D_SYS_PROCESS_VM_READV) >= 0 ||
				    sys_rule(p, C2D_SYS_PROCESS_VM_WRITEV) >= 0))
		return true;
	switch (sys_info((unsigned)s)->family) {
	case SYSF_OPEN:
	case SYSF_LINK:
		return kind_enabled(p, C2D_KIND_CREDENTIAL_READ) ||
		       kind_enabled(p, C2D_KIND_STORAGE_WRITE);
	case SYSF_WRITE_NAME:
		return kind_enabled(p, C2D_KIND_STORAGE_WRITE);
	case SYSF_NET:
		return kind_enabled(p, C2D_KIND_METADATA_ACCESS);
	case SYSF_PRIV:
		break;
	}
	return sys_rule(p, s) >= 0;
}

/* The io_uring programs (tp_btf: not in the syscall table) load when a file rule kind is on
 * and the kernel has their tracepoints. */
static void uring_plan(struct c2d_loader *l, const struct c2d_hook_plan *plan,
		       const struct c2d_policy *p)
{
	static const char *const progs[] = {"c2d_uring_submit", "c2d_uring_complete",
					    "c2d_uring_overflow"};
	bool want = kind_enabled(p, C2D_KIND_CREDENTIAL_READ) ||
		    kind_enabled(p, C2D_KIND_STORAGE_WRITE);

	if (!plan->uring_available)
		l->uring = "no io_uring tracepoints on this kernel: io_uring operations are NOT covered";
	else if (!want)
		l->uring = "io_uring operations not watched (no file rule enabled)";
	else
		l->uring = "tp_btf io_uring_submit_req/io_uring_complete/io_uring_cqe_overflow (open, "
			   "rename, unlink, link, ftruncate)";
	for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		struct bpf_program *prog = bpf_object__find_program_by_name(l->skel->obj, progs[i]);

		if (prog && (!plan->uring_available || !want))
			bpf_program__set_autoload(prog, false);
	}
}

/* 32-bit syscalls pass no per-syscall tracepoint; the raw sys_enter program that sees them
 * costs every syscall of the node, so it loads only when asked for (and the rule is on). */
static void compat_plan(struct c2d_loader *l, const struct c2d_hook_plan *plan,
			const struct c2d_policy *p, bool asked)
{
	bool on = asked && plan->compat_possible && sys_rule(p, C2D_SYS_COMPAT) >= 0;

	bpf_program__set_autoload(l->skel->progs.c2d_compat_enter, on);
	if (!plan->compat_possible)
		l->compat = "this kernel takes no 32-bit syscalls (no IA32 emulation): nothing to watch";
	else if (on)
		l->compat = "tp_btf/sys_enter reports each process making 32-bit syscalls "
			    "(rule compat-syscall)";
	else
		l->compat = NULL; /* possible and not watched: main warns */
}

/* A syscall whose exit program also needs the caller's state at entry has a
 * c2d_enter_<tracepoint> program (credentials before a setuid): loaded with its exit. */
static void set_enter_autoload(struct bpf_object *obj, const struct c2d_sysinfo *si, bool on)
{
	char name[64];
	struct bpf_program *prog;

	snprintf(name, sizeof(name), "c2d_enter_%s", si->tracepoint);
	prog = bpf_object__find_program_by_name(obj, name);
	if (prog)
		bpf_program__set_autoload(prog, on);
}

/*
 * Metadata access beyond connect()'s exit: the TCP state program (every active open, whatever
 * call or io_uring worker made it) and connect()'s entry copy of the sockaddr. Both only when a
 * metadata rule is enabled; the state program only where tp_btf reaches the tracepoint. The
 * syscall numbers that name the operation are this architecture's, as the agent was built.
 */
static void plan_net(struct c2d_loader *l, const struct c2d_hook_plan *plan,
		     const struct c2d_policy *p)
{
	bool meta = kind_enabled(p, C2D_KIND_METADATA_ACCESS);
	bool connect = meta && plan->sys_available[C2D_SYS_CONNECT];

	l->skel->rodata->c2d_nr_connect = SYS_connect;
	l->skel->rodata->c2d_nr_sendto = SYS_sendto;
	l->skel->rodata->c2d_nr_sendmsg = SYS_sendmsg;
	l->skel->rodata->c2d_nr_sendmmsg = SYS_sendmmsg;
	l->skel->rodata->c2d_nr_io_uring_enter = SYS_io_uring_enter;
	l->tcp_state = meta && plan->tcp_state;
	bpf_program__set_autoload(l->skel->progs.c2d_tcp_state, l->tcp_state);
	bpf_program__set_autoload(l->skel->progs.c2d_enter_connect, connect);
}

/* An object's ELF bytes, embedded in the binary, are read only while it loads: their pages
 * go back to the page cache afterwards (read-only and clean, they would fault in again from
 * the binary if ever read; ~0.8 MiB of resident memory each). */
static void release_elf_bytes(const void *bytes, size_t sz)
{
	uintptr_t pg = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = ((uintptr_t)bytes + pg - 1) & ~(pg - 1);
	uintptr_t e = ((uintptr_t)bytes + sz) & ~(pg - 1);

	if (e > a && madvise((void *)a, e - a, MADV_DONTNEED) < 0)
		log_debug("loader: madvise of the object bytes: %s", strerror(errno));
}

static void release_objects(void)
{
	size_t sz = 0;
	const void *b = c2d_bpf__elf_bytes(&sz);

	release_elf_bytes(b, sz);
	b = c2d_bpf_pr__elf_bytes(&sz);
	release_elf_bytes(b, sz);
}

/* What one CPU sends before it wakes the ring's reader (base.bpf.h emit__output_flags). */
static uint64_t wakeup_bytes(uint64_t ringbuf_bytes)
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t share = ringbuf_bytes / WAKEUP_BYTES_DIV / (uint64_t)(ncpu > 0 ? ncpu : 1);

	return share > WAKEUP_BYTES_MIN ? share : WAKEUP_BYTES_MIN;
}

int loader_load(struct c2d_loader *l, const struct c2d_hook_plan *plan,
		const struct c2d_policy *p, const struct loader_opts *lo, char *err,
		size_t errlen)
{
	uint64_t ringbuf_bytes = lo->ringbuf_bytes;
	size_t slen = 0;
	int rc;

	memset(l, 0, sizeof(*l));
	libbpf_set_print(libbpf_log);
	if (lo->probe_reads) { /* the same programs, reading kernel objects by helper calls */
		size_t sz = 0;
		const void *bytes = c2d_bpf_pr__elf_bytes(&sz);

		l->skel = SKEL_OPEN_BYTES(c2d_bpf, bytes, sz);
	} else {
		l->skel = c2d_bpf__open();
	}
	if (!l->skel) {
		snprintf(err, errlen, "cannot open the BPF object: %s", strerror(errno));
		return -errno;
	}
	l->skel->rodata->c2d_agent_tgid = (uint32_t)getpid();
	l->skel->rodata->c2d_wakeup_bytes = wakeup_bytes(ringbuf_bytes);
	if (lo->container_rate) {
		uint64_t interval = 1000000000ull / lo->container_rate;

		l->skel->rodata->c2d_cg_interval_ns = interval ? interval : 1;
		l->skel->rodata->c2d_cg_burst_ns = (interval ? interval : 1) * lo->container_burst;
	}
	if (lo->fold_window_ns) {
		uint64_t seed = 0;

		/* keys the hash of targets' strings: collisions cannot be prepared offline */
		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull ^ (uint64_t)getpid();
		l->skel->rodata->c2d_fold_window_ns = lo->fold_window_ns;
		l->skel->rodata->c2d_fold_seed = seed;
		l->fold = true;
	}
	bpf_map__set_max_entries(l->skel->maps.events, (uint32_t)ringbuf_bytes);
	for (int s = 0; s < C2D_SYS_MAX; s++) {
		const struct c2d_sysinfo *si = sys_info((unsigned)s);
		struct bpf_program *prog;

		if (!si->tracepoint)
			continue; /* reported by another hook */
		prog = bpf_object__find_program_by_name(l->skel->obj, si->prog);
		if (!prog) {
			snprintf(err, errlen, "BPF program %s missing from the object", si->prog);
			return -ENOENT;
		}
		/* an entry program (names.bpf.c copies, priv.bpf.c snapshots) runs only with its
		 * exit program */
		if (!plan->sys_available[s] || !sys_needed(p, s)) {
			bpf_program__set_autoload(prog, false);
			set_enter_autoload(l->skel->obj, si, false);
			if (plan->sys_available[s] && slen < sizeof(l->skipped) - 32)
				slen += (size_t)snprintf(l->skipped + slen, sizeof(l->skipped) - slen,
							 "%s%s", slen ? "," : "", si->name);
		}
	}
	uring_plan(l, plan, p);
	plan_net(l, plan, p);
	compat_plan(l, plan, p, lo->watch_compat);
	rc = c2d_bpf__load(l->skel);
	release_objects();
	if (rc) {
		snprintf(err, errlen, "loading the BPF programs failed: %s (run with --log-level "
				      "debug for the verifier log)",
			 strerror(-rc));
		return rc;
	}
	return 0;
}

static int put_trie(int fd, const struct c2d_rule *r, uint32_t id, char *err, size_t errlen)
{
	struct c2d_lpm_key key;
	struct c2d_rule_val val;

	if (policy_encode_path(r, id, &key, &val) < 0 ||
	    bpf_map_update_elem(fd, &key, &val, BPF_ANY) < 0) {
		snprintf(err, errlen, "rule %s (%s): cannot be stored in the kernel: %s", r->name,
			 r->pattern, strerror(errno));
		return -EINVAL;
	}
	return 0;
}

int loader_fill_policy_maps(const struct loader_policy_maps *m, const struct c2d_policy *p,
			    uint32_t *flags_out, char *err, size_t errlen)
{
	uint32_t flags = p->report_denied_opens ? C2D_POL_FAILURES : 0;

	if (policy_check_dir_rules(p, err, errlen) < 0)
		return -EINVAL;

	for (size_t i = 0; i < p->n; i++) {
		const struct c2d_rule *r = &p->rules[i];
		int fd = -1;

		if (!r->enabled)
			continue;
		if (r->kind == C2D_KIND_STORAGE_WRITE) {
			fd = m->storage_trie;
			flags |= C2D_POL_STORAGE;
		} else if (r->kind == C2D_KIND_CREDENTIAL_READ) {
			if (r->match == C2D_MATCH_SUFFIX) {
				fd = m->suffix_trie;
				flags |= C2D_POL_SUFFIX;
			} else if (r->match == C2D_MATCH_DIR) {
				fd = m->dir_trie;
				flags |= C2D_POL_DIR;
			} else {
				fd = m->prefix_trie;
			}
		} else if (r->kind == C2D_KIND_METADATA_ACCESS) {
			struct c2d_rule_val v = {.rule_id = (uint16_t)i, .kind = (uint8_t)r->kind};

			if (bpf_map_update_elem(m->meta_addrs, &r->addr, &v, BPF_ANY) < 0) {
				snprintf(err, errlen, "rule %s: cannot store address %s: %s", r->name,
					 r->pattern, strerror(errno));
				return -EINVAL;
			}
			continue;
		}
		if (fd >= 0 && put_trie(fd, r, (uint32_t)i, err, errlen) < 0)
			return -EINVAL;
	}
	for (int s = 0; s < C2D_SYS_MAX; s++) {
		int ri = sys_is((unsigned)s, SYSF_PRIV) ? sys_rule(p, s) : -1;
		struct c2d_sys_rule sr = {0};
		uint32_t key = (uint32_t)s;

		if (ri >= 0) {
			sr.rule_id = (uint16_t)ri;
			sr.enabled = 1;
			sr.only_mask = p->rules[ri].only_mask;
		}
		if (bpf_map_update_elem(m->sys_rules, &key, &sr, BPF_ANY) < 0) {
			snprintf(err, errlen, "cannot fill sys_rules: %s", strerror(errno));
			return -EINVAL;
		}
	}
	*flags_out = flags;
	return 0;
}

int loader_fill_policy(struct c2d_loader *l, const struct c2d_policy *p, char *err, size_t errlen)
{
	struct c2d_bpf *sk = l->skel;
	const struct loader_policy_maps m = {
		.prefix_trie = bpf_map__fd(sk->maps.prefix_trie),
		.suffix_trie = bpf_map__fd(sk->maps.suffix_trie),
		.dir_trie = bpf_map__fd(sk->maps.dir_trie),
		.storage_trie = bpf_map__fd(sk->maps.storage_trie),
		.meta_addrs = bpf_map__fd(sk->maps.meta_addrs),
		.sys_rules = bpf_map__fd(sk->maps.sys_rules),
	};
	uint32_t flags;

	if (loader_fill_policy_maps(&m, p, &flags, err, errlen) < 0)
		return -EINVAL;
	if (l->fold)
		flags |= C2D_POL_FOLD;
	policy_gates(p, (struct c2d_gates *)&sk->bss->c2d_gates);
	flags |= C2D_POL_GATES;
	/* last: the programs start matching once every map is complete; the runtime's switch is
	 * loader_runtime_sync's, kept across a refill */
	flags |= sk->bss->c2d_policy_flags & C2D_POL_RUNTIME;
	sk->bss->c2d_policy_flags = flags;
	return 0;
}

static bool is_enter_prog(const struct bpf_program *prog)
{
	return strncmp(bpf_program__name(prog), "c2d_enter_", 10) == 0;
}

/*
 * Entry programs last: an entry copy must never be left by a call whose exit program was not
 * attached yet (the next call of the same syscall on that thread would find it as its own).
 */
int loader_attach(struct c2d_loader *l, char *err, size_t errlen)
{
	struct bpf_program *prog;

	for (int pass = 0; pass < 2; pass++) {
		bpf_object__for_each_program(prog, l->skel->obj)
		{
			struct bpf_link *link;

			/* a bare raw_tp is run by the agent (BPF_PROG_TEST_RUN), attached to nothing */
			if (!bpf_program__autoload(prog) || is_enter_prog(prog) != (pass == 1) ||
			    strcmp(bpf_program__section_name(prog), "raw_tp") == 0)
				continue;
			if (l->nlinks >= (int)(sizeof(l->links) / sizeof(l->links[0]))) {
				snprintf(err, errlen, "attaching %s: too many programs",
					 bpf_program__name(prog));
				return -E2BIG;
			}
			link = bpf_program__attach(prog);
			if (!link) {
				snprintf(err, errlen, "attaching %s failed: %s",
					 bpf_program__name(prog), strerror(errno));
				return -errno;
			}
			l->links[l->nlinks++] = link;
			if (strncmp(bpf_program__name(prog), "c2d_exit_", 9) == 0)
				l->n_sys_attached++;
		}
	}
	return 0;
}

int loader_ringbuf_fd(const struct c2d_loader *l)
{
	return bpf_map__fd(l->skel->maps.events);
}

int loader_fold_sweep(struct c2d_loader *l, bool all)
{
	uint64_t args[1] = {all};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .ctx_in = args, .ctx_size_in = sizeof(args));
	int rc;

	if (!l->fold)
		return 0;
	rc = bpf_prog_test_run_opts(bpf_program__fd(l->skel->progs.c2d_fold_sweep), &opts);
	return rc < 0 ? -errno : (int)opts.retval;
}

void loader_ids_maps(const struct c2d_loader *l, int *file_fd, int *dir_fd,
		     volatile uint32_t **policy_flags, volatile uint64_t **id_gate)
{
	*file_fd = bpf_map__fd(l->skel->maps.file_ids);
	*dir_fd = bpf_map__fd(l->skel->maps.dir_ids);
	*policy_flags = &l->skel->bss->c2d_policy_flags;
	*id_gate = (volatile uint64_t *)l->skel->bss->c2d_id_gate; /* __u64 is uint64_t */
}

int loader_runtime_sync(struct c2d_loader *l, const struct runtime_ids *ids)
{
	int fd = bpf_map__fd(l->skel->maps.runtime_ids);
	struct c2d_file_id key, next, stale[RUNTIME_IDS_MAX];
	unsigned nstale = 0;
	uint8_t one = 1;
	void *prev = NULL;

	/* stale first: the map holds at most RUNTIME_IDS_MAX, so do the new ones */
	while (nstale < RUNTIME_IDS_MAX && bpf_map_get_next_key(fd, prev, &next) == 0) {
		if (!runtime_ids_has(ids, &next))
			stale[nstale++] = next;
		key = next;
		prev = &key;
	}
	for (unsigned i = 0; i < nstale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	for (unsigned i = 0; i < ids->n; i++)
		if (bpf_map_update_elem(fd, &ids->v[i].id, &one, BPF_ANY) < 0)
			return -errno;
	if (ids->n)
		__atomic_or_fetch(&l->skel->bss->c2d_policy_flags, C2D_POL_RUNTIME, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&l->skel->bss->c2d_policy_flags, ~C2D_POL_RUNTIME,
				   __ATOMIC_RELAXED);
	return 0;
}

int loader_runtime_mark(void *arg, uint32_t tgid, uint64_t start_ns)
{
	struct c2d_loader *l = arg;

	/* the gate bit first: the kernel looks an entry up only when its bit is set */
	__atomic_or_fetch(&l->skel->bss->c2d_rt_gate[c2d_rt_gate_word(tgid)], c2d_rt_gate_bit(tgid),
			  __ATOMIC_SEQ_CST);
	/* the start floored to the tick passes the kernel's check as the exact one does */
	if (bpf_map_update_elem(bpf_map__fd(l->skel->maps.runtime_tasks), &tgid, &start_ns,
				BPF_ANY) < 0)
		return -errno;
	return 0;
}

void loader_set_host_mntns(struct c2d_loader *l, uint32_t inum)
{
	l->skel->bss->c2d_host_mntns = inum;
}

int loader_read_stats(const struct c2d_loader *l, struct c2d_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct c2d_stats *per;
	uint32_t key = 0;

	memset(sum, 0, sizeof(*sum));
	if (ncpu <= 0)
		return -EINVAL;
	per = calloc((size_t)ncpu, sizeof(*per));
	if (!per)
		return -ENOMEM;
	if (bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.stats), &key, per) < 0) {
		free(per);
		return -errno;
	}
	for (int c = 0; c < ncpu; c++) {
		const uint64_t *src = (const uint64_t *)&per[c];
		uint64_t *dst = (uint64_t *)sum;

		for (size_t i = 0; i < sizeof(*sum) / sizeof(uint64_t); i++)
			dst[i] += src[i];
	}
	free(per);
	return 0;
}

void loader_close(struct c2d_loader *l)
{
	for (int i = 0; i < l->nlinks; i++)
		bpf_link__destroy(l->links[i]);
	l->nlinks = 0;
	c2d_bpf__destroy(l->skel);
	l->skel = NULL;
}

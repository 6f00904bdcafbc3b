/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.h - the agent's options, driven by one table (name, type, default, bounds, help) on
 * the shared engine (common/opt_table.h): the same table parses argv, validates, prints --help
 * and is what the README lists. Strings point into argv; --storage-path repeats.
 */
#ifndef C2D_OPTIONS_H
#define C2D_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define C2D_MAX_STORAGE_PATHS 64

/* How the BPF programs read kernel objects (--kernel-reads; bpf/path.bpf.c). */
enum c2d_kernel_reads {
	C2D_READS_AUTO,	 /* BTF loads when the kernel takes them, else helper calls */
	C2D_READS_BTF,	 /* plain loads through BTF types (bpf_rdonly_cast, 6.2+) */
	C2D_READS_PROBE, /* a bpf_probe_read_kernel call per read */
};

struct c2d_agent_opts {
	bool stdout_mode;
	bool report_runtime_calls;
	bool watch_compat; /* --watch-compat-syscalls */
	int kernel_reads;  /* --kernel-reads: enum c2d_kernel_reads */
	enum c2d_log_format log_format;
	const char *check_policy; /* --check-policy FILE: validate and exit */
	bool help;
	bool version;
	const char *policy_file;
	const char *storage_paths[C2D_MAX_STORAGE_PATHS];
	int nstorage;
	const char *node_name;
	enum c2d_log_level log_level;
	uint64_t ringbuf_mb;
	uint64_t proc_cache_size;
	uint64_t stats_interval;
	uint64_t meta_cache_size;
	const char *containerd_socket;
	const char *cri_socket;
	const char *k8s_api;
	const char *k8s_ca;
	const char *k8s_token_file;
	const char *kubeconfig;
	const char *secret_key_file; /* HMAC key of secret fingerprints: NULL = random per run */
	const char *collector;	    /* shipping (agent/SHIPPING.md): NULL = off */
	const char *token_file;
	const char *collector_ca;
	const char *state_dir;	    /* NULL: C2D_STATE_DIR_DEFAULT when shipping, else none */
	uint64_t batch_events;
	uint64_t batch_bytes;
	uint64_t batch_age_ms;
	uint64_t spool_max_mb;
	const char *metrics_addr; /* NULL: no metrics endpoint */
	uint64_t container_rate;  /* findings/s per cgroup, 0: unlimited */
	uint64_t container_burst;
	uint64_t fold_window_s;	  /* fold identical findings within this window; 0: off */
};

#define C2D_STATE_DIR_DEFAULT "/var/lib/cloud2dev"

/* Parse argv. Returns 0, or -EINVAL with a message naming the option in err. */
int options_parse(struct c2d_agent_opts *o, int argc, char **argv, char *err, size_t errlen);
void options_usage(FILE *f, const char *prog);
/* The ring buffer's size in MiB: --ringbuf-mb, or 0 sized from the node's ncpu CPUs. */
uint64_t options_ringbuf_mb(const struct c2d_agent_opts *o, int ncpu);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * agent.h - one running agent: its options, policy, programs, pipeline and the parts it
 * started. main.c starts, runs and stops one; agent_stats.c reads its counters. Every part
 * that is not running is NULL.
 */
#ifndef C2D_AGENT_H
#define C2D_AGENT_H

#include <stdbool.h>
#include <time.h>

#include "agent_stats.h"
#include "gap.h"
#include "kubeconfig.h"
#include "loader.h"
#include "options.h"
#include "pipeline.h"
#include "policy.h"
#include "runtime_ids.h"

struct agent {
	struct c2d_agent_opts o; /* --kubeconfig fills in the k8s_* ones from kc */
	struct kubeconfig kc;	 /* ca_fd, token_fd: -1 when none */
	struct c2d_policy policy; /* running: SIGHUP changes severities in place */
	struct c2d_loader l;
	struct pipeline pl;
	struct runtime_events *events; /* containerd task starts: records asked for early */
	struct gitops *gitops;	       /* Argo CD / Flux objects: deploy revisions by time */
	struct k8s *k8s;	       /* pods of this node from the API, if one is reachable */
	struct ship *ship;	       /* --collector: batches, spool, sender */
	struct seqstate *seq;	       /* --state-dir: event ids unique across restarts */
	struct gap gap;		       /* losses, reported in band as agent_gap events */
	struct metrics_http *metrics;  /* --metrics-addr */
	struct runmark *run;	       /* --state-dir: was the last run killed? */
	struct file_ids *ids;	       /* the path rules' files and directories by identity */
	struct runtime_ids rt_ids;     /* the runtime's binaries, as runtime_ids holds them */
	struct agent_stats stats;      /* what the snapshots keep between calls */
	time_t start_time;
	unsigned sweep_failed; /* logged once */
	bool ready;	       /* "ready" was logged: stopping drains and reports first */
	char host[256];	       /* the node's name when it is the host name (rctx.node_name) */
	char api[300];	       /* the in-cluster API server's address */
	/* scratch, here for their size (not on the stack): */
	struct runtime_ids rt_found; /* runtime binaries found by the latest look */
	struct c2d_policy fresh;     /* the policy SIGHUP read again */
};

#endif

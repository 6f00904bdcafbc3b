// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * budget.bpf.c - the per-cgroup finding budget (--container-rate, --container-burst): a GCRA
 * over the cg_budget map. A global function: verified once, and its stack is its own frame,
 * not added to the frames of the callers' deep path-walking call chains.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "lib/maps.bpf.h"

/* 1 if cgroup cgid may send one more finding now, else 0. The theoretical arrival time moves
 * one interval per finding; more than the burst ahead of now is over budget. Two CPUs updating
 * at once may both pass: the budget is approximate by a finding or two, never unbounded.
 * `charge` 0 asks without spending: an event of a finding already reported (its folded count,
 * at most one per key and window) goes out only when there is room, and never takes the room
 * a distinct finding needs, so a flood of one finding cannot starve the others. */
__noinline int c2d_budget_take(__u64 cgid, int charge)
{
	__u64 now, t, *tat;

	if (!c2d_cg_interval_ns)
		return 1;
	now = bpf_ktime_get_boot_ns();
	tat = bpf_map_lookup_elem(&cg_budget, &cgid);
	if (!tat) {
		t = now + c2d_cg_interval_ns;
		if (charge)
			bpf_map_update_elem(&cg_budget, &cgid, &t, BPF_ANY);
		return 1;
	}
	t = *tat > now ? *tat : now;
	if (t - now > c2d_cg_burst_ns)
		return 0;
	if (charge)
		*tat = t + c2d_cg_interval_ns;
	return 1;
}

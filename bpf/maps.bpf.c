// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.bpf.c - the one definition of every map and knob (see lib/maps.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define C2D_DEFINE_MAPS
#include "lib/maps.bpf.h"


/* Never used: they put every ring-buffer record type into the object's BTF, so that
 * tests/unit/capture/test_abi.c can compare each layout with user space's. */
const struct c2d_fork_event *c2d_btf_fork_event __attribute__((unused));
const struct c2d_exit_event *c2d_btf_exit_event __attribute__((unused));
const struct c2d_exec_event *c2d_btf_exec_event __attribute__((unused));

char LICENSE[] SEC("license") = "Dual BSD/GPL";

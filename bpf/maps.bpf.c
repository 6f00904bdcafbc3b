// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.bpf.c - the one definition of every map and knob (see lib/maps.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#define C2D_DEFINE_MAPS
#include "lib/maps.bpf.h"


char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* match_test.h - what the kernel-side test programs leave for tests/bpf/test_bpf.c. */
#ifndef C2D_MATCH_TEST_H
#define C2D_MATCH_TEST_H

#include "c2d_abi.h"

struct c2d_test_out {
	__s32 ret;	/* start offset of the path in pbuf, or < 0 */
	__s32 cred_hit; /* c2d_match_credential() */
	__s32 stor_hit; /* c2d_match_storage() */
	__u32 end;	/* offset of the path's NUL in pbuf */
	__u32 ncomp;
	__u16 flags; /* C2D_F_* the walk/join/matchers set */
	__u16 pad;
	__s32 pre_n;	 /* c2d_test_walk_fd: the components the prewalk found, or -1 */
	__s32 pre_admit; /* c2d_open_prefilter(): 1 the walk judges, 0 no rule can match */
	__u16 comp_off[4];
	__u16 comp_len[4];
	struct c2d_rule_val cred_rule;
	struct c2d_rule_val stor_rule;
	char pbuf[2 * C2D_PATH_MAX];
};

#endif

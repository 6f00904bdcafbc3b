/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * policy.bpf.h - path matchers over the policy maps the agent filled.
 *
 * Three shapes of rule (agent/policy.c compiles the user's patterns into them):
 *  - exact `/etc/shadow` and prefix `/etc/kubernetes/pki/`: one LPM trie over the path. Exact
 *    entries include the terminating NUL so they cannot match a longer path.
 *  - suffix `<any>/.aws/credentials`: an LPM trie over the last components in reverse order, each
 *    followed by '/': "credentials/.aws/home/". Whole components only, so `x.aws/credentials`
 *    does not match.
 *  - directory `<any>/.azure/` and leaf glob `<any>/.ssh/id_*`: an LPM trie over the directory
 *    components in reverse order ("ssh/home/"), the value saying which leaf prefix is needed.
 * Cheapest first: the prefix trie, then the suffix tries only if the agent loaded such rules.
 * Implementation in policy.bpf.c, as global functions verified once each.
 */
#ifndef C2D_POLICY_BPF_H
#define C2D_POLICY_BPF_H

#include "path.bpf.h"

/* Match the path pbuf[off, s->end] against the credential rules. Returns 1 and copies the rule
 * into s->rule on a match, 0 otherwise. */
int c2d_match_credential(struct c2d_scratch *s, int off);

/* Same against the production-storage prefixes (0 when none are configured). */
int c2d_match_storage(struct c2d_scratch *s, int off);

/*
 * Match the opened file by identity (s->ev.ino/dev, filled by path__file_id): file_ids for the
 * file itself (every name of it: hard links, bind mounts, hostPath volumes), then, walking its
 * dentry's ancestors up to its superblock's root, dir_ids (directory rules). `kinds` is a mask
 * of (1 << enum c2d_kind): storage rules apply only to writes. Returns 1 and fills s->rule.
 */
int c2d_match_ids(struct c2d_scratch *s, __u64 dentry, __u32 kinds);

#endif /* C2D_POLICY_BPF_H */

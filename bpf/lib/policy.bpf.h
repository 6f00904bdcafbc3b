/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * policy.bpf.h - path matchers over the policy maps the agent filled.
 *
 * Three shapes of rule (agent/policy/policy.c compiles the user's patterns into them):
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
 * Files by identity (s->ev.ino/dev, filled by path__file_id). `kinds` is a mask of
 * (1 << enum c2d_kind): storage rules apply only to writes.
 *
 * c2d_ids_walk_kinds: before the path walk, which kinds the walk should look each ancestor up
 * in dir_ids for (0: none: no directory rule could apply, or none lies on this device); the
 * caller puts it in s->id_kinds for the walk and clears it after.
 * c2d_match_ids: after it, the file itself in file_ids (every name of it: hard links, bind
 * mounts, hostPath volumes), then what the walk found in dir_ids, then, from where the walk
 * left the file's filesystem (s->id_resume), the ancestors above up to its superblock's root.
 * Returns 1 and fills s->rule.
 */
__u32 c2d_ids_walk_kinds(struct c2d_scratch *s, __u32 kinds);
int c2d_match_ids(struct c2d_scratch *s, __u32 kinds);

#endif /* C2D_POLICY_BPF_H */

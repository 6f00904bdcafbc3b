/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * gates.bpf.h - the gates (c2d_abi.h struct c2d_gates) as the kernel tests them: by the
 * matchers on a walked path (policy.bpf.c), and by the prefilter on the components the prewalk
 * noted (path.bpf.c), with the same hash on the same bytes.
 */
#ifndef C2D_GATES_BPF_H
#define C2D_GATES_BPF_H

#include "maps.bpf.h"

static __always_inline bool gate__bit(volatile __u64 *gate, __u32 h)
{
	return c2d_gate_test((const __u64 *)gate, h);
}

/* A component's first 8 bytes as the gate hash takes a name shorter than 8: its len bytes,
 * zero padded (also its last 8). */
static __always_inline __u64 gate__short(__u64 head, __u32 len)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return head & ((1ULL << (len * 8)) - 1); /* the first len bytes are the low ones */
#else
	return head & ~((1ULL << ((8 - len) * 8)) - 1);
#endif
}

/* The prewalk's component in slot i (C2D_PRE_*), hashed as the matchers hash a component. */
static __always_inline __u32 pre__hash(struct c2d_scratch *s, __u32 i, __u64 salt)
{
	return c2d_gate_hash(s->pre_head[i & 3], s->pre_tail[i & 3], s->pre_len[i & 3], salt);
}

/* As gate__top (policy.bpf.c): the first component alone (h1), or the first two as a pair
 * (h2, when there are two). */
static __always_inline bool pre__top(volatile __u64 *gate, __u32 n, __u32 h1, __u32 h2)
{
	return gate__bit(gate, h1) || (n >= 2 && gate__bit(gate, h2));
}

/* After a prewalk of n components: may a rule of the credential tries (with `write`, of the
 * storage trie too) match the path? The matchers' own tests (gate__top, gate__comp) on the
 * same components: false means they would look in no trie, so they would find nothing. */
static __always_inline bool pre__gates_admit(struct c2d_scratch *s, __u32 n, bool write)
{
	__u32 pf = c2d_policy_flags, h1, h2;

	if (n == 0 || !(pf & C2D_POL_GATES))
		return true;
	h1 = pre__hash(s, C2D_PRE_TOP0, 0);
	h2 = pre__hash(s, C2D_PRE_TOP1, h1 ^ C2D_GATE_PAIR_SALT);
	if (pre__top(c2d_gates.cred_top, n, h1, h2))
		return true;
	if ((pf & C2D_POL_SUFFIX) && gate__bit(c2d_gates.leaf, pre__hash(s, C2D_PRE_LEAF, 0)))
		return true;
	if ((pf & C2D_POL_DIR) && n >= 2 &&
	    gate__bit(c2d_gates.dir, pre__hash(s, C2D_PRE_PARENT, 0)))
		return true;
	return write && (pf & C2D_POL_STORAGE) && pre__top(c2d_gates.stor_top, n, h1, h2);
}

/* May a directory rule by identity lie on device dev? The agent puts a marker {ino 0, dev}
 * for each such device in the identity gate: a clear bit says none does. */
static __always_inline bool ids__dev_marked(__u32 dev)
{
	return (c2d_policy_flags & (C2D_POL_DIR_IDS | C2D_POL_DIR_IDS_CRED)) &&
	       c2d_gate_test((const __u64 *)c2d_id_gate, c2d_gate_id(0, dev));
}

/* The directory rule by identity (dir_ids) of (ino, dev), looked up only when the identity
 * gate has its bit (the agent sets it before the entry goes in): most ancestors of a walked
 * file cost a bit test, not a hash lookup. */
static __always_inline struct c2d_rule_val *ids__dir(const struct c2d_file_id *id)
{
	if (!c2d_gate_test((const __u64 *)c2d_id_gate, c2d_gate_id(id->ino, id->dev)))
		return NULL;
	return bpf_map_lookup_elem(&dir_ids, id);
}

#endif /* C2D_GATES_BPF_H */

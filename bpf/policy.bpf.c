// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* policy.bpf.c - path matchers over the policy maps (see lib/policy.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/policy.bpf.h"

#define C2D_COMP_MASK (C2D_COMP_MAX - 1)

/* Look the path pbuf[off, end] (NUL included) up in an exact/prefix trie. */
static __always_inline struct c2d_rule_val *policy__prefix(void *trie, struct c2d_scratch *s, int off)
{
	__u32 n = s->end - off + 1;

	if (n > C2D_LPM_MAX - 1)
		n = C2D_LPM_MAX - 1; /* the first 255 bytes: prefixes still match, exacts cannot */
	c2d_barrier_var(n);
	n &= C2D_LPM_MAX - 1; /* verifier: bound the size register itself */
	if (bpf_probe_read_kernel(s->key.data, n, &s->pbuf[off & C2D_PBUF_MASK]) < 0)
		return NULL;
	s->key.prefixlen = n * 8;
	return bpf_map_lookup_elem(trie, &s->key);
}

/* Append component i of the path to the reversed key at pos; returns the new pos. */
static __always_inline int policy__key_comp(struct c2d_scratch *s, int pos, __u32 i)
{
	__u32 len = s->comp_len[i & 3];
	__u32 coff = s->comp_off[i & 3];
	bool cut = len >= C2D_COMP_MAX;

	if (cut)
		len = C2D_COMP_MAX - 1;
	pos &= (C2D_LPM_MAX - 1);
	len &= C2D_COMP_MASK;
	if (bpf_probe_read_kernel(&s->key.data[pos], len, &s->pbuf[coff & C2D_PBUF_MASK]) < 0)
		return -1;
	pos += len;
	/* A cut component gets a separator no rule contains, so it can never match. */
	s->key.data[pos] = cut ? 1 : '/'; /* pos <= 255 + 63: inside data + key_slack */
	return pos + 1;
}

/* Build the reversed key from components [first, first + count). */
static __always_inline int policy__rkey(struct c2d_scratch *s, __u32 first, __u32 count)
{
	int pos = 0;

	for (__u32 i = 0; i < 3; i++) {
		if (i >= count || first + i >= s->ncomp)
			break;
		pos = policy__key_comp(s, pos, first + i);
		if (pos < 0)
			return -1;
	}
	s->key.prefixlen = pos * 8;
	return pos;
}

static __always_inline bool policy__leaf_ok(struct c2d_scratch *s, struct c2d_rule_val *v)
{
	__u32 n = v->leaf_glob_len;
	__u32 coff = s->comp_off[0];

	if (n > s->comp_len[0])
		return false;
	for (__u32 i = 0; i < C2D_LEAF_GLOB_MAX; i++) {
		if (i >= n)
			break;
		if (s->pbuf[(coff + i) & C2D_PBUF_MASK] != v->leaf_glob[i])
			return false;
	}
	return true;
}

static __always_inline int policy__found(struct c2d_scratch *s, struct c2d_rule_val *v)
{
	if (!v)
		return 0;
	s->rule = *v;
	return 1;
}

/* Credential rules: exact/prefix, then suffix, then directory. */
__noinline int c2d_match_credential(struct c2d_scratch *s, int off)
{
	struct c2d_rule_val *v;
	__u32 pf = c2d_policy_flags;

	if (!s)
		return 0;
	v = policy__prefix(&prefix_trie, s, off);
	if (v)
		return policy__found(s, v);
	if ((pf & C2D_POL_SUFFIX) && s->ncomp > 0 && policy__rkey(s, 0, 3) > 0) {
		v = bpf_map_lookup_elem(&suffix_trie, &s->key);
		if (v)
			return policy__found(s, v);
	}
	if (!(pf & C2D_POL_DIR) || s->ncomp < 2)
		return 0;
	/* The longest directory key wins; if its leaf test fails, a rule naming fewer
	 * directories may still apply (`<any>/.ssh/id_*` under a longer `.../x/.ssh/y*`). */
	for (__u32 k = 3; k > 0; k--) {
		if (policy__rkey(s, 1, k) <= 0)
			break;
		v = bpf_map_lookup_elem(&dir_trie, &s->key);
		if (!v)
			break;
		if (policy__leaf_ok(s, v))
			return policy__found(s, v);
	}
	return 0;
}

__noinline int c2d_match_storage(struct c2d_scratch *s, int off)
{
	if (!s || !(c2d_policy_flags & C2D_POL_STORAGE))
		return 0;
	return policy__found(s, policy__prefix(&storage_trie, s, off));
}


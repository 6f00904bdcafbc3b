// SPDX-License-Identifier: BSD-2-Clause
/*
 * policy_gates.c - the gates of the kernel's path tries (c2d_abi.h, struct c2d_gates): for
 * every enabled path rule, the bit of the component(s) a path must have for it to match. The
 * kernel side (bpf/policy.bpf.c) looks a trie up only when the path's bit is set; a rule this
 * file cannot describe opens its gate entirely.
 */
#include <string.h>

#include "policy.h"

/* c2d_gate_hash() of the len bytes at c, loaded as the kernel loads them from its path buffer:
 * the first and the last 8 bytes, host order; a shorter name zero padded. */
static uint32_t comp_hash(const char *c, size_t len, __u64 salt)
{
	__u64 head = 0, tail = 0;

	memcpy(&head, c, len < 8 ? len : 8);
	if (len < 8)
		tail = head;
	else
		memcpy(&tail, c + len - 8, 8);
	return c2d_gate_hash(head, tail, (uint32_t)len, salt);
}

static void set_bit(__u64 *gate, uint32_t h)
{
	gate[c2d_gate_word(h)] |= c2d_gate_bit(h);
}

/* The hashes of an absolute path's or pattern's first component (h1) and of its first two as a
 * pair (h2), as the kernel side makes them. Returns how many components there are of the two
 * (1 or 2), or -1 when they cannot be told ("/", "//x", "/x//y"). */
static int top_hashes(const char *p, uint32_t *h1, uint32_t *h2)
{
	const char *c1 = p + 1, *e1, *c2, *e2;

	if (p[0] != '/' || c1[0] == 0 || c1[0] == '/')
		return -1;
	e1 = strchrnul(c1, '/');
	*h1 = comp_hash(c1, (size_t)(e1 - c1), 0);
	if (*e1 == 0 || e1[1] == 0) /* "/x" or "/x/": one component */
		return 1;
	c2 = e1 + 1;
	if (c2[0] == '/')
		return -1;
	e2 = strchrnul(c2, '/');
	*h2 = comp_hash(c2, (size_t)(e2 - c2), *h1 ^ C2D_GATE_PAIR_SALT);
	return 2;
}

/* An exact or prefix pattern: its first component alone (`/root/`, `/x`), or its first two
 * as a pair; a pattern whose first components cannot be told opens the gate. */
static void gate_top(__u64 *gate, const char *pat)
{
	uint32_t h1, h2;
	int n = top_hashes(pat, &h1, &h2);

	if (n < 0)
		memset(gate, 0xff, C2D_GATE_WORDS * sizeof(*gate));
	else
		set_bit(gate, n == 1 ? h1 : h2);
}

/* A suffix or directory rule: the first component of its reversed key (the leaf, or the
 * innermost directory), which the kernel's key for a path starts with too. */
static void gate_key_comp(__u64 *gate, const struct c2d_rule *r)
{
	struct c2d_lpm_key key;
	struct c2d_rule_val val;
	const char *k = (const char *)key.data, *slash;

	if (policy_encode_path(r, 0, &key, &val) < 0 || key.prefixlen == 0 ||
	    !(slash = memchr(k, '/', key.prefixlen / 8)) || slash == k) {
		memset(gate, 0xff, C2D_GATE_WORDS * sizeof(*gate));
		return;
	}
	set_bit(gate, comp_hash(k, (size_t)(slash - k), 0));
}

void policy_gates(const struct c2d_policy *p, struct c2d_gates *g)
{
	memset(g, 0, sizeof(*g));
	for (size_t i = 0; i < p->n; i++) {
		const struct c2d_rule *r = &p->rules[i];

		if (!r->enabled)
			continue;
		if (r->kind == C2D_KIND_STORAGE_WRITE &&
		    (r->match == C2D_MATCH_EXACT || r->match == C2D_MATCH_PREFIX))
			gate_top(g->stor_top, r->pattern);
		if (r->kind != C2D_KIND_CREDENTIAL_READ)
			continue;
		if (r->match == C2D_MATCH_EXACT || r->match == C2D_MATCH_PREFIX)
			gate_top(g->cred_top, r->pattern);
		else if (r->match == C2D_MATCH_SUFFIX)
			gate_key_comp(g->leaf, r);
		else if (r->match == C2D_MATCH_DIR)
			gate_key_comp(g->dir, r);
	}
}

/* May a rule of the exact/prefix trie behind `gate` match the canonical path p? */
static bool admit_top(const __u64 *gate, const char *p)
{
	uint32_t h1, h2;
	int n = top_hashes(p, &h1, &h2);

	return n < 0 || c2d_gate_test(gate, h1) || (n == 2 && c2d_gate_test(gate, h2));
}

bool policy_gates_admit(const struct c2d_gates *g, const char *p, unsigned kinds)
{
	const char *leaf, *parent;

	if (p[0] != '/' || p[1] == 0)
		return true; /* "/": the kernel does not gate it */
	if ((kinds & (1u << C2D_KIND_STORAGE_WRITE)) && admit_top(g->stor_top, p))
		return true;
	if (!(kinds & (1u << C2D_KIND_CREDENTIAL_READ)))
		return false;
	if (admit_top(g->cred_top, p))
		return true;
	leaf = strrchr(p, '/') + 1;
	if (c2d_gate_test(g->leaf, comp_hash(leaf, strlen(leaf), 0)))
		return true;
	if (leaf - 1 == p)
		return false; /* no parent directory component */
	for (parent = leaf - 2; parent > p && parent[-1] != '/'; parent--)
		;
	return c2d_gate_test(g->dir, comp_hash(parent, (size_t)(leaf - 1 - parent), 0));
}

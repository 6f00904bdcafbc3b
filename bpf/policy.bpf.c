// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* policy.bpf.c - path matchers over the policy maps (see lib/policy.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/policy.bpf.h"
#include "lib/gates.bpf.h"

#define C2D_COMP_MASK (C2D_COMP_MAX - 1)

/* Look the path pbuf[off, end] (NUL included) up in an exact/prefix trie. The key is built in
 * place: its prefix length goes in the 4 bytes before the path, which nothing uses (paths are
 * built right to left, and everything of one lies at or after its start), and the trie reads
 * the path's first n bytes where they are, instead of a helper copying them into s->key. */
static __always_inline struct c2d_rule_val *policy__prefix(void *trie, struct c2d_scratch *s, int off)
{
	__u32 n = s->end - off + 1;

	if (n > C2D_LPM_MAX - 1)
		n = C2D_LPM_MAX - 1; /* the first 255 bytes: prefixes still match, exacts cannot */
	if (off >= 4 && off <= (int)(sizeof(s->pbuf) - sizeof(struct c2d_lpm_key))) {
		struct c2d_lpm_key *k = (struct c2d_lpm_key *)&s->pbuf[(off - 4) & C2D_PBUF_MASK];

		k->prefixlen = n * 8;
		return bpf_map_lookup_elem(trie, k);
	}
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

/*
 * Gates (c2d_abi.h): c2d_gate_hash() of the component pbuf[coff, coff + len), its first and
 * last 8 bytes loaded as user space loads them (a shorter name: its bytes, zero padded).
 */
static __always_inline __u32 gate__hash(struct c2d_scratch *s, __u32 coff, __u32 len, __u64 salt)
{
	__u64 head = *(__u64 *)&s->pbuf[coff & C2D_PBUF_MASK], tail;

	len &= C2D_NAME_MASK;
	if (len < 8) {
		head = gate__short(head, len);
		tail = head;
	} else {
		tail = *(__u64 *)&s->pbuf[(coff + len - 8) & C2D_PBUF_MASK];
	}
	return c2d_gate_hash(head, tail, len, salt);
}

/* May a rule of the exact/prefix trie behind `gate` match the walked path in pbuf? Its first
 * component alone (a one-component rule), or its first two as a pair. Open (true) whenever the
 * path is not a whole walked one or the agent wrote no gates. */
static __always_inline bool gate__top(struct c2d_scratch *s, volatile __u64 *gate)
{
	__u32 h1;

	if (!(c2d_policy_flags & C2D_POL_GATES) || !s->gate_ok)
		return true;
	h1 = gate__hash(s, s->top_off[0], s->top_len[0], 0);
	if (gate__bit(gate, h1))
		return true;
	if (s->ntop < 2)
		return false;
	return gate__bit(gate, gate__hash(s, s->top_off[1], s->top_len[1],
					  h1 ^ C2D_GATE_PAIR_SALT));
}

/* May a rule of the suffix (comp 0, the leaf) or directory (comp 1, the parent) trie match?
 * Exact for any path: the tries' keys are built from these same components. */
static __always_inline bool gate__comp(struct c2d_scratch *s, volatile __u64 *gate, __u32 i)
{
	if (!(c2d_policy_flags & C2D_POL_GATES))
		return true;
	return gate__bit(gate, gate__hash(s, s->comp_off[i & 3], s->comp_len[i & 3], 0));
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
	v = gate__top(s, c2d_gates.cred_top) ? policy__prefix(&prefix_trie, s, off) : NULL;
	if (v)
		return policy__found(s, v);
	if ((pf & C2D_POL_SUFFIX) && s->ncomp > 0 && gate__comp(s, c2d_gates.leaf, 0) &&
	    policy__rkey(s, 0, 3) > 0) {
		v = bpf_map_lookup_elem(&suffix_trie, &s->key);
		if (v)
			return policy__found(s, v);
	}
	if (!(pf & C2D_POL_DIR) || s->ncomp < 2 || !gate__comp(s, c2d_gates.dir, 1))
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
	if (!s || !(c2d_policy_flags & C2D_POL_STORAGE) || !gate__top(s, c2d_gates.stor_top))
		return 0;
	return policy__found(s, policy__prefix(&storage_trie, s, off));
}


/* Does the rule found apply to this open? kinds is a mask of (1 << enum c2d_kind); the kind
 * byte comes from a map, so it is bounded before it shifts. */
static __always_inline bool ids__applies(const struct c2d_rule_val *v, __u32 kinds)
{
	return v && v->kind < 32 && (kinds & (1u << v->kind));
}

/* d_parent, d_name and d_inode side by side (6.x): one read per level for the parent and the
 * inode pointer; CO-RE checks it, and the fallback reads them one by one. */
struct ids__dentry_head {
	struct dentry *parent;
	struct qstr name;
	struct inode *inode;
};

static __always_inline int ids__up(struct dentry *d, struct dentry **parent, struct inode **inode,
				   bool adjacent)
{
	struct ids__dentry_head h;

	if (adjacent) {
		if (bpf_probe_read_kernel(&h, sizeof(h),
					  (void *)d + bpf_core_field_offset(d->d_parent)) < 0)
			return -1;
		*parent = h.parent;
		*inode = h.inode;
		return 0;
	}
	*parent = BPF_CORE_READ(d, d_parent);
	*inode = BPF_CORE_READ(d, d_inode);
	return 0;
}

/*
 * The rest of the identity walk, where the path walk left the file's filesystem below its root
 * (the root of a bind mount or of a container's volume mount, the process's root, or the
 * filesystem's root itself): from that dentry up through d_parent to the superblock's root,
 * each (ino, dev) looked up in dir_ids. It stays inside one filesystem (a directory and
 * everything below it share the superblock), so `/data/x` in a container reaches the host's
 * `/srv/prod/`. Two reads and one hash lookup per level; at most C2D_MAX_DEPTH levels.
 */
static __always_inline int ids__walk_dirs(struct c2d_scratch *s, struct dentry *d, __u32 kinds)
{
	bool adjacent = bpf_core_field_offset(struct dentry, d_inode) ==
			bpf_core_field_offset(struct dentry, d_name) + sizeof(struct qstr) &&
			bpf_core_field_offset(struct dentry, d_name) ==
			bpf_core_field_offset(struct dentry, d_parent) + sizeof(void *);
	struct c2d_file_id id = {.dev = s->ev.dev};
	struct c2d_rule_val *v;

	for (int i = 0; i < C2D_MAX_DEPTH; i++) {
		struct dentry *parent;
		struct inode *inode;

		if (ids__up(d, &parent, &inode, adjacent) < 0 || !parent)
			return 0;
		id.ino = BPF_CORE_READ(inode, i_ino);
		v = ids__dir(&id);
		if (ids__applies(v, kinds))
			return policy__found(s, v);
		if (parent == d)
			return 0; /* the superblock's root, checked above */
		d = parent;
	}
	C2D_STAT_INC(path_truncated); /* deeper than the walk: not matched by directory identity */
	return 0;
}

__noinline __u32 c2d_ids_walk_kinds(struct c2d_scratch *s, __u32 kinds)
{
	struct c2d_file_id id = {};
	__u32 pf = c2d_policy_flags;

	if (!s || !s->ev.ino)
		return 0;
	/* storage directories matter to writes only: a read walks only for credential ones */
	if (!((pf & C2D_POL_DIR_IDS_CRED) ||
	      ((pf & C2D_POL_DIR_IDS) && (kinds & (1u << C2D_KIND_STORAGE_WRITE)))))
		return 0;
	/* A directory and everything below it share a device: the agent puts one marker per
	 * device that has a rule's directory ({ino 0, dev}; no inode is 0). A file on any other
	 * device (a container's overlay, tmpfs, another disk) is not walked at all. */
	id.dev = s->ev.dev;
	if (!bpf_map_lookup_elem(&dir_ids, &id))
		return 0;
	return kinds;
}

__noinline int c2d_match_ids(struct c2d_scratch *s, __u32 kinds)
{
	struct c2d_file_id id = {};
	struct c2d_rule_val *v;

	if (!s || !s->ev.ino)
		return 0;
	if ((c2d_policy_flags & C2D_POL_FILE_IDS) &&
	    c2d_gate_test((const __u64 *)c2d_id_gate, c2d_gate_id(s->ev.ino, s->ev.dev))) {
		id.ino = s->ev.ino;
		id.dev = s->ev.dev;
		v = bpf_map_lookup_elem(&file_ids, &id);
		if (ids__applies(v, kinds))
			return policy__found(s, v);
	}
	if (s->id_hit) /* found by the path walk (c2d_ids_walk_kinds said which kinds) */
		return policy__found(s, &s->id_rule);
	if (!s->id_resume)
		return 0;
	return ids__walk_dirs(s, (struct dentry *)s->id_resume, kinds);
}

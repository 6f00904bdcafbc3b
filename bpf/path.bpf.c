// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* path.bpf.c - the path walk and the user-path join (see lib/path.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "lib/path.bpf.h"
#include "lib/gates.bpf.h"

/*
 * Reading kernel objects: two builds of this file (Makefile; the agent picks one at start-up,
 * agent/capture/probe.c). By default a kernel pointer is cast to its BTF type with the
 * bpf_rdonly_cast kfunc (6.2+; the verifier turns it into a register move), after which each
 * field is a plain load the JIT guards against faults: a dentry level costs three loads instead
 * of a helper call. With C2D_PROBE_READS (older kernels) every read is a bpf_probe_read_kernel
 * call, grouped where fields lie side by side. Only this object declares the kfunc: libbpf 1.1's
 * linker cannot merge one kfunc extern declared in several objects.
 */
#ifndef C2D_PROBE_READS
extern void *bpf_rdonly_cast(const void *obj__ign, __u32 btf_id__k) __ksym;
#define C2D_BTF(T, p) ((T *)bpf_rdonly_cast((void *)(p), bpf_core_type_id_kernel(T)))
/* A value loaded through BTF, as a plain number (scratch num[], maps.bpf.h) */
#define C2D_NUM(s, i, v)                                                                          \
	({                                                                                        \
		(s)->num[i] = (__u64)(v);                                                         \
		*(volatile __u64 *)&(s)->num[i];                                                  \
	})
#endif

/* One level of a dentry: its parent, name and inode (inode only when `want_inode`). 0, or -1
 * when the dentry cannot be read. */
static __always_inline int kread__dentry(struct c2d_scratch *s, struct dentry *d,
					 struct dentry **parent, struct qstr *q,
					 struct inode **inode, bool want_inode)
{
#ifndef C2D_PROBE_READS
	struct dentry *b = C2D_BTF(struct dentry, d);

	*parent = (struct dentry *)C2D_NUM(s, 0, b->d_parent);
	q->len = b->d_name.len;
	q->name = (const unsigned char *)C2D_NUM(s, 1, b->d_name.name);
	if (want_inode)
		*inode = (struct inode *)C2D_NUM(s, 2, b->d_inode);
	return 0;
#else
	/* d_parent, d_name and d_inode side by side on every kernel seen (6.x); CO-RE checks */
	bool adjacent = bpf_core_field_offset(struct dentry, d_name) ==
			bpf_core_field_offset(struct dentry, d_parent) + sizeof(void *);
	bool adjacent3 = adjacent && bpf_core_field_offset(struct dentry, d_inode) ==
					     bpf_core_field_offset(struct dentry, d_name) +
						     sizeof(struct qstr);
	struct {
		struct dentry *parent;
		struct qstr name;
		struct inode *inode; /* read only when adjacent3 */
	} pn;

	if (!adjacent) {
		*parent = BPF_CORE_READ(d, d_parent);
		if (want_inode)
			*inode = BPF_CORE_READ(d, d_inode);
		return bpf_core_read(q, sizeof(*q), &d->d_name) < 0 ? -1 : 0;
	}
	if (bpf_probe_read_kernel(&pn, adjacent3 ? sizeof(pn) : sizeof(pn) - sizeof(void *),
				  (void *)d + bpf_core_field_offset(d->d_parent)) < 0)
		return -1;
	*parent = pn.parent;
	*q = pn.name;
	if (want_inode)
		*inode = adjacent3 ? pn.inode : BPF_CORE_READ(d, d_inode);
	return 0;
#endif
}

#ifndef C2D_PROBE_READS
#define kread__mnt_root(s, vfsmnt)                                                                \
	((struct dentry *)C2D_NUM(s, 3, C2D_BTF(struct vfsmount, vfsmnt)->mnt_root))
#define kread__mnt_parent(s, mnt)                                                                 \
	((struct mount *)C2D_NUM(s, 3, C2D_BTF(struct mount, mnt)->mnt_parent))
#define kread__mnt_mountpoint(s, mnt)                                                             \
	((struct dentry *)C2D_NUM(s, 3, C2D_BTF(struct mount, mnt)->mnt_mountpoint))
#define kread__ino(inode) (C2D_BTF(struct inode, inode)->i_ino)
#else
#define kread__mnt_root(s, vfsmnt) BPF_CORE_READ(vfsmnt, mnt_root)
#define kread__mnt_parent(s, mnt) BPF_CORE_READ(mnt, mnt_parent)
#define kread__mnt_mountpoint(s, mnt) BPF_CORE_READ(mnt, mnt_mountpoint)
#define kread__ino(inode) BPF_CORE_READ(inode, i_ino)
#endif

#ifdef C2D_PROBE_READS
/* Field `field` of the struct at the start of s->win (a CO-RE offset, so a constant once
 * relocated), or the fallback read when a kernel put it outside the window. */
#define path__win_u64(s, ptr, field)                                                               \
	(bpf_core_field_offset(ptr->field) + 8 <= C2D_HEAD_WIN                                      \
		 ? *(__u64 *)&(s)->win[bpf_core_field_offset(ptr->field) & (C2D_HEAD_WIN - 8)]       \
		 : (__u64)BPF_CORE_READ(ptr, field))
#define path__win_u32(s, ptr, field)                                                               \
	(bpf_core_field_offset(ptr->field) + 4 <= C2D_HEAD_WIN                                      \
		 ? *(__u32 *)&(s)->win[bpf_core_field_offset(ptr->field) & (C2D_HEAD_WIN - 4)]       \
		 : (__u32)BPF_CORE_READ(ptr, field))
#endif

static __always_inline void path__head_read(struct c2d_scratch *s, __u64 file)
{
	struct file *f = (struct file *)file;
	struct c2d_file_head *h = &s->fh;

#ifndef C2D_PROBE_READS
	f = C2D_BTF(struct file, f);
	h->dentry = (__u64)f->f_path.dentry;
	h->mnt = (__u64)f->f_path.mnt;
	h->inode = (__u64)f->f_inode;
	h->mode = f->f_mode;
	h->flags = f->f_flags;
#else
	/* one helper call for the first C2D_HEAD_WIN bytes, where these fields lie on every
	 * kernel from 5.x to 6.18 (a field outside falls back to a read of its own) */
	if (bpf_probe_read_kernel(s->win, C2D_HEAD_WIN, f) < 0)
		__builtin_memset(s->win, 0, C2D_HEAD_WIN);
	h->dentry = path__win_u64(s, f, f_path.dentry);
	h->mnt = path__win_u64(s, f, f_path.mnt);
	h->inode = path__win_u64(s, f, f_inode);
	h->mode = path__win_u32(s, f, f_mode);
	h->flags = path__win_u32(s, f, f_flags);
#endif
	h->file = file;
}

__noinline int c2d_file_head_read(struct c2d_scratch *s, __u64 file)
{
	if (!s)
		return -1;
	path__head_read(s, file);
	return 0;
}

static __always_inline int path__inode_id(struct c2d_scratch *s, __u64 inode_p)
{
	struct inode *inode = (struct inode *)inode_p;
	struct super_block *sb;

	if (!inode)
		return -1;
#ifndef C2D_PROBE_READS
	inode = C2D_BTF(struct inode, inode);
	s->ev.ino = inode->i_ino;
	sb = inode->i_sb;
	s->ev.dev = sb ? C2D_BTF(struct super_block, sb)->s_dev : 0;
#else
	if (bpf_probe_read_kernel(s->win, C2D_HEAD_WIN, inode) < 0)
		return -1;
	s->ev.ino = path__win_u64(s, inode, i_ino);
	sb = (struct super_block *)path__win_u64(s, inode, i_sb);
	s->ev.dev = BPF_CORE_READ(sb, s_dev);
#endif
	return 0;
}

__noinline int c2d_inode_id_read(struct c2d_scratch *s, __u64 inode)
{
	return s ? path__inode_id(s, inode) : -1;
}

#if !defined(C2D_PROBE_READS) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Is `name` (len bytes) the name stored inside dentry d (d_shortname, 6.14+)? Then loads
 * through BTF read it, no helper call. */
static __always_inline bool kread__name_inline(__u64 d, __u64 name, __u32 len)
{
	return bpf_core_field_exists(struct dentry, d_shortname) &&
	       len < bpf_core_field_size(struct dentry, d_shortname) &&
	       name == d + bpf_core_field_offset(struct dentry, d_shortname);
}

#endif

/* Prepend one component; returns the new start offset or -1 when it does not fit. */
static __always_inline int path__prepend(struct c2d_scratch *s, int off, struct dentry *d,
					 const unsigned char *name, __u32 len)
{
	len &= C2D_NAME_MASK; /* d_name.len <= NAME_MAX (255): the mask only informs the verifier */
	if ((int)len + 1 >= off)
		return -1;
#if !defined(C2D_PROBE_READS) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* A name stored inside its dentry (d_shortname, 40 bytes on 6.14+): its five words by
	 * loads through BTF and 8-byte stores from the component's start, instead of a helper
	 * call. The stores run up to 39 bytes past the name, over the '/' and what was written
	 * before: those 40 bytes are saved first and put back after. No branch on the length:
	 * the verifier walks this once per level of the walk's loop. */
	if (kread__name_inline((__u64)d, (__u64)name, len)) {
		struct dentry *b = C2D_BTF(struct dentry, d);
		__u64 *after = (__u64 *)&s->pbuf[off & C2D_PATH_MASK];
		__u64 k0 = after[0], k1 = after[1], k2 = after[2], k3 = after[3], k4 = after[4];
		__u64 *at;

		off -= len;
		at = (__u64 *)&s->pbuf[off & C2D_PATH_MASK];
		at[0] = b->d_shortname.words[0];
		at[1] = b->d_shortname.words[1];
		at[2] = b->d_shortname.words[2];
		at[3] = b->d_shortname.words[3];
		at[4] = b->d_shortname.words[4];
		after = (__u64 *)&s->pbuf[(off + len) & C2D_PATH_MASK];
		after[0] = k0;
		after[1] = k1;
		after[2] = k2;
		after[3] = k3;
		after[4] = k4;
	} else
#endif
	{
		off -= len;
		off &= C2D_PATH_MASK; /* verifier: off stays inside pbuf */
		if (bpf_probe_read_kernel(&s->pbuf[off], len, name) < 0)
			return -1;
	}
	off -= 1;
	off &= C2D_PATH_MASK;
	s->pbuf[off] = '/';
	return off;
}

/* Remember where the last components are, leaf first; `slash` is the '/' before one. */
static __always_inline void path__note_comp(struct c2d_scratch *s, int slash, __u32 len)
{
	__u32 n = s->ncomp;

	if (n < 4) {
		s->comp_off[n & 3] = slash + 1;
		s->comp_len[n & 3] = len;
		s->ncomp = n + 1;
	}
}

__noinline int c2d_path_walk(struct c2d_scratch *s, __u64 dentry_p, __u64 vfsmnt_p,
			     __u64 root_dentry, __u64 root_mnt)
{
	struct dentry *dentry = (struct dentry *)dentry_p;
	struct vfsmount *vfsmnt = (struct vfsmount *)vfsmnt_p;
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	int off = C2D_PATH_MAX - 1;
	bool done = false;
	/* loop state in scratch, read back through volatile: see struct c2d_scratch */
	volatile __s32 *w_off;
	volatile __u32 *w_same_fs;

	if (!s)
		return -1;
	w_off = &s->w_off;
	w_same_fs = &s->w_same_fs;
	s->pbuf[off] = 0;
	s->ncomp = 0;
	s->ntop = 0;
	s->gate_ok = 0;
	s->end = off;
	/* per level: the dentry (kread__dentry), then the name bytes; the mount root is read
	 * once per mount, not per level */
	struct dentry *mnt_root = kread__mnt_root(s, vfsmnt);

	/* identity of the ancestors, folded in (c2d_match_ids): only inside the file's own
	 * filesystem, i.e. until the first mount crossing */
	bool ids = s->id_kinds != 0;
	struct c2d_file_id id = {.dev = s->ev.dev};

	s->id_hit = 0;
	s->id_resume = 0;
	*w_off = off;
	*w_same_fs = 1;
	for (int i = 0; i < C2D_MAX_DEPTH; i++) {
		struct dentry *parent;
		struct inode *inode = NULL;
		struct qstr q;
		int noff;
		bool same_fs = *w_same_fs != 0;

		off = *w_off;
		if ((__u64)dentry == root_dentry && (__u64)vfsmnt == root_mnt) {
			if (ids && same_fs)
				s->id_resume = (__u64)dentry; /* a root below the filesystem's */
			done = true;
			break;
		}
		if (dentry == mnt_root) {
			struct mount *mnt_parent = kread__mnt_parent(s, mnt);

			if (ids && same_fs) /* mount root (a bind's: the rest lies above it) */
				s->id_resume = (__u64)dentry;
			*w_same_fs = 0;

			if (mnt == mnt_parent) {
				done = true; /* the global root, or a detached mount */
				break;
			}
			dentry = kread__mnt_mountpoint(s, mnt);
			mnt = mnt_parent;
			vfsmnt = &mnt->mnt;
			mnt_root = kread__mnt_root(s, vfsmnt);
			continue;
		}
		if (kread__dentry(s, dentry, &parent, &q, &inode, ids && same_fs && i > 0) < 0)
			break;
		/* an ancestor of the opened file, in its filesystem: a directory rule's identity? */
		if (ids && same_fs && i > 0 && !s->id_hit) {
			struct c2d_rule_val *v;

			id.ino = inode ? kread__ino(inode) : 0;
			v = bpf_map_lookup_elem(&dir_ids, &id);
			if (v && v->kind < 32 && (s->id_kinds & (1u << v->kind))) { /* bounded shift */
				s->id_rule = *v;
				s->id_hit = 1;
			}
		}
		if (dentry == parent) {
			done = true; /* a pseudo filesystem's root (pipe:, anon_inode:) */
			break;
		}
		noff = path__prepend(s, off, dentry, q.name, q.len);
		if (noff < 0)
			break;
		path__note_comp(s, noff, q.len & C2D_NAME_MASK);
		/* the components last prepended are the path's first two (the gates') */
		s->top_off[1] = s->top_off[0];
		s->top_len[1] = s->top_len[0];
		s->top_off[0] = noff + 1;
		s->top_len[0] = q.len & C2D_NAME_MASK;
		s->ntop++;
		*w_off = noff;
		dentry = parent;
	}
	off = *w_off;
	if (!done) {
		s->flags |= C2D_F_PATH_TRUNCATED;
		C2D_STAT_INC(path_truncated);
	}
	if (off == C2D_PATH_MAX - 1) { /* the root itself */
		off--;
		s->pbuf[off & C2D_PATH_MASK] = '/';
	}
	return off & C2D_PATH_MASK;
}

/*
 * Loops below keep what they carry from one iteration to the next in scratch memory, not in
 * registers: the verifier does not track map contents, so every iteration reaches the loop head
 * in the same state and is pruned, instead of forking on each byte seen.
 */

/*
 * Each loop is a global function of its own: verified once, whatever state the caller is in.
 *
 * One pass over the caller's tail (at most 255 bytes): flag `.`/`..` components and `//`
 * (user space normalises those) and remember
 * where the slashes are (a ring of the last four, in scratch).
 */
__noinline int c2d_path_scan_tail(struct c2d_scratch *s, __u32 len)
{
	/* volatile: one load per byte per iteration, no value carried in a register */
	volatile char *tail;

	if (!s)
		return 0;
	tail = &s->pbuf[C2D_PATH_MAX];
	s->nslash = 0;
	s->scan_len = len; /* compared from memory: the exit test refines no live register */
	if (len > 255)
		s->flags |= C2D_F_UNRESOLVED; /* not scanned past here: let user space look */
	for (__u32 i = 0; i < 255; i++) {
		char c;

		if (i >= *(volatile __u32 *)&s->scan_len)
			break;
		c = tail[i];
		if (c == '/') {
			__u16 ns = *(volatile __u16 *)&s->nslash;

			if (i > 0 && tail[(i - 1) & 255] == '/') /* "//": not the kernel's spelling */
				s->flags |= C2D_F_UNRESOLVED;

			s->slash[ns & 3] = i;
			*(volatile __u16 *)&s->nslash = ns + 1;
		} else if (c == '.' && (i == 0 || tail[(i - 1) & 255] == '/')) {
			s->flags |= C2D_F_UNRESOLVED;
		}
	}
	return 0;
}

/*
 * Components of a joined path, leaf first: those of the tail (from the slash ring), then,
 * for a relative tail, the directory's own (noted by the walk, already leaf first).
 */
__noinline int c2d_path_comps_joined(struct c2d_scratch *s, __u32 len, __u32 relative)
{
	__u32 dir_n;
	__u16 dir_off[4], dir_len[4];
	__u32 end = len, k = 0;

	if (!s)
		return 0;
	/* The tail's slashes were looked for in its first 255 bytes only (c2d_path_scan_tail):
	 * past there its components are unknown, and one spanning several would match a rule it
	 * is not ("<240 bytes>/.git-credentials/foo" as the file .git-credentials, tests/bpf). None
	 * then: the prefix trie still sees the whole path, user space judges the rest (the join
	 * is flagged C2D_F_UNRESOLVED). */
	if (len > 255) {
		s->ncomp = 0;
		return 0;
	}
	dir_n = relative ? s->ncomp : 0;
	for (int j = 0; j < 4; j++) {
		dir_off[j] = s->comp_off[j];
		dir_len[j] = s->comp_len[j];
	}
	for (int j = 0; j < 4; j++) { /* walk the slash ring backwards */
		__u32 ns = s->nslash;
		__u32 start;

		if ((__u32)j > ns)
			break;
		start = (__u32)j < ns ? s->slash[(ns - 1 - j) & 3] + 1 : 0;
		if (end > start) {
			s->comp_off[k & 3] = C2D_PATH_MAX + start;
			s->comp_len[k & 3] = end - start;
			k++;
		}
		end = start ? start - 1 : 0;
		if ((__u32)j == ns || k >= 4)
			break;
	}
	for (int j = 0; j < 4; j++) {
		if (k >= 4 || (__u32)j >= dir_n)
			break;
		s->comp_off[k & 3] = dir_off[j];
		s->comp_len[k & 3] = dir_len[j];
		k++;
	}
	s->ncomp = k;
	return 0;
}

/*
 * The name already at pbuf[PATH_MAX] (n bytes, NUL included) resolved against the directory
 * (dir_dentry, dir_mnt): absolute as given, dir + "/" + name when relative, and the directory
 * itself for an empty name (AT_EMPTY_PATH).
 */
__noinline int c2d_path_join_at(struct c2d_scratch *s, __u64 dir_dentry, __u64 dir_mnt, __u32 n)
{
	/* bpf_get_current_task() is a plain u64 here: read only through BPF_CORE_READ. */
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 rd = (__u64)BPF_CORE_READ(task, fs, root.dentry);
	__u64 rm = (__u64)BPF_CORE_READ(task, fs, root.mnt);
	bool relative;
	int off;

	if (!s || n == 0 || n > C2D_PATH_MAX)
		return -1;
	s->gate_ok = 0; /* a joined name: only the leaf and directory gates apply */
	if (n == 1) /* the directory (an fd's file) itself */
		return dir_dentry ? c2d_path_walk(s, dir_dentry, dir_mnt, rd, rm) : -1;
	relative = s->pbuf[C2D_PATH_MAX] != '/';
	if (!relative) {
		off = C2D_PATH_MAX;
		s->ncomp = 0;
	} else {
		if (!dir_dentry)
			return -1;
		off = c2d_path_walk(s, dir_dentry, dir_mnt, rd, rm);
		if (off < 0)
			return -1;
		s->pbuf[C2D_PATH_MAX - 1] = '/';
		if (off == C2D_PATH_MAX - 2) /* the directory is "/": no "//" */
			off = C2D_PATH_MAX - 1;
	}
	c2d_path_scan_tail(s, n - 1);
	c2d_path_comps_joined(s, n - 1, relative);
	s->end = C2D_PATH_MAX + n - 1;
	return off & C2D_PBUF_MASK;
}

/* Read a caller's name into pbuf[PATH_MAX]: its length with the NUL, or <= 0. */
__noinline int c2d_path_read_user(struct c2d_scratch *s, __u64 upath)
{
	int n;

	if (!s)
		return -1;
	n = bpf_probe_read_user_str(&s->pbuf[C2D_PATH_MAX], C2D_PATH_MAX, (const char *)upath);
	if (n == C2D_PATH_MAX) {
		s->flags |= C2D_F_STR_TRUNCATED;
		C2D_STAT_INC(str_truncated);
	} else if (n <= 0 && upath) {
		C2D_STAT_INC(read_errors);
	}
	return n;
}

__noinline int c2d_path_join(struct c2d_scratch *s, long dirfd, __u64 upath)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 dd = 0, dm = 0;
	int n;

	n = c2d_path_read_user(s, upath);
	if (n <= 1)
		return -1;
	if (s && s->pbuf[C2D_PATH_MAX] != '/' && path__dir(task, dirfd, &dd, &dm) < 0)
		return -1;
	return c2d_path_join_at(s, dd, dm, n);
}

/* A name the kernel already copied (a struct filename's `name`, io_uring's prep): what is
 * judged is what the kernel will use, whatever user memory holds by then. */
__noinline int c2d_path_join_kstr(struct c2d_scratch *s, long dirfd, __u64 kname)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 dd = 0, dm = 0;
	int n;

	if (!s)
		return -1;
	n = bpf_probe_read_kernel_str(&s->pbuf[C2D_PATH_MAX], C2D_PATH_MAX, (const char *)kname);
	if (n <= 1)
		return -1;
	if (n == C2D_PATH_MAX) {
		s->flags |= C2D_F_STR_TRUNCATED;
		C2D_STAT_INC(str_truncated);
	}
	if (s->pbuf[C2D_PATH_MAX] != '/' && path__dir(task, dirfd, &dd, &dm) < 0)
		return -1;
	return c2d_path_join_at(s, dd, dm, n);
}

/* The root of `task` (0: the current task), the walk's end: 0, or -1 when it has none. */
static __always_inline int path__task_root(struct c2d_scratch *s, __u64 task, __u64 *rd, __u64 *rm)
{
	struct fs_struct *fs;

#ifndef C2D_PROBE_READS
	/* 0: the current task, a trusted BTF pointer; else a number (io_uring's submitter) */
	fs = task ? C2D_BTF(struct task_struct, task)->fs : bpf_get_current_task_btf()->fs;
	if (!fs)
		return -1;
	*rd = C2D_NUM(s, 0, fs->root.dentry); /* numbers: what c2d_path_walk may be handed */
	*rm = C2D_NUM(s, 1, fs->root.mnt);
#else
	struct path root;

	fs = task ? BPF_CORE_READ((struct task_struct *)task, fs) : bpf_get_current_task_btf()->fs;
	/* one read for the (dentry, mnt) pair */
	if (!fs || bpf_core_read(&root, sizeof(root), &fs->root) < 0)
		return -1;
	*rd = (__u64)root.dentry;
	*rm = (__u64)root.mnt;
#endif
	return 0;
}

/* Is the file in s->fh on the root mount (rd, rm), a mount of its filesystem's root (not a
 * chroot, not a bind mount)? Then its path from that root is its walked path. */
static __always_inline bool path__fs_whole(struct c2d_scratch *s, __u64 rd, __u64 rm)
{
	struct vfsmount *vfsmnt = (struct vfsmount *)rm;

	if (s->fh.mnt != rm || (__u64)kread__mnt_root(s, vfsmnt) != rd)
		return false;
#ifndef C2D_PROBE_READS
	return (__u64)C2D_BTF(struct vfsmount, rm)->mnt_sb->s_root == rd;
#else
	return (__u64)BPF_CORE_READ(vfsmnt, mnt_sb, s_root) == rd;
#endif
}

__noinline int c2d_path_of_file(struct c2d_scratch *s, __u64 task, __u64 file)
{
	__u64 rd, rm;

	if (!s)
		return -1;
	s->fs_whole = 0;
	if (!path__fhead(s, (struct file *)file)->dentry || path__task_root(s, task, &rd, &rm))
		return -1;
	if (path__fs_whole(s, rd, rm))
		s->fs_whole = file;
	return c2d_path_walk(s, s->fh.dentry, s->fh.mnt, rd, rm);
}

/*
 * The prewalk: the dentries the walk would go through, without a name copied. Names are
 * read only for the four components the gates judge by, as c2d_gate_hash() takes them: the
 * first and last 8 bytes. A short name lives inside its dentry (d_shortname, 40 bytes on
 * 6.14+): five loads through BTF; any other name, two helper reads.
 */
static __always_inline int pre__name(struct c2d_scratch *s, __u32 i)
{
	__u64 name = s->pre_name[i & 3], head = 0, tail = 0;
	__u32 len = s->pre_len[i & 3];

	if (len == 0 || len > C2D_NAME_MASK)
		return -1;
#if !defined(C2D_PROBE_READS) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (kread__name_inline(s->pre_d[i & 3], name, len)) {
		struct dentry *b = C2D_BTF(struct dentry, s->pre_d[i & 3]);
		__u64 w[5];
		__u32 start, k, r;

		w[0] = b->d_shortname.words[0];
		w[1] = b->d_shortname.words[1];
		w[2] = b->d_shortname.words[2];
		w[3] = b->d_shortname.words[3];
		w[4] = b->d_shortname.words[4];
		head = w[0];
		if (len < 8) {
			head = gate__short(head, len);
			tail = head;
		} else {
			start = len - 8;
			k = (start >> 3) & 3; /* len < 40: k <= 3 */
			r = (start & 7) * 8;
			tail = r ? (w[k] >> r) | (w[k + 1] << (64 - r)) : w[k];
		}
		s->pre_head[i & 3] = head;
		s->pre_tail[i & 3] = tail;
		return 0;
	}
#endif
	if (bpf_probe_read_kernel(&head, sizeof(head), (void *)name) < 0)
		return -1;
	if (len < 8) {
		head = gate__short(head, len);
		tail = head;
	} else if (bpf_probe_read_kernel(&tail, sizeof(tail), (void *)(name + len - 8)) < 0) {
		return -1;
	}
	s->pre_head[i & 3] = head;
	s->pre_tail[i & 3] = tail;
	return 0;
}

/* Slot `to` names what slot `from` names (a short path: its first components are its leaf
 * and parent). */
static __always_inline void pre__same(struct c2d_scratch *s, __u32 to, __u32 from)
{
	s->pre_head[to & 3] = s->pre_head[from & 3];
	s->pre_tail[to & 3] = s->pre_tail[from & 3];
	s->pre_len[to & 3] = s->pre_len[from & 3];
}

static __always_inline int path__prewalk(struct c2d_scratch *s, __u64 dentry_p, __u64 vfsmnt_p,
					  __u64 root_dentry, __u64 root_mnt)
{
	struct dentry *dentry = (struct dentry *)dentry_p;
	struct vfsmount *vfsmnt = (struct vfsmount *)vfsmnt_p;
	struct mount *mnt = container_of(vfsmnt, struct mount, mnt);
	bool done = false;
	__u32 n;

	/* carried in scratch (the loops' rule above): the components so far, and the room the
	 * walk's prepend would have left (what would not fit there, truncates the walk) */
	s->pre_n = 0;
	s->pre_room = C2D_PATH_MAX - 1;
	struct dentry *mnt_root = kread__mnt_root(s, vfsmnt);

	for (int i = 0; i < C2D_MAX_DEPTH; i++) {
		struct dentry *parent;
		struct inode *inode = NULL;
		struct qstr q;
		__u32 len, room;

		if ((__u64)dentry == root_dentry && (__u64)vfsmnt == root_mnt) {
			done = true;
			break;
		}
		if (dentry == mnt_root) {
			struct mount *mnt_parent = kread__mnt_parent(s, mnt);

			if (mnt == mnt_parent)
				return -1; /* outside the task's root: left to the walk */
			dentry = kread__mnt_mountpoint(s, mnt);
			mnt = mnt_parent;
			vfsmnt = &mnt->mnt;
			mnt_root = kread__mnt_root(s, vfsmnt);
			continue;
		}
		if (kread__dentry(s, dentry, &parent, &q, &inode, false) < 0 || dentry == parent)
			return -1; /* unreadable, or a pseudo filesystem's root */
		len = q.len & C2D_NAME_MASK;
		room = *(volatile __u32 *)&s->pre_room;
		if (len + 1 >= room)
			return -1; /* the walk would truncate */
		*(volatile __u32 *)&s->pre_room = room - len - 1;
		n = *(volatile __u32 *)&s->pre_n;
		if (n < 2) {
			s->pre_d[n & 1] = (__u64)dentry;
			s->pre_name[n & 1] = (__u64)q.name;
			s->pre_len[n & 1] = len;
		}
		/* the components seen last are the path's first two */
		s->pre_d[C2D_PRE_TOP1] = s->pre_d[C2D_PRE_TOP0];
		s->pre_name[C2D_PRE_TOP1] = s->pre_name[C2D_PRE_TOP0];
		s->pre_len[C2D_PRE_TOP1] = s->pre_len[C2D_PRE_TOP0];
		s->pre_d[C2D_PRE_TOP0] = (__u64)dentry;
		s->pre_name[C2D_PRE_TOP0] = (__u64)q.name;
		s->pre_len[C2D_PRE_TOP0] = len;
		*(volatile __u32 *)&s->pre_n = n + 1;
		dentry = parent;
	}
	n = s->pre_n;
	if (!done || n == 0)
		return -1; /* too deep, or the root itself */
	if (pre__name(s, C2D_PRE_LEAF) < 0)
		return -1;
	if (n == 1) {
		pre__same(s, C2D_PRE_TOP0, C2D_PRE_LEAF);
		return 1;
	}
	if (pre__name(s, C2D_PRE_PARENT) < 0)
		return -1;
	if (n == 2) {
		pre__same(s, C2D_PRE_TOP0, C2D_PRE_PARENT);
		pre__same(s, C2D_PRE_TOP1, C2D_PRE_LEAF);
		return 2;
	}
	if (pre__name(s, C2D_PRE_TOP0) < 0)
		return -1;
	if (n == 3)
		pre__same(s, C2D_PRE_TOP1, C2D_PRE_PARENT);
	else if (pre__name(s, C2D_PRE_TOP1) < 0)
		return -1;
	return n; /* at most C2D_MAX_DEPTH */
}

/*
 * The prefilter on a file whose head is in s->fh, to the root (rd, rm): the prewalk, the gates
 * on its components (as for a write: the caller's O_TRUNC is not read yet), then, when the
 * agent filled an identity map, the identity gate on the file and, on a device with a
 * directory rule, on its ancestors. 1: the walk must judge; 0: no rule can match.
 */
static __always_inline int pre__filter(struct c2d_scratch *s, __u64 rd, __u64 rm)
{
	__u32 pf = c2d_policy_flags, dev;
	int n;

	s->pre_got = -1;
	if (!(pf & C2D_POL_GATES) || !s->fh.dentry)
		return 1;
	n = path__prewalk(s, s->fh.dentry, s->fh.mnt, rd, rm);
	s->pre_got = n;
	if (n <= 0 || pre__gates_admit(s, n, true))
		return 1;
	if (!(pf & (C2D_POL_FILE_IDS | C2D_POL_DIR_IDS | C2D_POL_DIR_IDS_CRED)))
		return 0;
	if (path__inode_id(s, s->fh.inode) < 0 || !s->ev.ino)
		return 1;
	dev = s->ev.dev;
	if ((pf & C2D_POL_FILE_IDS) &&
	    c2d_gate_test((const __u64 *)c2d_id_gate, c2d_gate_id(s->ev.ino, dev)))
		return 1;
	/* a device with a directory rule has its marker {ino 0, dev} in the gate too */
	if (ids__dev_marked(dev))
		return c2d_path_pre_ids(s, s->fh.dentry, dev) != 0;
	return 0;
}

/* The prefilter on `file`, to the root of `task` (0: the current one). */
static __always_inline int pre__file(struct c2d_scratch *s, __u64 task, __u64 file)
{
	__u64 rd, rm;

	path__head_read(s, file);
	if (path__task_root(s, task, &rd, &rm))
		return 1;
	return pre__filter(s, rd, rm);
}

__noinline int c2d_open_prefilter(struct c2d_scratch *s, __u64 task, __u64 file)
{
	return s ? pre__file(s, task, file) : 1;
}

/* The file in slot fd of the current task's table, as a number (0: none). The slot is read
 * as the one pointer of a struct llist_node, a kernel type every version has: a load through
 * BTF instead of a helper call. */
static __always_inline __u64 path__current_fd_file(struct c2d_scratch *s, struct task_struct *task,
						   long fd)
{
	__u64 slot = path__fd_slot_addr(task, fd);

	if (!slot)
		return 0;
#ifndef C2D_PROBE_READS
	return C2D_NUM(s, 2, C2D_BTF(struct llist_node, slot)->next);
#else
	return (__u64)path__fd_file(task, fd);
#endif
}

__noinline int c2d_open_prefilter_fd(struct c2d_scratch *s, long fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	__u64 file;

	if (!s)
		return 1;
	s->fh.file = 0;
	if (task->tgid == c2d_agent_tgid) /* self__is_agent(), without a second helper call */
		return 0;
	file = path__current_fd_file(s, task, fd);
	return file ? pre__file(s, (__u64)task, file) : 0;
}

__noinline int c2d_open_prefilter_at(struct c2d_scratch *s, __u64 file, __u64 root_dentry,
				     __u64 root_mnt)
{
	if (!s)
		return 1;
	path__head_read(s, file);
	return pre__filter(s, root_dentry, root_mnt);
}

__noinline int c2d_path_pre_ids(struct c2d_scratch *s, __u64 dentry_p, __u32 dev)
{
	struct dentry *d = (struct dentry *)dentry_p;
	struct dentry *parent;
	struct inode *inode = NULL;
	struct qstr q;

	if (!s || kread__dentry(s, d, &parent, &q, &inode, false) < 0)
		return 1;
	if (parent == d)
		return 0; /* the filesystem's root: no ancestor */
	d = parent;
	for (int i = 0; i < C2D_MAX_DEPTH; i++) {
		__u64 ino;

		inode = NULL;
		if (kread__dentry(s, d, &parent, &q, &inode, true) < 0)
			return 1;
		ino = inode ? kread__ino(inode) : 0;
		if (c2d_gate_test((const __u64 *)c2d_id_gate, c2d_gate_id(ino, dev)))
			return 1;
		if (parent == d)
			return 0; /* the superblock's root, tested */
		d = parent;
	}
	return 1; /* deeper than the identity walk goes: left to it */
}

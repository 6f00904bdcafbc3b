// SPDX-License-Identifier: BSD-2-Clause
/*
 * proc_snap.c - see proc_snap.h. Layout: a fixed head (lengths, flags, the parent's comm), then
 * the executable (with its NUL), the arguments, the parent's executable (with its NUL). Every
 * part is bounded as in the cache; the head is copied, never cast (the tail follows a record of
 * any length, so it is not aligned).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "proc_snap.h"

enum {
	SNAP_EXE = 1,
	SNAP_ARGS = 2,
	SNAP_ARGS_TRUNCATED = 4,
	SNAP_PARENT = 8,
};

struct snap_head {
	uint16_t exe_len; /* with its NUL; 0: unknown */
	uint16_t args_len;
	uint16_t parent_exe_len; /* with its NUL; 0: unknown */
	uint8_t flags;
	char parent_comm[16];
	uint8_t pad;
};

_Static_assert(sizeof(struct snap_head) == PROC_SNAP_HDR, "proc_snap head");
_Static_assert(C2D_PROC_EXE_MAX <= UINT16_MAX && C2D_PROC_ARGS_MAX <= UINT16_MAX,
	       "proc_snap lengths");

/* str (bounded as the cache bounds it) with its NUL at buf + n; its length with the NUL. */
static uint16_t put_str(unsigned char *buf, size_t n, const char *str)
{
	size_t l = strnlen(str, C2D_PROC_EXE_MAX - 1);

	memcpy(buf + n, str, l);
	buf[n + l] = 0;
	return (uint16_t)(l + 1);
}

size_t proc_snap_put_self(unsigned char *buf, const struct proc_entry *e)
{
	struct snap_head h;
	size_t n = sizeof(h);

	memset(&h, 0, sizeof(h));
	if (!e) { /* not known: the head alone, a parent may follow */
		memcpy(buf, &h, sizeof(h));
		return n;
	}
	if (e->exe) {
		h.flags |= SNAP_EXE;
		h.exe_len = put_str(buf, n, e->exe);
		n += h.exe_len;
	}
	if (e->args) {
		size_t al = e->args_len < C2D_PROC_ARGS_MAX ? e->args_len : C2D_PROC_ARGS_MAX;

		h.flags |= SNAP_ARGS;
		memcpy(buf + n, e->args, al);
		h.args_len = (uint16_t)al;
		n += al;
	}
	if (e->args_truncated || (e->args && e->args_len > C2D_PROC_ARGS_MAX))
		h.flags |= SNAP_ARGS_TRUNCATED;
	memcpy(buf, &h, sizeof(h));
	return n;
}

size_t proc_snap_put_parent(unsigned char *buf, size_t n, const struct proc_entry *p)
{
	struct snap_head h;

	if (!p)
		return n;
	memcpy(&h, buf, sizeof(h));
	h.flags |= SNAP_PARENT;
	memcpy(h.parent_comm, p->comm, sizeof(h.parent_comm));
	h.parent_comm[sizeof(h.parent_comm) - 1] = 0;
	if (p->exe) {
		h.parent_exe_len = put_str(buf, n, p->exe);
		n += h.parent_exe_len;
	}
	memcpy(buf, &h, sizeof(h));
	return n;
}

/* A string part of len bytes at p: one NUL, its last byte. */
static bool valid_str(const unsigned char *p, size_t len)
{
	return len && strnlen((const char *)p, len) == len - 1;
}

int proc_snap_get(const unsigned char *buf, size_t len, struct proc_snap *s)
{
	struct snap_head h;
	const unsigned char *p = buf + sizeof(h);

	if (len < sizeof(h))
		return -EINVAL;
	memcpy(&h, buf, sizeof(h));
	if (len != sizeof(h) + h.exe_len + h.args_len + h.parent_exe_len ||
	    h.exe_len > C2D_PROC_EXE_MAX || h.args_len > C2D_PROC_ARGS_MAX ||
	    h.parent_exe_len > C2D_PROC_EXE_MAX || !(h.flags & SNAP_EXE) != !h.exe_len ||
	    (h.exe_len && !valid_str(p, h.exe_len)) ||
	    (h.parent_exe_len && !valid_str(p + h.exe_len + h.args_len, h.parent_exe_len)) ||
	    memchr(h.parent_comm, 0, sizeof(h.parent_comm)) == NULL)
		return -EINVAL;
	memset(s, 0, sizeof(*s));
	s->exe = h.exe_len ? (const char *)p : NULL;
	p += h.exe_len;
	s->args = h.flags & SNAP_ARGS ? (const char *)p : NULL;
	s->args_len = h.args_len;
	s->args_truncated = (h.flags & SNAP_ARGS_TRUNCATED) != 0;
	p += h.args_len;
	s->parent = (h.flags & SNAP_PARENT) != 0;
	s->parent_comm =
	    s->parent ? (const char *)buf + offsetof(struct snap_head, parent_comm) : NULL;
	s->parent_exe = h.parent_exe_len ? (const char *)p : NULL;
	return 0;
}

// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * net.bpf.c - connections to cloud instance-metadata endpoints (169.254.169.254, fd00:ec2::254…).
 *
 * connect() exit: the sockaddr is read back from the caller's memory and looked up in
 * meta_addrs; the attempt is the finding, whatever the result (EINPROGRESS for non-blocking
 * sockets, ENETUNREACH off-cloud).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"

#define C2D_AF_INET 2
#define C2D_AF_INET6 10

/* Fill key from a user sockaddr; IPv4-mapped IPv6 addresses become plain IPv4. */
static __always_inline int net__addr_key(const void *uaddr, __u64 alen, struct c2d_addr_key *k,
					 __u16 *port)
{
	__u8 sa[24] = {};
	__u16 fam;

	if (alen < 8 || bpf_probe_read_user(sa, alen < sizeof(sa) ? 8 : sizeof(sa), uaddr) < 0)
		return -1;
	fam = sa[0] | (sa[1] << 8);
	*port = (sa[2] << 8) | sa[3];
	if (fam == C2D_AF_INET) {
		k->family = C2D_AF_INET;
		__builtin_memcpy(k->addr, &sa[4], 4);
		return 0;
	}
	if (fam != C2D_AF_INET6 || alen < 24)
		return -1;
	/* sockaddr_in6: family, port, flowinfo(4), addr(16) at offset 8 */
	if (!(sa[8] | sa[9] | sa[10] | sa[11] | sa[12] | sa[13] | sa[14] | sa[15]) && sa[16] == 0 &&
	    sa[17] == 0 && sa[18] == 0xff && sa[19] == 0xff) {
		k->family = C2D_AF_INET;
		__builtin_memcpy(k->addr, &sa[20], 4);
		return 0;
	}
	k->family = C2D_AF_INET6;
	__builtin_memcpy(k->addr, &sa[8], 16);
	return 0;
}

/* connect(fd, uservaddr, addrlen) */
SEC("tracepoint/syscalls/sys_exit_connect")
int c2d_exit_connect(struct c2d_sys_exit_ctx *ctx)
{
	struct c2d_addr_key k = {};
	struct task_struct *task;
	struct c2d_rule_val *v;
	struct c2d_scratch *s;
	struct c2d_sysargs a;
	__u16 port = 0;

	if (self__is_agent())
		return 0;
	task = bpf_get_current_task_btf();
	sysargs__read(task, &a);
	if (net__addr_key((void *)a.a[1], a.a[2], &k, &port) < 0)
		return 0;
	v = bpf_map_lookup_elem(&meta_addrs, &k);
	if (!v)
		return 0;
	s = scratch__get();
	if (!s)
		return 0;
	sysev__reset(s);
	a.a[1] = k.family;
	a.a[2] = port;
	__builtin_memcpy(&a.a[3], &k.addr[0], 8);
	__builtin_memcpy(&a.a[4], &k.addr[8], 8);
	sysev__begin(s, task, C2D_SYS_CONNECT, ctx->ret, &a);
	return sysev__send(s, v, C2D_KIND_METADATA_ACCESS);
}

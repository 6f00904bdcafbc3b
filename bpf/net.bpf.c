// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * net.bpf.c - connections to cloud instance-metadata endpoints (169.254.169.254, fd00:ec2::254…).
 *
 * Judged on the socket, not on the caller's memory:
 *  - TCP active opens: a socket entering SYN_SENT (tp_btf/inet_sock_set_state). The kernel
 *    sets that state in the context of the task that opens the connection, whichever way it
 *    does: connect(), TCP Fast Open through sendto/sendmsg/sendmmsg(MSG_FASTOPEN), io_uring's
 *    IORING_OP_CONNECT (inline in io_uring_enter, or by an io-wq worker or SQPOLL thread, both
 *    threads of the submitting process). The destination read there is the one the SYN goes
 *    to. Inside connect() the finding is left to connect()'s exit, which has the result.
 *  - connect() exit, for what the state hook does not see: UDP (and other) connects, and
 *    attempts that fail before SYN_SENT (no route: ENETUNREACH off-cloud). The socket's peer
 *    is the truth when the call set it; otherwise the sockaddr copied at entry and the one
 *    read again at exit. A copy that differs from the other, or from the kernel's peer, marks
 *    the event tampered (C2D_F_TAMPERED) and travels with it; a changed sockaddr never makes
 *    the call go unreported.
 * The attempt is the finding, whatever the result (EINPROGRESS for non-blocking sockets).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_tracing.h>
#include "lib/emit.bpf.h"

#define C2D_AF_INET 2
#define C2D_AF_INET6 10
#define C2D_TCP_SYN_SENT 2
#define C2D_TCP_CLOSE 7
#define C2D_TCP_LISTEN 10
#define C2D_EINPROGRESS 115
#define C2D_PF_IO_WORKER 0x00000010 /* io-wq worker or SQPOLL thread (include/linux/sched.h) */
#define C2D_S_IFMT 0170000
#define C2D_S_IFSOCK 0140000
/* An address as a string of a SYSF_NET event: family, port, address as 20 bytes in hex. */
#define C2D_NET_HEX_LEN 41

/* The operation that opened a TCP connection, named by the call the task is in. io_uring
 * (a worker, or inline in io_uring_enter) is always io_uring:connect, a Fast Open sendmsg
 * submitted through the ring included. Anything else (task work run at another call's return,
 * a 32-bit socketcall) is the generic TCP active open, named "connect". */
static __always_inline __u16 net__op(struct task_struct *task)
{
	long nr;

	if (task->flags & C2D_PF_IO_WORKER)
		return C2D_SYS_URING_CONNECT;
	nr = sysargs__nr(task);
	if (nr == c2d_nr_connect)
		return C2D_SYS_CONNECT;
	if (nr == c2d_nr_sendto)
		return C2D_SYS_SENDTO;
	if (nr == c2d_nr_sendmsg)
		return C2D_SYS_SENDMSG;
	if (nr == c2d_nr_sendmmsg)
		return C2D_SYS_SENDMMSG;
	if (nr == c2d_nr_io_uring_enter)
		return C2D_SYS_URING_CONNECT;
	return C2D_SYS_TCP_CONNECT;
}

/* A 16-byte IPv6 address as a key; IPv4-mapped addresses become plain IPv4. */
static __always_inline void net__key6(struct c2d_addr_key *k, const __u8 *a)
{
	if (!(a[0] | a[1] | a[2] | a[3] | a[4] | a[5] | a[6] | a[7] | a[8] | a[9]) &&
	    a[10] == 0xff && a[11] == 0xff) {
		k->family = C2D_AF_INET;
		__builtin_memcpy(k->addr, &a[12], 4);
		return;
	}
	k->family = C2D_AF_INET6;
	__builtin_memcpy(k->addr, a, 16);
}

/* Fill key from a user sockaddr. */
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
	net__key6(k, &sa[8]); /* sockaddr_in6: family, port, flowinfo(4), addr(16) at 8 */
	return 0;
}

/* The destination the kernel holds for sk: skc_daddr / skc_v6_daddr and skc_dport. */
static __always_inline int net__sk_key(const struct sock *sk, struct c2d_addr_key *k, __u16 *port)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u8 a6[16];

	*port = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
	if (fam == C2D_AF_INET) {
		__u32 d = BPF_CORE_READ(sk, __sk_common.skc_daddr);

		k->family = C2D_AF_INET;
		__builtin_memcpy(k->addr, &d, 4);
		return 0;
	}
	if (fam != C2D_AF_INET6 || !bpf_core_field_exists(sk->__sk_common.skc_v6_daddr))
		return -1; /* a kernel without IPv6 has no v6 destination */
	if (BPF_CORE_READ_INTO(&a6, sk, __sk_common.skc_v6_daddr) < 0)
		return -1;
	net__key6(k, a6);
	return 0;
}

static __always_inline bool net__same(const struct c2d_addr_key *a, __u16 pa,
				      const struct c2d_addr_key *b, __u16 pb)
{
	const __u32 *x = (const void *)a->addr, *y = (const void *)b->addr;

	/* no memcmp in BPF; addr sits at offset 4: compared as 4-byte words, aligned */
	return pa == pb && a->family == b->family && x[0] == y[0] && x[1] == y[1] &&
	       x[2] == y[2] && x[3] == y[3];
}

static __always_inline bool net__is_zero(const struct c2d_addr_key *k)
{
	const __u32 *x = (const void *)k->addr;

	return !(x[0] | x[1] | x[2] | x[3]);
}

/* The socket behind fd, or NULL (not a socket). */
static __always_inline struct sock *net__fd_sock(struct task_struct *task, long fd)
{
	struct file *f = path__fd_file(task, fd);
	struct socket *sock;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & C2D_S_IFMT) != C2D_S_IFSOCK)
		return NULL;
	sock = (struct socket *)BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

static __always_inline char net__hexdigit(__u8 n)
{
	return n < 10 ? '0' + n : 'a' + n - 10;
}

/* Append an address as the next string (role C2D_STR_ARG): 20 bytes in hex, family and port
 * big-endian first; "" when it could not be read. */
static __always_inline void net__add_addr(struct c2d_scratch *s, const struct c2d_addr_key *k,
					  __u16 port, bool ok)
{
	__u32 pos = sysev__used(s);
	__u32 i = s->ev.nstr;
	__u8 b[20];
	char *d;

	if (i >= C2D_MAX_STRS || pos >= C2D_DATA_MAX - C2D_NET_HEX_LEN)
		return;
	/* masked: d + C2D_NET_HEX_LEN stays inside data[] (C2D_DATA_MAX + C2D_PATH_MAX) */
	d = &s->data[pos & C2D_DATA_MASK];
	s->ev.str_role[i & 3] = C2D_STR_ARG;
	s->ev.nstr = i + 1;
	if (!ok) {
		d[0] = 0;
		s->ev.str_len[i & 3] = 1;
		return;
	}
	b[0] = k->family >> 8;
	b[1] = k->family & 0xff;
	b[2] = port >> 8;
	b[3] = port & 0xff;
	__builtin_memcpy(&b[4], k->addr, 16);
	for (int j = 0; j < 20; j++) {
		d[2 * j] = net__hexdigit(b[j] >> 4);
		d[2 * j + 1] = net__hexdigit(b[j] & 15);
	}
	d[40] = 0;
	s->ev.str_len[i & 3] = C2D_NET_HEX_LEN;
}

/* Start the event in scratch. args: fd, family, port, address (16 bytes over args[3..4]), as
 * agent/pipeline/render.c reads them. */
static __always_inline struct c2d_scratch *net__begin(struct task_struct *task, __u16 sys, long ret,
						      __u64 fd, const struct c2d_addr_key *k,
						      __u16 port, __u16 flags)
{
	struct c2d_scratch *s = scratch__get();
	struct c2d_sysargs a = {};

	if (!s)
		return NULL;
	sysev__reset(s);
	s->flags = flags;
	a.a[0] = fd;
	a.a[1] = k->family;
	a.a[2] = port;
	__builtin_memcpy(&a.a[3], &k->addr[0], 8);
	__builtin_memcpy(&a.a[4], &k->addr[8], 8);
	sysev__begin(s, task, sys, ret, &a);
	return s;
}

/*
 * inet_sock_set_state(const struct sock *sk, const int oldstate, const int newstate)
 *
 * Only tcp_v4_connect()/tcp_v6_connect() set TCP_SYN_SENT, with the socket locked in process
 * context, after the destination is in skc_daddr/skc_dport: from connect(), from
 * tcp_sendmsg_fastopen() (sendto/sendmsg/sendmmsg with MSG_FASTOPEN) and from io_uring's
 * io_connect() (the submitter in io_uring_enter, an io-wq worker, the SQPOLL thread). Never in
 * softirq, so the current task is the one that opened the connection. (MPTCP's additional
 * subflows are opened by its path manager from a kworker: attributed to that worker.) Every
 * other transition returns at the first test: this program runs ~10 times per connection.
 */
SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(c2d_tcp_state, const struct sock *sk, const int oldstate, const int newstate)
{
	struct c2d_addr_key k = {};
	struct task_struct *task;
	struct c2d_conn_entry *e;
	struct c2d_scratch *s;
	struct c2d_rule_val *v;
	__u16 port = 0, sys;
	__u32 tid;

	if (newstate != C2D_TCP_SYN_SENT || self__is_agent())
		return 0;
	if (net__sk_key(sk, &k, &port) < 0)
		return 0;
	task = bpf_get_current_task_btf();
	sys = net__op(task);
	if (sys == C2D_SYS_CONNECT) {
		/* connect()'s exit reports it, with the call's result and both user copies */
		tid = (__u32)bpf_get_current_pid_tgid();
		e = bpf_map_lookup_elem(&conn_entry, &tid);
		if (e) {
			e->syn_key = k;
			e->syn_port = port;
			e->syn_sk = (__u64)sk;
			return 0;
		}
	}
	v = bpf_map_lookup_elem(&meta_addrs, &k);
	if (!v)
		return 0;
	/* ret 0: the SYN is being sent; the call's own result is not known here */
	s = net__begin(task, sys, 0, 0, &k, port, 0);
	if (!s)
		return 0;
	return sysev__send(s, v, C2D_KIND_METADATA_ACCESS);
}

/* connect(fd, uservaddr, addrlen): the arguments and the sockaddr as the call starts */
SEC("tracepoint/syscalls/sys_enter_connect")
int c2d_enter_connect(struct trace_event_raw_sys_enter *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct c2d_conn_entry e = {};

	if (self__is_agent())
		return 0;
	e.fd = ctx->args[0];
	e.uaddr = ctx->args[1];
	e.alen = ctx->args[2];
	e.key_ok = net__addr_key((void *)e.uaddr, e.alen, &e.key, &e.port) == 0;
	if (bpf_map_update_elem(&conn_entry, &tid, &e, BPF_ANY) < 0)
		C2D_STAT_INC(map_full);
	return 0;
}

/* What one connect() call did, gathered at its exit. */
struct net__call {
	struct c2d_conn_entry e;  /* entry copy (key_ok), kernel's SYN_SENT destination */
	struct c2d_addr_key x;	  /* the sockaddr re-read at exit (x_ok) */
	struct c2d_addr_key peer; /* the kernel's destination (peer_ok) */
	__u16 xport, pport;
	bool x_ok, peer_ok;
};

/* The kernel's destination for this call: the socket entering SYN_SENT during it (TCP), or
 * the peer a successful call left on the socket (UDP and other connected datagram sockets). */
static __always_inline void net__peer(struct task_struct *task, long ret, struct net__call *c)
{
	struct sock *sk;
	int state;

	if (c->e.syn_sk) {
		c->peer = c->e.syn_key;
		c->pport = c->e.syn_port;
		c->peer_ok = true;
		return;
	}
	if (ret != 0 && ret != -C2D_EINPROGRESS)
		return; /* failed: whatever the socket holds is not this call's */
	sk = net__fd_sock(task, c->e.fd);
	if (!sk)
		return;
	state = BPF_CORE_READ(sk, __sk_common.skc_state);
	if (state == C2D_TCP_CLOSE || state == C2D_TCP_LISTEN)
		return;
	/* a protocol that keeps no destination there (SCTP associations) leaves it zero */
	c->peer_ok = net__sk_key(sk, &c->peer, &c->pport) == 0 && !net__is_zero(&c->peer);
}

static __always_inline struct c2d_rule_val *net__meta(const struct c2d_addr_key *k, bool ok)
{
	return ok ? bpf_map_lookup_elem(&meta_addrs, k) : NULL;
}

/* Report when the kernel's destination, or either user copy, is a metadata address. */
static __always_inline int net__judge(struct task_struct *task, long ret, struct net__call *c)
{
	struct c2d_rule_val *v = NULL;
	const struct c2d_addr_key *shown;
	__u16 port, flags = 0;
	struct c2d_scratch *s;

	if (c->peer_ok) {
		/* the kernel's destination is the truth; a copy that differs is tampering */
		shown = &c->peer;
		port = c->pport;
		if ((c->e.key_ok && !net__same(&c->e.key, c->e.port, &c->peer, c->pport)) ||
		    (c->x_ok && !net__same(&c->x, c->xport, &c->peer, c->pport)))
			flags = C2D_F_TAMPERED;
		v = net__meta(&c->peer, true);
	} else {
		/* failed before the kernel used an address: only the copies exist */
		shown = c->x_ok ? &c->x : &c->e.key;
		port = c->x_ok ? c->xport : c->e.port;
		if (c->e.key_ok && c->x_ok && !net__same(&c->e.key, c->e.port, &c->x, c->xport))
			flags = C2D_F_TAMPERED;
	}
	if (!v)
		v = net__meta(&c->x, c->x_ok);
	if (!v)
		v = net__meta(&c->e.key, c->e.key_ok);
	if (!v)
		return 0;
	if (flags)
		C2D_STAT_INC(tampered);
	s = net__begin(task, C2D_SYS_CONNECT, ret, c->e.fd, shown, port, flags);
	if (!s)
		return 0;
	if (flags) { /* both user copies: at entry, then at exit */
		net__add_addr(s, &c->e.key, c->e.port, c->e.key_ok);
		net__add_addr(s, &c->x, c->xport, c->x_ok);
	}
	return sysev__send(s, v, C2D_KIND_METADATA_ACCESS);
}

/* connect(fd, uservaddr, addrlen) */
SEC("tracepoint/syscalls/sys_exit_connect")
int c2d_exit_connect(struct c2d_sys_exit_ctx *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct task_struct *task;
	struct c2d_conn_entry *e;
	struct net__call c = {};

	if (self__is_agent())
		return 0;
	task = bpf_get_current_task_btf();
	e = bpf_map_lookup_elem(&conn_entry, &tid);
	if (e) {
		c.e = *e;
		bpf_map_delete_elem(&conn_entry, &tid);
	} else { /* entry not seen (attached mid-call, evicted): the saved registers */
		struct c2d_sysargs a;

		/* the entry copy and the kernel's SYN destination are lost */
		C2D_STAT_INC(map_full);
		sysargs__read(task, &a);
		c.e.fd = a.a[0];
		c.e.uaddr = a.a[1];
		c.e.alen = a.a[2];
	}
	c.x_ok = net__addr_key((void *)c.e.uaddr, c.e.alen, &c.x, &c.xport) == 0;
	net__peer(task, ctx->ret, &c);
	return net__judge(task, ctx->ret, &c);
}

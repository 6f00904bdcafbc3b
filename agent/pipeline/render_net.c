// SPDX-License-Identifier: BSD-2-Clause
/*
 * render_net.c - the `network` object of a finding about a connection (metadata_access):
 * the address the kernel used, and for a tampered connect the caller's sockaddr as read at
 * entry and at exit, decoded from the event's strings (net.bpf.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "render_net.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* An address of a SYSF_NET event's string (net.bpf.c): family, port and 16 address bytes,
 * 40 hex digits. Returns 0, or -EINVAL for anything else (an unreadable copy is ""). */
static int net_addr_decode(const char *hex, size_t len, int *family, char *addr, size_t cap,
			   unsigned *port)
{
	unsigned char b[20];

	if (!hex || len != 2 * sizeof(b))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(b); i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	*family = b[0] << 8 | b[1];
	*port = (unsigned)(b[2] << 8 | b[3]);
	if (*family != AF_INET && *family != AF_INET6)
		return -EINVAL;
	return inet_ntop(*family, b + 4, addr, (socklen_t)cap) ? 0 : -EINVAL;
}

/*
 * A tampered connect carries the caller's sockaddr as read at entry (string 0) and at exit
 * (string 1): `network.address_at_entry`/`port_at_entry`, and `address_at_exit`/`port_at_exit`
 * when that one is not already `network.address`. They sit under `network` (not
 * `syscall.args_at_entry`, which the name-based calls use for paths) next to the address the
 * kernel used, so that the three read side by side.
 */
static void render_net_copy(struct jw *w, const struct c2d_decoded *d, int i, const char *shown,
			    unsigned shown_port)
{
	static const char *const keys[2][2] = {{"address_at_entry", "port_at_entry"},
					       {"address_at_exit", "port_at_exit"}};
	char s[INET6_ADDRSTRLEN];
	unsigned port;
	int fam;

	if (i >= d->nstr || d->roles[i] != C2D_STR_ARG ||
	    net_addr_decode(d->strs[i], d->slen[i], &fam, s, sizeof(s), &port) < 0)
		return;
	if (i == 1 && strcmp(s, shown) == 0 && port == shown_port)
		return;
	jw_dkv_str(w, keys[i][0], s);
	jw_dkv_u64(w, keys[i][1], port);
}

void render_network(struct jw *w, const struct c2d_decoded *d)
{
	const struct c2d_syscall_event *ev = d->sys;
	bool v4 = ev->args[1] == AF_INET;
	unsigned char addr[16];
	char s[INET6_ADDRSTRLEN];

	memcpy(addr, &ev->args[3], 8);
	memcpy(addr + 8, &ev->args[4], 8);
	if (!inet_ntop(v4 ? AF_INET : AF_INET6, addr, s, sizeof(s)))
		snprintf(s, sizeof(s), "?");
	jw_key(w, "network");
	jw_obj_begin(w);
	jw_kv_str(w, "family", v4 ? "ipv4" : "ipv6");
	jw_kv_str(w, "address", s);
	jw_kv_u64(w, "port", ev->args[2]);
	if (ev->hdr.flags & C2D_F_TAMPERED) {
		render_net_copy(w, d, 0, s, (unsigned)ev->args[2]);
		render_net_copy(w, d, 1, s, (unsigned)ev->args[2]);
	}
	jw_obj_end(w);
}

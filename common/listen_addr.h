/* SPDX-License-Identifier: BSD-2-Clause */
/* listen_addr.h - the ADDR:PORT of a listening socket, as the --listen style flags take it. */
#ifndef C2D_LISTEN_ADDR_H
#define C2D_LISTEN_ADDR_H

#include <sys/socket.h>

/* "127.0.0.1:8080", "[::1]:8080", ":8080" (every IPv4 address), "localhost:8080" (a name:
 * its first address). 0 or -EINVAL. */
int listen_addr_parse(const char *s, struct sockaddr_storage *ss);

/* A listening TCP socket on ss (SO_REUSEADDR; IPv6 only for an IPv6 address): the fd, or
 * -errno (-EADDRINUSE, -EACCES for a low port without CAP_NET_BIND_SERVICE…). */
int listen_addr_bind(const struct sockaddr_storage *ss, int backlog);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* listen_addr.h - the ADDR:PORT of a listening socket, as the --listen style flags take it. */
#ifndef C2D_LISTEN_ADDR_H
#define C2D_LISTEN_ADDR_H

#include <sys/socket.h>

/* "127.0.0.1:8080", "[::1]:8080", ":8080" (every IPv4 address). 0 or -EINVAL. */
int listen_addr_parse(const char *s, struct sockaddr_storage *ss);

#endif

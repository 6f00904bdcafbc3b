// SPDX-License-Identifier: BSD-2-Clause
/*
 * connect_meta - one non-blocking TCP connect to ADDR:PORT (default 169.254.169.254:80), the
 * cloud metadata endpoint. Off-cloud it fails or stays in progress: the attempt is the
 * finding, so any connect result is a success here.
 *
 *   connect_meta [ADDR [PORT]]
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *addr = argc > 1 ? argv[1] : "169.254.169.254";
	int fd;

	sa.sin_port = htons(argc > 2 ? atoi(argv[2]) : 80);
	if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		return 2;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("connect_meta: socket");
		return 1;
	}
	connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	close(fd);
	return 0;
}

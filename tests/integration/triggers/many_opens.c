// SPDX-License-Identifier: BSD-2-Clause
/*
 * many_opens - open every PATH read-only, ROUNDS times, and close it: none of them is a
 * credential, so the agent must stay silent about this process.
 *
 *   many_opens [-n ROUNDS] PATH...
 *
 * Missing files are fine (ENOENT is never a finding); any other error is a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int rounds = 1, c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return 2;
		rounds = atoi(optarg);
	}
	for (int r = 0; r < rounds; r++) {
		for (int i = optind; i < argc; i++) {
			int fd = open(argv[i], O_RDONLY | O_CLOEXEC);

			if (fd < 0 && errno != ENOENT) {
				fprintf(stderr, "many_opens: %s: %s\n", argv[i], strerror(errno));
				return 1;
			}
			if (fd >= 0)
				close(fd);
		}
	}
	return 0;
}

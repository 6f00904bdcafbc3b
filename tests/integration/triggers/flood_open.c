// SPDX-License-Identifier: BSD-2-Clause
/*
 * flood_open - open FLOOD N times read-only (and close it), then open each THEN path once:
 * a flood of one finding followed at once by a different one, from the same process.
 *
 *   flood_open -n N FLOOD [THEN...]
 *
 * Built static too, to run in a busybox container. Any open that fails is a failure: the
 * count the agent reports must be exactly N.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int open_close(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "flood_open: %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 1;
	int c;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n')
			return 2;
		n = strtol(optarg, NULL, 10);
	}
	if (optind >= argc || n < 1)
		return 2;
	for (long i = 0; i < n; i++)
		if (open_close(argv[optind]) < 0)
			return 1;
	for (int i = optind + 1; i < argc; i++)
		if (open_close(argv[i]) < 0)
			return 1;
	return 0;
}

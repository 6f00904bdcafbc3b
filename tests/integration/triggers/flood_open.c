// SPDX-License-Identifier: BSD-2-Clause
/*
 * flood_open - open FLOOD N times read-only (and close it), then open each THEN path once:
 * a flood of one finding followed at once by a different one, from the same process. With
 * -t T, T threads each open FLOOD N times at once (two CPUs racing on one folded entry).
 *
 *   flood_open [-t T] -n N FLOOD [THEN...]
 *
 * Built static too, to run in a busybox container. Any open that fails is a failure: the
 * count the agent reports must be exactly N.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
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

struct flood {
	const char *path;
	long n;
	int rc;
};

static void *flood(void *arg)
{
	struct flood *f = arg;

	for (long i = 0; i < f->n && !f->rc; i++)
		f->rc = open_close(f->path);
	return NULL;
}

int main(int argc, char **argv)
{
	struct flood f[8];
	pthread_t tid[8];
	long n = 1, t = 1;
	int c;

	while ((c = getopt(argc, argv, "n:t:")) != -1) {
		if (c == 'n')
			n = strtol(optarg, NULL, 10);
		else if (c == 't')
			t = strtol(optarg, NULL, 10);
		else
			return 2;
	}
	if (optind >= argc || n < 1 || t < 1 || t > 8)
		return 2;
	for (long i = 0; i < t; i++) {
		f[i] = (struct flood){.path = argv[optind], .n = n};
		if (pthread_create(&tid[i], NULL, flood, &f[i]))
			return 1;
	}
	for (long i = 0; i < t; i++) {
		pthread_join(tid[i], NULL);
		if (f[i].rc)
			return 1;
	}
	for (int i = optind + 1; i < argc; i++)
		if (open_close(argv[i]) < 0)
			return 1;
	return 0;
}

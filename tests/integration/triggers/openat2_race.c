// SPDX-License-Identifier: BSD-2-Clause
/*
 * openat2_race - open /etc/shadow through openat2 while a second thread flips how.flags
 * between O_RDONLY and O_PATH: the kernel copies `struct open_how` at entry, so what user
 * memory says at exit is a coin toss. Each fd is classified by what the kernel made of it
 * (fcntl F_GETFL: O_PATH or not); nothing is read from the file. Run by a user who may not
 * read the file, the O_RDONLY opens fail (EACCES) and only user memory tells their flags.
 *
 *   openat2_race OUTFILE N      until N readable or denied opens and 10 O_PATH ones; OUTFILE gets
 *                               "readable R path P denied D"
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define RACE_MIN_PATH 10 /* O_PATH opens that show the race ran */

static struct open_how how;
static atomic_int stop, running;

static void *flipper(void *arg)
{
	volatile __u64 *fl = &how.flags;

	atomic_store(&running, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		*fl = O_RDONLY;
		*fl = O_PATH;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	long want = argc == 3 ? atol(argv[2]) : 0, readable = 0, path = 0, denied = 0;
	pthread_t t;
	FILE *f;

	if (want <= 0)
		return 2;
	if (pthread_create(&t, NULL, flipper, NULL) != 0)
		return 1;
	while (!atomic_load(&running))
		usleep(100);
	/* until the race has shown both outcomes (bounded): on a loaded machine the flipper may
	 * not run for a while; yielding now and then lets it */
	for (long i = 0; (readable + denied < want || path < RACE_MIN_PATH) && i < want * 1000;
	     i++) {
		if ((i & 63) == 63)
			sched_yield();
		int fd = (int)syscall(SYS_openat2, AT_FDCWD, "/etc/shadow", &how, sizeof(how));
		int fl;

		if (fd < 0) {
			denied += errno == EACCES;
			continue;
		}
		fl = fcntl(fd, F_GETFL);
		if (fl >= 0 && (fl & O_PATH))
			path++;
		else if (fl >= 0)
			readable++;
		close(fd);
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	f = fopen(argv[1], "we");
	if (!f || fprintf(f, "readable %ld path %ld denied %ld\n", readable, path, denied) < 0 ||
	    fclose(f) != 0) {
		perror("openat2_race");
		return 1;
	}
	return readable + denied >= want && path >= RACE_MIN_PATH ? 0 : 1;
}

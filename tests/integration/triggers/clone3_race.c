// SPDX-License-Identifier: BSD-2-Clause
/*
 * clone3_race - clone3(CLONE_NEWUSER | CLONE_NEWNS) while a second thread zeroes
 * clone_args.flags: the kernel copies the struct at entry, so whether a child really got new
 * namespaces is only known from the child. Each child compares its user namespace with its
 * parent's and exits 1 if it is new, 0 if not.
 *
 * The zeroer does not spin on the field (on some runs it then wins nearly every time): for each
 * call it zeroes once, and a lead decides who waits: lead > 0, the caller spins that long
 * before clone3 (the zeroer gets there first more often); lead < 0, the zeroer spins before
 * its store. The lead follows the outcomes (a new namespace: more lead; a zeroed call: less),
 * so it stays where the kernel's copy is and both outcomes keep coming on any machine.
 *
 *   clone3_race OUTFILE N      until N children in a new user namespace (and 10 without);
 *                              OUTFILE gets one
 *                              "PID NEW" line per child (NEW: 1 or 0)
 */
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define RACE_MIN_PLAIN 10 /* children without a namespace that show the race ran */

static struct clone_args args;
static atomic_int stop, running, go;
static atomic_long lead; /* > 0: spins of the caller before clone3; < 0: of the zeroer */
static char parent_ns[64];

static void *zeroer(void *arg)
{
	volatile __u64 *fl = &args.flags;

	atomic_store(&running, 1);
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (!atomic_load_explicit(&go, memory_order_acquire))
			continue;
		for (volatile long d = -atomic_load(&lead); d > 0; d--)
			;
		*fl = 0;
		atomic_store_explicit(&go, 0, memory_order_release);
	}
	return NULL;
}

static void child(void)
{
	char ns[64] = {0};

	if (readlink("/proc/self/ns/user", ns, sizeof(ns) - 1) <= 0)
		_exit(2);
	_exit(strcmp(ns, parent_ns) != 0 ? 1 : 0);
}

int main(int argc, char **argv)
{
	long want = argc == 3 ? atol(argv[2]) : 0, real = 0, plain = 0;
	pthread_t t;
	FILE *f;

	if (want <= 0 || readlink("/proc/self/ns/user", parent_ns, sizeof(parent_ns) - 1) <= 0)
		return 2;
	f = fopen(argv[1], "we");
	if (!f || pthread_create(&t, NULL, zeroer, NULL) != 0)
		return 1;
	while (!atomic_load(&running))
		usleep(100);
	/* until the race has shown both outcomes (bounded) */
	for (long i = 0; (real < want || plain < RACE_MIN_PLAIN) && i < want * 100; i++) {
		int status;
		pid_t pid;

		if ((i & 15) == 15)
			sched_yield();
		args.exit_signal = SIGCHLD;
		args.flags = CLONE_NEWUSER | CLONE_NEWNS;
		atomic_store_explicit(&go, 1, memory_order_release);
		for (volatile long d = atomic_load(&lead); d > 0; d--)
			;
		pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
		if (pid == 0)
			child();
		while (atomic_load_explicit(&go, memory_order_acquire)) /* its store is done */
			;
		if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		    WEXITSTATUS(status) > 1)
			continue;
		/* the zeroer came after the kernel's copy: give it more lead; before: less */
		{
			long l = atomic_load(&lead), step = 8 + labs(l) / 16;

			atomic_store(&lead, WEXITSTATUS(status) ? l + step : l - step);
		}
		real += WEXITSTATUS(status);
		plain += !WEXITSTATUS(status);
		fprintf(f, "%d %d\n", pid, WEXITSTATUS(status));
	}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	if (fclose(f) != 0)
		return 1;
	return real >= want && plain >= RACE_MIN_PLAIN ? 0 : 1;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * names_race - a second thread rewrites the path argument of unlink/rename while the call runs.
 *
 *   names_race unlink|rename|cwd DIR ROUNDS RESULT
 *
 * Round i creates DIR/prod/fNNNNN and DIR/outs/fNNNNN; the main thread calls unlink (or
 * rename to DIR/outs/rNNNNN) on a buffer the other thread flips between the two names, all
 * the time, with one aligned 4-byte store ("prod" <-> "outs": the kernel never copies a torn
 * mix). After the call it looks which file is gone and writes "i prod_gone outs_gone" to
 * RESULT. Raw syscalls: the test checks syscall.name.
 *
 * cwd: the name stays "fNNNNN" (relative) and the other thread flips the working directory
 * between DIR/prod and DIR/outs instead (fchdir): the kernel resolves against the one of the
 * moment, the exit program sees the one of its own.
 */
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static _Alignas(8) char buf[4096 + 8];
static char *path;		 /* inside buf, with the "prod" word 4-aligned */
static _Atomic uint32_t *word;	 /* that word */
static atomic_int stop, started;
static int dir_fd[2]; /* cwd mode: DIR/prod, DIR/outs */

/* The two threads on two CPUs when there are two: a race needs them to run at once. */
static void pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *flipper(void *arg)
{
	uint32_t prod, outs;

	pin(1);
	atomic_store(&started, 1);
	memcpy(&prod, "prod", 4);
	memcpy(&outs, "outs", 4);
	while (arg && !atomic_load_explicit(&stop, memory_order_relaxed)) {
		if (fchdir(dir_fd[1]) < 0 || fchdir(dir_fd[0]) < 0)
			return NULL;
	}
	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		atomic_store_explicit(word, outs, memory_order_relaxed);
		atomic_store_explicit(word, prod, memory_order_relaxed);
	}
	return NULL;
}

static int touch(const char *p)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	return fd < 0 ? -1 : close(fd);
}

int main(int argc, char **argv)
{
	char prod[4096], outs[4096], dest[4096];
	const char *dir;
	int rounds, is_rename, is_cwd;
	size_t lead;
	pthread_t th;
	FILE *res;

	if (argc != 5)
		return 2;
	is_rename = strcmp(argv[1], "rename") == 0;
	is_cwd = strcmp(argv[1], "cwd") == 0;
	dir = argv[2];
	rounds = atoi(argv[3]);
	res = fopen(argv[4], "we");
	if (!res || strlen(dir) > 3000)
		return 2;
	lead = strlen(dir) + 1; /* "DIR/" before the word */
	path = buf + ((4 - lead % 4) % 4);
	snprintf(path, 4000, "%s/prod/f%05d", dir, 0);
	word = (_Atomic uint32_t *)(void *)(path + lead);
	snprintf(prod, sizeof(prod), "%s/prod", dir);
	snprintf(outs, sizeof(outs), "%s/outs", dir);
	dir_fd[0] = open(prod, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	dir_fd[1] = open(outs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd[0] < 0 || dir_fd[1] < 0)
		return 1;
	pin(0);
	if (is_cwd && fchdir(dir_fd[0]) < 0) /* a valid directory before the first flip */
		return 1;
	if (pthread_create(&th, NULL, flipper, is_cwd ? dir_fd : NULL) != 0)
		return 1;
	while (!atomic_load(&started)) /* the race starts with the first round */
		sched_yield();
	for (int i = 0; i < rounds; i++) {
		snprintf(prod, sizeof(prod), "%s/prod/f%05d", dir, i);
		snprintf(outs, sizeof(outs), "%s/outs/f%05d", dir, i);
		snprintf(dest, sizeof(dest), "%s/outs/r%05d", dir, i);
		if (touch(prod) < 0 || touch(outs) < 0) {
			perror("names_race: create");
			return 1;
		}
		/* only the round number changes: the flipped word stays where it is */
		snprintf(path + lead + 4, 64, "/f%05d", i);
		if (is_rename)
			syscall(SYS_rename, path, dest);
		else if (is_cwd)
			syscall(SYS_unlink, path + lead + 5); /* "fNNNNN" */
		else
			syscall(SYS_unlink, path);
		fprintf(res, "%d %d %d\n", i, access(prod, F_OK) != 0, access(outs, F_OK) != 0);
		/* unlinkat, not unlink: the test only looks at the raced syscall's events */
		unlinkat(AT_FDCWD, prod, 0);
		unlinkat(AT_FDCWD, outs, 0);
		unlinkat(AT_FDCWD, dest, 0);
	}
	atomic_store(&stop, 1);
	pthread_join(th, NULL);
	return fclose(res) == 0 ? 0 : 1;
}

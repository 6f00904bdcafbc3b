/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * child.h - what several trigger programs share: a child that waits to be acted on (attached,
 * read, joined), the OUTFILE its pid is written to for the test, and its end.
 */
#ifndef C2D_TRIGGER_CHILD_H
#define C2D_TRIGGER_CHILD_H

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

/* A child that pauses until it is killed: its pid (in the parent), or -1. */
static inline pid_t child_waiting(void)
{
	pid_t child = fork();

	if (child == 0)
		for (;;)
			pause();
	return child;
}

/* "PID\n" into path: 0, or -1 (said on stderr). */
static inline int pid_to_file(const char *path, pid_t pid)
{
	FILE *f = fopen(path, "we");

	if (!f || fprintf(f, "%d\n", pid) < 0 || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	return 0;
}

/* Kill and reap a child (also a traced one). */
static inline void child_end(pid_t child)
{
	int status;

	kill(child, SIGKILL);
	waitpid(child, &status, __WALL);
}

#endif

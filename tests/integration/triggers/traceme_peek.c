// SPDX-License-Identifier: BSD-2-Clause
/*
 * traceme_peek - a child asks to be traced (PTRACE_TRACEME) and stops; the parent, now its
 * tracer without ever attaching, reads a word of its memory with PTRACE_PEEKDATA. The child's
 * pid goes to PIDFILE.
 *
 *   traceme_peek PIDFILE
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

static volatile long word = 0x5eed;

int main(int argc, char **argv)
{
	int status, rc = 0;
	pid_t child;
	long got;

	if (argc != 2)
		return 2;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
			_exit(1);
		raise(SIGSTOP);
		_exit(0);
	}
	if (waitpid(child, &status, 0) != child || !WIFSTOPPED(status)) {
		fprintf(stderr, "traceme_peek: child did not stop\n");
		rc = 1;
	} else {
		errno = 0;
		got = ptrace(PTRACE_PEEKDATA, child, (void *)&word, NULL);
		if (errno || got != word) {
			perror("traceme_peek: PTRACE_PEEKDATA");
			rc = 1;
		}
	}
	if (pid_to_file(argv[1], child) < 0)
		rc = 1;
	child_end(child);
	return rc;
}

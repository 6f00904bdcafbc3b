// SPDX-License-Identifier: BSD-2-Clause
/*
 * ptrace_attach - fork a child, PTRACE_ATTACH to it, detach, kill it. The child's pid goes
 * to PIDFILE so that the test can check args.target_pid.
 *
 *   ptrace_attach PIDFILE
 */
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

int main(int argc, char **argv)
{
	int status, rc = 0;
	pid_t child;

	if (argc != 2)
		return 2;
	child = child_waiting();
	if (child < 0)
		return 1;
	if (ptrace(PTRACE_ATTACH, child, NULL, NULL) < 0 ||
	    waitpid(child, &status, __WALL) != child || !WIFSTOPPED(status) ||
	    ptrace(PTRACE_DETACH, child, NULL, NULL) < 0) {
		perror("ptrace_attach");
		rc = 1;
	}
	if (pid_to_file(argv[1], child) < 0)
		rc = 1;
	child_end(child);
	return rc;
}

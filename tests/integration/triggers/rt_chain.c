// SPDX-License-Identifier: BSD-2-Clause
/*
 * rt_chain - run as a runtime binary the agent knows by identity (the test copies it to a
 * directory on the agent's PATH under a runtime's name): creates a user namespace itself, then
 * forks a child that creates one before and one after an exec of EXEC (another program).
 * (UTS namespaces here: a process in a new user namespace without a map could not make another.)
 * The runtime's mark covers the parent and the child until its exec, not after. The child's pid
 * goes to PIDFILE.
 *
 *   crun PIDFILE EXEC
 */
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	pid_t child;
	FILE *f;

	if (argc != 3)
		return 2;
	if (syscall(SYS_unshare, CLONE_NEWUTS) < 0)
		return 1;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		if (syscall(SYS_unshare, CLONE_NEWUTS) < 0)
			_exit(1);
		execl(argv[2], argv[2], (char *)NULL);
		_exit(127);
	}
	f = fopen(argv[1], "we");
	if (!f || fprintf(f, "%d\n", child) < 0 || fclose(f) != 0)
		return 1;
	return waitpid(child, &status, 0) == child && WIFEXITED(status) && !WEXITSTATUS(status) ? 0
												   : 1;
}

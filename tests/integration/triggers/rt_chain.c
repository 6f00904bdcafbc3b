// SPDX-License-Identifier: BSD-2-Clause
/*
 * rt_chain - run as a runtime binary the agent knows by identity (the test copies it to a
 * directory on the agent's PATH under a runtime's name): forks a child that creates a UTS
 * namespace (a user namespace with `user`, where there is no CAP_SYS_ADMIN: in a container)
 * and then execs EXEC, and creates one itself. The runtime's mark covers the parent and the
 * child until its exec, not after. The child's pid goes to PIDFILE.
 *
 *   crun PIDFILE EXEC [user]
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

int main(int argc, char **argv)
{
	int flag = argc == 4 && !strcmp(argv[3], "user") ? CLONE_NEWUSER : CLONE_NEWUTS;
	int status;
	pid_t child;

	if (argc != 3 && argc != 4)
		return 2;
	child = fork(); /* first: a child of a process in an unmapped user namespace could not */
	if (child < 0)
		return 1;
	if (child == 0) {
		if (syscall(SYS_unshare, flag) < 0)
			_exit(1);
		execl(argv[2], argv[2], (char *)NULL);
		_exit(127);
	}
	if (syscall(SYS_unshare, flag) < 0)
		return 1;
	if (pid_to_file(argv[1], child) < 0)
		return 1;
	return waitpid(child, &status, 0) == child && WIFEXITED(status) && !WEXITSTATUS(status) ? 0
												   : 1;
}

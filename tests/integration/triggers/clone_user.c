// SPDX-License-Identifier: BSD-2-Clause
/*
 * clone_user - the legacy clone syscall itself (not glibc's fork) with CLONE_NEWUSER: the child
 * starts in a new user namespace and exits. Its pid goes to PIDFILE.
 *
 *   clone_user PIDFILE
 */
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int status;
	long pid;
	FILE *f;

	if (argc != 2)
		return 2;
	/* x86_64 and arm64: clone(flags, stack, parent_tid, child_tid / tls, …); a NULL stack
	 * makes it a fork */
	pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid < 0 || waitpid((pid_t)pid, &status, 0) != pid || !WIFEXITED(status)) {
		perror("clone_user");
		return 1;
	}
	f = fopen(argv[1], "we");
	if (!f || fprintf(f, "%ld\n", pid) < 0 || fclose(f) != 0)
		return 1;
	return 0;
}

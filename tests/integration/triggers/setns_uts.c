// SPDX-License-Identifier: BSD-2-Clause
/*
 * setns_uts - join a namespace without naming its type: a child unshares its UTS namespace, the
 * parent first "joins" its own UTS namespace (fd 3: nothing changes), then the child's (fd 4)
 * with setns(fd, 0). The child's pid goes to PIDFILE.
 *
 *   setns_uts PIDFILE
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

int main(int argc, char **argv)
{
	int p[2], own, other, rc = 0;
	char path[64], c;
	pid_t child;

	if (argc != 2 || pipe(p) < 0)
		return 2;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		if (unshare(CLONE_NEWUTS) < 0)
			_exit(1);
		if (write(p[1], "x", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &c, 1) != 1)
		rc = 1;
	close(p[0]);
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", child);
	own = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);	/* 3 */
	other = open(path, O_RDONLY | O_CLOEXEC);		/* 4 */
	if (rc || own != 3 || other != 4 || setns(own, 0) < 0 || setns(other, 0) < 0) {
		perror("setns_uts");
		rc = 1;
	}
	if (pid_to_file(argv[1], child) < 0)
		rc = 1;
	child_end(child);
	return rc;
}

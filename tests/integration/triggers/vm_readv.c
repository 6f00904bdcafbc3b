// SPDX-License-Identifier: BSD-2-Clause
/*
 * vm_readv - read a word of a child's memory with process_vm_readv (the child is a fork, so
 * the variable sits at the same address). The child's pid goes to PIDFILE.
 *
 *   vm_readv PIDFILE
 */
#include <signal.h>
#include <stdio.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile long word = 0x5eed;

int main(int argc, char **argv)
{
	struct iovec local, remote;
	long got = 0;
	int status, rc = 0;
	pid_t child;
	FILE *f;

	if (argc != 2)
		return 2;
	child = fork();
	if (child < 0)
		return 1;
	if (child == 0) {
		for (;;)
			pause();
	}
	local.iov_base = &got;
	local.iov_len = sizeof(got);
	remote.iov_base = (void *)&word;
	remote.iov_len = sizeof(word);
	if (process_vm_readv(child, &local, 1, &remote, 1, 0) != sizeof(got) || got != word) {
		perror("vm_readv");
		rc = 1;
	}
	f = fopen(argv[1], "we");
	if (!f || fprintf(f, "%d\n", child) < 0 || fclose(f) != 0)
		rc = 1;
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
	return rc;
}

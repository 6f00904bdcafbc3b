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

#include "child.h"

static volatile long word = 0x5eed;

int main(int argc, char **argv)
{
	struct iovec local, remote;
	long got = 0;
	int rc = 0;
	pid_t child;

	if (argc != 2)
		return 2;
	child = child_waiting();
	if (child < 0)
		return 1;
	local.iov_base = &got;
	local.iov_len = sizeof(got);
	remote.iov_base = (void *)&word;
	remote.iov_len = sizeof(word);
	if (process_vm_readv(child, &local, 1, &remote, 1, 0) != sizeof(got) || got != word) {
		perror("vm_readv");
		rc = 1;
	}
	if (pid_to_file(argv[1], child) < 0)
		rc = 1;
	child_end(child);
	return rc;
}

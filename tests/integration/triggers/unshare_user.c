// SPDX-License-Identifier: BSD-2-Clause
/* unshare_user - enter a new user namespace (the classic first step of a container escape). */
#include <sched.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	if (syscall(SYS_unshare, CLONE_NEWUSER) < 0) {
		perror("unshare_user");
		return 1;
	}
	return 0;
}

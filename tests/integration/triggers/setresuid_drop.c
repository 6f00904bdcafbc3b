// SPDX-License-Identifier: BSD-2-Clause
/*
 * setresuid_drop - root drops real, effective and saved uid to 65534 in one setresuid.
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	if (syscall(SYS_setresuid, 65534, 65534, 65534) < 0 || getuid() != 65534 ||
	    geteuid() != 65534) {
		perror("setresuid_drop");
		return 1;
	}
	return 0;
}

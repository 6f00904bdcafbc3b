// SPDX-License-Identifier: BSD-2-Clause
/*
 * setuid_drop - root drops to uid 65534 with the setuid syscall itself (libc's setuid()
 * may broadcast to threads; there are none, but the test asserts syscall.name "setuid").
 */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	if (syscall(SYS_setuid, 65534) < 0 || getuid() != 65534 || geteuid() != 65534) {
		perror("setuid_drop");
		return 1;
	}
	return 0;
}

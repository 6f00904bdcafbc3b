// SPDX-License-Identifier: BSD-2-Clause
/*
 * capset_drop - keep only CAP_CHOWN and CAP_NET_RAW (0x2001) in the effective and permitted
 * sets of this process, named by its own pid: distinctive values for the event's args.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#define KEEP ((1u << CAP_CHOWN) | (1u << CAP_NET_RAW))

int main(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, getpid()};
	struct __user_cap_data_struct data[2] = {{.effective = KEEP, .permitted = KEEP}};

	if (syscall(SYS_capset, &hdr, data) < 0) {
		perror("capset_drop");
		return 1;
	}
	return 0;
}

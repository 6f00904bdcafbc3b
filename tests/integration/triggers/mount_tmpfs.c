// SPDX-License-Identifier: BSD-2-Clause
/*
 * mount_tmpfs - mount a small tmpfs named "c2d-integ" on DIR, then unmount it.
 *
 *   mount_tmpfs DIR
 */
#include <stdio.h>
#include <sys/mount.h>

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	if (mount("c2d-integ", argv[1], "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0) {
		perror("mount_tmpfs: mount");
		return 1;
	}
	if (umount2(argv[1], 0) < 0) {
		perror("mount_tmpfs: umount2");
		return 1;
	}
	return 0;
}

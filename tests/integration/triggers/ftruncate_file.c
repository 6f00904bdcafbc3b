// SPDX-License-Identifier: BSD-2-Clause
/*
 * ftruncate_file - open PATH for writing and truncate it through the descriptor (ftruncate: the
 * kernel knows the file only by its descriptor, whatever name opened it).
 *
 *   ftruncate_file PATH
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int fd;

	if (argc != 2)
		return 2;
	fd = open(argv[1], O_WRONLY | O_CLOEXEC);
	if (fd < 0 || syscall(SYS_ftruncate, fd, 0L) < 0) {
		perror("ftruncate_file");
		return 1;
	}
	close(fd);
	return 0;
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * storage_ops - the three ways to change production storage, in DIR:
 * create+write DIR/data (openat), rename it to DIR/data.new (rename), unlink it (unlink).
 * Raw rename/unlink syscalls, because the test checks syscall.name.
 *
 *   storage_ops DIR
 */
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char data[4096], renamed[4096];
	int fd;

	if (argc != 2)
		return 2;
	snprintf(data, sizeof(data), "%s/data", argv[1]);
	snprintf(renamed, sizeof(renamed), "%s/data.new", argv[1]);
	fd = open(data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "x\n", 2) != 2 || close(fd) < 0) {
		perror("storage_ops: write");
		return 1;
	}
	if (syscall(SYS_rename, data, renamed) < 0) {
		perror("storage_ops: rename");
		return 1;
	}
	if (syscall(SYS_unlink, renamed) < 0) {
		perror("storage_ops: unlink");
		return 1;
	}
	return 0;
}

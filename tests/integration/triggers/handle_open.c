// SPDX-License-Identifier: BSD-2-Clause
/*
 * handle_open - open a file without naming it: name_to_handle_at gives its handle, and
 * open_by_handle_at (CAP_DAC_READ_SEARCH) opens it through a descriptor of its filesystem.
 * Nothing is read from the file.
 *
 *   handle_open FILE MOUNTDIR        e.g. /etc/shadow /etc
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct file_handle *h;
	int mount_id, mfd, fd;

	if (argc != 3)
		return 2;
	h = malloc(sizeof(*h) + MAX_HANDLE_SZ);
	if (!h)
		return 1;
	h->handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(AT_FDCWD, argv[1], h, &mount_id, 0) < 0) {
		perror("handle_open: name_to_handle_at");
		return 1;
	}
	mfd = open(argv[2], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (mfd < 0) {
		perror("handle_open: mount directory");
		return 1;
	}
	fd = open_by_handle_at(mfd, h, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		perror("handle_open: open_by_handle_at");
		return 1;
	}
	close(fd);
	close(mfd);
	free(h);
	return 0;
}

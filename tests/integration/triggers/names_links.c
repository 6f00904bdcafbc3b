// SPDX-License-Identifier: BSD-2-Clause
/*
 * names_links - new names for files, each a raw syscall (the test checks syscall.name):
 *
 *   names_links DIR        (DIR/prod is production storage, DIR/outs is not)
 *
 *  1. link("/etc/shadow", DIR/outs/hl)
 *  2. linkat(AT_FDCWD, "/etc/shadow", AT_FDCWD, DIR/outs/hl2, 0)
 *  3. symlink("/etc/shadow", DIR/outs/sl)
 *  4. symlinkat("../../../etc/shadow", <fd of DIR/outs>, "sl2")   (relative to the link's dir)
 *  5. linkat(AT_FDCWD, DIR/prod/data, AT_FDCWD, DIR/outs/copy, 0)  (a storage file, elsewhere)
 *  6. linkat(AT_FDCWD, DIR/outs/src, AT_FDCWD, DIR/prod/in, 0)     (an outside file, into storage)
 *  7. name_to_handle_at(AT_FDCWD, "/etc/shadow", …)
 *  8. unlink(DIR/prod/plain)                                        (no race: not tampered)
 *  9. linkat(AT_FDCWD, "/proc/self/fd/N", AT_FDCWD, DIR/outs/hl3, AT_SYMLINK_FOLLOW), N an
 *     O_PATH descriptor of /etc/shadow (an open that reads nothing, so no finding of its own)
 *
 * The names made for /etc/shadow are removed at once (unlinkat); nothing is ever read.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

static char p[9][4096];

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	return fd < 0 ? -1 : close(fd);
}

static int check(long rc, const char *what)
{
	if (rc < 0)
		perror(what);
	return rc < 0;
}

int main(int argc, char **argv)
{
	struct {
		struct file_handle fh;
		unsigned char room[128];
	} h = {.fh.handle_bytes = 128};
	int bad = 0, dfd, fd, mnt;

	if (argc != 2)
		return 2;
	snprintf(p[0], sizeof(p[0]), "%s/outs/hl", argv[1]);
	snprintf(p[1], sizeof(p[1]), "%s/outs/hl2", argv[1]);
	snprintf(p[2], sizeof(p[2]), "%s/outs/sl", argv[1]);
	snprintf(p[3], sizeof(p[3]), "%s/prod/data", argv[1]);
	snprintf(p[4], sizeof(p[4]), "%s/outs/copy", argv[1]);
	snprintf(p[5], sizeof(p[5]), "%s/outs/src", argv[1]);
	snprintf(p[6], sizeof(p[6]), "%s/prod/in", argv[1]);
	snprintf(p[7], sizeof(p[7]), "%s/outs", argv[1]);
	dfd = open(p[7], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || touch(p[3]) < 0 || touch(p[5]) < 0)
		return 1;
	bad |= check(syscall(SYS_link, "/etc/shadow", p[0]), "link");
	unlinkat(AT_FDCWD, p[0], 0);
	bad |= check(syscall(SYS_linkat, AT_FDCWD, "/etc/shadow", AT_FDCWD, p[1], 0), "linkat");
	unlinkat(AT_FDCWD, p[1], 0);
	bad |= check(syscall(SYS_symlink, "/etc/shadow", p[2]), "symlink");
	bad |= check(syscall(SYS_symlinkat, "../../../etc/shadow", dfd, "sl2"), "symlinkat");
	bad |= check(syscall(SYS_linkat, AT_FDCWD, p[3], AT_FDCWD, p[4], 0), "linkat prod");
	bad |= check(syscall(SYS_linkat, AT_FDCWD, p[5], AT_FDCWD, p[6], 0), "linkat into prod");
	bad |= check(syscall(SYS_name_to_handle_at, AT_FDCWD, "/etc/shadow", &h.fh, &mnt, 0),
		     "name_to_handle_at");
	snprintf(p[7], sizeof(p[7]), "%s/prod/plain", argv[1]);
	if (touch(p[7]) < 0)
		return 1;
	bad |= check(syscall(SYS_unlink, p[7]), "unlink");
	fd = open("/etc/shadow", O_PATH | O_CLOEXEC);
	if (fd < 0)
		return 1;
	snprintf(p[7], sizeof(p[7]), "/proc/self/fd/%d", fd);
	snprintf(p[8], sizeof(p[8]), "%s/outs/hl3", argv[1]);
	bad |= check(syscall(SYS_linkat, AT_FDCWD, p[7], AT_FDCWD, p[8], AT_SYMLINK_FOLLOW),
		     "linkat /proc/self/fd");
	unlinkat(AT_FDCWD, p[8], 0);
	return bad;
}

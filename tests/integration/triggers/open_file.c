// SPDX-License-Identifier: BSD-2-Clause
/*
 * open_file - open one path the way a test asks, then close it.
 *
 *   open_file [-m open|openat|openat2] [-f FLAG,FLAG...] [-C CWD] [-d DIR] [-e ERRNO] PATH
 *
 * -C changes directory first (relative paths); -d opens DIR and resolves PATH against that
 * descriptor; -e says the open must fail with ERRNO (a denied read is then a success here).
 * Raw syscalls, because libc's open() is openat underneath and the test checks syscall.name.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct {
	const char *name;
	int bit;
} flag_names[] = {
	{"O_RDONLY", O_RDONLY},	    {"O_WRONLY", O_WRONLY},	  {"O_RDWR", O_RDWR},
	{"O_CREAT", O_CREAT},	    {"O_TRUNC", O_TRUNC},	  {"O_APPEND", O_APPEND},
	{"O_CLOEXEC", O_CLOEXEC},   {"O_NOFOLLOW", O_NOFOLLOW}, {"O_NONBLOCK", O_NONBLOCK},
	{"O_DIRECTORY", O_DIRECTORY}, {"O_NOATIME", O_NOATIME},	  {"O_PATH", O_PATH},
};

static int parse_flags(char *s)
{
	int flags = 0;

	for (char *tok = strtok(s, ","); tok; tok = strtok(NULL, ",")) {
		size_t i;

		for (i = 0; i < sizeof(flag_names) / sizeof(flag_names[0]); i++)
			if (!strcmp(tok, flag_names[i].name))
				break;
		if (i == sizeof(flag_names) / sizeof(flag_names[0])) {
			fprintf(stderr, "open_file: unknown flag %s\n", tok);
			exit(2);
		}
		flags |= flag_names[i].bit;
	}
	return flags;
}

static long do_open(const char *method, int dirfd, const char *path, int flags)
{
	struct open_how how = {.flags = (unsigned)flags, .mode = flags & O_CREAT ? 0600 : 0};

	if (!strcmp(method, "open"))
		return syscall(SYS_open, path, flags, how.mode);
	if (!strcmp(method, "openat"))
		return syscall(SYS_openat, dirfd, path, flags, how.mode);
	if (!strcmp(method, "openat2"))
		return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	fprintf(stderr, "open_file: unknown method %s\n", method);
	exit(2);
}

int main(int argc, char **argv)
{
	const char *method = "openat", *dir = NULL;
	int flags = O_RDONLY, dirfd = AT_FDCWD, want_errno = 0, c;
	long fd;

	while ((c = getopt(argc, argv, "m:f:C:d:e:")) != -1) {
		switch (c) {
		case 'm': method = optarg; break;
		case 'f': flags = parse_flags(optarg); break;
		case 'C':
			if (chdir(optarg) < 0) {
				perror("open_file: chdir");
				return 1;
			}
			break;
		case 'd': dir = optarg; break;
		case 'e': want_errno = atoi(optarg); break;
		default: return 2;
		}
	}
	if (optind != argc - 1 || (dir && !strcmp(method, "open")))
		return 2;
	if (dir && (dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		perror("open_file: open dir");
		return 1;
	}
	fd = do_open(method, dirfd, argv[optind], flags);
	if (want_errno) {
		if (fd < 0 && errno == want_errno)
			return 0;
		fprintf(stderr, "open_file: %s: want errno %d, got %ld (%s)\n", argv[optind],
			want_errno, fd, fd < 0 ? strerror(errno) : "opened");
		return 1;
	}
	if (fd < 0) {
		fprintf(stderr, "open_file: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	close((int)fd);
	return 0;
}

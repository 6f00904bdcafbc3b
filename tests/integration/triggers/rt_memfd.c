// SPDX-License-Identifier: BSD-2-Clause
/*
 * rt_memfd - run as a runtime binary the agent knows by identity (copied under a runtime's
 * name), re-executes itself the way runc does: a memfd copy ("runc_cloned:/proc/self/exe"),
 * which creates a UTS namespace; that one then executes a copy of itself that is an ordinary
 * file named like a memfd (DIR/memfd:fake), which creates another. The first is still the
 * runtime; the second is not (a name proves nothing, only the kernel's internal mount does).
 *
 *   crun DIR
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

/* A copy of this program in fd (from its current position). */
static int copy_self(int fd)
{
	int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	struct stat st;
	off_t off = 0;

	if (in < 0 || fstat(in, &st) < 0)
		return -1;
	while (off < st.st_size)
		if (sendfile(fd, in, &off, (size_t)(st.st_size - off)) <= 0)
			return -1;
	close(in);
	return 0;
}

int main(int argc, char **argv)
{
	char fake[4096];
	int fd;

	if (argc != 3 && argc != 2)
		return 2;
	if (argc == 2) { /* stage 1, the runtime binary: into the memfd copy */
		char *args[] = {argv[0], argv[1], "memfd", NULL};

		fd = memfd_create("runc_cloned:/proc/self/exe", MFD_CLOEXEC);
		if (fd < 0 || copy_self(fd) < 0)
			return 1;
		fexecve(fd, args, environ);
		return 1;
	}
	if (syscall(SYS_unshare, CLONE_NEWUTS) < 0)
		return 1;
	if (!strcmp(argv[2], "memfd")) { /* stage 2: into a file that only has the name */
		char *args[] = {fake, argv[1], "fake", NULL};

		snprintf(fake, sizeof(fake), "%s/memfd:fake", argv[1]);
		fd = open(fake, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
		if (fd < 0 || copy_self(fd) < 0 || close(fd) < 0)
			return 1;
		execve(fake, args, environ);
		return 1;
	}
	return 0; /* stage 3 */
}

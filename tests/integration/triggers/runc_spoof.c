// SPDX-License-Identifier: BSD-2-Clause
/*
 * runc_spoof - a workload that names itself like runc's init stage ("runc:[2:INIT]", through
 * prctl(PR_SET_NAME)) and then does what runc does: ptrace-attaches a child, setresuid,
 * unshare(CLONE_NEWUSER | CLONE_NEWNS), and mounts a tmpfs in its new user namespace. Not one
 * of these may be taken for the runtime's. The child's pid goes to PIDFILE.
 *
 *   runc_spoof PIDFILE MOUNTDIR
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child.h"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : write(fd, text, strlen(text));

	if (fd >= 0)
		close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int attach_child(const char *pidfile)
{
	int status, rc = 0;
	pid_t child = child_waiting();

	if (child < 0)
		return -1;
	if (ptrace(PTRACE_ATTACH, child, NULL, NULL) < 0 ||
	    waitpid(child, &status, __WALL) != child || ptrace(PTRACE_DETACH, child, NULL, NULL) < 0)
		rc = -1;
	if (pid_to_file(pidfile, child) < 0)
		rc = -1;
	child_end(child);
	return rc;
}

int main(int argc, char **argv)
{
	char map[64];
	uid_t uid = getuid();
	gid_t gid = getgid();

	if (argc != 3)
		return 2;
	if (prctl(PR_SET_NAME, "runc:[2:INIT]", 0, 0, 0) < 0) {
		perror("runc_spoof: prctl");
		return 1;
	}
	if (attach_child(argv[1]) < 0) {
		perror("runc_spoof: ptrace");
		return 1;
	}
	if (setresuid(uid, uid, uid) < 0 || unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
		perror("runc_spoof: setresuid/unshare");
		return 1;
	}
	/* root inside: this process's own ids mapped */
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)uid);
	if (write_file("/proc/self/setgroups", "deny") < 0 ||
	    write_file("/proc/self/uid_map", map) < 0) {
		perror("runc_spoof: uid_map");
		return 1;
	}
	snprintf(map, sizeof(map), "0 %u 1\n", (unsigned)gid);
	if (write_file("/proc/self/gid_map", map) < 0 ||
	    mount("none", argv[2], "tmpfs", 0, "size=64k") < 0) {
		perror("runc_spoof: mount in the user namespace");
		return 1;
	}
	return 0;
}

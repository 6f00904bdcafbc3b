// SPDX-License-Identifier: BSD-2-Clause
/*
 * procfs.c - one process from /proc/<pid>: stat (ppid, start time), status (uids, gid), comm,
 * exe, cmdline (bounded, redacted). Never environ. The proc root is a parameter so that tests
 * can point it at a fixture and the DaemonSet at the host's /proc.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "procfs.h"
#include "redact.h"

static ssize_t read_small(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	return n;
}

/* /proc/<pid>/stat: the comm may hold spaces and ')', so parse after the last ')'. */
static int parse_stat(const char *buf, uint32_t *ppid, uint64_t *start_ticks)
{
	const char *p = strrchr(buf, ')');
	unsigned long long st = 0;
	int pp = 0;

	if (!p)
		return -1;
	/* fields after comm: state(3) ppid(4) … starttime(22) */
	if (sscanf(p + 2, "%*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			  "%*d %*d %llu",
		   &pp, &st) != 2)
		return -1;
	*ppid = (uint32_t)pp;
	*start_ticks = st;
	return 0;
}

static void parse_status(const char *buf, struct proc_entry *e)
{
	const char *u = strstr(buf, "\nUid:");
	const char *g = strstr(buf, "\nGid:");
	unsigned r, ef;

	if (u && sscanf(u + 5, "%u %u", &r, &ef) == 2) {
		e->uid = r;
		e->euid = ef;
	}
	if (g && sscanf(g + 5, "%u", &r) == 1)
		e->gid = r;
}

struct proc_entry *procfs_read(struct proc_cache *pc, const char *root, uint32_t tgid)
{
	char path[128], buf[4096], exe[C2D_PROC_EXE_MAX], args[C2D_PROC_ARGS_MAX];
	static long ticks;
	uint64_t start_ticks;
	struct proc_entry *e;
	uint32_t ppid;
	ssize_t n, an;

	if (!ticks)
		ticks = sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "%s/%u/stat", root, tgid);
	if (read_small(path, buf, sizeof(buf)) < 0 || parse_stat(buf, &ppid, &start_ticks) < 0)
		return NULL;
	e = proc_cache_upsert(pc, tgid);
	if (!e)
		return NULL;
	e->ppid = ppid;
	e->start_ns = start_ticks * (1000000000ull / (uint64_t)ticks);
	snprintf(path, sizeof(path), "%s/%u/status", root, tgid);
	if (read_small(path, buf, sizeof(buf)) > 0)
		parse_status(buf, e);
	snprintf(path, sizeof(path), "%s/%u/comm", root, tgid);
	n = read_small(path, buf, sizeof(e->comm) + 1);
	if (n > 0) {
		buf[strcspn(buf, "\n")] = 0;
		buf[sizeof(e->comm) - 1] = 0;
		memcpy(e->comm, buf, sizeof(e->comm));
	}
	snprintf(path, sizeof(path), "%s/%u/exe", root, tgid);
	n = readlink(path, exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = 0;
	snprintf(path, sizeof(path), "%s/%u/cmdline", root, tgid);
	an = read_small(path, buf, sizeof(args) + 1);
	if (an > 0) {
		bool trunc = (size_t)an > sizeof(args) - 1;
		size_t rl = redact_args(buf, trunc ? sizeof(args) - 1 : (size_t)an, args,
					sizeof(args));

		proc_cache_set_exec(pc, e, n > 0 ? exe : NULL, args, rl, trunc);
	} else {
		proc_cache_set_exec(pc, e, n > 0 ? exe : NULL, NULL, 0, false);
	}
	return e;
}

int procfs_seed(struct proc_cache *pc, const char *root)
{
	struct dirent *d;
	DIR *dir = opendir(root);
	int count = 0;

	if (!dir)
		return -1;
	while ((d = readdir(dir)) != NULL) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (!isdigit((unsigned char)d->d_name[0]) || *end || pid == 0 || pid > UINT32_MAX)
			continue;
		if (procfs_read(pc, root, (uint32_t)pid))
			count++;
	}
	closedir(dir);
	return count;
}

// SPDX-License-Identifier: BSD-2-Clause
/* harness_proc.c - trigger programs, JSON access, temporary files (see harness.h). */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness_int.h"

/* ---- trigger programs --------------------------------------------------------------------- */

const char *h_trigger(const char *name)
{
	static char cache[32][PATH_MAX], unresolved[PATH_MAX];
	static size_t used;
	const char *dir = getenv("C2D_TRIGGERS") ? getenv("C2D_TRIGGERS") : "build/triggers";

	for (size_t i = 0; i < used; i++)
		if (!strcmp(strrchr(cache[i], '/') + 1, name))
			return cache[i];
	snprintf(unresolved, sizeof(unresolved), "%s/%s", dir, name);
	if (used == 32 || !realpath(unresolved, cache[used])) {
		/* exec will fail and say so; the test then fails on the trigger's status */
		fprintf(stderr, "harness: trigger %s: %s\n", unresolved, strerror(errno));
		return unresolved;
	}
	return cache[used++];
}

static void exec_trigger(char *const argv[], int uid, int gid)
{
	int null = open("/dev/null", O_RDONLY);

	if (null < 0 || dup2(null, 0) < 0)
		_exit(126);
	/* no inherited descriptor (make's jobserver…): the trigger's first open is fd 3 */
	close_range(3, ~0u, 0);
	if (gid != H_KEEP_ID && (setgroups(0, NULL) < 0 || setgid((gid_t)gid) < 0))
		_exit(126);
	if (uid != H_KEEP_ID && setuid((uid_t)uid) < 0)
		_exit(126);
	execv(argv[0], argv);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int h_spawn(struct h_proc *p, char *const argv[], int uid, int gid)
{
	memset(p, 0, sizeof(*p));
	p->argv = argv;
	p->uid = p->euid = uid == H_KEEP_ID ? geteuid() : (uid_t)uid;
	p->gid = gid == H_KEEP_ID ? getgid() : (gid_t)gid;
	if (!realpath(argv[0], p->exe))
		return -errno;
	clock_gettime(CLOCK_REALTIME, &p->started);
	p->pid = fork();
	if (p->pid < 0)
		return -errno;
	if (p->pid == 0)
		exec_trigger(argv, uid, gid);
	return 0;
}

/* Reap p within timeout_ms (SIGKILL after), pumping a meanwhile; 0, -ETIMEDOUT or -errno. */
static int reap_proc(struct h_proc *p, struct h_agent *a, int timeout_ms)
{
	int64_t end = h_now_ms() + timeout_ms;
	pid_t r;

	while ((r = waitpid(p->pid, &p->status, WNOHANG)) <= 0) {
		if (r < 0 && errno != EINTR)
			return -errno;
		if (h_now_ms() >= end) {
			fprintf(stderr, "harness: %s (pid %d) still runs after %d ms\n",
				p->argv[0], p->pid, timeout_ms);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &p->status, 0);
			return -ETIMEDOUT;
		}
		if (a)
			h_agent_pump(a, 5);
		else
			h_sleep_ms(5);
	}
	return 0;
}

int h_wait(struct h_proc *p, struct h_agent *a, int timeout_ms)
{
	int rc = reap_proc(p, a, timeout_ms);

	if (rc == 0 && (!WIFEXITED(p->status) || WEXITSTATUS(p->status) != 0)) {
		fprintf(stderr, "harness: %s (pid %d) ended with wait status 0x%x\n", p->argv[0],
			p->pid, p->status);
		rc = -ECHILD;
	}
	return rc;
}

int h_run(struct h_proc *p, struct h_agent *a, char *const argv[], int uid, int gid)
{
	int rc = h_spawn(p, argv, uid, gid);

	if (rc < 0) {
		fprintf(stderr, "harness: spawn %s: %s\n", argv[0], strerror(-rc));
		return rc;
	}
	return h_wait(p, a, H_RUN_TIMEOUT_MS);
}

static void read_back(int fd, char *buf, size_t cap)
{
	ssize_t n = cap ? pread(fd, buf, cap - 1, 0) : 0;

	if (cap)
		buf[n > 0 ? n : 0] = 0;
	close(fd);
}

int h_exec(struct h_exec *r, struct h_agent *a, int id, const char *prog,
	   const char *const *args)
{
	int n = 0;

	r->argv[n++] = (char *)(strchr(prog, '/') ? prog : h_trigger(prog));
	for (; args && *args && n <= H_EXEC_ARGS; args++)
		r->argv[n++] = (char *)*args;
	r->argv[n] = NULL;
	return h_run(&r->p, a, r->argv, id, id);
}

int h_run_capture(char *const argv[], int *status, char *out, size_t outcap, char *err,
		  size_t errcap)
{
	int ofd = memfd_create("h-out", MFD_CLOEXEC), efd = memfd_create("h-err", MFD_CLOEXEC);
	struct h_proc p = {.argv = argv};
	int rc = 0;

	if (ofd < 0 || efd < 0) {
		rc = -errno;
		close(ofd);
		close(efd);
		return rc;
	}
	p.pid = fork();
	if (p.pid == 0) {
		if (dup2(ofd, 1) < 0 || dup2(efd, 2) < 0)
			_exit(126);
		exec_trigger(argv, H_KEEP_ID, H_KEEP_ID);
	}
	if (p.pid < 0)
		rc = -errno;
	else
		rc = reap_proc(&p, NULL, H_RUN_TIMEOUT_MS);
	*status = p.status;
	read_back(ofd, out, outcap);
	read_back(efd, err, errcap);
	return rc;
}

/* ---- JSON --------------------------------------------------------------------------------- */

const cJSON *h_get(const cJSON *root, const char *path)
{
	char key[128];

	while (root && *path) {
		size_t n = strcspn(path, ".");

		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = 0;
		root = cJSON_GetObjectItemCaseSensitive(root, key);
		path += n + (path[n] == '.');
	}
	return root;
}

const char *h_str(const cJSON *root, const char *path)
{
	const cJSON *v = h_get(root, path);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

bool h_int(const cJSON *root, const char *path, long long *out)
{
	const cJSON *v = h_get(root, path);

	if (!cJSON_IsNumber(v) || v->valuedouble != (double)(long long)v->valuedouble)
		return false;
	*out = (long long)v->valuedouble;
	return true;
}

bool h_parse_time(const char *s, struct timespec *out)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
	struct tm tm = {0};

	if (!s || strlen(s) != sizeof(shape) - 1)
		return false;
	for (size_t i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
			return false;
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%9ld", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &out->tv_nsec) != 7 ||
	    tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	out->tv_sec = timegm(&tm);
	return true;
}

/* ---- files -------------------------------------------------------------------------------- */

char *h_mkdtemp(void)
{
	char *d = strdup("/tmp/c2dtest.XXXXXX");

	if (!d || !mkdtemp(d) || chmod(d, 0755) < 0) { /* 0755: uid 65534 may chdir into it */
		perror("harness: mkdtemp");
		free(d);
		return NULL;
	}
	return d;
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (remove(path) < 0 && errno != ENOENT)
		fprintf(stderr, "harness: remove %s: %s\n", path, strerror(errno));
	return 0;
}

int h_rm_rf(const char *dir)
{
	/* a guard against a wrong variable wiping something else */
	if (!dir || strncmp(dir, "/tmp/c2dtest.", 13) != 0 || strstr(dir, ".."))
		return -EINVAL;
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0 ? -errno : 0;
}

static int mkdir_parents(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *s = strchr(buf + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		*s = '/';
	}
	return 0;
}

int h_write_file(const char *path, mode_t mode)
{
	static const char body[] = "c2d integration test file, not a secret\n";
	int fd = -1, rc;

	/* a retry: another test run may remove a shared parent (/run/secrets/…) meanwhile */
	for (int i = 0; i < 3 && fd < 0; i++) {
		rc = mkdir_parents(path);
		if (rc < 0)
			return rc;
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	}
	if (fd < 0)
		return -errno;
	rc = write(fd, body, sizeof(body) - 1) == (ssize_t)sizeof(body) - 1 ? 0 : -EIO;
	close(fd);
	return rc;
}

/* The cgroup2 mount point, from mountinfo ("… - cgroup2 …"). */
static bool cgroup2_root(char *out, size_t cap)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[4096], mnt[PATH_MAX];
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - cgroup2 ");

		found = sep && sscanf(line, "%*s %*s %*s %*s %4095s", mnt) == 1;
	}
	if (f)
		fclose(f);
	if (found)
		snprintf(out, cap, "%s", mnt);
	return found;
}

unsigned long long h_cgroup_id(pid_t pid)
{
	char path[PATH_MAX], line[4096], root[PATH_MAX];
	unsigned long long id = 0;
	struct stat st;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f || !cgroup2_root(root, sizeof(root))) {
		if (f)
			fclose(f);
		return 0;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = 0;
		if (snprintf(path, sizeof(path), "%s%s", root, line + 3) < (int)sizeof(path) &&
		    stat(path, &st) == 0)
			id = (unsigned long long)st.st_ino;
	}
	fclose(f);
	return id;
}


int h_sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc != 0)
		fprintf(stderr, "command failed (%d): %s\n", rc, cmd);
	return rc;
}

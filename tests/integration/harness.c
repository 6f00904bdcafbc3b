// SPDX-License-Identifier: BSD-2-Clause
/*
 * harness.c - see harness.h. The agent and the triggers are real processes; nothing here
 * knows the agent's internals, only its command line, its stderr log and its NDJSON output.
 */
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

#include "harness.h"

#define H_MAX_EVENTS 4096	  /* events kept; older ones are dropped (counted) */
#define H_LINE_MAX (256 * 1024)	  /* one NDJSON line; longer is a bad line */
#define H_PIPE_SIZE (1 << 20)	  /* room for the agent to write while we are busy */
#define H_PUMP_MAX (1 << 20)	  /* bytes read per poll */
#define H_STDERR_MAX (256 * 1024) /* what we read back of the agent's log */
#define H_TIME_SLACK_NS (5 * 1000000000LL) /* clock mapping slack for time checks */

struct h_agent {
	pid_t pid;
	int out_fd;  /* read end of the agent's stdout, non-blocking; -1 at EOF */
	int err_fd;  /* the agent's stderr: an unlinked temp file */
	bool reaped;
	int status;
	cJSON *ev[H_MAX_EVENTS]; /* ring: ev[(first + i) % H_MAX_EVENTS], i < n */
	size_t first, n, dropped, bad_lines;
	char *line;
	size_t len;
	bool skipping; /* inside a line that was too long */
	char instance[17];
	char node[256];
	char self_pid[32], self_ppid[32]; /* "\"pid\":<us>," and "\"ppid\":<us>," */
	char keep[4][160]; /* more substrings that make a line ours (a container id…) */
};

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* ---- the agent's output ------------------------------------------------------------------ */

static void store(struct h_agent *a, cJSON *ev)
{
	if (a->n == H_MAX_EVENTS) {
		cJSON_Delete(a->ev[a->first]);
		a->first = (a->first + 1) % H_MAX_EVENTS;
		a->n--;
		a->dropped++;
	}
	a->ev[(a->first + a->n) % H_MAX_EVENTS] = ev;
	a->n++;
}

/*
 * Only events of this process and its children are kept (process.pid, process.ppid or
 * process.parent.pid is us): other people's tests run on the machine too, and a busy
 * neighbour can make the agent print 100k lines a second. A substring test is enough to
 * pick ours cheaply; the rest are only checked for their shape.
 */
static bool is_ours(const struct h_agent *a)
{
	if (memmem(a->line, a->len, a->self_pid, strlen(a->self_pid)) ||
	    memmem(a->line, a->len, a->self_ppid, strlen(a->self_ppid)))
		return true;
	for (int i = 0; i < 4 && a->keep[i][0]; i++)
		if (memmem(a->line, a->len, a->keep[i], strlen(a->keep[i])))
			return true;
	return false;
}

int h_agent_keep(struct h_agent *a, const char *substr)
{
	for (int i = 0; i < 4; i++) {
		if (!a->keep[i][0]) {
			snprintf(a->keep[i], sizeof(a->keep[i]), "%s", substr);
			return 0;
		}
	}
	return -1;
}

static void end_line(struct h_agent *a)
{
	cJSON *ev = NULL;
	bool ok;

	if (a->skipping)
		ok = false;
	else if (is_ours(a))
		ok = cJSON_IsObject(ev = cJSON_ParseWithLength(a->line, a->len));
	else
		ok = a->len >= 2 && a->line[0] == '{' && a->line[a->len - 1] == '}';
	if (ok && ev)
		store(a, ev);
	if (!ok) {
		/* the agent's stdout is NDJSON only: anything else is a finding of the test */
		if (a->bad_lines++ < 5)
			fprintf(stderr, "harness: agent stdout line is not a JSON object: %.*s\n",
				(int)(a->len > 200 ? 200 : a->len), a->line);
		cJSON_Delete(ev);
	}
	a->len = 0;
	a->skipping = false;
}

static void feed(struct h_agent *a, const char *buf, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(buf, '\n', n);
		size_t take = nl ? (size_t)(nl - buf) : n;

		if (!a->skipping && a->len + take < H_LINE_MAX) {
			memcpy(a->line + a->len, buf, take);
			a->len += take;
		} else {
			a->skipping = true;
		}
		if (!nl)
			return;
		end_line(a);
		buf = nl + 1;
		n -= take + 1;
	}
}

static void reap(struct h_agent *a, int flags)
{
	if (!a->reaped && waitpid(a->pid, &a->status, flags) == a->pid)
		a->reaped = true;
}

/* Wait up to ms for output, then read what there is, at most H_PUMP_MAX bytes. */
static void pump_once(struct h_agent *a, int ms)
{
	struct pollfd pfd = {.fd = a->out_fd, .events = POLLIN};
	char buf[65536];
	size_t total = 0;
	ssize_t n = -1;

	if (a->out_fd < 0) { /* the agent is gone: nothing will come */
		reap(a, WNOHANG);
		sleep_ms(ms < 10 ? ms : 10);
		return;
	}
	if (poll(&pfd, 1, ms) <= 0)
		return;
	/* bounded: a writer faster than us must not keep a wait from looking at what came */
	while (total < H_PUMP_MAX && (n = read(a->out_fd, buf, sizeof(buf))) > 0) {
		feed(a, buf, (size_t)n);
		total += (size_t)n;
	}
	if (n == 0) {
		if (a->len || a->skipping)
			end_line(a); /* a last line without its newline: cut short */
		close(a->out_fd);
		a->out_fd = -1;
		reap(a, WNOHANG);
	}
}

void h_agent_pump(struct h_agent *a, int ms)
{
	int64_t end = now_ms() + ms;

	for (int64_t left = ms; left > 0; left = end - now_ms())
		pump_once(a, (int)left);
}

const cJSON *h_agent_find(const struct h_agent *a, h_pred pred, const void *arg)
{
	for (size_t i = 0; i < a->n; i++) {
		const cJSON *ev = a->ev[(a->first + i) % H_MAX_EVENTS];

		if (pred(ev, arg))
			return ev;
	}
	return NULL;
}

const cJSON *h_agent_wait(struct h_agent *a, h_pred pred, const void *arg, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	const cJSON *ev;

	while (!(ev = h_agent_find(a, pred, arg))) {
		int64_t left = end - now_ms();

		if (left <= 0 || a->out_fd < 0)
			return NULL;
		pump_once(a, left < 50 ? (int)left : 50);
	}
	return ev;
}

size_t h_agent_nevents(const struct h_agent *a)
{
	return a->n;
}

const cJSON *h_agent_event(const struct h_agent *a, size_t i)
{
	return i < a->n ? a->ev[(a->first + i) % H_MAX_EVENTS] : NULL;
}

size_t h_agent_bad_lines(const struct h_agent *a)
{
	return a->bad_lines;
}

const char *h_agent_instance(const struct h_agent *a)
{
	return a->instance[0] ? a->instance : NULL;
}

const char *h_agent_node_name(const struct h_agent *a)
{
	return a->node;
}

bool h_match_event(const cJSON *ev, const void *match)
{
	const struct h_match *m = match;
	long long pid;

	if (m->pid && (!h_int(ev, "process.pid", &pid) || pid != m->pid))
		return false;
	if (m->kind && (!h_str(ev, "kind") || strcmp(h_str(ev, "kind"), m->kind)))
		return false;
	if (m->rule && (!h_str(ev, "rule") || strcmp(h_str(ev, "rule"), m->rule)))
		return false;
	return !m->syscall ||
	       (h_str(ev, "syscall.name") && !strcmp(h_str(ev, "syscall.name"), m->syscall));
}

/* ---- the agent's life --------------------------------------------------------------------- */

static ssize_t read_stderr(const struct h_agent *a, char *buf, size_t cap)
{
	ssize_t n = pread(a->err_fd, buf, cap - 1, 0);

	buf[n > 0 ? n : 0] = 0;
	return n;
}

void h_agent_dump_stderr(const struct h_agent *a)
{
	char *buf = malloc(H_STDERR_MAX);

	if (!buf)
		return;
	read_stderr(a, buf, H_STDERR_MAX);
	fprintf(stderr, "---- agent stderr ----\n%s---- end of agent stderr ----\n", buf);
	free(buf);
}

/* `ready` as a word ("already" is not it); copies the instance id if the line has one. */
static bool saw_ready(struct h_agent *a, const char *log)
{
	for (const char *p = strstr(log, "ready"); p; p = strstr(p + 1, "ready")) {
		const char *inst;

		if (p > log && ((p[-1] >= 'a' && p[-1] <= 'z') || (p[-1] >= 'A' && p[-1] <= 'Z')))
			continue;
		inst = strstr(p, "instance ");
		if (inst && inst < p + 40 && strspn(inst + 9, "0123456789abcdef") >= 16)
			memcpy(a->instance, inst + 9, 16);
		return true;
	}
	return false;
}

/* node.name as the agent chooses it: --node-name, $C2D_NODE_NAME, $NODE_NAME, host name. */
static void expected_node(struct h_agent *a, const char *const *args)
{
	const char *v = NULL;

	for (size_t i = 0; args && args[i]; i++)
		if (!strcmp(args[i], "--node-name") && args[i + 1])
			v = args[i + 1];
	if (!v && getenv("C2D_NODE_NAME") && *getenv("C2D_NODE_NAME"))
		v = getenv("C2D_NODE_NAME");
	if (!v && getenv("NODE_NAME") && *getenv("NODE_NAME"))
		v = getenv("NODE_NAME");
	if (v)
		snprintf(a->node, sizeof(a->node), "%s", v);
	else if (gethostname(a->node, sizeof(a->node) - 1) < 0)
		snprintf(a->node, sizeof(a->node), "unknown");
}

static void exec_agent(const struct h_agent *a, int out_w, const char *const *args)
{
	const char *argv[64] = {getenv("C2D_AGENT") ? getenv("C2D_AGENT") : "build/c2d-agent-san",
				"--stdout"};
	size_t n = 2;
	int null = open("/dev/null", O_RDONLY);

	for (size_t i = 0; args && args[i] && n < 63; i++)
		argv[n++] = args[i];
	if (null < 0 || dup2(null, 0) < 0 || dup2(out_w, 1) < 0 || dup2(a->err_fd, 2) < 0)
		_exit(126);
	close_range(3, ~0u, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM); /* a crashed test must not leave an agent behind */
	execv(argv[0], (char *const *)argv);
	dprintf(2, "harness: exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static int wait_ready(struct h_agent *a)
{
	int64_t end = now_ms() + H_READY_TIMEOUT_MS;
	char *log = malloc(H_STDERR_MAX);
	int rc = -ETIMEDOUT;

	while (log && now_ms() < end) {
		read_stderr(a, log, H_STDERR_MAX);
		if (saw_ready(a, log)) {
			rc = 0;
			break;
		}
		reap(a, WNOHANG);
		if (a->reaped) {
			fprintf(stderr, "harness: the agent exited (status 0x%x) before ready\n",
				a->status);
			rc = -ECHILD;
			break;
		}
		pump_once(a, 50);
	}
	if (rc == -ETIMEDOUT)
		fprintf(stderr, "harness: no `ready` from the agent in %d ms\n",
			H_READY_TIMEOUT_MS);
	free(log);
	return rc;
}

static struct h_agent *agent_new(const char *const *args)
{
	char tmpl[] = "/tmp/c2d-agent-stderr.XXXXXX";
	struct h_agent *a = calloc(1, sizeof(*a));

	if (!a || !(a->line = malloc(H_LINE_MAX)))
		goto fail;
	a->out_fd = -1;
	a->err_fd = mkostemp(tmpl, O_APPEND | O_CLOEXEC);
	if (a->err_fd < 0)
		goto fail;
	unlink(tmpl);
	expected_node(a, args);
	snprintf(a->self_pid, sizeof(a->self_pid), "\"pid\":%d,", (int)getpid());
	snprintf(a->self_ppid, sizeof(a->self_ppid), "\"ppid\":%d,", (int)getpid());
	return a;
fail:
	perror("harness: agent_new");
	if (a)
		free(a->line);
	free(a);
	return NULL;
}

/* C2D_INTEG_VERBOSE=1: show what the run saw, for reading a passing run too. */
static void dump_events(const struct h_agent *a)
{
	const char *v = getenv("C2D_INTEG_VERBOSE");

	if (!v || !*v || !strcmp(v, "0"))
		return;
	for (size_t i = 0; i < a->n; i++) {
		char *s = cJSON_PrintUnformatted(a->ev[(a->first + i) % H_MAX_EVENTS]);

		fprintf(stderr, "harness: event %s\n", s ? s : "?");
		free(s);
	}
}

static void agent_free(struct h_agent *a)
{
	for (size_t i = 0; i < a->n; i++)
		cJSON_Delete(a->ev[(a->first + i) % H_MAX_EVENTS]);
	if (a->out_fd >= 0)
		close(a->out_fd);
	close(a->err_fd);
	free(a->line);
	free(a);
}

struct h_agent *h_agent_start(const char *const *args)
{
	struct h_agent *a = agent_new(args);
	int p[2];

	if (!a)
		return NULL;
	if (pipe2(p, O_CLOEXEC) < 0) {
		perror("harness: pipe2");
		agent_free(a);
		return NULL;
	}
	fcntl(p[0], F_SETPIPE_SZ, H_PIPE_SIZE); /* best effort: the default 64 KiB also works */
	a->out_fd = p[0];
	a->pid = fork();
	if (a->pid == 0)
		exec_agent(a, p[1], args);
	close(p[1]);
	if (a->pid < 0 || fcntl(a->out_fd, F_SETFL, O_NONBLOCK) < 0 || wait_ready(a) < 0) {
		h_agent_dump_stderr(a);
		if (a->pid > 0 && !a->reaped) {
			kill(a->pid, SIGKILL);
			reap(a, 0);
		}
		agent_free(a);
		return NULL;
	}
	return a;
}

int h_agent_stop(struct h_agent *a)
{
	int64_t end = now_ms() + H_STOP_TIMEOUT_MS;
	int rc = 0;

	if (!a)
		return -EINVAL;
	if (!a->reaped)
		kill(a->pid, SIGTERM);
	/* keep reading: what the agent flushes on its way out is part of the run */
	while ((a->out_fd >= 0 || !a->reaped) && now_ms() < end) {
		pump_once(a, 100);
		reap(a, WNOHANG);
	}
	if (!a->reaped) {
		fprintf(stderr, "harness: the agent did not stop in %d ms\n", H_STOP_TIMEOUT_MS);
		kill(a->pid, SIGKILL);
		reap(a, 0);
		rc = -ETIMEDOUT;
	} else if (!WIFEXITED(a->status) || WEXITSTATUS(a->status) != 0) {
		fprintf(stderr, "harness: the agent stopped with wait status 0x%x\n", a->status);
		rc = -ECHILD;
	}
	if (rc)
		h_agent_dump_stderr(a);
	if (a->dropped)
		fprintf(stderr, "harness: %zu old events were dropped from memory\n", a->dropped);
	dump_events(a);
	agent_free(a);
	return rc;
}

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
	int64_t end = now_ms() + timeout_ms;
	pid_t r;

	while ((r = waitpid(p->pid, &p->status, WNOHANG)) <= 0) {
		if (r < 0 && errno != EINTR)
			return -errno;
		if (now_ms() >= end) {
			fprintf(stderr, "harness: %s (pid %d) still runs after %d ms\n",
				p->argv[0], p->pid, timeout_ms);
			kill(p->pid, SIGKILL);
			waitpid(p->pid, &p->status, 0);
			return -ETIMEDOUT;
		}
		if (a)
			pump_once(a, 5);
		else
			sleep_ms(5);
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

/* ---- checks --------------------------------------------------------------------------------- */

static void fail_field(const cJSON *ev, const char *path, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Print the whole event, then fail the test naming the field: the event is the evidence. */
static void fail_field(const cJSON *ev, const char *path, const char *fmt, ...)
{
	char *s = ev ? cJSON_PrintUnformatted(ev) : NULL;
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	print_error("event: %s\n", s ? s : "(none)");
	free(s);
	fail_msg("%s: %s", path, why);
}

void h_expect_str(const cJSON *ev, const char *path, const char *want)
{
	const cJSON *v = h_get(ev, path);

	if (!want) {
		h_expect_absent(ev, path);
		return;
	}
	if (!cJSON_IsString(v))
		fail_field(ev, path, "want \"%s\", is %s", want, v ? "not a string" : "absent");
	if (strcmp(v->valuestring, want) != 0)
		fail_field(ev, path, "want \"%s\", got \"%s\"", want, v->valuestring);
}

void h_expect_int(const cJSON *ev, const char *path, long long want)
{
	long long got;

	if (!h_int(ev, path, &got))
		fail_field(ev, path, "want %lld, is absent or not an integer", want);
	if (got != want)
		fail_field(ev, path, "want %lld, got %lld", want, got);
}

void h_expect_absent(const cJSON *ev, const char *path)
{
	if (h_get(ev, path))
		fail_field(ev, path, "must be absent");
}

void h_expect_strs(const cJSON *ev, const char *path, const char *const *want)
{
	const cJSON *arr = h_get(ev, path);
	int i = 0;

	if (!cJSON_IsArray(arr))
		fail_field(ev, path, "want an array, is %s", arr ? "something else" : "absent");
	for (; want[i]; i++) {
		const cJSON *v = cJSON_GetArrayItem(arr, i);

		if (!cJSON_IsString(v) || strcmp(v->valuestring, want[i]) != 0)
			fail_field(ev, path, "[%d]: want \"%s\", got %s%s%s", i, want[i],
				   cJSON_IsString(v) ? "\"" : "", v ? (cJSON_IsString(v) ?
				   v->valuestring : "a non-string") : "nothing",
				   cJSON_IsString(v) ? "\"" : "");
	}
	if (cJSON_GetArraySize(arr) != i)
		fail_field(ev, path, "want %d items, got %d", i, cJSON_GetArraySize(arr));
}

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* A time field: RFC 3339 and within [lo - slack, hi + slack]. */
static long long expect_time(const cJSON *ev, const char *path, long long lo, long long hi)
{
	struct timespec t;

	if (!h_parse_time(h_str(ev, path), &t))
		fail_field(ev, path, "not RFC 3339 UTC with nanoseconds");
	if (ts_ns(&t) < lo - H_TIME_SLACK_NS || ts_ns(&t) > hi + H_TIME_SLACK_NS)
		fail_field(ev, path, "%lld ns is outside [%lld, %lld]", ts_ns(&t), lo, hi);
	return ts_ns(&t);
}

/* "<16 hex instance>-<16 hex sequence>", the instance the agent logged at ready. */
static void expect_id(const struct h_agent *a, const cJSON *ev)
{
	const char *id = h_str(ev, "id");
	const char *hex = "0123456789abcdef";

	if (!id || strlen(id) != 33 || strspn(id, hex) != 16 || id[16] != '-' ||
	    strspn(id + 17, hex) != 16)
		fail_field(ev, "id", "want 16 hex '-' 16 hex");
	if (h_agent_instance(a) && strncmp(id, h_agent_instance(a), 16) != 0)
		fail_field(ev, "id", "instance part is not %s", h_agent_instance(a));
}

static const char *self_comm(void)
{
	static char comm[32];
	FILE *f;

	if (!comm[0] && (f = fopen("/proc/self/comm", "re"))) {
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
	}
	return comm;
}

static void expect_args(const cJSON *ev, char *const *argv)
{
	const char *want[64];
	size_t n = 0;

	while (argv[n] && n < 63) {
		want[n] = argv[n];
		n++;
	}
	want[n] = NULL;
	h_expect_strs(ev, "process.args", want);
}

static void expect_process(const cJSON *ev, const struct h_proc *p, long long ev_time)
{
	const char *base = strrchr(p->exe, '/') ? strrchr(p->exe, '/') + 1 : p->exe;
	char comm[16] = {0}, self[PATH_MAX];

	strncpy(comm, base, sizeof(comm) - 1); /* the kernel keeps 15 bytes (TASK_COMM_LEN) */
	if (!realpath("/proc/self/exe", self))
		fail_msg("realpath /proc/self/exe: %s", strerror(errno));
	h_expect_int(ev, "process.pid", p->pid);
	h_expect_absent(ev, "process.tid"); /* triggers are single-threaded */
	h_expect_int(ev, "process.ppid", getpid());
	h_expect_int(ev, "process.uid", p->uid);
	h_expect_int(ev, "process.euid", p->euid);
	h_expect_int(ev, "process.gid", p->gid);
	h_expect_str(ev, "process.comm", comm);
	h_expect_str(ev, "process.executable", p->exe);
	expect_args(ev, p->argv);
	h_expect_absent(ev, "process.args_truncated");
	expect_time(ev, "process.start_time", ts_ns(&p->started), ev_time);
	h_expect_int(ev, "process.parent.pid", getpid());
	h_expect_str(ev, "process.parent.comm", self_comm());
	h_expect_str(ev, "process.parent.executable", self);
}

static void expect_syscall(const cJSON *ev, const struct h_expect *x)
{
	h_expect_str(ev, "syscall.name", x->syscall);
	h_expect_int(ev, "syscall.ret", x->ret);
	if (x->ret < 0 && x->ret > -4096) {
		h_expect_int(ev, "syscall.errno", -x->ret);
		h_expect_str(ev, "syscall.error", strerrorname_np((int)-x->ret));
	} else {
		h_expect_absent(ev, "syscall.errno");
		h_expect_absent(ev, "syscall.error");
	}
	if (x->flags)
		h_expect_strs(ev, "syscall.flags", x->flags);
	else
		h_expect_absent(ev, "syscall.flags");
	if (x->has_args && !cJSON_IsObject(h_get(ev, "syscall.args")))
		fail_field(ev, "syscall.args", "want an object");
	if (!x->has_args)
		h_expect_absent(ev, "syscall.args");
}

static void expect_file(const cJSON *ev, const struct h_expect *x)
{
	if (!x->path) {
		h_expect_absent(ev, "file");
		return;
	}
	h_expect_str(ev, "file.path", x->path);
	h_expect_str(ev, "file.new_path", x->new_path);
	h_expect_absent(ev, "file.truncated");
}

void h_check_event(const struct h_agent *a, const cJSON *ev, const struct h_proc *p,
		   const struct h_expect *x)
{
	unsigned long long cg = h_cgroup_id(getpid()); /* the trigger ran in ours */
	struct timespec now;
	long long t, id;

	clock_gettime(CLOCK_REALTIME, &now);
	h_expect_str(ev, "schema", "cloud2dev.event/v1");
	expect_id(a, ev);
	t = expect_time(ev, "time", ts_ns(&p->started), ts_ns(&now));
	h_expect_str(ev, "kind", x->kind);
	h_expect_str(ev, "rule", x->rule);
	h_expect_str(ev, "severity", x->severity);
	h_expect_str(ev, "outcome", x->failure ? "failure" : "success");
	h_expect_str(ev, "node.name", h_agent_node_name(a));
	expect_process(ev, p, t);
	expect_syscall(ev, x);
	expect_file(ev, x);
	if (x->has_network && !cJSON_IsObject(h_get(ev, "network")))
		fail_field(ev, "network", "want an object");
	if (!x->has_network)
		h_expect_absent(ev, "network");
	if (cg)
		h_expect_int(ev, "cgroup_id", (long long)cg);
	else if (!h_int(ev, "cgroup_id", &id) || id <= 0)
		fail_field(ev, "cgroup_id", "want a positive integer");
}

const cJSON *h_expect_event(struct h_agent *a, const struct h_proc *p, const char *kind,
			    const char *rule, const char *syscall)
{
	struct h_match m = {.pid = p->pid, .kind = kind, .rule = rule, .syscall = syscall};
	const struct h_match by_pid = {.pid = p->pid};
	const cJSON *ev = h_agent_wait(a, h_match_event, &m, H_EVENT_TIMEOUT_MS);

	if (ev)
		return ev;
	/* what did come from that process is the best clue */
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *e = h_agent_event(a, i);
		char *s;

		if (!h_match_event(e, &by_pid) || !(s = cJSON_PrintUnformatted(e)))
			continue;
		print_error("event of pid %d: %s\n", p->pid, s);
		free(s);
	}
	if (a->out_fd < 0)
		h_agent_dump_stderr(a);
	fail_msg("no %s / %s / %s event for %s (pid %d) within %d ms", kind ? kind : "*",
		 rule ? rule : "*", syscall ? syscall : "*", p->argv[0], p->pid,
		 H_EVENT_TIMEOUT_MS);
	return NULL;
}

void h_expect_none(const struct h_agent *a, const struct h_match *m, const char *what)
{
	const cJSON *ev = h_agent_find(a, h_match_event, m);

	if (ev)
		fail_field(ev, what, "reported, but must not be");
}

void h_expect_unique_ids(const struct h_agent *a)
{
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *e = h_agent_event(a, i);
		const char *id = h_str(e, "id");

		expect_id(a, e);
		for (size_t j = i + 1; j < h_agent_nevents(a); j++)
			if (!strcmp(id, h_str(h_agent_event(a, j), "id") ?: ""))
				fail_field(e, "id", "also carried by event #%zu", j);
	}
}

int h_suite_setup(struct h_suite *s)
{
	const char *args[] = {"--storage-path", s->storage, NULL};

	s->tmp = h_mkdtemp();
	if (!s->tmp)
		return -1;
	snprintf(s->storage, sizeof(s->storage), "%s/storage", s->tmp);
	if (mkdir(s->storage, 0755) < 0)
		return -1;
	s->agent = h_agent_start(args);
	return s->agent ? 0 : -1;
}

int h_suite_teardown(struct h_suite *s)
{
	size_t bad = s->agent ? h_agent_bad_lines(s->agent) : 0;
	int rc = s->agent ? h_agent_stop(s->agent) : 0; /* no agent: setup already failed */

	h_rm_rf(s->tmp);
	free(s->tmp);
	if (bad)
		fprintf(stderr, "%zu agent stdout lines were not JSON objects\n", bad);
	return rc || bad ? -1 : 0;
}

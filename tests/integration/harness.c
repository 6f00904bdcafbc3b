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

#include "harness_int.h"

#define H_MAX_EVENTS 4096	  /* events kept; older ones are dropped (counted) */
#define H_LINE_MAX (256 * 1024)	  /* one NDJSON line; longer is a bad line */
#define H_PIPE_SIZE (1 << 20)	  /* room for the agent to write while we are busy */
#define H_PUMP_MAX (1 << 20)	  /* bytes read per poll */
#define H_STDERR_MAX (256 * 1024) /* what we read back of the agent's log */

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
		h_sleep_ms(ms < 10 ? ms : 10);
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
	int64_t end = h_now_ms() + ms;

	for (int64_t left = ms; left > 0; left = end - h_now_ms())
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
	int64_t end = h_now_ms() + timeout_ms;
	const cJSON *ev;

	while (!(ev = h_agent_find(a, pred, arg))) {
		int64_t left = end - h_now_ms();

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

pid_t h_agent_pid(const struct h_agent *a)
{
	return a->pid;
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

size_t h_agent_stderr(const struct h_agent *a, char *buf, size_t cap)
{
	ssize_t n = read_stderr(a, buf, cap);

	return n > 0 ? (size_t)n : 0;
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
	/* folding off unless the test sets it (H_AGENT_FOLD_WINDOW): later arguments win */
	const char *argv[64] = {getenv("C2D_AGENT") ? getenv("C2D_AGENT") : "build/c2d-agent-san",
				"--stdout", "--fold-window", H_AGENT_FOLD_WINDOW};
	size_t n = 4;
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
	int64_t end = h_now_ms() + H_READY_TIMEOUT_MS;
	char *log = malloc(H_STDERR_MAX);
	int rc = -ETIMEDOUT;

	while (log && h_now_ms() < end) {
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
	int64_t end = h_now_ms() + H_STOP_TIMEOUT_MS;
	int rc = 0;

	if (!a)
		return -EINVAL;
	if (!a->reaped)
		kill(a->pid, SIGTERM);
	/* keep reading: what the agent flushes on its way out is part of the run */
	while ((a->out_fd >= 0 || !a->reaped) && h_now_ms() < end) {
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

bool h_agent_alive(const struct h_agent *a)
{
	return a->out_fd >= 0;
}

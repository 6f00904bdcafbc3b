// SPDX-License-Identifier: BSD-2-Clause
/* harness_check.c - assertions on events (see harness.h). */
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
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "harness_int.h"

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

void h_expect_file_identity(const cJSON *ev, const char *file)
{
	struct stat st;
	char dev[32];

	assert_int_equal(stat(file, &st), 0);
	snprintf(dev, sizeof(dev), "%u:%u", major(st.st_dev), minor(st.st_dev));
	h_expect_int(ev, "file.inode", (long long)st.st_ino);
	h_expect_str(ev, "file.dev", dev);
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
	if (!h_agent_alive(a))
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


bool h_cred_read_of(const cJSON *ev, const void *container_id)
{
	const char *cid = h_str(ev, "container.id"), *kind = h_str(ev, "kind");

	return cid && kind && !strcmp(cid, container_id) && !strcmp(kind, "credential_read");
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * harness.h - integration-test library: run the real agent as a child, read its NDJSON
 * findings, run trigger programs, and check every field of an event.
 *
 * Everything here is single-threaded: the agent's stdout is only read inside the calls that
 * take a `struct h_agent *` (pump, wait, run, stop), so those calls also keep the pipe drained
 * while a trigger runs. An event pointer stays valid until the next such call. Only events of
 * the test process and its children are kept: other processes on the machine are not ours.
 */
#ifndef C2D_INTEG_HARNESS_H
#define C2D_INTEG_HARNESS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <cjson/cJSON.h>

#define H_NOBODY 65534		  /* the unprivileged uid/gid triggers drop to */
#define H_READY_TIMEOUT_MS 90000  /* BPF load (every program verified: ~10 s here) + attach under ASan on a loaded VM */
#define H_EVENT_TIMEOUT_MS 10000  /* a wait returns as soon as the event is there */
#define H_STOP_TIMEOUT_MS 30000	  /* SIGTERM → exit, LSan's leak scan included */
#define H_RUN_TIMEOUT_MS 120000	  /* a trigger or a refused agent start */
#define H_QUIET_MS 1000		  /* how long a negative case waits for nothing */

/* ---- the agent ------------------------------------------------------------------------- */

struct h_agent;

/*
 * Folding of identical findings (--fold-window) is off in tests unless `args` turn it on:
 * they check one event per process, and the trigger programs of a suite, one executable
 * opening one file from one cgroup, are identical findings within a second.
 * test_evasion_flood turns it on.
 */
#define H_AGENT_FOLD_WINDOW "0"

/*
 * Start $C2D_AGENT (default build/c2d-agent-san) with `--stdout`, `--fold-window 0` and
 * `args` (NULL-terminated, may be NULL; they come later, so they win); wait until its stderr
 * says `ready`. NULL on failure, with the agent's stderr printed.
 */
struct h_agent *h_agent_start(const char *const *args);

/* SIGTERM, drain the last events, reap; 0 if it exited with status 0. Frees `a`. */
int h_agent_stop(struct h_agent *a);

/* Read whatever the agent prints for `ms` milliseconds. */
void h_agent_pump(struct h_agent *a, int ms);

typedef bool (*h_pred)(const cJSON *ev, const void *arg);

/* An h_pred: a credential_read of the container whose id is arg (a string). */
bool h_cred_read_of(const cJSON *ev, const void *container_id);

/* The first event so far that matches, or NULL. */
const cJSON *h_agent_find(const struct h_agent *a, h_pred pred, const void *arg);

/* The first matching event, waiting up to timeout_ms for it; NULL on timeout. */
const cJSON *h_agent_wait(struct h_agent *a, h_pred pred, const void *arg, int timeout_ms);

size_t h_agent_nevents(const struct h_agent *a);
/* Also keep events whose line holds substr (processes that are not our children, such as a
 * container's). At most 4; returns 0 or -1. */
int h_agent_keep(struct h_agent *a, const char *substr);
const cJSON *h_agent_event(const struct h_agent *a, size_t i); /* 0 is the oldest kept */
size_t h_agent_bad_lines(const struct h_agent *a); /* stdout lines that were not an object */
const char *h_agent_instance(const struct h_agent *a); /* from the `ready` line, or NULL */
const char *h_agent_node_name(const struct h_agent *a); /* what node.name must be */
pid_t h_agent_pid(const struct h_agent *a); /* to kill it hard (then h_agent_stop reaps) */
void h_agent_dump_stderr(const struct h_agent *a);
/* The agent's stderr so far into buf (NUL-terminated, truncated to cap); its length. */
size_t h_agent_stderr(const struct h_agent *a, char *buf, size_t cap);

/* The usual predicate: fields left 0/NULL match anything. */
struct h_match {
	pid_t pid;	     /* process.pid */
	const char *kind;
	const char *rule;
	const char *syscall; /* syscall.name */
};

bool h_match_event(const cJSON *ev, const void *match);

/* ---- trigger programs ------------------------------------------------------------------- */

#define H_KEEP_ID (-1) /* h_spawn: do not change uid/gid */

struct h_proc {
	pid_t pid;
	int status;		/* wait status, valid once reaped */
	char exe[PATH_MAX];	/* realpath of argv[0] */
	char *const *argv;	/* the caller's, kept for the process.args check */
	uid_t uid, euid;	/* credentials the event must carry */
	gid_t gid;
	struct timespec started; /* CLOCK_REALTIME just before fork */
};

/* Absolute path of a trigger: $C2D_TRIGGERS (default build/triggers)/name. */
const char *h_trigger(const char *name);

#define H_EXEC_ARGS 6
/* One run of a program under the agent: its process and the argv it ran with, kept as long as
 * the run (events are checked against both). */
struct h_exec {
	struct h_proc p;
	char *argv[H_EXEC_ARGS + 2];
};

/* Run prog — a trigger's name, or a path when it holds a '/' — with args (NULL-terminated, at
 * most H_EXEC_ARGS) as uid and gid `id` (H_KEEP_ID: ours), reading a's output meanwhile.
 * h_run's result. */
int h_exec(struct h_exec *r, struct h_agent *a, int id, const char *prog,
	   const char *const *args);

/*
 * fork + exec argv (argv[0] a path) with stdin on /dev/null, no descriptor above 2, and
 * setgid/setuid to gid/uid first unless H_KEEP_ID. Returns 0 or -errno.
 */
int h_spawn(struct h_proc *p, char *const argv[], int uid, int gid);

/* Reap p (pumping `a` meanwhile if not NULL); 0 if it exited 0 within timeout_ms. */
int h_wait(struct h_proc *p, struct h_agent *a, int timeout_ms);

/* h_spawn + h_wait. */
int h_run(struct h_proc *p, struct h_agent *a, char *const argv[], int uid, int gid);

/* system() of the formatted command; a failure is printed with the command. */
int h_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Stand-in API servers (harness_standin.c): cert.pem/key.pem for 127.0.0.1 and a `token`
 * file in dir; argv started (its server writes dir/port when it listens), the port read into
 * port: the pid, or -1 (stopped). */
int h_standin_certs(const char *dir, const char *token);
pid_t h_standin_start(char *const argv[], const char *dir, char *port, size_t cap);
void h_standin_stop(pid_t pid);
/* Lines of the file at path that contain needle (0 if it cannot be read). */
int h_file_count(const char *path, const char *needle);
/* Requests of the stand-in in dir (its requests.log) that contain needle. */
int h_standin_requests(const char *dir, const char *needle);

/* Run argv to completion with stdout and stderr captured (NUL-terminated, truncated to cap). */
int h_run_capture(char *const argv[], int *status, char *out, size_t outcap, char *err,
		  size_t errcap);

/* ---- JSON --------------------------------------------------------------------------------- */

/* A field by dotted path ("process.parent.pid"), or NULL. */
const cJSON *h_get(const cJSON *root, const char *path);
const char *h_str(const cJSON *root, const char *path); /* NULL unless a string */
bool h_int(const cJSON *root, const char *path, long long *out); /* false unless integral */

/* "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ" → out; false if it is not exactly that. */
bool h_parse_time(const char *s, struct timespec *out);

/* ---- checks (cmocka: a mismatch prints the event and fails the test) -------------------- */

void h_expect_str(const cJSON *ev, const char *path, const char *want); /* NULL: absent */
void h_expect_int(const cJSON *ev, const char *path, long long want);
/* file.inode and file.dev ("MAJ:MIN") are those stat(2) gives for file */
void h_expect_file_identity(const cJSON *ev, const char *file);
void h_expect_absent(const cJSON *ev, const char *path);
void h_expect_strs(const cJSON *ev, const char *path, const char *const *want); /* NULL-ended */

/* What one finding must say beyond the process (which comes from the h_proc). */
struct h_expect {
	const char *kind, *rule, *severity;
	const char *syscall;
	long long ret;		  /* syscall.ret; errno and error follow from it */
	bool failure;		  /* outcome failure (a refused call is still a finding) */
	const char *const *flags; /* syscall.flags, NULL-ended; NULL: must be absent */
	const char *path;	  /* file.path; NULL: no file object */
	const char *new_path;	  /* file.new_path; NULL: absent */
	bool has_args;		  /* syscall.args present (the caller checks its content) */
	bool has_network;	  /* network present (the caller checks its content) */
};

/* Check every common field of ev against the agent, the trigger p and x. */
void h_check_event(const struct h_agent *a, const cJSON *ev, const struct h_proc *p,
		   const struct h_expect *x);

/* Wait for the event of p matching kind/rule/syscall, failing the test on timeout. */
const cJSON *h_expect_event(struct h_agent *a, const struct h_proc *p, const char *kind,
			    const char *rule, const char *syscall);

/* No event so far matches m; otherwise fails, printing the first that does. */
void h_expect_none(const struct h_agent *a, const struct h_match *m, const char *what);

/* Every event so far has a distinct id of this agent instance. */
void h_expect_unique_ids(const struct h_agent *a);

/* ---- files -------------------------------------------------------------------------------- */

/* A suite's fixture: a fresh temp dir with a storage/ directory, and one agent started with
 * `--storage-path <tmp>/storage`. Teardown fails if the agent exits badly or printed a line
 * that is not a JSON object. */
struct h_suite {
	struct h_agent *agent;
	char *tmp;
	char storage[4096];
};

int h_suite_setup(struct h_suite *s);
int h_suite_teardown(struct h_suite *s);

/* cmocka's group set-up and tear-down (group_setup, group_teardown) over the suite s. */
#define H_SUITE_GROUP(s)                                                                           \
	static int group_setup(void **state) { return h_suite_setup(&(s)); }                      \
	static int group_teardown(void **state) { return h_suite_teardown(&(s)); }

char *h_mkdtemp(void);		/* a fresh 0755 /tmp/c2dtest.XXXXXX, malloc'd */
int h_rm_rf(const char *dir);	/* only below /tmp/c2dtest. */
unsigned long long h_cgroup_id(pid_t pid); /* cgroup v2 id, 0 if unknown */

/* Create path with a fixed, harmless content; missing parents are made 0755. */
int h_write_file(const char *path, mode_t mode);

#endif /* C2D_INTEG_HARNESS_H */

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_pipeline.c - agent/pipeline/pipeline.c driven by synthetic ring-buffer records (exec, fork,
 * exit, findings) through pipeline_handle, with the real process cache, id issuer and policy; the
 * NDJSON it writes is parsed back and checked. No /proc (proc_root NULL): what is rendered comes
 * from the records alone. A process is (tgid, start time): a reused pid is never rendered with the
 * previous holder's executable or arguments — also when its finding was held back for its
 * container's record (deferred.h): there a real cgroup cache names the container from the exec's
 * cgroup names, and a real metadata cache asks a runtime socket that never answers, so the record
 * stays PENDING until the flush.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "pipeline.h"
#include "json_path.h"
#include "unit.h"

#define SEC 1000000000ull
#define EPOCH_OFFSET (1700000000LL * (long long)SEC)

static struct c2d_policy pol;
static struct pipeline pl; /* large (deferred queue, render buffer): off the stack */
static char *out_buf;
static size_t out_len, out_read; /* bytes written by the pipeline, and already parsed */

static union {
	struct c2d_event_hdr hdr;
	struct c2d_exec_event exec;
	struct c2d_fork_event fork;
	struct c2d_exit_event exit;
	struct c2d_syscall_event sys;
	char raw[4096];
} rec;

static int setup(void **state)
{
	policy_defaults(&pol);
	memset(&pl, 0, sizeof(pl));
	pl.rctx = (struct render_ctx){
		.node_name = "node-1",
		.boot_to_real_ns = EPOCH_OFFSET,
		.policy = &pol,
		.pc = proc_cache_new(64, 1 << 20),
		.proc_root = NULL, /* nothing from /proc: the records are the only source */
	};
	memcpy(pl.event_ids.instance, "0123456789abcdef", 17);
	pl.out = open_memstream(&out_buf, &out_len);
	out_read = 0;
	return pl.rctx.pc && pl.out ? 0 : -1;
}

static int teardown(void **state)
{
	deferred_clear(&pl.deferred);
	proc_cache_free(pl.rctx.pc);
	fclose(pl.out);
	free(out_buf);
	out_buf = NULL;
	return 0;
}

/* ---- records ------------------------------------------------------------------------------ */

static void hdr(uint16_t type, uint32_t tgid, uint32_t ppid, uint64_t start_ns, const char *comm)
{
	memset(&rec, 0, sizeof(rec));
	rec.hdr.type = type;
	rec.hdr.ktime_ns = 10 * SEC;
	rec.hdr.pid = rec.hdr.tgid = tgid;
	rec.hdr.ppid = ppid;
	rec.hdr.uid = rec.hdr.euid = rec.hdr.gid = 1000;
	rec.hdr.cgroup_id = 77;
	rec.hdr.start_ns = start_ns;
	snprintf(rec.hdr.comm, sizeof(rec.hdr.comm), "%s", comm);
}

static void feed(void)
{
	assert_int_equal(pipeline_handle(&pl, &rec, rec.hdr.size), 0);
}

/* argv: NUL-separated, args_len bytes; cg: the cgroup's names (leaf first, NUL-separated,
 * cg_len bytes) of a first exec in a cgroup, or NULL. */
static void exec_rec_cg(uint32_t tgid, uint32_t ppid, uint64_t start_ns, const char *comm,
			const char *exe, const char *args, size_t args_len, uint64_t cgroup_id,
			const char *cg, size_t cg_len)
{
	size_t el = strlen(exe) + 1;

	hdr(C2D_EV_EXEC, tgid, ppid, start_ns, comm);
	rec.hdr.cgroup_id = cgroup_id;
	rec.exec.exe_len = (uint16_t)el;
	rec.exec.args_len = (uint16_t)args_len;
	rec.exec.cg_len = (uint16_t)cg_len;
	memcpy(rec.exec.data, exe, el);
	memcpy(rec.exec.data + el, args, args_len);
	if (cg)
		memcpy(rec.exec.data + el + args_len, cg, cg_len);
	rec.hdr.size = (uint16_t)(sizeof(rec.exec) + el + args_len + cg_len);
	feed();
}

static void exec_rec(uint32_t tgid, uint32_t ppid, uint64_t start_ns, const char *comm,
		     const char *exe, const char *args, size_t args_len)
{
	exec_rec_cg(tgid, ppid, start_ns, comm, exe, args, args_len, 77, NULL, 0);
}

static void fork_rec(uint32_t child, uint32_t parent, uint64_t start_ns, const char *comm)
{
	hdr(C2D_EV_FORK, child, parent, start_ns, comm);
	rec.fork.parent_pid = rec.fork.parent_tgid = parent;
	rec.hdr.size = sizeof(rec.fork);
	feed();
}

static void exit_rec(uint32_t tgid, uint64_t start_ns)
{
	hdr(C2D_EV_EXIT, tgid, 1, start_ns, "x");
	rec.hdr.size = sizeof(rec.exit);
	feed();
}

/* An openat of /etc/shadow the kernel matched (rule etc-shadow) by process (tgid, start_ns)
 * in cgroup cgroup_id. */
static void shadow_rec_cg(uint32_t tgid, uint32_t ppid, uint64_t start_ns, const char *comm,
			  uint64_t cgroup_id)
{
	static const char path[] = "/etc/shadow";
	int rule = policy_find(&pol, "etc-shadow", 0);

	assert_true(rule >= 0);
	hdr(C2D_EV_SYSCALL, tgid, ppid, start_ns, comm);
	rec.hdr.cgroup_id = cgroup_id;
	rec.sys.hdr.sys = C2D_SYS_OPENAT;
	rec.sys.ret = 3;
	rec.sys.args[0] = O_RDONLY;
	rec.sys.count = 1;
	rec.sys.rule_id = (uint16_t)rule;
	rec.sys.kind = C2D_KIND_CREDENTIAL_READ;
	rec.sys.nstr = 1;
	rec.sys.str_len[0] = sizeof(path);
	rec.sys.str_role[0] = C2D_STR_PATH;
	memcpy(rec.sys.data, path, sizeof(path));
	rec.hdr.size = (uint16_t)(sizeof(rec.sys) + sizeof(path));
	feed();
}

static void shadow_rec(uint32_t tgid, uint32_t ppid, uint64_t start_ns, const char *comm)
{
	shadow_rec_cg(tgid, ppid, start_ns, comm, 77);
}

/* ---- output ------------------------------------------------------------------------------- */

static char line[C2D_EVENT_JSON_MAX + 1]; /* the last line read, for messages */

/* The next line the pipeline wrote, parsed; NULL if it wrote none since. */
static cJSON *next_event(void)
{
	const char *nl;
	size_t n;
	cJSON *j;

	fflush(pl.out);
	if (out_read == out_len)
		return NULL;
	nl = memchr(out_buf + out_read, '\n', out_len - out_read);
	if (!nl)
		fail_msg("an unterminated line: %.*s", (int)(out_len - out_read),
			 out_buf + out_read);
	n = (size_t)(nl - (out_buf + out_read));
	assert_true(n < sizeof(line));
	memcpy(line, out_buf + out_read, n);
	line[n] = 0;
	out_read += n + 1;
	j = cJSON_Parse(line);
	if (!j)
		fail_msg("not JSON: %s", line);
	return j;
}

static cJSON *expect_event(void)
{
	cJSON *j = next_event();

	if (!j)
		fail_msg("the pipeline wrote no event");
	return j;
}

static void expect_no_event(void)
{
	cJSON *j = next_event();

	if (j) {
		cJSON_Delete(j);
		fail_msg("unexpected event: %s", line);
	}
}

#define assert_str(o, path, want) json_assert_str(o, path, want, line)
#define assert_num(o, path, want) json_assert_num(o, path, want, line)

static void assert_absent(const cJSON *o, const char *path)
{
	if (json_find(o, path))
		fail_msg("%s: must be absent in %s", path, line);
}

/* process.args is exactly `want` (comma-separated). */
static void assert_args(const cJSON *o, const char *want)
{
	const cJSON *arr = json_find(o, "process.args"), *it;
	char got[512] = "";
	size_t n = 0;

	if (!cJSON_IsArray(arr))
		fail_msg("process.args: not an array in %s", line);
	cJSON_ArrayForEach(it, arr)
	{
		assert_true(cJSON_IsString(it));
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", n ? "," : "",
				      it->valuestring);
	}
	if (strcmp(got, want) != 0)
		fail_msg("process.args: [%s], expected [%s]", got, want);
}

/* ---- tests -------------------------------------------------------------------------------- */

/* An exec teaches the cache; each finding gets the next id, in order, and one NDJSON line. */
static void test_exec_then_findings(void **state)
{
	cJSON *j;

	exec_rec(100, 1, 1 * SEC, "cat", "/usr/bin/cat", "cat\0/etc/shadow\0", 16);
	expect_no_event(); /* exec/fork/exit are not events */
	shadow_rec(100, 1, 1 * SEC, "cat");
	shadow_rec(100, 1, 1 * SEC, "cat");

	j = expect_event();
	assert_str(j, "id", "0123456789abcdef-0000000000000001");
	assert_str(j, "kind", "credential_read");
	assert_str(j, "rule", "etc-shadow");
	assert_str(j, "file.path", "/etc/shadow");
	assert_num(j, "process.pid", 100);
	assert_str(j, "process.executable", "/usr/bin/cat");
	assert_args(j, "cat,/etc/shadow");
	assert_str(j, "process.start_time", "2023-11-14T22:13:21.000000000Z");
	cJSON_Delete(j);
	j = expect_event();
	assert_str(j, "id", "0123456789abcdef-0000000000000002");
	cJSON_Delete(j);
	expect_no_event();
	assert_int_equal(pl.event_ids.seq, 2);
	assert_int_equal(pl.st.records, 3);
	assert_int_equal(pl.st.findings[C2D_KIND_CREDENTIAL_READ], 2);
	pipeline_tick(&pl, true); /* nothing was held back: nothing more */
	expect_no_event();
}

/* Arguments are redacted before the cache keeps them. */
static void test_exec_args_redacted(void **state)
{
	static const char args[] = "curl\0--password=hunter2\0https://x\0";
	cJSON *j;

	exec_rec(110, 1, 1 * SEC, "curl", "/usr/bin/curl", args, sizeof(args) - 1);
	shadow_rec(110, 1, 1 * SEC, "curl");
	j = expect_event();
	assert_str(j, "process.executable", "/usr/bin/curl");
	assert_null(strstr(line, "hunter2"));
	assert_non_null(strstr(line, "--password="));
	cJSON_Delete(j);
}

/* A child runs its parent's image until it execs: the fork copies the parent's exe and args;
 * the child's exec then replaces them, the parent's entry untouched. */
static void test_fork_copies_parent(void **state)
{
	cJSON *j;

	exec_rec(200, 1, 1 * SEC, "bash", "/usr/bin/bash", "bash\0-c\0work\0", 13);
	fork_rec(201, 200, 2 * SEC, "bash");
	shadow_rec(201, 200, 2 * SEC, "bash");
	j = expect_event();
	assert_num(j, "process.pid", 201);
	assert_str(j, "process.executable", "/usr/bin/bash");
	assert_args(j, "bash,-c,work");
	assert_str(j, "process.start_time", "2023-11-14T22:13:22.000000000Z");
	assert_num(j, "process.parent.pid", 200);
	assert_str(j, "process.parent.executable", "/usr/bin/bash");
	cJSON_Delete(j);

	exec_rec(201, 200, 2 * SEC, "cat", "/usr/bin/cat", "cat\0", 4);
	shadow_rec(201, 200, 2 * SEC, "cat");
	j = expect_event();
	assert_str(j, "process.executable", "/usr/bin/cat");
	assert_args(j, "cat");
	assert_str(j, "process.parent.executable", "/usr/bin/bash");
	cJSON_Delete(j);
	assert_string_equal(proc_cache_get(pl.rctx.pc, 200)->exe, "/usr/bin/bash");
}

/* A fork whose parent pid's entry started after the child belongs to a later holder of that
 * pid: its image is not copied. */
static void test_fork_ignores_later_parent(void **state)
{
	cJSON *j;

	exec_rec(210, 1, 9 * SEC, "later", "/usr/bin/later", "later\0", 6);
	fork_rec(211, 210, 5 * SEC, "child");
	shadow_rec(211, 1, 5 * SEC, "child");
	j = expect_event();
	assert_num(j, "process.pid", 211);
	assert_absent(j, "process.executable");
	assert_absent(j, "process.args");
	assert_null(strstr(line, "/usr/bin/later"));
	cJSON_Delete(j);
}

/* An exit marks the entry; the process's late findings (read after its exit) still resolve. */
static void test_exit_marks_entry(void **state)
{
	cJSON *j;

	exec_rec(300, 1, 1 * SEC, "cat", "/usr/bin/cat", "cat\0", 4);
	assert_false(proc_cache_get(pl.rctx.pc, 300)->exited);
	exit_rec(300, 1 * SEC);
	assert_true(proc_cache_get(pl.rctx.pc, 300)->exited);
	expect_no_event();
	shadow_rec(300, 1, 1 * SEC, "cat");
	j = expect_event();
	assert_str(j, "process.executable", "/usr/bin/cat");
	cJSON_Delete(j);
}

/* A pid is reused: A (pid 400) execs and exits, then B is forked with pid 400 by another
 * parent. B's finding carries B's image (its parent's), never A's; a late finding of A read
 * after B took the pid carries nothing of B; a finding of a holder whose fork was never seen
 * carries nothing of A. */
static void test_reused_pid(void **state)
{
	cJSON *j;

	exec_rec(401, 1, 1 * SEC, "keeper", "/usr/bin/keeper", "keeper\0", 7);
	exec_rec(400, 1, 2 * SEC, "old", "/usr/bin/old", "old\0--old-flag\0", 15);
	shadow_rec(400, 1, 2 * SEC, "old");
	j = expect_event();
	assert_str(j, "process.executable", "/usr/bin/old");
	assert_args(j, "old,--old-flag");
	cJSON_Delete(j);
	exit_rec(400, 2 * SEC);

	fork_rec(400, 401, 5 * SEC, "keeper"); /* B */
	shadow_rec(400, 401, 5 * SEC, "keeper");
	j = expect_event();
	assert_num(j, "process.pid", 400);
	assert_str(j, "process.executable", "/usr/bin/keeper");
	assert_args(j, "keeper");
	assert_str(j, "process.start_time", "2023-11-14T22:13:25.000000000Z");
	assert_num(j, "process.parent.pid", 401);
	assert_null(strstr(line, "/usr/bin/old"));
	assert_null(strstr(line, "--old-flag"));
	cJSON_Delete(j);

	/* A's finding read after B's fork (as a held-back one would be): not B's */
	shadow_rec(400, 1, 2 * SEC, "old");
	j = expect_event();
	assert_str(j, "process.comm", "old");
	assert_str(j, "process.start_time", "2023-11-14T22:13:22.000000000Z");
	assert_absent(j, "process.executable");
	assert_absent(j, "process.args");
	assert_null(strstr(line, "/usr/bin/keeper"));
	cJSON_Delete(j);

	/* C holds pid 400 now, its fork lost: the entry is B's (another start), nothing of it */
	shadow_rec(400, 1, 8 * SEC, "c");
	j = expect_event();
	assert_absent(j, "process.executable");
	assert_absent(j, "process.args");
	assert_null(strstr(line, "/usr/bin/keeper"));
	cJSON_Delete(j);

	/* D execs, B's exit never seen: the exec replaces the whole entry */
	exec_rec(400, 1, 9 * SEC, "new", "/usr/bin/new", "new\0", 4);
	shadow_rec(400, 1, 9 * SEC, "new");
	j = expect_event();
	assert_str(j, "process.executable", "/usr/bin/new");
	assert_args(j, "new");
	assert_str(j, "process.comm", "new");
	cJSON_Delete(j);
	assert_int_equal(pl.event_ids.seq, 5);
}

/* A malformed record is counted and dropped: no event, no id used. */
static void test_malformed_record(void **state)
{
	shadow_rec(500, 1, 1 * SEC, "x");
	cJSON_Delete(expect_event());
	hdr(C2D_EV_SYSCALL, 500, 1, 1 * SEC, "x");
	rec.hdr.size = sizeof(rec.hdr); /* shorter than a syscall event */
	feed();
	hdr(77, 500, 1, 1 * SEC, "x"); /* no such type */
	rec.hdr.size = sizeof(rec.hdr);
	feed();
	expect_no_event();
	assert_int_equal(pl.st.decode_errors, 2);
	assert_int_equal(pl.event_ids.seq, 1);
	/* a rule id the kernel was never given: dropped too */
	shadow_rec(500, 1, 1 * SEC, "x");
	cJSON_Delete(expect_event());
	hdr(C2D_EV_SYSCALL, 500, 1, 1 * SEC, "x");
	rec.sys.kind = C2D_KIND_CREDENTIAL_READ;
	rec.sys.rule_id = (uint16_t)pol.n;
	rec.hdr.size = sizeof(rec.sys);
	feed();
	expect_no_event();
	assert_int_equal(pl.st.decode_errors, 3);
	assert_int_equal(pl.event_ids.seq, 2);
}

/* The drain budget: the record that uses it up still counts, then the drain stops. */
static void test_budget(void **state)
{
	pl.budget = 2;
	exit_rec(600, 1 * SEC);
	hdr(C2D_EV_EXIT, 600, 1, 1 * SEC, "x");
	rec.hdr.size = sizeof(rec.exit);
	assert_int_equal(pipeline_handle(&pl, &rec, rec.hdr.size), -EAGAIN);
	assert_int_equal(pl.st.records, 2);
	assert_int_equal(pl.budget, 0);
}

/* ---- held back for the container's record (deferred) ---------------------------------- */

#define CTR "c2d-unit-pipeline-ctr"
#define CTR_CG 900ull /* the container's cgroup id (the host's: 77) */
static const char ctr_names[] = CTR "\0default\0"; /* containerd: <ns>/<id>, leaf first */
static int runtime_fd = -1;			       /* a runtime socket that never answers */
static char runtime_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static int setup_containers(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	if (setup(state) < 0)
		return -1;
	snprintf(runtime_path, sizeof(runtime_path), "/tmp/c2d-unit-pipeline-%d.sock",
		 (int)getpid());
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", runtime_path);
	unlink(runtime_path);
	runtime_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (runtime_fd < 0 || bind(runtime_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(runtime_fd, 16) < 0)
		return -1;
	/* no cgroup2 mount, no /proc: the container is known from its exec's cgroup names */
	pl.rctx.cg = cgroup_cache_new(64, "/nonexistent-c2d-unit", "/nonexistent-c2d-unit");
	pl.meta = meta_cache_new(16, runtime_path);
	return pl.rctx.cg && pl.meta ? 0 : -1;
}

static int teardown_containers(void **state)
{
	close(runtime_fd); /* the look-up in flight fails: the resolver can stop */
	unlink(runtime_path);
	meta_cache_free(pl.meta);
	cgroup_cache_free(pl.rctx.cg);
	return teardown(state);
}

/* A's finding in a container waits for the container's record; meanwhile A exits and its pid
 * goes to B (a host process). B's finding goes out at once with B's image; A's, released
 * after, carries A's start and A's image as it was when held back (proc_snap.h), nothing of
 * B's — and its id is issued when it goes out. */
static void test_deferred_reused_pid(void **state)
{
	cJSON *j;

	exec_rec_cg(700, 1, 1 * SEC, "old", "/usr/bin/old", "old\0--old-flag\0", 15, CTR_CG,
		    ctr_names, sizeof(ctr_names) - 1);
	shadow_rec_cg(700, 1, 1 * SEC, "old", CTR_CG);
	expect_no_event();
	assert_int_equal(pl.st.deferred, 1);
	pipeline_tick(&pl, false); /* the record is still being looked up: held */
	expect_no_event();

	exit_rec(700, 1 * SEC);
	exec_rec(701, 1, 2 * SEC, "keeper", "/usr/bin/keeper", "keeper\0", 7);
	fork_rec(700, 701, 5 * SEC, "keeper");
	shadow_rec(700, 701, 5 * SEC, "keeper"); /* host cgroup: not held */
	j = expect_event();
	assert_str(j, "id", "0123456789abcdef-0000000000000001");
	assert_str(j, "process.executable", "/usr/bin/keeper");
	assert_str(j, "process.start_time", "2023-11-14T22:13:25.000000000Z");
	assert_absent(j, "container");
	assert_null(strstr(line, "/usr/bin/old"));
	cJSON_Delete(j);

	pipeline_tick(&pl, true);
	j = expect_event();
	assert_str(j, "id", "0123456789abcdef-0000000000000002");
	assert_num(j, "process.pid", 700);
	assert_str(j, "process.comm", "old");
	assert_str(j, "process.start_time", "2023-11-14T22:13:21.000000000Z");
	assert_str(j, "process.executable", "/usr/bin/old");
	assert_args(j, "old,--old-flag");
	assert_null(strstr(line, "/usr/bin/keeper"));
	assert_str(j, "container.id", CTR);
	cJSON_Delete(j);
	expect_no_event();
}

/*
 * A container's entrypoint reads a credential and then execs its server (same pid, same start)
 * while the finding waits for the container's record: the finding carries the image that read
 * (kept with the held-back record, proc_snap.h), not the one the cache holds at release.
 */
static void test_deferred_then_exec(void **state)
{
	cJSON *j;

	exec_rec_cg(710, 1, 1 * SEC, "sh", "/bin/sh", "sh\0/entrypoint.sh\0", 18, CTR_CG,
		    ctr_names, sizeof(ctr_names) - 1);
	shadow_rec_cg(710, 1, 1 * SEC, "sh", CTR_CG);
	exec_rec_cg(710, 1, 1 * SEC, "server", "/app/server", "server\0", 7, CTR_CG, NULL, 0);
	pipeline_tick(&pl, true);
	j = expect_event();
	assert_str(j, "process.comm", "sh"); /* the kernel's, at the read */
	assert_str(j, "process.executable", "/bin/sh");
	assert_args(j, "sh,/entrypoint.sh");
	assert_str(j, "process.start_time", "2023-11-14T22:13:21.000000000Z");
	assert_null(strstr(line, "/app/server")); /* nothing of the new image */
	assert_null(strstr(line, "\"server\""));
	cJSON_Delete(j);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TC(f) cmocka_unit_test_setup_teardown(f, setup_containers, teardown_containers)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_exec_then_findings), T(test_exec_args_redacted),
		T(test_fork_copies_parent), T(test_fork_ignores_later_parent),
		T(test_exit_marks_entry),   T(test_reused_pid),
		T(test_malformed_record),   T(test_budget),
		TC(test_deferred_reused_pid), TC(test_deferred_then_exec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

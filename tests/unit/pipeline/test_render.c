// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_render.c - agent/pipeline/render.c: findings built in memory, decoded with event_decode,
 * rendered, parsed back with cJSON; every field checked, and the absent ones checked absent.
 * proc_root is NULL: nothing is read from /proc.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "event.h"
#include "event_ids.h"
#include "render.h"
#include "enrich.h"
#include "json_path.h"
#include "unit.h"

#define SEC 1000000000LL
#define EPOCH_OFFSET (1700000000LL * SEC) /* boot + this = 2023-11-14T22:13:20Z + boot */
#define CLONE_NEWUSER_FLAG 0x10000000u

static struct c2d_policy pol;
static struct proc_cache *pc;
static struct render_ctx ctx;
/* The pipeline's id issuer, as the agent runs it (event_ids.h): each render takes the next. */
static struct event_ids ids = {.instance = "0123456789abcdef", .seq = 41};

static const char *next_id(void)
{
	static char id[EVENT_ID_SIZE];

	event_ids_next(&ids, id);
	return id;
}
static union {
	struct c2d_syscall_event ev;
	char raw[1024];
} rec;
static struct c2d_decoded dec;
static char out[C2D_EVENT_JSON_MAX];

static void add_proc(uint32_t tgid, uint32_t ppid, const char *comm, const char *exe,
		     const char *args, size_t args_len)
{
	struct proc_entry *e = proc_cache_upsert(pc, tgid);

	assert_non_null(e);
	e->ppid = ppid;
	snprintf(e->comm, sizeof(e->comm), "%s", comm);
	proc_cache_set_exec(pc, e, exe, args, args_len, false);
}

static int setup(void **state)
{
	char err[256];

	policy_defaults(&pol);
	if (policy_add_storage_path(&pol, "/srv/data", err, sizeof(err)) < 0)
		return -1;
	pc = proc_cache_new(64, 1 << 20);
	if (!pc)
		return -1;
	ctx = (struct render_ctx){
		.node_name = "node-1",
		.boot_to_real_ns = EPOCH_OFFSET,
		.policy = &pol,
		.pc = pc,
		.proc_root = NULL,
	};
	add_proc(4000, 1, "bash", "/usr/bin/bash", "bash\0", 5);
	add_proc(4242, 4000, "cat", "/usr/bin/cat", "cat\0/etc/shadow\0", 16);
	return 0;
}

static int teardown(void **state)
{
	proc_cache_free(pc);
	pc = NULL;
	return 0;
}

/* The header of a record from process 4242 (thread 4242) unless told otherwise. */
static void build(uint16_t sys, enum c2d_kind kind, int64_t ret, const char *const *strs, int n)
{
	size_t pos = sizeof(rec.ev);

	memset(&rec, 0, sizeof(rec));
	rec.ev.hdr.type = C2D_EV_SYSCALL;
	rec.ev.hdr.sys = sys;
	rec.ev.hdr.ktime_ns = 2 * SEC + 500000123;
	rec.ev.hdr.pid = rec.ev.hdr.tgid = 4242;
	rec.ev.hdr.ppid = 4000;
	rec.ev.hdr.uid = 1000;
	rec.ev.hdr.euid = 0;
	rec.ev.hdr.gid = 1001;
	rec.ev.hdr.cgroup_id = 777;
	rec.ev.hdr.start_ns = 1 * SEC;
	memcpy(rec.ev.hdr.comm, "cat", 4);
	rec.ev.ret = ret;
	rec.ev.kind = (uint8_t)kind;
	rec.ev.nstr = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		size_t l = strlen(strs[i]) + 1;

		memcpy(rec.raw + pos, strs[i], l);
		rec.ev.str_len[i] = (uint16_t)l;
		pos += l;
	}
	rec.ev.hdr.size = (uint16_t)pos;
}

static int rule_named(const char *name)
{
	int i = policy_find(&pol, name, 0);

	if (i < 0)
		fail_msg("no rule \"%s\"", name);
	return i;
}

/* As the pipeline does: its process and parent found first (enrich.h), then rendered. */
static long render_enriched(char *buf, size_t cap, struct finding *f)
{
	static unsigned char snapbuf[PROC_SNAP_MAX];
	static struct proc_snap snap;
	size_t n = enrich_process(&ctx, &f->d->sys->hdr, snapbuf, false);

	if (!f->proc && proc_snap_get(snapbuf, n, &snap) == 0)
		f->proc = &snap;
	return render_finding(buf, cap, &ctx, next_id(), f);
}

/* Decode rec, render it as a finding of rule `rule`, parse the JSON. */
static cJSON *render(const char *rule, enum c2d_kind kind, bool with_paths)
{
	struct finding f = {.d = &dec, .rule = rule_named(rule), .kind = kind};
	long n;
	cJSON *j;

	rec.ev.rule_id = (uint16_t)f.rule;
	assert_int_equal(event_decode(&rec, rec.ev.hdr.size, &dec), 0);
	if (with_paths) {
		f.path[0] = dec.nstr > 0 ? dec.strs[0] : NULL;
		f.path[1] = dec.nstr > 1 ? dec.strs[1] : NULL;
	}
	n = render_enriched(out, sizeof(out) - 1, &f);
	assert_true(n > 0 && (size_t)n < sizeof(out));
	out[n] = 0;
	j = cJSON_ParseWithLength(out, (size_t)n);
	if (!j)
		fail_msg("not valid JSON: %s", out);
	return j;
}

/* ---- JSON helpers ------------------------------------------------------------------------ */

#define assert_str(o, path, want) json_assert_str(o, path, want, out)
#define assert_num(o, path, want) json_assert_num(o, path, want, out)

static const cJSON *get(const cJSON *o, const char *path)
{
	const cJSON *v = json_find(o, path);

	if (!v)
		fail_msg("no \"%s\" in %s", path, out);
	return v;
}

/* The object's keys, in order, are exactly `want` (comma-separated): nothing else is there. */
static void assert_keys(const cJSON *o, const char *path, const char *want)
{
	const cJSON *obj = path ? get(o, path) : o;
	char keys[512] = "";
	size_t n = 0;

	assert_true(cJSON_IsObject(obj));
	for (const cJSON *c = obj->child; c; c = c->next)
		n += (size_t)snprintf(keys + n, sizeof(keys) - n, "%s%s", n ? "," : "", c->string);
	if (strcmp(keys, want) != 0)
		fail_msg("keys of %s: \"%s\", expected \"%s\"", path ? path : "the event", keys,
			 want);
}

/* An array of strings, exactly `want` (comma-separated). */
static void assert_str_array(const cJSON *o, const char *path, const char *want)
{
	const cJSON *arr = get(o, path), *it;
	char got[512] = "";
	size_t n = 0;

	assert_true(cJSON_IsArray(arr));
	cJSON_ArrayForEach(it, arr)
	{
		assert_true(cJSON_IsString(it));
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", n ? "," : "",
				      it->valuestring);
	}
	if (strcmp(got, want) != 0)
		fail_msg("%s: [%s], expected [%s]", path, got, want);
}

/* ---- tests ------------------------------------------------------------------------------- */

static void test_credential_read(void **state)
{
	static const char *const paths[] = {"/etc/shadow"};
	cJSON *j;

	ids.seq = 41;
	build(C2D_SYS_OPENAT, C2D_KIND_CREDENTIAL_READ, 3, paths, 1);
	rec.ev.args[0] = O_RDONLY | O_CLOEXEC;
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);

	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,node,process,syscall,file,"
			     "cgroup_id");
	assert_str(j, "schema", "cloud2dev.event/v1");
	assert_str(j, "id", "0123456789abcdef-000000000000002a");
	assert_int_equal(ids.seq, 42);
	assert_str(j, "time", "2023-11-14T22:13:22.500000123Z");
	assert_str(j, "kind", "credential_read");
	assert_str(j, "rule", "etc-shadow");
	assert_str(j, "severity", "high");
	assert_str(j, "outcome", "success");
	assert_keys(j, "node", "name");
	assert_str(j, "node.name", "node-1");

	assert_keys(j, "process", "pid,ppid,uid,euid,gid,comm,executable,args,start_time,parent");
	assert_num(j, "process.pid", 4242);
	assert_num(j, "process.ppid", 4000);
	assert_num(j, "process.uid", 1000);
	assert_num(j, "process.euid", 0);
	assert_num(j, "process.gid", 1001);
	assert_str(j, "process.comm", "cat");
	assert_str(j, "process.executable", "/usr/bin/cat");
	assert_str_array(j, "process.args", "cat,/etc/shadow");
	assert_str(j, "process.start_time", "2023-11-14T22:13:21.000000000Z");
	assert_keys(j, "process.parent", "pid,comm,executable");
	assert_num(j, "process.parent.pid", 4000);
	assert_str(j, "process.parent.comm", "bash");
	assert_str(j, "process.parent.executable", "/usr/bin/bash");

	assert_keys(j, "syscall", "name,ret,flags");
	assert_str(j, "syscall.name", "openat");
	assert_num(j, "syscall.ret", 3);
	assert_str_array(j, "syscall.flags", "O_RDONLY,O_CLOEXEC");

	assert_keys(j, "file", "path");
	assert_str(j, "file.path", "/etc/shadow");
	assert_num(j, "cgroup_id", 777);
	cJSON_Delete(j);
}

static void test_privileged_call(void **state)
{
	cJSON *j;

	ids.seq = 0x2a;
	build(C2D_SYS_UNSHARE, C2D_KIND_PRIVILEGED_CALL, -EPERM, NULL, 0);
	rec.ev.hdr.tgid = 5000; /* not in the cache; its parent 1 neither */
	rec.ev.hdr.pid = 5001;
	rec.ev.hdr.ppid = 1;
	memcpy(rec.ev.hdr.comm, "unshare-me-now!!", 16); /* 16 bytes, no NUL */
	rec.ev.args[0] = CLONE_NEWUSER_FLAG;
	j = render("namespace-create", C2D_KIND_PRIVILEGED_CALL, false);

	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,node,process,syscall,"
			     "cgroup_id");
	assert_str(j, "id", "0123456789abcdef-000000000000002b");
	assert_str(j, "kind", "privileged_call");
	assert_str(j, "rule", "namespace-create");
	assert_str(j, "severity", "high");
	assert_str(j, "outcome", "failure");

	assert_keys(j, "process", "pid,tid,ppid,uid,euid,gid,comm,start_time");
	assert_num(j, "process.pid", 5000);
	assert_num(j, "process.tid", 5001);
	assert_num(j, "process.ppid", 1);
	assert_str(j, "process.comm", "unshare-me-now!!");

	assert_keys(j, "syscall", "name,ret,errno,error,args");
	assert_str(j, "syscall.name", "unshare");
	assert_num(j, "syscall.ret", -1);
	assert_num(j, "syscall.errno", EPERM);
	assert_str(j, "syscall.error", "EPERM");
	assert_keys(j, "syscall.args", "flags,namespaces");
	assert_num(j, "syscall.args.flags", CLONE_NEWUSER_FLAG);
	assert_str_array(j, "syscall.args.namespaces", "CLONE_NEWUSER");
	cJSON_Delete(j);
}

/* The args of the calls whose outcome is read from the kernel (bpf/priv.bpf.c cred__exit,
 * bpf/proc.bpf.c proc__fork_ns, ptrace's TRACEME). */
static void test_privileged_args_from_kernel(void **state)
{
	cJSON *j;

	build(C2D_SYS_SETRESUID, C2D_KIND_PRIVILEGED_CALL, 0, NULL, 0);
	rec.ev.args[0] = 65534 | 0xffffffffull << 32; /* asked: real 65534, effective -1 */
	rec.ev.args[1] = 65534 | 1ull << 32;	      /* saved 65534; before is known */
	rec.ev.args[2] = 0 | 0ull << 32;
	rec.ev.args[3] = 0 | 0ull << 32;
	rec.ev.args[4] = 65534 | 0ull << 32;
	rec.ev.args[5] = 65534 | 0ull << 32;
	j = render("setuid-family", C2D_KIND_PRIVILEGED_CALL, false);
	assert_keys(j, "syscall.args", "real_id,effective_id,saved_id,before,after");
	assert_num(j, "syscall.args.real_id", 65534);
	assert_num(j, "syscall.args.effective_id", -1);
	assert_num(j, "syscall.args.saved_id", 65534);
	assert_keys(j, "syscall.args.before", "real,effective,saved,fs");
	assert_num(j, "syscall.args.before.real", 0);
	assert_num(j, "syscall.args.after.real", 65534);
	assert_num(j, "syscall.args.after.effective", 0);
	assert_num(j, "syscall.args.after.saved", 65534);
	assert_num(j, "syscall.args.after.fs", 0);
	cJSON_Delete(j);

	/* before unknown (no entry snapshot): only after */
	build(C2D_SYS_SETUID, C2D_KIND_PRIVILEGED_CALL, 0, NULL, 0);
	rec.ev.args[0] = 1000;
	rec.ev.args[4] = 1000 | 1000ull << 32;
	rec.ev.args[5] = 1000 | 1000ull << 32;
	j = render("setuid-family", C2D_KIND_PRIVILEGED_CALL, false);
	assert_keys(j, "syscall.args", "target_id,after");
	assert_num(j, "syscall.args.after.fs", 1000);
	cJSON_Delete(j);

	build(C2D_SYS_CLONE3, C2D_KIND_PRIVILEGED_CALL, 812, NULL, 0);
	rec.ev.args[0] = CLONE_NEWUSER_FLAG | 0x00020000; /* CLONE_NEWNS */
	rec.ev.args[1] = 812;
	j = render("namespace-create", C2D_KIND_PRIVILEGED_CALL, false);
	assert_keys(j, "syscall.args", "flags,namespaces,child_pid");
	assert_str_array(j, "syscall.args.namespaces", "CLONE_NEWNS,CLONE_NEWUSER");
	assert_num(j, "syscall.args.child_pid", 812);
	cJSON_Delete(j);

	build(C2D_SYS_PTRACE, C2D_KIND_PRIVILEGED_CALL, 0, NULL, 0);
	rec.ev.args[0] = 0; /* PTRACE_TRACEME: the parent becomes the tracer */
	rec.ev.args[1] = 4000;
	j = render("ptrace-attach", C2D_KIND_PRIVILEGED_CALL, false);
	assert_keys(j, "syscall.args", "request,tracer_pid");
	assert_str(j, "syscall.args.request", "PTRACE_TRACEME");
	assert_num(j, "syscall.args.tracer_pid", 4000);
	cJSON_Delete(j);
}

static void test_metadata_access(void **state)
{
	static const uint8_t ip[8] = {169, 254, 169, 254};
	cJSON *j;

	build(C2D_SYS_CONNECT, C2D_KIND_METADATA_ACCESS, -EINPROGRESS, NULL, 0);
	rec.ev.args[1] = 2; /* AF_INET */
	rec.ev.args[2] = 80;
	memcpy(&rec.ev.args[3], ip, sizeof(ip));
	j = render("cloud-metadata-endpoint", C2D_KIND_METADATA_ACCESS, false);

	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,node,process,syscall,"
			     "network,cgroup_id");
	assert_str(j, "kind", "metadata_access");
	assert_str(j, "outcome", "success"); /* a connect in progress reached the endpoint */
	assert_keys(j, "syscall", "name,ret,errno,error");
	assert_str(j, "syscall.name", "connect");
	assert_str(j, "syscall.error", "EINPROGRESS");
	assert_keys(j, "network", "family,address,port");
	assert_str(j, "network.family", "ipv4");
	assert_str(j, "network.address", "169.254.169.254");
	assert_num(j, "network.port", 80);
	cJSON_Delete(j);
}

/* A connect whose sockaddr changed in memory: the kernel's peer is network.address, the
 * caller's copies at entry and exit ride along (net.bpf.c: 40 hex digits each, "" unread). */
static void test_metadata_tampered(void **state)
{
	static const uint8_t lo[8] = {127, 0, 0, 1};
	char entry[41], exitc[41];
	const char *strs[2] = {entry, exitc};
	cJSON *j;

	/* family 2, port 80, then the 16 address bytes */
	snprintf(entry, sizeof(entry), "%s", "00020050a9fea9fe000000000000000000000000");
	snprintf(exitc, sizeof(exitc), "%s", "000200507f000001000000000000000000000000");
	build(C2D_SYS_CONNECT, C2D_KIND_METADATA_ACCESS, 0, strs, 2);
	rec.ev.hdr.flags = C2D_F_TAMPERED;
	rec.ev.args[1] = 2;
	rec.ev.args[2] = 80;
	memcpy(&rec.ev.args[3], lo, sizeof(lo));
	j = render("cloud-metadata-endpoint", C2D_KIND_METADATA_ACCESS, false);
	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,tampered,node,process,"
			     "syscall,network,cgroup_id");
	assert_true(cJSON_IsTrue(json_find(j, "tampered")));
	/* the exit copy equals the peer: not repeated */
	assert_keys(j, "network", "family,address,port,address_at_entry,port_at_entry");
	assert_str(j, "network.address", "127.0.0.1");
	assert_str(j, "network.address_at_entry", "169.254.169.254");
	assert_num(j, "network.port_at_entry", 80);
	cJSON_Delete(j);

	/* an unreadable entry copy and a malformed one are left out, never guessed */
	snprintf(entry, sizeof(entry), "%s", "");
	snprintf(exitc, sizeof(exitc), "%s", "0002zz507f000001000000000000000000000000");
	build(C2D_SYS_CONNECT, C2D_KIND_METADATA_ACCESS, 0, strs, 2);
	rec.ev.hdr.flags = C2D_F_TAMPERED;
	rec.ev.args[1] = 2;
	rec.ev.args[2] = 80;
	memcpy(&rec.ev.args[3], lo, sizeof(lo));
	j = render("cloud-metadata-endpoint", C2D_KIND_METADATA_ACCESS, false);
	assert_keys(j, "network", "family,address,port");
	cJSON_Delete(j);
}

static void test_storage_rename(void **state)
{
	static const char *const paths[] = {"/srv/data/a", "/srv/data/b\xff"};
	cJSON *j;

	build(C2D_SYS_RENAMEAT2, C2D_KIND_STORAGE_WRITE, 0, paths, 2);
	rec.ev.hdr.flags = C2D_F_PATH_TRUNCATED;
	j = render("production-storage", C2D_KIND_STORAGE_WRITE, true);

	assert_str(j, "kind", "storage_write");
	assert_keys(j, "syscall", "name,ret");
	assert_str(j, "syscall.name", "renameat2");
	assert_num(j, "syscall.ret", 0);
	assert_keys(j, "file", "path,new_path,truncated");
	assert_str(j, "file.path", "/srv/data/a");
	assert_str(j, "file.new_path", "/srv/data/b\xef\xbf\xbd");
	assert_true(cJSON_IsTrue(get(j, "file.truncated")));
	cJSON_Delete(j);
}

/* A name rewritten while the call ran: tampered, and the entry copy as args_at_entry. */
static void test_tampered_rename(void **state)
{
	static const char *const strs[] = {"/tmp/x", "/tmp/y", "/srv/data/f", "/tmp/y"};
	struct finding f = {.d = &dec, .rule = rule_named("production-storage"),
			    .kind = C2D_KIND_STORAGE_WRITE};
	long n;
	cJSON *j;

	build(C2D_SYS_RENAME, C2D_KIND_STORAGE_WRITE, 0, strs, 4);
	rec.ev.hdr.flags = C2D_F_TAMPERED;
	rec.ev.rule_id = (uint16_t)f.rule;
	rec.ev.str_role[0] = C2D_STR_PATH;
	rec.ev.str_role[1] = C2D_STR_NEW_PATH;
	rec.ev.str_role[2] = C2D_STR_ENTRY_PATH;
	rec.ev.str_role[3] = C2D_STR_ENTRY_NEW_PATH;
	assert_int_equal(event_decode(&rec, rec.ev.hdr.size, &dec), 0);
	f.path[0] = event_str(&dec, C2D_STR_PATH);
	f.path[1] = event_str(&dec, C2D_STR_NEW_PATH);
	f.entry[0] = event_str(&dec, C2D_STR_ENTRY_PATH);
	f.entry[1] = event_str(&dec, C2D_STR_ENTRY_NEW_PATH);
	n = render_enriched(out, sizeof(out) - 1, &f);
	assert_true(n > 0);
	out[n] = 0;
	assert_non_null(j = cJSON_Parse(out));
	assert_true(cJSON_IsTrue(get(j, "tampered")));
	assert_keys(j, "syscall", "name,ret,args_at_entry");
	assert_keys(j, "syscall.args_at_entry", "path,new_path");
	assert_str(j, "syscall.args_at_entry.path", "/srv/data/f");
	assert_str(j, "syscall.args_at_entry.new_path", "/tmp/y");
	assert_keys(j, "file", "path,new_path");
	assert_str(j, "file.path", "/tmp/x");
	cJSON_Delete(j);
}

/* New names: no open flags, the link's two names; untampered events say nothing of it. */
static void test_new_names(void **state)
{
	static const char *const link[] = {"/etc/shadow", "/tmp/l"};
	cJSON *j;

	build(C2D_SYS_LINKAT, C2D_KIND_CREDENTIAL_READ, 0, link, 2);
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_str(j, "syscall.name", "linkat");
	assert_keys(j, "syscall", "name,ret");
	assert_keys(j, "file", "path,new_path");
	assert_null(json_find(j, "tampered"));
	cJSON_Delete(j);
	build(C2D_SYS_NAME_TO_HANDLE_AT, C2D_KIND_CREDENTIAL_READ, 0, link, 1);
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_str(j, "syscall.name", "name_to_handle_at");
	assert_keys(j, "syscall", "name,ret"); /* opens nothing: no flags */
	assert_keys(j, "file", "path");
	cJSON_Delete(j);
}

/* An opened file: host path, inode, device (MAJ:MIN), and the pod volume of a write. */
static void test_file_identity_and_volume(void **state)
{
	static const char *const paths[] = {"/data/x"};
	static const struct hostpath_volume vol = {
		.pod_uid = "1f2e", .plugin = "kubernetes.io~empty-dir", .name = "cache",
		.host_path = "/var/lib/kubelet/pods/1f2e/volumes/kubernetes.io~empty-dir/cache"};
	struct finding f = {.d = &dec, .rule = rule_named("production-storage"),
			    .kind = C2D_KIND_STORAGE_WRITE, .path = {"/data/x"},
			    .host_path = "/var/lib/kubelet/pods/1f2e/volumes/kubernetes.io~empty-dir/"
					 "cache/x",
			    .volume = &vol};
	long n;
	cJSON *j;

	build(C2D_SYS_OPENAT, C2D_KIND_STORAGE_WRITE, 3, paths, 1);
	rec.ev.ino = 861;
	rec.ev.dev = hostpath_kdev(254, 1);
	rec.ev.rule_id = (uint16_t)f.rule;
	assert_int_equal(event_decode(&rec, rec.ev.hdr.size, &dec), 0);
	n = render_enriched(out, sizeof(out) - 1, &f);
	assert_true(n > 0);
	j = cJSON_ParseWithLength(out, (size_t)n);
	assert_non_null(j);
	assert_keys(j, "file", "path,host_path,inode,dev");
	assert_str(j, "file.host_path", f.host_path);
	assert_num(j, "file.inode", 861);
	assert_str(j, "file.dev", "254:1");
	assert_keys(j, "volume", "name,plugin,host_path,pod_uid");
	assert_str(j, "volume.name", "cache");
	assert_str(j, "volume.pod_uid", "1f2e");
	assert_str(j, "volume.host_path", vol.host_path);
	cJSON_Delete(j);
	/* an inode JSON readers would round (overlayfs xino) is left out, the rest stays */
	rec.ev.ino = 1ull << 60;
	f.volume = NULL;
	n = render_enriched(out, sizeof(out) - 1, &f);
	j = cJSON_ParseWithLength(out, (size_t)n);
	assert_non_null(j);
	assert_keys(j, "file", "path,host_path,dev");
	assert_null(cJSON_GetObjectItemCaseSensitive(j, "volume"));
	cJSON_Delete(j);
}

static void test_args_truncated(void **state)
{
	static const char *const paths[] = {"/etc/shadow"};
	struct proc_entry *e = proc_cache_get(pc, 4242);
	cJSON *j;

	e->args_truncated = true;
	build(C2D_SYS_OPEN, C2D_KIND_CREDENTIAL_READ, -EACCES, paths, 1);
	rec.ev.args[0] = O_WRONLY | O_CREAT | O_TRUNC;
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	e->args_truncated = false;

	assert_keys(j, "process", "pid,ppid,uid,euid,gid,comm,executable,args,args_truncated,"
				  "start_time,parent");
	assert_true(cJSON_IsTrue(get(j, "process.args_truncated")));
	assert_str(j, "outcome", "failure");
	assert_str(j, "syscall.error", "EACCES");
	assert_str_array(j, "syscall.flags", "O_WRONLY,O_CREAT,O_TRUNC");
	cJSON_Delete(j);
}

/* A pid is reused: the cache still holds the previous process of that pid (it started at
 * another time). Nothing of it is rendered as the new process's — nor a later holder of the
 * parent's pid as the parent; once the entry is the right process, it is used. */
static void test_reused_pid(void **state)
{
	static const char *const paths[] = {"/etc/shadow"};
	struct proc_entry *e;
	cJSON *j;

	add_proc(5000, 4000, "old", "/usr/bin/old", "old\0--secret-flag\0", 19);
	proc_cache_get(pc, 5000)->start_ns = 1 * SEC;
	add_proc(5001, 1, "later", "/usr/bin/later", "later\0", 6);
	proc_cache_get(pc, 5001)->start_ns = 9 * SEC; /* started after the child below */
	build(C2D_SYS_OPENAT, C2D_KIND_CREDENTIAL_READ, 3, paths, 1);
	rec.ev.hdr.pid = rec.ev.hdr.tgid = 5000;
	rec.ev.hdr.ppid = 5001;
	rec.ev.hdr.start_ns = 5 * SEC;
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_keys(j, "process", "pid,ppid,uid,euid,gid,comm,start_time");
	assert_str(j, "process.comm", "cat"); /* the kernel's, of this process */
	assert_null(strstr(out, "/usr/bin/old"));
	assert_null(strstr(out, "--secret-flag"));
	assert_null(strstr(out, "/usr/bin/later"));
	cJSON_Delete(j);
	/* the entry replaced by the new process (its exec event): used */
	e = proc_cache_upsert(pc, 5000);
	proc_cache_set_exec(pc, e, "/usr/bin/new", "new\0", 4, false);
	e->start_ns = 5 * SEC + 3 * 1000 * 1000; /* /proc's tick-rounded start: the same */
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_str(j, "process.executable", "/usr/bin/new");
	cJSON_Delete(j);
	proc_cache_remove(pc, 5000);
	proc_cache_remove(pc, 5001);
}

static void test_too_small_buffer(void **state)
{
	static const char *const paths[] = {"/etc/shadow"};
	struct finding f = {.d = &dec, .kind = C2D_KIND_CREDENTIAL_READ, .path = {"/etc/shadow"}};
	long full;

	build(C2D_SYS_OPENAT, C2D_KIND_CREDENTIAL_READ, 3, paths, 1);
	f.rule = rule_named("etc-shadow");
	assert_int_equal(event_decode(&rec, rec.ev.hdr.size, &dec), 0);
	full = render_enriched(out, sizeof(out), &f);
	assert_true(full > 0);
	for (long cap = 0; cap < full; cap++) {
		char *buf = malloc(cap ? (size_t)cap : 1); /* ASan: a write past cap is caught */

		assert_non_null(buf);
		assert_int_equal(render_enriched(buf, (size_t)cap, &f), -ENOSPC);
		free(buf);
	}
}

/* An event that stands for folded findings: count, then the first and the last (its own
 * time); count 1 with times is a sweep's summary of one; no times, no fields. */
static void test_folded(void **state)
{
	static const char *const paths[] = {"/etc/shadow"};
	cJSON *j;

	build(C2D_SYS_OPENAT, C2D_KIND_CREDENTIAL_READ, 3, paths, 1);
	rec.ev.count = 20000;
	rec.ev.first_ns = 1 * SEC + 7;
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,count,first_time,last_time,"
			     "node,process,syscall,file,cgroup_id");
	assert_num(j, "count", 20000);
	assert_str(j, "first_time", "2023-11-14T22:13:21.000000007Z");
	assert_str(j, "last_time", "2023-11-14T22:13:22.500000123Z");
	assert_str(j, "time", "2023-11-14T22:13:22.500000123Z");
	cJSON_Delete(j);

	build(C2D_SYS_OPENAT, C2D_KIND_CREDENTIAL_READ, 3, paths, 1);
	rec.ev.count = 1;
	rec.ev.first_ns = rec.ev.hdr.ktime_ns;
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,first_time,last_time,"
			     "node,process,syscall,file,cgroup_id");
	cJSON_Delete(j);

	build(C2D_SYS_OPENAT, C2D_KIND_CREDENTIAL_READ, 3, paths, 1);
	rec.ev.count = 1;
	j = render("etc-shadow", C2D_KIND_CREDENTIAL_READ, true);
	assert_keys(j, NULL, "schema,id,time,kind,rule,severity,outcome,node,process,syscall,file,"
			     "cgroup_id");
	cJSON_Delete(j);
}

static void test_render_time(void **state)
{
	static const struct {
		uint64_t boot;
		int64_t offset;
		const char *want;
	} cases[] = {
		{0, 0, "1970-01-01T00:00:00.000000000Z"},
		{1, 0, "1970-01-01T00:00:00.000000001Z"},
		{2 * SEC + 500000123, EPOCH_OFFSET, "2023-11-14T22:13:22.500000123Z"},
		{999999999, 1709251199LL * SEC, "2024-02-29T23:59:59.999999999Z"},
		{SEC, 1709251199LL * SEC, "2024-03-01T00:00:00.000000000Z"},
		{10 * SEC, -5 * SEC, "1970-01-01T00:00:05.000000000Z"},
		{0, 4102444800LL * SEC - 1, "2099-12-31T23:59:59.999999999Z"},
	};
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		render_time(buf, sizeof(buf), cases[i].boot, cases[i].offset);
		assert_string_equal(buf, cases[i].want);
	}
	render_time(buf, 11, 0, 0); /* truncated, still terminated */
	assert_string_equal(buf, "1970-01-01");
}

/* The same text as "%u:%u" of major and minor, for the edges of both fields. */
static void test_render_dev(void **state)
{
	static const uint32_t kdevs[] = {0, 1, 254u << 20, (8u << 20) | 1, (0xfffu << 20) | 0xfffff,
					 (1u << 20) | 0xfffff, 0xffffffffu, 259u << 20 | 65536};
	char buf[32], want[32];

	for (size_t i = 0; i < ARRAY_SIZE(kdevs); i++) {
		snprintf(want, sizeof(want), "%u:%u", kdevs[i] >> 20, kdevs[i] & 0xfffff);
		assert_string_equal(render_dev(buf, sizeof(buf), kdevs[i]), want);
	}
	assert_string_equal(render_dev(buf, 4, (254u << 20) | 12), "254"); /* cut, terminated */
	assert_string_equal(render_dev(buf, 1, 1), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credential_read),
		cmocka_unit_test(test_privileged_call),
		cmocka_unit_test(test_privileged_args_from_kernel),
		cmocka_unit_test(test_metadata_access),
		cmocka_unit_test(test_metadata_tampered),
		cmocka_unit_test(test_storage_rename),
		cmocka_unit_test(test_tampered_rename),
		cmocka_unit_test(test_new_names),
		cmocka_unit_test(test_file_identity_and_volume),
		cmocka_unit_test(test_args_truncated),
		cmocka_unit_test(test_reused_pid),
		cmocka_unit_test(test_too_small_buffer),
		cmocka_unit_test(test_render_time),
		cmocka_unit_test(test_render_dev),
		cmocka_unit_test(test_folded),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_daemonset.c - the shipped images run the way the Helm chart runs them, on a real
 * containerd (ctr), end to end:
 *
 *   helm/images/build.sh (IMPORT=1) → the collector image as the chart's StatefulSet runs it
 *   (uid 65532 from the image, read-only root, no capability, RuntimeDefault seccomp, only the
 *   store writable) → the agent image as the chart's DaemonSet runs it (host PID namespace,
 *   read-only root, RuntimeDefault seccomp, no_new_privs, exactly BPF PERFMON SYS_RESOURCE
 *   SYS_PTRACE DAC_READ_SEARCH, the chart's six host mounts and nothing else) → a workload
 *   container with CRI's io.kubernetes.* labels and provenance image labels reads its
 *   service-account token → the collector's store holds that credential_read with the
 *   container, the pod and the provenance.
 *
 * Differences from a kubelet, each forced by running without one:
 *   - --net-host for both: the agent reaches the collector on 127.0.0.1 (the chart uses a Service).
 *   - the token is a file in a bind-mounted directory (the chart: a Secret volume); no policy
 *     ConfigMap (the agent's built-in policy), --k8s-api none (no API server: pod names come
 *     from the container labels, as in test_containerd.c).
 *   - ctr's 14 default capabilities are dropped one by one (ctr 1.6 has no "drop ALL").
 *   - the host PID namespace is joined as /proc/<this test's pid>/ns/pid: this test runs in
 *     the initial PID namespace; /proc/1 may be a sandbox init whose ns link is not readable.
 *   - CAP_SYS_RESOURCE is only asked for when this process's bounding set holds it (some
 *     sandboxes drop it; runc then refuses to start the container). The agent does not need
 *     it on kernels >= 5.11 (values.yaml says so); the test prints a note when it skips it.
 *
 * Everything lives in containerd's "default" namespace (the agent maps /default/<id> to a
 * container of that namespace) under names holding this process's pid, and is removed in the
 * group teardown, also after a failure.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "harness_collector.h"

#define NS "default"
#define POD_UID "5d1c7a90-3e2b-4f6a-9b8c-0a1b2c3d4e5f"
#define CTR "timeout 60 ctr -n " NS " "

/* capability numbers (linux/capability.h) */
#define CAP_DAC_READ_SEARCH_ 2
#define CAP_SYS_PTRACE_ 19
#define CAP_SYS_RESOURCE_ 24
#define CAP_PERFMON_ 38
#define CAP_BPF_ 39

static const char *const ctr_default_caps[] = {
	"CAP_CHOWN",	"CAP_DAC_OVERRIDE", "CAP_FSETID",	    "CAP_FOWNER",     "CAP_MKNOD",
	"CAP_NET_RAW",	"CAP_SETGID",	    "CAP_SETUID",	    "CAP_SETFCAP",    "CAP_SETPCAP",
	"CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
};

static struct {
	char dir[64];		 /* temp dir: images, store, token, spool, logs */
	char prefix[64];	 /* REPO_PREFIX of the images */
	char agent_img[192], coll_img[192];
	char work_img[96], work_img_base[64];
	char agent_id[64], coll_id[64], work_id[64];
	bool agent_started, coll_started, work_built, images_built;
	struct h_collector c;	 /* filled by hand: the collector runs in a container */
	char drops[1024];	 /* --cap-drop … */
	int metrics_port;	 /* the agent's --metrics-addr, on loopback (host network) */
	bool sys_resource;	 /* CAP_SYS_RESOURCE in our bounding set */
} g;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* One "Key:\tvalue" line of /proc/<pid>/status (pid 0: self) into out. */
static int proc_status(pid_t pid, const char *key, char *out, size_t cap)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	int rc = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, key, klen) && line[klen] == ':') {
			const char *v = line + klen + 1;

			v += strspn(v, " \t");
			snprintf(out, cap, "%.*s", (int)strcspn(v, "\n"), v);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

static uint64_t proc_caps(pid_t pid, const char *key)
{
	char v[64] = "";

	if (proc_status(pid, key, v, sizeof(v)) < 0)
		return UINT64_MAX;
	return strtoull(v, NULL, 16);
}

static int read_file(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "re");
	size_t n;

	buf[0] = 0;
	if (!f)
		return -1;
	n = fread(buf, 1, cap - 1, f);
	buf[n] = 0;
	fclose(f);
	return (int)n;
}

static pid_t read_pid(const char *path)
{
	char buf[32];

	return read_file(path, buf, sizeof(buf)) > 0 ? (pid_t)atoi(buf) : 0;
}

/* GET /healthz answers 200. */
static bool healthy(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	static const char req[] = "GET /healthz HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
	char buf[64] = "";
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = false;

	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    write(fd, req, sizeof(req) - 1) == (ssize_t)(sizeof(req) - 1) &&
	    read(fd, buf, sizeof(buf) - 1) > 12)
		ok = !strncmp(buf + 9, "200", 3);
	close(fd);
	return ok;
}

/* The first image in NS whose name starts with prefix into out. */
static int find_image(const char *prefix, char *out, size_t cap)
{
	char line[256];
	int rc = -1;
	FILE *p = popen(CTR "images ls -q", "r");

	if (!p)
		return -1;
	while (fgets(line, sizeof(line), p)) {
		line[strcspn(line, "\n")] = 0;
		if (rc < 0 && !strncmp(line, prefix, strlen(prefix))) {
			snprintf(out, cap, "%s", line);
			rc = 0;
		}
	}
	pclose(p);
	return rc;
}

static bool task_running(const char *id)
{
	char cmd[256], line[256];
	bool running = false;
	FILE *p;

	snprintf(cmd, sizeof(cmd), CTR "tasks ls 2>/dev/null");
	p = popen(cmd, "r");
	if (!p)
		return false;
	while (fgets(line, sizeof(line), p)) {
		char name[128], pid[32], status[32];

		if (sscanf(line, "%127s %31s %31s", name, pid, status) == 3 && !strcmp(name, id) &&
		    strcmp(status, "STOPPED") != 0)
			running = true;
	}
	pclose(p);
	return running;
}

/* SIGTERM, wait up to 30 s (then SIGKILL), remove the task and the container. */
static void stop_container(const char *id)
{
	long long deadline = now_ms() + H_STOP_TIMEOUT_MS;

	if (task_running(id)) {
		h_sh(CTR "tasks kill --signal SIGTERM %s >/dev/null 2>&1", id);
		while (task_running(id) && now_ms() < deadline)
			usleep(100 * 1000);
		if (task_running(id)) {
			fprintf(stderr, "%s: no exit 30 s after SIGTERM, killing it\n", id);
			h_sh(CTR "tasks kill --signal SIGKILL %s >/dev/null 2>&1", id);
			usleep(500 * 1000);
		}
	}
	h_sh(CTR "tasks rm -f %s >/dev/null 2>&1; " CTR "containers rm %s >/dev/null 2>&1; true", id,
	   id);
}

static void dump(const char *what, const char *name)
{
	char path[128];
	static char buf[65536];

	snprintf(path, sizeof(path), "%s/%s", g.dir, name);
	if (read_file(path, buf, sizeof(buf)) >= 0)
		fprintf(stderr, "---- %s (%s)\n%s---- end of %s\n", what, path, buf, what);
}

/* ---- setup: images, collector, agent ------------------------------------------------ */

static int build_images(void)
{
	char cwd[256];

	if (access("build/c2d-agent", X_OK) || access("build/c2d-collector", X_OK)) {
		fprintf(stderr, "build/c2d-agent and build/c2d-collector are needed (make)\n");
		return -1;
	}
	if (!getcwd(cwd, sizeof(cwd)))
		return -1;
	/* build.sh reads $BUILD/c2d-{agent,collector} and writes $BUILD/images: a private BUILD
	 * of symlinks keeps build/images (make images) untouched */
	if (h_sh("ln -s %s/build/c2d-agent %s/build/c2d-collector %s/ && mkdir -p %s/bin", cwd, cwd,
	       g.dir, g.dir) != 0)
		return -1;
	g.images_built = true;
	if (h_sh("BUILD=%s IMPORT=1 CTR_NAMESPACE=%s REPO_PREFIX=%s helm/images/build.sh "
	       ">%s/images.log 2>&1",
	       g.dir, NS, g.prefix, g.dir) != 0) {
		dump("helm/images/build.sh", "images.log");
		return -1;
	}
	{
		char p[128];

		snprintf(p, sizeof(p), "docker.io/%s/c2d-agent:", g.prefix);
		if (find_image(p, g.agent_img, sizeof(g.agent_img)) < 0)
			return -1;
		snprintf(p, sizeof(p), "docker.io/%s/c2d-collector:", g.prefix);
		if (find_image(p, g.coll_img, sizeof(g.coll_img)) < 0)
			return -1;
	}
	g.work_built = true;
	return h_sh("tests/integration/images/build_image.sh %s %s "
		  "org.opencontainers.image.revision=dddd4444 "
		  "org.opencontainers.image.source=https://git.example/acme/payments "
		  "org.opencontainers.image.version=1.4.3 "
		  "org.opencontainers.image.created=2026-11-28T10:00:00Z "
		  "dev.cloud2dev.pipeline.id=202 "
		  "dev.cloud2dev.pipeline.url=https://ci.example/acme/payments/-/pipelines/202",
		  NS, g.work_img);
}

/* The chart's StatefulSet: uid 65532 (the image's user), read-only root, no capabilities,
 * RuntimeDefault seccomp, the store the only writable path, token readable by group 65532. */
static int start_collector(void)
{
	struct h_collector *c = &g.c;
	long long deadline;
	FILE *f;

	c->port = h_free_port();
	if (c->port < 0)
		return -1;
	snprintf(c->dir, sizeof(c->dir), "%s", g.dir);
	snprintf(c->db, sizeof(c->db), "%s/store/c2d.db", g.dir);
	snprintf(c->token_file, sizeof(c->token_file), "%s/token/token", g.dir);
	snprintf(c->url, sizeof(c->url), "http://127.0.0.1:%d", c->port);
	if (h_sh("mkdir -p %s/store %s/token %s/spool && chown 65532:65532 %s/store && "
	       "chmod 0700 %s/store %s/spool",
	       g.dir, g.dir, g.dir, g.dir, g.dir, g.dir) != 0)
		return -1;
	f = fopen(c->token_file, "w");
	if (!f)
		return -1;
	fprintf(f, "c2d-ds-token-%d-%ld\n", getpid(), (long)time(NULL));
	fclose(f);
	if (chown(c->token_file, 0, 65532) || chmod(c->token_file, 0440))
		return -1;
	g.coll_started = true;
	if (h_sh(CTR "run -d --read-only --seccomp --net-host %s "
		   "--env SQLITE_TMPDIR=/var/lib/cloud2dev-collector "
		   "--mount type=bind,src=%s/store,dst=/var/lib/cloud2dev-collector,options=rbind:rw "
		   "--mount type=bind,src=%s/token,dst=/etc/cloud2dev/token,options=rbind:ro "
		   "--log-uri file://%s/collector.log --pid-file %s/collector.pid "
		   "%s %s /usr/bin/c2d-collector --listen 127.0.0.1:%d "
		   "--db /var/lib/cloud2dev-collector/c2d.db "
		   "--token-file /etc/cloud2dev/token/token >/dev/null",
		   g.drops, g.dir, g.dir, g.dir, g.dir, g.coll_img, g.coll_id, c->port) != 0)
		return -1;
	deadline = now_ms() + H_COLLECTOR_READY_MS;
	while (!healthy(c->port)) {
		if (now_ms() > deadline || !task_running(g.coll_id)) {
			dump("collector log", "collector.log");
			return -1;
		}
		usleep(100 * 1000);
	}
	return 0;
}

static int start_agent(void)
{
	char adds[256], host[128], log[128];
	static char buf[65536];
	long long deadline;

	snprintf(adds, sizeof(adds),
		 "--cap-add CAP_BPF --cap-add CAP_PERFMON %s--cap-add CAP_SYS_PTRACE "
		 "--cap-add CAP_DAC_READ_SEARCH",
		 g.sys_resource ? "--cap-add CAP_SYS_RESOURCE " : "");
	if (gethostname(host, sizeof(host)) < 0)
		return -1;
	host[sizeof(host) - 1] = 0;
	g.agent_started = true;
	g.metrics_port = h_free_port();
	if (h_sh(CTR "run -d --read-only --seccomp --with-ns pid:/proc/%d/ns/pid --net-host %s %s "
		   "--mount type=bind,src=/sys/kernel/btf,dst=/sys/kernel/btf,options=rbind:ro "
		   "--mount type=bind,src=/sys/kernel/tracing,dst=/sys/kernel/tracing,options=rbind:ro "
		   "--mount type=bind,src=/sys/fs/cgroup,dst=/sys/fs/cgroup,options=rbind:ro "
		   "--mount type=bind,src=/run/containerd/containerd.sock,"
		   "dst=/run/containerd/containerd.sock,options=bind:ro "
		   "--mount type=bind,src=%s/spool,dst=/var/lib/cloud2dev,options=rbind:rw "
		   "--mount type=bind,src=%s/token,dst=/etc/cloud2dev/token,options=rbind:ro "
		   "--env NODE_NAME=%s --log-uri file://%s/agent.log --pid-file %s/agent.pid "
		   "%s %s /usr/bin/c2d-agent --collector %s "
		   "--token-file /etc/cloud2dev/token/token --state-dir /var/lib/cloud2dev "
		   "--log-level info --containerd-socket /run/containerd/containerd.sock "
		   "--k8s-api none --metrics-addr 127.0.0.1:%d >/dev/null",
		   (int)getpid(), adds, g.drops, g.dir, g.dir, host, g.dir, g.dir, g.agent_img,
		   g.agent_id, g.c.url, g.metrics_port) != 0)
		return -1;
	snprintf(log, sizeof(log), "%s/agent.log", g.dir);
	deadline = now_ms() + H_READY_TIMEOUT_MS;
	for (;;) {
		read_file(log, buf, sizeof(buf));
		if (strstr(buf, " ready: "))
			return 0;
		if (now_ms() > deadline || !task_running(g.agent_id)) {
			dump("agent log", "agent.log");
			return -1;
		}
		usleep(100 * 1000);
	}
}

static int group_teardown(void **state);

static int group_setup(void **state)
{
	int pid = getpid();
	size_t n = 0;

	(void)state;
	snprintf(g.dir, sizeof(g.dir), "/tmp/c2d-ds.XXXXXX");
	if (!mkdtemp(g.dir))
		return -1;
	snprintf(g.prefix, sizeof(g.prefix), "c2d-ds-%d", pid);
	snprintf(g.work_img_base, sizeof(g.work_img_base), "c2d/ds-%d", pid);
	snprintf(g.work_img, sizeof(g.work_img), "%s:rev-d", g.work_img_base);
	snprintf(g.agent_id, sizeof(g.agent_id), "c2d-ds-agent-%d", pid);
	snprintf(g.coll_id, sizeof(g.coll_id), "c2d-ds-coll-%d", pid);
	snprintf(g.work_id, sizeof(g.work_id), "c2d-ds-work-%d", pid);
	for (size_t i = 0; i < sizeof(ctr_default_caps) / sizeof(*ctr_default_caps); i++)
		n += snprintf(g.drops + n, sizeof(g.drops) - n, "--cap-drop %s ",
			      ctr_default_caps[i]);
	g.sys_resource = (proc_caps(0, "CapBnd") >> CAP_SYS_RESOURCE_) & 1;
	if (!g.sys_resource)
		fprintf(stderr, "note: CAP_SYS_RESOURCE is not in this process's bounding set "
				"(a sandbox): the agent runs with the other four capabilities\n");
	if (build_images() != 0 || start_collector() != 0 || start_agent() != 0) {
		group_teardown(NULL); /* clean up here: not every cmocka runs it after a failed setup */
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!g.dir[0])
		return 0; /* already done */
	/* the agent first: it drains its queue to the collector on SIGTERM */
	if (g.agent_started)
		stop_container(g.agent_id);
	if (g.coll_started)
		stop_container(g.coll_id);
	stop_container(g.work_id);
	if (g.images_built && g.agent_img[0])
		h_sh(CTR "images rm %s >/dev/null 2>&1", g.agent_img);
	if (g.images_built && g.coll_img[0])
		h_sh(CTR "images rm %s >/dev/null 2>&1", g.coll_img);
	if (g.work_built)
		h_sh(CTR "images rm %s %s:img >/dev/null 2>&1; true", g.work_img, g.work_img_base);
	if (!getenv("C2D_KEEP"))
		h_sh("rm -rf %s", g.dir);
	else
		fprintf(stderr, "C2D_KEEP: logs and store kept in %s\n", g.dir);
	g.dir[0] = 0;
	return 0;
}

/* The options of the last mount at mnt in pid's mountinfo ("ro,nosuid,…"). */
static int mount_opts(pid_t pid, const char *mnt, char *out, size_t cap)
{
	char path[64], line[1024];
	int rc = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char m[512], o[256];

		if (sscanf(line, "%*s %*s %*s %*s %511s %255s", m, o) == 2 && !strcmp(m, mnt)) {
			snprintf(out, cap, "%s", o);
			rc = 0;
		}
	}
	fclose(f);
	return rc;
}

/* ---- the tests ------------------------------------------------------------------------ */

/* Least privilege really is in effect: the kernel's view of the agent process. */
static void test_agent_least_privilege(void **state)
{
	uint64_t want = (1ULL << CAP_BPF_) | (1ULL << CAP_PERFMON_) | (1ULL << CAP_SYS_PTRACE_) |
			(1ULL << CAP_DAC_READ_SEARCH_) |
			(g.sys_resource ? 1ULL << CAP_SYS_RESOURCE_ : 0);
	char path[128], v[64], host_ns[64], agent_ns[64];
	pid_t pid;
	ssize_t n;

	(void)state;
	snprintf(path, sizeof(path), "%s/agent.pid", g.dir);
	pid = read_pid(path);
	assert_true(pid > 0);
	fprintf(stderr, "agent pid %d CapEff %016llx (want %016llx)\n", (int)pid,
		(unsigned long long)proc_caps(pid, "CapEff"), (unsigned long long)want);
	assert_int_equal(proc_caps(pid, "CapEff"), want);
	assert_int_equal(proc_caps(pid, "CapPrm"), want);
	assert_int_equal(proc_caps(pid, "CapBnd"), want);
	assert_int_equal(proc_caps(pid, "CapInh"), 0);
	assert_int_equal(proc_caps(pid, "CapAmb"), 0);
	assert_int_equal(proc_status(pid, "NoNewPrivs", v, sizeof(v)), 0); /* no privilege escalation */
	assert_string_equal(v, "1");
	assert_int_equal(proc_status(pid, "Seccomp", v, sizeof(v)), 0); /* RuntimeDefault: a filter */
	assert_string_equal(v, "2");
	assert_int_equal(proc_status(pid, "Uid", v, sizeof(v)), 0); /* runAsUser: 0 */
	assert_int_equal(strncmp(v, "0\t", 2), 0);
	/* hostPID: the agent sees the host's pids */
	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	n = readlink(path, agent_ns, sizeof(agent_ns) - 1);
	assert_true(n > 0);
	agent_ns[n] = 0;
	n = readlink("/proc/self/ns/pid", host_ns, sizeof(host_ns) - 1);
	assert_true(n > 0);
	host_ns[n] = 0;
	assert_string_equal(agent_ns, host_ns);
	/* read-only root file system; the spool the only writable host mount */
	assert_int_equal(mount_opts(pid, "/", v, sizeof(v)), 0);
	assert_int_equal(strncmp(v, "ro", 2), 0);
	assert_int_equal(mount_opts(pid, "/var/lib/cloud2dev", v, sizeof(v)), 0);
	assert_int_equal(strncmp(v, "rw", 2), 0);
	for (size_t i = 0; i < 4; i++) {
		static const char *const ro[] = {"/sys/kernel/btf", "/sys/kernel/tracing",
						 "/sys/fs/cgroup", "/run/containerd/containerd.sock"};

		assert_int_equal(mount_opts(pid, ro[i], v, sizeof(v)), 0);
		if (strncmp(v, "ro", 2) != 0)
			fail_msg("%s is mounted %s in the agent", ro[i], v);
	}
}

static void test_collector_unprivileged(void **state)
{
	char path[128], v[64];
	pid_t pid;

	(void)state;
	snprintf(path, sizeof(path), "%s/collector.pid", g.dir);
	pid = read_pid(path);
	assert_true(pid > 0);
	assert_int_equal(proc_caps(pid, "CapEff"), 0);
	assert_int_equal(proc_caps(pid, "CapBnd"), 0);
	assert_int_equal(proc_status(pid, "Uid", v, sizeof(v)), 0);
	assert_int_equal(strncmp(v, "65532\t", 6), 0);
	assert_int_equal(proc_status(pid, "Gid", v, sizeof(v)), 0);
	assert_int_equal(strncmp(v, "65532\t", 6), 0);
	assert_int_equal(proc_status(pid, "Seccomp", v, sizeof(v)), 0);
	assert_string_equal(v, "2");
}

/* The workload reads its service-account token and lives on for a second, as a pod's process
 * does (a container whose only process exits within milliseconds of the read can be gone, cgroup
 * included, before the agent resolves the event's cgroup id: the finding then arrives without
 * container, see test_containerd.c for the host-agent case). The collector stores the finding with the
 * container, the pod (from CRI's labels) and the provenance (from the image labels). */
static void test_token_read_reaches_collector(void **state)
{
	char sql[2048], host[128];
	long long n = 0, deadline;
	static char log[65536];

	(void)state;
	assert_int_equal(gethostname(host, sizeof(host)), 0);
	assert_int_equal(
		h_sh(CTR "run --rm --label io.kubernetes.pod.name=payments-7d9f8c6b5-k8j2m "
		       "--label io.kubernetes.pod.namespace=prod --label io.kubernetes.pod.uid=%s "
		       "--label io.kubernetes.container.name=payments %s %s "
		       "/bin/cat /var/run/secrets/kubernetes.io/serviceaccount/token >/dev/null",
		   POD_UID, g.work_img, g.work_id),
		0);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE kind='credential_read' "
		 "AND rule='k8s-serviceaccount-token' AND container_id='%s' "
		 "AND container_name='payments' AND image_name='%s' "
		 "AND image_digest LIKE 'sha256:%%' AND length(image_digest)=71 "
		 "AND namespace='prod' AND pod='payments-7d9f8c6b5-k8j2m' AND pod_uid='%s' "
		 "AND workload_kind='Deployment' AND workload_name='payments' "
		 "AND commit_sha='dddd4444' AND repository='https://git.example/acme/payments' "
		 "AND version='1.4.3' AND build_time='2026-11-28T10:00:00Z' AND pipeline_id='202' "
		 "AND pipeline_url='https://ci.example/acme/payments/-/pipelines/202' "
		 "AND node='%s' "
		 "AND json_extract(body,'$.file.path')="
		 "'/var/run/secrets/kubernetes.io/serviceaccount/token' "
		 "AND json_extract(body,'$.container.runtime')='containerd' "
		 "AND json_extract(body,'$.provenance.sources.commit')="
		 "'image-label:org.opencontainers.image.revision'",
		 g.work_id, g.work_img, POD_UID, host);
	deadline = now_ms() + H_EVENT_TIMEOUT_MS;
	while ((n = h_collector_count(&g.c, sql)) < 1 && now_ms() < deadline)
		usleep(200 * 1000);
	if (n != 1) {
		char any[256];

		snprintf(any, sizeof(any),
			 "SELECT count(*) FROM events WHERE container_id='%s'", g.work_id);
		fprintf(stderr, "events of %s in the store: %lld\n", g.work_id,
			h_collector_count(&g.c, any));
		h_sh("sqlite3 -readonly %s \"SELECT body FROM events WHERE container_id='%s'\" >&2",
		   g.c.db, g.work_id);
		dump("agent log", "agent.log");
	}
	assert_int_equal(n, 1);
	/* the container start was stored too, once */
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM events WHERE kind='container_start' AND container_id='%s' "
		 "AND commit_sha='dddd4444' AND pod='payments-7d9f8c6b5-k8j2m'",
		 g.work_id);
	assert_int_equal(h_collector_count(&g.c, sql), 1);
	/* the chart's probes and scrape, answered from inside the least-privileged container */
	snprintf(sql, sizeof(sql), "http://127.0.0.1:%d/readyz", g.metrics_port);
	assert_int_equal(h_http_get(sql, log, sizeof(log)), 200);
	snprintf(sql, sizeof(sql), "http://127.0.0.1:%d/healthz", g.metrics_port);
	assert_int_equal(h_http_get(sql, log, sizeof(log)), 200);
	snprintf(sql, sizeof(sql), "http://127.0.0.1:%d", g.metrics_port);
	deadline = now_ms() + 10000; /* the 202 may reach the agent after the store has the row */
	while (h_metric(sql, "c2d_agent_events_shipped_total") <= 0 && now_ms() < deadline)
		usleep(200 * 1000);
	if (h_metric(sql, "c2d_agent_kernel_findings_total{kind=\"credential_read\"}") < 1 ||
	    h_metric(sql, "c2d_agent_events_shipped_total") <= 0 ||
	    h_metric(sql, "c2d_agent_metadata_cache_entries") < 0) {
		snprintf(sql, sizeof(sql), "http://127.0.0.1:%d/metrics", g.metrics_port);
		h_http_get(sql, log, sizeof(log));
		fail_msg("unexpected /metrics:\n%s", log);
	}
	/* no error in the agent's log so far (a missing mount or capability shows there) */
	snprintf(sql, sizeof(sql), "%s/agent.log", g.dir);
	read_file(sql, log, sizeof(log));
	if (strstr(log, " error ") || strstr(log, " warn ")) {
		dump("agent log", "agent.log");
		fail_msg("the agent logged an error or warning");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_least_privilege),
		cmocka_unit_test(test_collector_unprivileged),
		cmocka_unit_test(test_token_read_reaches_collector),
	};

	return cmocka_run_group_tests_name("daemonset", tests, group_setup, group_teardown);
}

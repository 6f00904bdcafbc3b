// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_evasion_files.c - the evasion suite, files: other names for the same file. Credential
 * and storage rules match the opened file by what it is (device + inode), so each technique
 * below, run for real, is still a finding, with the path the process used, the host's path of
 * the file, its inode and device:
 *
 *  - a hard link to /etc/shadow, made on the same filesystem, read;
 *  - /etc bind-mounted elsewhere in a private mount namespace, read through it;
 *  - a container with the host's /etc mounted at /host/etc (a hostPath volume) reading
 *    /host/etc/shadow;
 *  - a write, and an ftruncate, through a hard link (made before the agent started) into
 *    /srv/prod;
 *  - /srv/prod mounted into a container as /data (a volume) and written there;
 *  - /srv bind-mounted elsewhere and a file created below prod/ through it;
 *  - a rule's file replaced by rename (new inode, as `passwd` does to /etc/shadow): a hard link
 *    to the NEW file matches once the agent has re-resolved it; one to the old file no longer;
 *  - a read of a storage file through its hard link is not a storage write;
 *  - a file made below a credential directory rule, read through a bind mount of it;
 *  - a rule's file (and its directories) made after the agent started, read through a link.
 *
 * The agent runs with --storage-path /srv/prod/ and a policy naming a test file. Test files
 * live under /var/tmp (the root filesystem, as /etc: a hard link cannot cross filesystems, and
 * /tmp may be a tmpfs) and /srv/prod/c2d-evfiles-<pid>/; all are removed at the end.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#define NS "default"
#define IMAGE "c2d/evfiles:v1"
#define STORAGE_ROOT "/srv/prod"

static struct h_agent *agent;
static char base[PATH_MAX];    /* /var/tmp/c2d-evfiles-<pid> */
static char storage[PATH_MAX]; /* /srv/prod/c2d-evfiles-<pid> */
static char policy[PATH_MAX + 32];
static bool made_storage_root;

static int link_or_fail(const char *from, const char *to)
{
	unlink(to);
	if (link(from, to) < 0) {
		fprintf(stderr, "link %s %s: %s\n", from, to, strerror(errno));
		return -1;
	}
	return 0;
}

static int group_setup(void **state)
{
	char data[PATH_MAX + 16], link[PATH_MAX + 16], watched[PATH_MAX + 16];
	char storage_arg[PATH_MAX + 16];
	struct stat st;
	FILE *f;

	snprintf(base, sizeof(base), "/var/tmp/c2d-evfiles-%d", getpid());
	snprintf(storage, sizeof(storage), STORAGE_ROOT "/c2d-evfiles-%d", getpid());
	made_storage_root = stat(STORAGE_ROOT, &st) < 0;
	if (h_sh("mkdir -p %s %s", base, storage) != 0)
		return -1;
	/* before the agent starts: a file in storage with a second name outside it */
	snprintf(data, sizeof(data), "%s/data", storage);
	snprintf(link, sizeof(link), "%s/data-link", base);
	if (h_write_file(data, 0644) < 0 || link_or_fail(data, link) < 0)
		return -1;
	snprintf(watched, sizeof(watched), "%s/watched", base);
	if (h_write_file(watched, 0644) < 0 || h_sh("mkdir -p %s/creds", base) != 0)
		return -1;
	snprintf(policy, sizeof(policy), "%s/policy.json", base);
	f = fopen(policy, "w");
	if (!f)
		return -1;
	fprintf(f, "{\"rules\": [{\"name\": \"evasion-watched\", \"kind\": \"credential_read\", "
		   "\"path\": \"%s\"}, {\"name\": \"evasion-creds\", \"kind\": "
		   "\"credential_read\", \"path\": \"%s/creds/\"}, {\"name\": \"evasion-later\", "
		   "\"kind\": \"credential_read\", \"path\": \"%s/later/dir/secret\"}]}\n",
		watched, base, base);
	fclose(f);
	if (h_sh("tests/integration/images/build_image.sh %s %s", NS, IMAGE) != 0)
		return -1;
	snprintf(storage_arg, sizeof(storage_arg), "%s/", STORAGE_ROOT);
	{
		const char *args[] = {"--storage-path", storage_arg, "--policy", policy, NULL};

		agent = h_agent_start(args);
	}
	return agent ? 0 : -1;
}

static int group_teardown(void **state)
{
	int rc = 0;

	if (agent && (h_agent_bad_lines(agent) != 0 || h_agent_stop(agent) != 0))
		rc = -1;

	h_sh("rm -rf %s %s", base, storage);
	if (made_storage_root)
		h_sh("rmdir %s 2>/dev/null", STORAGE_ROOT);
	h_sh("ctr -n %s images rm %s c2d/evfiles:img >/dev/null 2>&1", NS, IMAGE);
	return rc;
}

static void run(struct h_proc *p, char **argv)
{
	assert_int_equal(h_run(p, agent, argv, H_KEEP_ID, H_KEEP_ID), 0);
}

/* In a private mount namespace, src bind-mounted at dst (made here), then open_file with opts
 * ("" or "-f FLAGS ") on path; the process in *p. */
static void open_through_bind(struct h_proc *p, const char *src, const char *dst,
			      const char *opts, const char *path)
{
	static char cmd[5 * PATH_MAX];
	static char *argv[] = {"/usr/bin/unshare", "-m", "/bin/sh", "-c", cmd, NULL};

	assert_int_equal(mkdir(dst, 0755), 0);
	snprintf(cmd, sizeof(cmd),
		 "mount --make-rprivate / && mount --bind %s %s && exec %s %s%s", src, dst,
		 h_trigger("open_file"), opts, path);
	run(p, argv);
}

/* A hard link to /etc/shadow: another name, the same inode. */
static void test_hard_link_to_shadow(void **state)
{
	static const char *const flags[] = {"O_RDONLY", NULL};
	char link[PATH_MAX + 16];
	char *argv[3];
	const cJSON *ev;
	struct h_proc p;

	snprintf(link, sizeof(link), "%s/shadow-link", base);
	assert_int_equal(link_or_fail("/etc/shadow", link), 0);
	argv[0] = (char *)h_trigger("open_file");
	argv[1] = link;
	argv[2] = NULL;
	run(&p, argv);
	ev = h_expect_event(agent, &p, "credential_read", "etc-shadow", "openat");
	h_check_event(agent, ev, &p,
		      &(struct h_expect){.kind = "credential_read", .rule = "etc-shadow",
					 .severity = "high", .syscall = "openat", .ret = 3,
					 .flags = flags, .path = link});
	h_expect_str(ev, "file.host_path", link); /* the link is the host's own name */
	h_expect_file_identity(ev, "/etc/shadow");
	unlink(link);
}

/* /etc bind-mounted elsewhere in a private mount namespace, read through the bind. */
static void test_bind_mount_of_etc(void **state)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 32];
	const cJSON *ev;
	struct h_proc p;

	snprintf(dir, sizeof(dir), "%s/etc-bind", base);
	snprintf(path, sizeof(path), "%s/shadow", dir);
	open_through_bind(&p, "/etc", dir, "", path);
	ev = h_expect_event(agent, &p, "credential_read", "etc-shadow", "openat");
	h_expect_str(ev, "file.path", path);
	h_expect_str(ev, "file.host_path", "/etc/shadow");
	h_expect_str(ev, "process.executable", h_trigger("open_file"));
	h_expect_file_identity(ev, "/etc/shadow");
	rmdir(dir);
}

static bool in_container(const cJSON *ev, const void *arg)
{
	const char *const *want = arg; /* {container id, rule} */

	return h_str(ev, "container.id") && !strcmp(h_str(ev, "container.id"), want[0]) &&
	       h_str(ev, "rule") && !strcmp(h_str(ev, "rule"), want[1]);
}

/* A container with the host's /etc at /host/etc (a hostPath volume) reads /host/etc/shadow. */
static void test_container_host_etc(void **state)
{
	char id[64];
	const char *want[2] = {id, "etc-shadow"};
	const cJSON *ev;

	snprintf(id, sizeof(id), "c2d-evfiles-etc-%d", getpid());
	assert_int_equal(h_agent_keep(agent, id), 0);
	assert_int_equal(h_sh("ctr -n %s run --rm --mount type=bind,src=/etc,dst=/host/etc,"
			      "options=rbind:ro %s %s /bin/cat /host/etc/shadow >/dev/null",
			      NS, IMAGE, id),
			 0);
	ev = h_agent_wait(agent, in_container, want, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "kind", "credential_read");
	h_expect_str(ev, "file.path", "/host/etc/shadow");
	h_expect_str(ev, "file.host_path", "/etc/shadow");
	h_expect_str(ev, "container.runtime", "containerd");
	h_expect_str(ev, "container.image.name", IMAGE);
	h_expect_file_identity(ev, "/etc/shadow");
}

/* A write through a hard link (made before the agent started) to a file in /srv/prod. */
static void test_write_through_hard_link_into_storage(void **state)
{
	static const char *const flags[] = {"O_WRONLY", NULL};
	char link[PATH_MAX + 16], data[PATH_MAX + 16];
	char *argv[] = {(char *)h_trigger("open_file"), "-f", "O_WRONLY", link, NULL};
	const cJSON *ev;
	struct h_proc p;

	snprintf(link, sizeof(link), "%s/data-link", base);
	snprintf(data, sizeof(data), "%s/data", storage);
	run(&p, argv);
	ev = h_expect_event(agent, &p, "storage_write", "production-storage", "openat");
	h_check_event(agent, ev, &p,
		      &(struct h_expect){.kind = "storage_write", .rule = "production-storage",
					 .severity = "high", .syscall = "openat", .ret = 3,
					 .flags = flags, .path = link});
	h_expect_str(ev, "file.host_path", link);
	h_expect_file_identity(ev, data);
}

/* ftruncate through a descriptor opened by the other name: the file, not the name, is judged. */
static void test_ftruncate_through_hard_link_into_storage(void **state)
{
	char link[PATH_MAX + 16], data[PATH_MAX + 16];
	char *argv[] = {(char *)h_trigger("ftruncate_file"), link, NULL};
	const cJSON *ev;
	struct h_proc p;

	snprintf(link, sizeof(link), "%s/data-link", base);
	snprintf(data, sizeof(data), "%s/data", storage);
	run(&p, argv);
	ev = h_expect_event(agent, &p, "storage_write", "production-storage", "ftruncate");
	h_expect_str(ev, "file.path", link);
	h_expect_int(ev, "syscall.ret", 0);
	h_expect_file_identity(ev, data);
}

/* /srv/prod mounted into a container as /data (how storage reaches a pod) and written. */
static void test_container_writes_storage_volume(void **state)
{
	char id[64], host[PATH_MAX + 16];
	const char *want[2] = {id, "production-storage"};
	const cJSON *ev;

	snprintf(id, sizeof(id), "c2d-evfiles-vol-%d", getpid());
	snprintf(host, sizeof(host), "%s/from-container", storage);
	assert_int_equal(h_agent_keep(agent, id), 0);
	assert_int_equal(h_sh("ctr -n %s run --rm --mount type=bind,src=%s,dst=/data,"
			      "options=rbind:rw %s %s /bin/sh -c 'echo x > /data/from-container'",
			      NS, storage, IMAGE, id),
			 0);
	ev = h_agent_wait(agent, in_container, want, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	h_expect_str(ev, "kind", "storage_write");
	h_expect_str(ev, "file.path", "/data/from-container");
	h_expect_str(ev, "file.host_path", host);
	h_expect_file_identity(ev, host);
}

/*
 * The rule's file replaced by rename (a new inode, as `passwd` replaces /etc/shadow), then read
 * through a hard link to the NEW file: matched once the agent re-resolved the rule (inotify on
 * its directory; bounded poll). A link to the OLD file is no longer the rule's file.
 */
static void test_rule_file_replaced_by_rename(void **state)
{
	char watched[PATH_MAX + 16], fresh[PATH_MAX + 16], old_link[PATH_MAX + 16];
	char new_link[PATH_MAX + 16];
	char *argv[] = {(char *)h_trigger("open_file"), new_link, NULL};
	char *old_argv[] = {(char *)h_trigger("open_file"), old_link, NULL};
	const cJSON *ev = NULL;
	struct h_proc p;

	snprintf(watched, sizeof(watched), "%s/watched", base);
	snprintf(fresh, sizeof(fresh), "%s/watched.new", base);
	snprintf(old_link, sizeof(old_link), "%s/old-link", base);
	snprintf(new_link, sizeof(new_link), "%s/new-link", base);
	assert_int_equal(link_or_fail(watched, old_link), 0);
	assert_int_equal(h_write_file(fresh, 0644), 0);
	assert_int_equal(rename(fresh, watched), 0);
	assert_int_equal(link_or_fail(watched, new_link), 0);
	for (int i = 0; i < 50 && !ev; i++) { /* each try is a real read; at most ~10 s */
		const struct h_match m = {.kind = "credential_read", .rule = "evasion-watched"};

		run(&p, argv);
		ev = h_agent_wait(agent, h_match_event,
				  &(struct h_match){.pid = p.pid, .kind = m.kind, .rule = m.rule},
				  200);
	}
	assert_non_null(ev);
	h_expect_str(ev, "file.path", new_link);
	h_expect_file_identity(ev, watched);
	/* the old inode is no longer the rule's file */
	run(&p, old_argv);
	h_agent_pump(agent, H_QUIET_MS);
	h_expect_none(agent, &(struct h_match){.pid = p.pid}, "a read of the replaced file");
}

/*
 * /srv (the storage directory's parent) bind-mounted elsewhere in a private mount namespace and
 * a file created through it: the storage directory is an ancestor inside the bind mount (found
 * by the path walk itself, not the walk above the mount's root).
 */
static void test_write_through_bind_of_storage_parent(void **state)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 64], host[PATH_MAX + 32];
	const cJSON *ev;
	struct h_proc p;

	snprintf(dir, sizeof(dir), "%s/srv-bind", base);
	snprintf(path, sizeof(path), "%s/prod/%s/through-bind", dir, strrchr(storage, '/') + 1);
	snprintf(host, sizeof(host), "%s/through-bind", storage);
	open_through_bind(&p, "/srv", dir, "-f O_WRONLY,O_CREAT ", path);
	ev = h_expect_event(agent, &p, "storage_write", "production-storage", "openat");
	h_expect_str(ev, "file.path", path);
	h_expect_str(ev, "file.host_path", host);
	h_expect_file_identity(ev, host);
	rmdir(dir);
}

/* Reading a storage file through its other name is not a write: identity does not make it one
 * (the kernel judges by the opened file's f_mode). */
static void test_storage_identity_only_for_writes(void **state)
{
	char link[PATH_MAX + 16];
	char *argv[] = {(char *)h_trigger("open_file"), link, NULL};
	struct h_proc p;

	snprintf(link, sizeof(link), "%s/data-link", base);
	run(&p, argv);
	h_agent_pump(agent, H_QUIET_MS);
	h_expect_none(agent, &(struct h_match){.pid = p.pid}, "a read of a storage file");
}

/*
 * A credential directory rule by identity: a file made below it after the agent started (so not
 * one of the files registered by inode), read through a bind mount of the directory in a
 * private mount namespace: the dentry walk reaches the rule's directory.
 */
static void test_credential_directory_through_bind_mount(void **state)
{
	char key[PATH_MAX + 32], dir[PATH_MAX + 16], path[PATH_MAX + 32], src[PATH_MAX + 16];
	const cJSON *ev;
	struct h_proc p;

	snprintf(key, sizeof(key), "%s/creds/sub/key", base);
	snprintf(dir, sizeof(dir), "%s/creds-bind", base);
	snprintf(path, sizeof(path), "%s/sub/key", dir);
	snprintf(src, sizeof(src), "%s/creds", base);
	assert_int_equal(h_write_file(key, 0600), 0);
	open_through_bind(&p, src, dir, "", path);
	ev = h_expect_event(agent, &p, "credential_read", "evasion-creds", "openat");
	h_expect_str(ev, "file.path", path);
	h_expect_str(ev, "file.host_path", key);
	h_expect_file_identity(ev, key);
	rmdir(dir);
}

/*
 * A rule's file that did not exist when the agent started (nor did its directory): once made,
 * a hard link to it matches (the nearest existing directory was watched; bounded poll).
 */
static void test_rule_file_appearing_later(void **state)
{
	char secret[PATH_MAX + 32], link[PATH_MAX + 16];
	char *argv[] = {(char *)h_trigger("open_file"), link, NULL};
	const cJSON *ev = NULL;
	struct h_proc p;

	snprintf(secret, sizeof(secret), "%s/later/dir/secret", base);
	snprintf(link, sizeof(link), "%s/later-link", base);
	assert_int_equal(h_write_file(secret, 0600), 0); /* makes later/ and later/dir/ too */
	assert_int_equal(link_or_fail(secret, link), 0);
	for (int i = 0; i < 50 && !ev; i++) { /* each try is a real read; at most ~10 s */
		run(&p, argv);
		ev = h_agent_wait(agent, h_match_event,
				  &(struct h_match){.pid = p.pid, .kind = "credential_read",
						    .rule = "evasion-later"},
				  200);
	}
	assert_non_null(ev);
	h_expect_str(ev, "file.path", link);
	h_expect_file_identity(ev, secret);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hard_link_to_shadow),
		cmocka_unit_test(test_bind_mount_of_etc),
		cmocka_unit_test(test_container_host_etc),
		cmocka_unit_test(test_write_through_hard_link_into_storage),
		cmocka_unit_test(test_ftruncate_through_hard_link_into_storage),
		cmocka_unit_test(test_container_writes_storage_volume),
		cmocka_unit_test(test_write_through_bind_of_storage_parent),
		cmocka_unit_test(test_rule_file_replaced_by_rename),
		cmocka_unit_test(test_storage_identity_only_for_writes),
		cmocka_unit_test(test_credential_directory_through_bind_mount),
		cmocka_unit_test(test_rule_file_appearing_later),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

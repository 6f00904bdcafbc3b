// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_file_ids.c - agent/capture/file_ids.c against real kernel maps (hash maps shaped like the
 * object's file_ids and dir_ids; needs CAP_BPF, skipped without): the rules' files and
 * directories by identity, the device markers, the files with several links below storage,
 * the policy switches, a rule's file replaced by rename (new id in, old id out), and a learnt
 * file; and the identity gate (c2d_id_gate) covers every id in both maps (the kernel's prewalk
 * decides by it), and loses the bit of an id the maps no longer hold. Files live under
 * /var/tmp (a hard link needs one filesystem).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "file_ids.h"
#include "hostpath.h"
#include "unit.h"

static struct c2d_policy pol;
static char dir[64];
static int file_fd = -1, dir_fd = -1;
static volatile uint32_t flags;
static volatile uint64_t gate[C2D_GATE_WORDS]; /* the programs' c2d_id_gate */

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

static void touch(const char *name)
{
	char p[256];
	int fd;

	path_of(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static struct c2d_file_id id_of(const char *name)
{
	struct c2d_file_id id = {0};
	struct stat st;
	char p[256];

	path_of(p, sizeof(p), name);
	assert_int_equal(stat(p, &st), 0);
	id.ino = st.st_ino;
	id.dev = hostpath_kdev(major(st.st_dev), minor(st.st_dev));
	return id;
}

/* The rule the map holds for id, or -1. */
static int rule_in(int fd, struct c2d_file_id id)
{
	struct c2d_rule_val v;

	return bpf_map_lookup_elem(fd, &id, &v) == 0 ? v.rule_id : -1;
}

/* Wait (bounded) until the map says want for id. */
static bool wait_rule(int fd, struct c2d_file_id id, int want)
{
	for (int i = 0; i < 100; i++) {
		if (rule_in(fd, id) == want)
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static bool gate_has(struct c2d_file_id id)
{
	return c2d_gate_test((const __u64 *)gate, c2d_gate_id(id.ino, id.dev));
}

/* The gate's promise: every id in either map (files, directories and device markers) has its
 * bit (checked over the whole maps). */
static void assert_gate_covers_map(void)
{
	const int fds[] = {file_fd, dir_fd};

	for (int m = 0; m < 2; m++) {
		struct c2d_file_id k, next;
		void *prev = NULL;
		int n = 0;

		while (bpf_map_get_next_key(fds[m], prev, &next) == 0) {
			k = next;
			prev = &k;
			assert_true(gate_has(k));
			n++;
		}
		assert_true(n > 0);
	}
}

/* Is the bit of id set by no id the maps hold? (then a rebuilt gate has it clear) */
static bool bit_unshared(struct c2d_file_id id)
{
	uint32_t h = c2d_gate_id(id.ino, id.dev) % C2D_GATE_BITS; /* its position in the gate */
	const int fds[] = {file_fd, dir_fd};

	for (int m = 0; m < 2; m++) {
		struct c2d_file_id k, next;
		void *prev = NULL;

		while (bpf_map_get_next_key(fds[m], prev, &next) == 0) {
			k = next;
			prev = &k;
			if (c2d_gate_id(k.ino, k.dev) % C2D_GATE_BITS == h)
				return false;
		}
	}
	return true;
}

static bool wait_gate_clear(struct c2d_file_id id)
{
	for (int i = 0; i < 100; i++) {
		if (!gate_has(id))
			return true;
		usleep(50 * 1000);
	}
	return false;
}

static int setup(void **state)
{
	char p[256], err[256];

	file_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_file_ids", sizeof(struct c2d_file_id),
				 sizeof(struct c2d_rule_val), 4096, NULL);
	dir_fd = bpf_map_create(BPF_MAP_TYPE_HASH, "t_dir_ids", sizeof(struct c2d_file_id),
				sizeof(struct c2d_rule_val), 1024, NULL);
	if (file_fd < 0 || dir_fd < 0)
		return 0; /* no CAP_BPF: the tests skip */
	snprintf(dir, sizeof(dir), "/var/tmp/c2d-fileids.XXXXXX");
	assert_non_null(mkdtemp(dir));
	path_of(p, sizeof(p), "creds");
	mkdir(p, 0700);
	path_of(p, sizeof(p), "store");
	mkdir(p, 0755);
	path_of(p, sizeof(p), "store/deep");
	mkdir(p, 0755);
	touch("secret");
	touch("creds/key");
	touch("store/deep/linked");
	touch("store/plain");
	{
		char a[256], b[256];

		path_of(a, sizeof(a), "store/deep/linked");
		path_of(b, sizeof(b), "outside-link");
		assert_int_equal(link(a, b), 0);
	}
	memset(&pol, 0, sizeof(pol));
	path_of(p, sizeof(p), "secret");
	assert_int_equal(policy_add_path_rule(&pol, "t-secret", C2D_KIND_CREDENTIAL_READ, p, "high",
					      err, sizeof(err)), 0);
	path_of(p, sizeof(p), "creds/");
	assert_int_equal(policy_add_path_rule(&pol, "t-creds", C2D_KIND_CREDENTIAL_READ, p, "high",
					      err, sizeof(err)), 0);
	path_of(p, sizeof(p), "store");
	assert_int_equal(policy_add_storage_path(&pol, p, err, sizeof(err)), 0);
	return 0;
}

static int teardown(void **state)
{
	if (file_fd >= 0)
		close(file_fd);
	if (dir_fd >= 0)
		close(dir_fd);
	if (dir[0]) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return -1;
	}
	return 0;
}

static void test_ids_kept_current(void **state)
{
	struct file_ids_opts o = {.policy = &pol, .file_fd = file_fd, .dir_fd = dir_fd,
				  .policy_flags = &flags, .id_gate = gate, .host_root = "",
				  .mountinfo = "/proc/self/mountinfo"};
	struct c2d_file_id old_secret, marker;
	struct file_ids *fi;
	char a[256], b[256];

	if (file_fd < 0)
		skip();
	assert_int_equal(file_ids_start(&fi, &o), 0);
	/* exact rule, a credential directory and a file in it, storage and its linked file */
	assert_int_equal(rule_in(file_fd, id_of("secret")), 0);
	assert_int_equal(rule_in(dir_fd, id_of("creds")), 1);
	assert_int_equal(rule_in(file_fd, id_of("creds/key")), 1);
	assert_int_equal(rule_in(dir_fd, id_of("store")), 2);
	assert_int_equal(rule_in(file_fd, id_of("outside-link")), 2);
	assert_int_equal(rule_in(file_fd, id_of("store/plain")), -1); /* one link: by directory */
	marker = id_of("store");
	marker.ino = 0;
	assert_int_equal(rule_in(dir_fd, marker), 0xffff); /* the device's marker */
	assert_int_equal(flags & (C2D_POL_FILE_IDS | C2D_POL_DIR_IDS | C2D_POL_DIR_IDS_CRED),
			 C2D_POL_FILE_IDS | C2D_POL_DIR_IDS | C2D_POL_DIR_IDS_CRED);
	assert_gate_covers_map();
	/* the rule's file replaced by rename: the new inode in, the old one out */
	old_secret = id_of("secret");
	path_of(a, sizeof(a), "secret.keep");
	path_of(b, sizeof(b), "secret");
	assert_int_equal(link(b, a), 0); /* keeps the old inode alive: its number is not reused */
	touch("secret.new");
	path_of(a, sizeof(a), "secret.new");
	assert_int_equal(rename(a, b), 0);
	assert_true(wait_rule(file_fd, id_of("secret"), 0));
	assert_true(wait_rule(file_fd, old_secret, -1));
	assert_gate_covers_map();
	if (bit_unshared(old_secret)) /* its bit goes with it, unless another id shares it */
		assert_true(wait_gate_clear(old_secret));
	/* a learnt file */
	touch("learnt");
	path_of(a, sizeof(a), "learnt");
	assert_int_equal(file_ids_learn(fi, a, 2), 0);
	assert_true(wait_rule(file_fd, id_of("learnt"), 2));
	assert_gate_covers_map();
	assert_int_equal(file_ids_learn(fi, "relative", 2), -EINVAL);
	file_ids_stop(fi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_kept_current),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}

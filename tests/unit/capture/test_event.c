// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_event.c - agent/capture/event.c: event_decode on hand-built ring-buffer records, valid and
 * malformed. Every record is decoded from a heap copy of exactly its size, so that a read past
 * the end is an ASan error, not a silent pass.
 */
#include <errno.h>

#include "event.h"
#include "unit.h"

#define REC_MAX (sizeof(struct c2d_exec_event) + C2D_PATH_MAX + C2D_ARGS_MAX + 1024)

static union {
	struct c2d_event_hdr hdr;
	struct c2d_syscall_event sys;
	struct c2d_exec_event exec;
	struct c2d_fork_event fork;
	struct c2d_exit_event exit;
	char raw[REC_MAX];
} rec;

static void fill_hdr(uint16_t type, size_t size)
{
	memset(&rec, 0, sizeof(rec));
	rec.hdr.type = type;
	rec.hdr.size = (uint16_t)size;
	rec.hdr.pid = 101;
	rec.hdr.tgid = 100;
	rec.hdr.ppid = 1;
	memcpy(rec.hdr.comm, "cat", 4);
}

/* A credential read carrying n of strs; returns the record's size. */
static size_t build_syscall(const char *const *strs, int n)
{
	size_t pos = sizeof(rec.sys);

	fill_hdr(C2D_EV_SYSCALL, 0);
	rec.hdr.sys = C2D_SYS_OPENAT;
	rec.sys.kind = C2D_KIND_CREDENTIAL_READ;
	rec.sys.rule_id = 7;
	rec.sys.ret = 3;
	rec.sys.nstr = (uint8_t)n;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(strs[i]) + 1;

		memcpy(rec.raw + pos, strs[i], len);
		rec.sys.str_len[i] = (uint16_t)len;
		pos += len;
	}
	rec.hdr.size = (uint16_t)pos;
	return pos;
}

static size_t build_exec(const char *exe, const char *args, size_t args_len)
{
	size_t el = strlen(exe) + 1, pos = sizeof(rec.exec);

	fill_hdr(C2D_EV_EXEC, 0);
	memcpy(rec.raw + pos, exe, el);
	memcpy(rec.raw + pos + el, args, args_len);
	rec.exec.exe_len = (uint16_t)el;
	rec.exec.args_len = (uint16_t)args_len;
	pos += el + args_len;
	rec.hdr.size = (uint16_t)pos;
	return pos;
}

static size_t build_fork(void)
{
	fill_hdr(C2D_EV_FORK, sizeof(rec.fork));
	rec.fork.parent_pid = 50;
	rec.fork.parent_tgid = 49;
	return sizeof(rec.fork);
}

static size_t build_exit(void)
{
	fill_hdr(C2D_EV_EXIT, sizeof(rec.exit));
	rec.exit.exit_code = 256;
	return sizeof(rec.exit);
}

/* Decode a heap copy of the first `size` bytes of rec; *copy is the caller's to free. */
static int decode_copy(size_t size, struct c2d_decoded *d, char **copy)
{
	*copy = malloc(size ? size : 1);
	assert_non_null(*copy);
	memcpy(*copy, rec.raw, size);
	return event_decode(*copy, size, d);
}

static void test_syscall_strings(void **state)
{
	static const char *const strs[C2D_MAX_STRS] = {"/etc/shadow", "", "ext4", "/var/x"};

	for (int n = 0; n <= C2D_MAX_STRS; n++) {
		size_t size = build_syscall(strs, n);
		struct c2d_decoded d;
		char *copy;

		assert_int_equal(decode_copy(size, &d, &copy), 0);
		assert_ptr_equal(d.hdr, copy);
		assert_ptr_equal(d.sys, copy);
		assert_null(d.exec);
		assert_null(d.fork);
		assert_null(d.exit);
		assert_int_equal(d.nstr, n);
		assert_int_equal(d.sys->rule_id, 7);
		for (int i = 0; i < n; i++) {
			assert_true(d.strs[i] > copy && d.strs[i] < copy + size);
			assert_string_equal(d.strs[i], strs[i]);
			assert_int_equal(d.slen[i], strlen(strs[i]));
		}
		for (int i = n; i < C2D_MAX_STRS; i++)
			assert_null(d.strs[i]);
		free(copy);
	}
}

/* Each string carries its role; an unknown role is a malformed record. */
static void test_syscall_string_roles(void **state)
{
	static const char *const strs[] = {"/data/x", "/srv/prod/x"};
	struct c2d_decoded d;
	size_t size;
	char *copy;

	size = build_syscall(strs, 2);
	rec.sys.str_role[0] = C2D_STR_PATH;
	rec.sys.str_role[1] = C2D_STR_FS_PATH;
	assert_int_equal(decode_copy(size, &d, &copy), 0);
	assert_string_equal(event_str(&d, C2D_STR_FS_PATH), "/srv/prod/x");
	assert_string_equal(event_str(&d, C2D_STR_PATH), "/data/x");
	assert_null(event_str(&d, C2D_STR_ENTRY_PATH));
	free(copy);
	rec.sys.str_role[1] = C2D_STR_ROLE_MAX;
	assert_int_equal(decode_copy(size, &d, &copy), -EINVAL);
	free(copy);
	memset(rec.sys.str_role, 0, sizeof(rec.sys.str_role));
}

static void test_syscall_string_positions(void **state)
{
	static const char *const strs[] = {"/a", "/bb", "/ccc"};
	size_t size = build_syscall(strs, 3);
	struct c2d_decoded d;
	char *copy;

	assert_int_equal(decode_copy(size, &d, &copy), 0);
	assert_ptr_equal(d.strs[0], copy + sizeof(rec.sys));
	assert_ptr_equal(d.strs[1], copy + sizeof(rec.sys) + 3);
	assert_ptr_equal(d.strs[2], copy + sizeof(rec.sys) + 7);
	free(copy);
}

static void test_exec(void **state)
{
	static const char args[] = "cat\0/etc/shadow"; /* the last NUL too: 16 bytes */
	size_t size = build_exec("/usr/bin/cat", args, sizeof(args));
	struct c2d_decoded d;
	char *copy;

	assert_int_equal(decode_copy(size, &d, &copy), 0);
	assert_ptr_equal(d.exec, copy);
	assert_null(d.sys);
	assert_string_equal(d.exe, "/usr/bin/cat");
	assert_ptr_equal(d.exe, copy + sizeof(rec.exec));
	assert_ptr_equal(d.args, d.exe + 13);
	assert_int_equal(d.args_len, sizeof(args));
	assert_memory_equal(d.args, args, sizeof(args));
	free(copy);
}

static void test_exec_no_args(void **state)
{
	size_t size = build_exec("/x", "", 0);
	struct c2d_decoded d;
	char *copy;

	assert_int_equal(decode_copy(size, &d, &copy), 0);
	assert_string_equal(d.exe, "/x");
	assert_int_equal(d.args_len, 0);
	free(copy);
}

/* build_exec("/bin/cat", "cat", 4) followed by cg (cg_len bytes) as the cgroup names. */
static size_t build_exec_cg(const char *cg, size_t cg_len)
{
	size_t pos = build_exec("/bin/cat", "cat", 4);

	memcpy(rec.raw + pos, cg, cg_len);
	rec.exec.cg_len = (uint16_t)cg_len;
	pos += cg_len;
	rec.hdr.size = (uint16_t)pos;
	return pos;
}

static void test_exec_cgroup_names(void **state)
{
	static const char cg[] = "c2d-ds-work-1\0default"; /* leaf first; the last NUL too */
	size_t size = build_exec_cg(cg, sizeof(cg));
	struct c2d_decoded d;
	char *copy;

	assert_int_equal(decode_copy(size, &d, &copy), 0);
	assert_int_equal(d.cg_n, 2);
	assert_string_equal(d.cg_names[0], "c2d-ds-work-1");
	assert_string_equal(d.cg_names[1], "default");
	assert_int_equal(d.args_len, 4); /* the names are not argv */
	free(copy);
	size = build_exec("/bin/cat", "cat", 4);
	assert_int_equal(decode_copy(size, &d, &copy), 0);
	assert_int_equal(d.cg_n, 0);
	free(copy);
}

static void test_exec_cgroup_names_malformed(void **state)
{
	static const char unterminated[] = {'a', 0, 'b'};
	static const char five[] = "a\0b\0c\0d\0e"; /* more than C2D_CG_DEPTH */
	char longname[C2D_CG_NAME_MAX + 1];
	struct c2d_decoded d;
	size_t size;
	char *copy;

	assert_int_equal(decode_copy(build_exec_cg(unterminated, sizeof(unterminated)), &d, &copy),
			 -EINVAL);
	free(copy);
	assert_int_equal(decode_copy(build_exec_cg(five, sizeof(five)), &d, &copy), -EINVAL);
	free(copy);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0; /* C2D_CG_NAME_MAX bytes before the NUL: one too many */
	assert_int_equal(decode_copy(build_exec_cg(longname, sizeof(longname)), &d, &copy), -EINVAL);
	free(copy);
	/* cg_len past the end of the record */
	size = build_exec_cg("a", 2);
	rec.exec.cg_len = 3;
	assert_int_equal(decode_copy(size, &d, &copy), -EINVAL);
	free(copy);
}

static void test_fork_exit(void **state)
{
	struct c2d_decoded d;
	char *copy;

	assert_int_equal(decode_copy(build_fork(), &d, &copy), 0);
	assert_ptr_equal(d.fork, copy);
	assert_null(d.exit);
	assert_null(d.sys);
	assert_int_equal(d.fork->parent_tgid, 49);
	assert_int_equal(d.hdr->tgid, 100);
	free(copy);

	assert_int_equal(decode_copy(build_exit(), &d, &copy), 0);
	assert_ptr_equal(d.exit, copy);
	assert_null(d.fork);
	assert_int_equal(d.exit->exit_code, 256);
	free(copy);
}

/* ---- malformed records ----------------------------------------------------------------- */

struct bad_case {
	const char *what;
	size_t (*build)(void);
	/* applied to rec after build; returns the size handed to event_decode */
	size_t (*spoil)(size_t size);
};

static size_t valid_syscall(void)
{
	static const char *const strs[] = {"/etc/shadow", "/etc/gshadow"};

	return build_syscall(strs, 2);
}

static size_t valid_exec(void)
{
	return build_exec("/bin/sh", "sh\0-c\0", 6);
}

static size_t s_none(size_t n)
{
	return n;
}

static size_t s_short_hdr(size_t n)
{
	return sizeof(struct c2d_event_hdr) - 1;
}

static size_t s_empty(size_t n)
{
	return 0;
}

static size_t s_size_past_buffer(size_t n)
{
	rec.hdr.size = (uint16_t)(n + 1);
	return n;
}

static size_t s_size_below_hdr(size_t n)
{
	rec.hdr.size = sizeof(struct c2d_event_hdr) - 1;
	return n;
}

static size_t s_type_zero(size_t n)
{
	rec.hdr.type = 0;
	return n;
}

static size_t s_type_five(size_t n)
{
	rec.hdr.type = 5;
	return n;
}

static size_t s_type_huge(size_t n)
{
	rec.hdr.type = 0xffff;
	return n;
}

static size_t s_sys_short(size_t n)
{
	rec.hdr.size = sizeof(struct c2d_syscall_event) - 1;
	return n;
}

static size_t s_nstr4(size_t n)
{
	rec.sys.nstr = 4;
	return n;
}

static size_t s_nstr_huge(size_t n)
{
	rec.sys.nstr = 255;
	return n;
}

static size_t s_no_nul(size_t n)
{
	rec.raw[sizeof(rec.sys) + rec.sys.str_len[0] - 1] = 'x';
	return n;
}

static size_t s_last_no_nul(size_t n)
{
	rec.raw[n - 1] = 'x';
	return n;
}

static size_t s_str_len_zero(size_t n)
{
	rec.sys.str_len[1] = 0;
	return n;
}

static size_t s_str_past_end(size_t n)
{
	rec.sys.str_len[1]++;
	return n;
}

static size_t s_str_len_huge(size_t n)
{
	rec.sys.str_len[0] = 0xffff;
	return n;
}

static size_t s_str_past_hdr_size(size_t n)
{
	rec.hdr.size = (uint16_t)(n - 1); /* the buffer is longer, the record is not */
	return n;
}

static size_t s_nstr_more_than_data(size_t n)
{
	rec.sys.nstr = 3;
	rec.sys.str_len[2] = 1;
	return n;
}

static size_t s_bad_sys(size_t n)
{
	rec.hdr.sys = C2D_SYS_MAX;
	return n;
}

static size_t s_bad_kind(size_t n)
{
	rec.sys.kind = C2D_KIND_MAX;
	return n;
}

static size_t s_exec_short(size_t n)
{
	rec.hdr.size = sizeof(struct c2d_exec_event) - 1;
	return n;
}

static size_t s_exe_len_zero(size_t n)
{
	rec.exec.exe_len = 0;
	return n;
}

static size_t s_exe_past_end(size_t n)
{
	rec.exec.exe_len = (uint16_t)(n - sizeof(rec.exec) + 1);
	rec.exec.args_len = 0;
	return n;
}

static size_t s_args_past_end(size_t n)
{
	rec.exec.args_len++;
	return n;
}

/* each length fits on its own, not both */
static size_t s_exec_sum_past_end(size_t n)
{
	rec.exec.exe_len = (uint16_t)(n - sizeof(rec.exec) - 2);
	rec.exec.args_len = 3;
	return n;
}

static size_t s_exe_no_nul(size_t n)
{
	rec.raw[sizeof(rec.exec) + rec.exec.exe_len - 1] = 'x';
	return n;
}

static size_t s_exe_too_long(size_t n)
{
	size_t len = C2D_PATH_MAX + 1;

	memset(rec.raw + sizeof(rec.exec), 'a', len - 1);
	rec.raw[sizeof(rec.exec) + len - 1] = 0;
	rec.exec.exe_len = (uint16_t)len;
	rec.exec.args_len = 0;
	rec.hdr.size = (uint16_t)(sizeof(rec.exec) + len);
	return rec.hdr.size;
}

static size_t s_args_too_long(size_t n)
{
	size_t len = C2D_ARGS_MAX + 1;

	memset(rec.raw + sizeof(rec.exec) + rec.exec.exe_len, 'a', len);
	rec.exec.args_len = (uint16_t)len;
	rec.hdr.size = (uint16_t)(sizeof(rec.exec) + rec.exec.exe_len + len);
	return rec.hdr.size;
}

static size_t s_fork_short(size_t n)
{
	rec.hdr.size = sizeof(struct c2d_fork_event) - 1;
	return n;
}

static size_t s_exit_short(size_t n)
{
	rec.hdr.size = sizeof(struct c2d_exit_event) - 1;
	return n;
}

static const struct bad_case bad_cases[] = {
	{"buffer shorter than the header", valid_syscall, s_short_hdr},
	{"empty buffer", valid_syscall, s_empty},
	{"hdr.size larger than the buffer", valid_syscall, s_size_past_buffer},
	{"hdr.size smaller than the header", valid_syscall, s_size_below_hdr},
	{"type 0", valid_syscall, s_type_zero},
	{"type 5", valid_syscall, s_type_five},
	{"type 0xffff", build_fork, s_type_huge},
	{"syscall record too short", valid_syscall, s_sys_short},
	{"nstr 4", valid_syscall, s_nstr4},
	{"nstr 255", valid_syscall, s_nstr_huge},
	{"first string without NUL", valid_syscall, s_no_nul},
	{"last string without NUL", valid_syscall, s_last_no_nul},
	{"str_len 0", valid_syscall, s_str_len_zero},
	{"str_len sum past the end", valid_syscall, s_str_past_end},
	{"str_len 0xffff", valid_syscall, s_str_len_huge},
	{"strings past hdr.size", valid_syscall, s_str_past_hdr_size},
	{"nstr counts a string that is not there", valid_syscall, s_nstr_more_than_data},
	{"sys out of range", valid_syscall, s_bad_sys},
	{"kind out of range", valid_syscall, s_bad_kind},
	{"exec record too short", valid_exec, s_exec_short},
	{"exe_len 0", valid_exec, s_exe_len_zero},
	{"exe_len past the end", valid_exec, s_exe_past_end},
	{"args_len past the end", valid_exec, s_args_past_end},
	{"exe_len + args_len past the end", valid_exec, s_exec_sum_past_end},
	{"exe without NUL", valid_exec, s_exe_no_nul},
	{"exe longer than C2D_PATH_MAX", valid_exec, s_exe_too_long},
	{"args longer than C2D_ARGS_MAX", valid_exec, s_args_too_long},
	{"fork record too short", build_fork, s_fork_short},
	{"exit record too short", build_exit, s_exit_short},
};

static void test_malformed(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t size = c->spoil(c->build());
		struct c2d_decoded d;
		char *copy;
		int rc = decode_copy(size, &d, &copy);

		free(copy);
		if (rc != -EINVAL)
			fail_msg("%s: rc %d, expected -EINVAL", c->what, rc);
	}
}

/* The builders make valid records: the malformed cases differ from them by one spoil. */
static void test_builders_valid(void **state)
{
	size_t (*const builders[])(void) = {valid_syscall, valid_exec, build_fork, build_exit};

	for (size_t i = 0; i < ARRAY_SIZE(builders); i++) {
		struct c2d_decoded d;
		char *copy;
		int rc = decode_copy(s_none(builders[i]()), &d, &copy);

		free(copy);
		assert_int_equal(rc, 0);
	}
}

static void test_null(void **state)
{
	struct c2d_decoded d;

	assert_int_equal(event_decode(NULL, 0, &d), -EINVAL);
	assert_int_equal(event_decode(NULL, sizeof(rec), &d), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syscall_strings),
		cmocka_unit_test(test_syscall_string_roles),
		cmocka_unit_test(test_syscall_string_positions),
		cmocka_unit_test(test_exec),
		cmocka_unit_test(test_exec_no_args),
		cmocka_unit_test(test_exec_cgroup_names),
		cmocka_unit_test(test_exec_cgroup_names_malformed),
		cmocka_unit_test(test_fork_exit),
		cmocka_unit_test(test_builders_valid),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_null),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

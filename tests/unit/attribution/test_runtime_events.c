// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_runtime_events.c - containerd event envelopes, encoded with the project's writer as
 * containerd sends them: a TaskStart is decoded, other topics and malformed ones are not.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "pb.h"
#include "runtime_events.h"

/* Envelope { namespace = 2; topic = 3; Any event = 4 { type_url = 1; value = 2 } } */
static size_t envelope(uint8_t *out, size_t cap, const char *ns, const char *topic,
		       const char *type_url, const char *id, uint32_t pid)
{
	uint8_t start[256], any[512];
	struct pb_writer w, a, e;

	pb_writer_init(&w, start, sizeof(start));
	pb_put_str_field(&w, 1, id);
	pb_put_varint_field(&w, 2, pid);
	pb_writer_init(&a, any, sizeof(any));
	pb_put_str_field(&a, 1, type_url);
	pb_put_bytes_field(&a, 2, start, w.len);
	pb_writer_init(&e, out, cap);
	pb_put_varint_field(&e, 1, 0); /* a timestamp stand-in: unknown shapes are skipped */
	pb_put_str_field(&e, 2, ns);
	pb_put_str_field(&e, 3, topic);
	pb_put_bytes_field(&e, 4, any, a.len);
	assert_false(e.overflow);
	return e.len;
}

static void test_task_start(void **state)
{
	uint8_t buf[1024];
	char id[129], ns[64];
	uint32_t pid;
	size_t n = envelope(buf, sizeof(buf), "k8s.io", "/tasks/start",
			    "containerd.events.TaskStart", "4f2c1b9e", 4242);

	assert_int_equal(runtime_events_decode(buf, n, id, sizeof(id), ns, sizeof(ns), &pid), 0);
	assert_string_equal(id, "4f2c1b9e");
	assert_string_equal(ns, "k8s.io");
	assert_int_equal(pid, 4242);
}

static void test_other_and_malformed(void **state)
{
	uint8_t buf[1024];
	char id[129], ns[64];
	uint32_t pid;
	size_t n = envelope(buf, sizeof(buf), "default", "/tasks/exit", "containerd.events.TaskExit",
			    "abc", 1);

	assert_int_equal(runtime_events_decode(buf, n, id, sizeof(id), ns, sizeof(ns), &pid),
			 -ENOENT);
	n = envelope(buf, sizeof(buf), "default", "/tasks/start", "containerd.events.TaskStart",
		     "", 1);
	assert_int_equal(runtime_events_decode(buf, n, id, sizeof(id), ns, sizeof(ns), &pid),
			 -ENOENT); /* no container id */
	n = envelope(buf, sizeof(buf), "default", "/tasks/start", "containerd.events.TaskStart",
		     "abc", 1);
	for (size_t cut = 1; cut < n; cut++) /* every truncation is refused, never over-read */
		assert_true(runtime_events_decode(buf, cut, id, sizeof(id), ns, sizeof(ns), &pid) <
			    0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_task_start),
		cmocka_unit_test(test_other_and_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

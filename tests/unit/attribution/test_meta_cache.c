// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_meta_cache.c - the workload derived from a pod name, the metadata cache without a
 * runtime (look-ups fail fast, nothing blocks) and with one that is not there (the resolver
 * answers FAILED, negative-cached), a container's environment read from a /proc of our own and
 * merged into a record the labels partly filled (meta_env.c), and the bounded deferral queue.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "deferred.h"
#include "meta_cache.h"
#include "meta_env.h"

static void test_workload_from_pod(void **state)
{
	static const struct {
		const char *pod, *kind, *name;
	} cases[] = {
		{"payments-7d9f8c6b5-x2x4q", "Deployment", "payments"},
		{"my-app-v2-5b8c9d7f4-bcdfg", "Deployment", "my-app-v2"},
		{"my-app-v2-5b8c9d7f4-abcde", NULL, NULL}, /* vowels are never generated */
		{"web-0", "StatefulSet", "web"},
		{"kafka-broker-12", "StatefulSet", "kafka-broker"},
		{"node-exporter-x2x4q", NULL, NULL}, /* DaemonSet or Job: not certain */
		{"web-01", NULL, NULL},		     /* not an ordinal */
		{"standalone", NULL, NULL},
		{"-0", NULL, NULL},
		{"payments-7D9F8C6B5-x2x4q", NULL, NULL}, /* upper case is never generated */
	};
	char kind[16], name[254];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool ok = workload_from_pod(cases[i].pod, kind, sizeof(kind), name, sizeof(name));

		if (ok != (cases[i].kind != NULL))
			fail_msg("%s: derived %d", cases[i].pod, ok);
		if (ok) {
			assert_string_equal(kind, cases[i].kind);
			assert_string_equal(name, cases[i].name);
		}
	}
}

static void test_cache_without_runtime(void **state)
{
	struct meta_cache *mc = meta_cache_new(8, NULL);
	struct container_meta m;
	struct meta_cache_stats st;

	assert_non_null(mc);
	assert_int_equal(meta_cache_lookup(mc, "abc", NULL, 0, &m), META_FAILED);
	meta_cache_get_stats(mc, &st);
	assert_int_equal(st.misses, 1);
	meta_cache_free(mc);
}

static void test_cache_runtime_missing(void **state)
{
	struct meta_cache *mc = meta_cache_new(4, "/tmp/c2d-unit-no-such.sock");
	struct container_meta m;
	enum meta_state s = META_PENDING;

	assert_non_null(mc);
	assert_int_equal(meta_cache_lookup(mc, "abc", "default", 0, &m), META_PENDING);
	for (int i = 0; i < 200 && s == META_PENDING; i++) { /* the resolver answers quickly */
		usleep(10000);
		s = meta_cache_lookup(mc, "abc", "default", 0, &m);
	}
	assert_int_equal(s, META_FAILED); /* and the answer is kept: no new look-up */
	assert_int_equal(meta_cache_lookup(mc, "abc", "default", 0, &m), META_FAILED);
	/* more containers than slots: old ones are replaced, never an error */
	for (int i = 0; i < 20; i++) {
		char id[16];

		snprintf(id, sizeof(id), "c%d", i);
		assert_true(meta_cache_lookup(mc, id, NULL, 0, &m) != META_EMPTY);
	}
	meta_cache_free(mc);
}

/* A fake /proc with one process (pid 42) whose environment is env (len bytes, NUL-separated). */
static void fake_proc(char *root, size_t cap, const char *env, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(root, cap, "/tmp/c2d-unit-proc-XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/42", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/42/environ", root);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(env, 1, len, f), len);
	fclose(f);
}

static void rm_fake_proc(const char *root)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/42/environ", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/42", root);
	rmdir(path);
	rmdir(root);
}

static void test_env_provenance(void **state)
{
	static const char env[] = "PATH=/bin\0GIT_COMMIT=abc123\0BUILD_URL=https://ci/1\0"
				  "CI_PIPELINE_URL=https://ci/2\0SECRET=hunter2";
	char root[64];
	struct provenance p;

	fake_proc(root, sizeof(root), env, sizeof(env) - 1);
	memset(&p, 0, sizeof(p));
	/* a field the labels gave is kept: only the unknown ones are filled */
	snprintf(p.value[PROV_COMMIT], PROV_VALUE_MAX, "from-label");
	assert_int_equal(meta_env_provenance(root, 42, &p), 1);
	assert_string_equal(p.value[PROV_COMMIT], "from-label");
	assert_string_equal(p.value[PROV_PIPELINE_URL], "https://ci/1"); /* the first name found */
	assert_string_equal(p.source[PROV_PIPELINE_URL], "env:BUILD_URL");
	/* a process gone, or none asked about: nothing, and no error */
	assert_int_equal(meta_env_provenance(root, 43, &p), 0);
	assert_int_equal(meta_env_provenance(root, 0, &p), 0);
	rm_fake_proc(root);
}

/* What the ring-buffer thread does: read into an empty provenance without the cache's lock,
 * merge into the record under it. The record must end up as if read straight into it. */
static void test_env_merge(void **state)
{
	static const char env[] = "GIT_COMMIT=abc123\0BUILD_URL=https://ci/1";
	char root[64];
	static struct provenance direct, read, rec;

	fake_proc(root, sizeof(root), env, sizeof(env) - 1);
	memset(&direct, 0, sizeof(direct));
	snprintf(direct.value[PROV_COMMIT], PROV_VALUE_MAX, "from-label");
	snprintf(direct.source[PROV_COMMIT], PROV_SOURCE_MAX, "image-label:x");
	rec = direct;
	assert_int_equal(meta_env_provenance(root, 42, &direct), 1);
	memset(&read, 0, sizeof(read));
	assert_int_equal(meta_env_provenance(root, 42, &read), 2);
	assert_int_equal(meta_env_merge(&rec, &read), 1);
	assert_memory_equal(rec.value, direct.value, sizeof(rec.value));
	assert_memory_equal(rec.source, direct.source, sizeof(rec.source));
	assert_int_equal(meta_env_merge(&rec, &read), 0); /* nothing left to fill */
	rm_fake_proc(root);
}

static void test_deferred_bounds(void **state)
{
	static struct deferred d;
	char rec[64] = "record";
	int pushed = 0;

	for (int i = 0; i < DEFERRED_MAX + 5; i++)
		pushed += deferred_push(&d, rec, sizeof(rec), NULL, 0, (uint64_t)i) == 0;
	assert_int_equal(pushed, DEFERRED_MAX);
	assert_int_equal(deferred_peek(&d)->deadline_ns, 0); /* first in, first out */
	deferred_pop(&d);
	assert_int_equal(deferred_peek(&d)->deadline_ns, 1);
	deferred_clear(&d);
	assert_null(deferred_peek(&d));
	assert_int_equal(d.bytes, 0);
	/* the byte cap holds as well as the count */
	{
		static char big[DEFERRED_BYTES / 2 + 1];

		assert_int_equal(deferred_push(&d, big, sizeof(big), NULL, 0, 0), 0);
		assert_int_equal(deferred_push(&d, big, sizeof(big), NULL, 0, 0), -ENOSPC);
		deferred_clear(&d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_workload_from_pod),
		cmocka_unit_test(test_cache_without_runtime),
		cmocka_unit_test(test_cache_runtime_missing),
		cmocka_unit_test(test_env_provenance),
		cmocka_unit_test(test_env_merge),
		cmocka_unit_test(test_deferred_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_image_config.c - a secret's origin from the image config in containerd's content store,
 * without Kubernetes: the agent follows a real image (umoci, imported with ctr) from its root to
 * its config and compares the container's secrets with the config's Env by name and keyed
 * fingerprint.
 *
 * - a manifest root: the secret the image bakes in is `image`; one `ctr run --env` adds is
 *   `runtime`;
 * - the same variable given another value by `ctr run --env` (the umoci index root, no platform
 *   in it): `runtime`, not `image`;
 * - an OCI index of two platforms, another architecture's first with a different value: this
 *   machine's config is the one compared (the decoy's value would make it `runtime`).
 * No value reaches an event or the agent's log. Every value is a fake of the right shape.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "image_store.h"

#define NS	     "default"
#define IMAGE	     "c2d/imgcfg:v1"	/* its root: umoci's index.json, no platform in it */
#define MANIFEST     "c2d/imgcfg:img"	/* the same image's manifest, as a root */
#define INDEX	     "c2d/imgcfg:multi" /* a hand-written index: a decoy platform first */
#define STRIPE	     "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
#define STRIPE_OTHER "sk_live_9zQ7xW2vB8nM4kL6pR3tY5uA"
#define GITHUB	     "ghp_abcdefghijklmnopqrstuvwxyz0123456789"

static const char *decoy_arch(void)
{
#if defined(__s390x__)
	return "arm64";
#else
	return "s390x";
#endif
}

static int group_setup(void **state)
{
	if (h_sh("C2D_IMAGE_ENV=STRIPE_KEY=" STRIPE
		 " tests/integration/images/build_image.sh %s %s",
		 NS, IMAGE) != 0)
		return -1;
	return h_sh("C2D_IMAGE_ENV=STRIPE_KEY=" STRIPE " tests/integration/images/build_index.sh "
		    "%s %s %s STRIPE_KEY=" STRIPE_OTHER,
		    NS, INDEX, decoy_arch());
}

static int group_teardown(void **state)
{
	h_sh("ctr -n %s images rm %s %s %s >/dev/null 2>&1", NS, IMAGE, MANIFEST, INDEX);
	return 0;
}

static bool exposure_of(const cJSON *ev, const void *want)
{
	const char *cid = h_str(ev, "container.id"), *name = h_str(ev, "exposure.name");
	const char *const *w = want;

	return cid && name && !strcmp(cid, w[0]) && !strcmp(name, w[1]);
}

/* The origin of secret `name` of container id, waited for. */
static void expect_origin(struct h_agent *a, const char *id, const char *name, const char *origin)
{
	const char *key[2] = {id, name};
	const cJSON *ev = h_agent_wait(a, exposure_of, key, H_EVENT_TIMEOUT_MS);

	if (!ev) {
		h_agent_dump_stderr(a);
		fail_msg("no secret_exposure for %s in %s", name, id);
	}
	h_expect_str(ev, "kind", "secret_exposure");
	h_expect_str(ev, "exposure.source", "env");
	h_expect_str(ev, "exposure.origin", origin);
	h_expect_absent(ev, "exposure.origin_ref");
}

/* Not one value in any event, nor in the agent's log. */
static void expect_no_values(struct h_agent *a)
{
	static const char *const values[] = {STRIPE, STRIPE_OTHER, GITHUB};
	static char log[1 << 16];

	h_agent_stderr(a, log, sizeof(log));
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		char *text = cJSON_PrintUnformatted(h_agent_event(a, i));

		assert_non_null(text);
		for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
			if (strstr(text, values[v]))
				fail_msg("a secret value leaked into an event: %s", text);
		free(text);
	}
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
		assert_null(strstr(log, values[v]));
}

/* Run a short container of image with extra `--env` words, kept by the harness. */
static void run(struct h_agent *a, const char *id, const char *image, const char *env)
{
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(
	    h_sh("ctr -n %s run --rm %s %s %s /bin/true >/dev/null", NS, env, image, id), 0);
}

static void test_manifest_root(void **state)
{
	struct h_agent *a = h_agent_start(NULL);
	char id[64];

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-imgcfg-m-%d", getpid());
	run(a, id, MANIFEST, "--env GITHUB_TOKEN=" GITHUB);
	expect_origin(a, id, "STRIPE_KEY", "image");
	expect_origin(a, id, "GITHUB_TOKEN", "runtime");
	expect_no_values(a);
	assert_int_equal(h_agent_stop(a), 0);
}

/* The root digest and media type of image ref, from ctr. */
static void root_of(const char *ref, char *digest, size_t dcap, char *mt, size_t mcap)
{
	char cmd[256], line[512], name[128];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "ctr -n %s images ls", NS);
	f = popen(cmd, "r");
	assert_non_null(f);
	digest[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char d[100], m[100];

		if (sscanf(line, "%127s %99s %99s", name, m, d) == 3 && !strcmp(name, ref)) {
			snprintf(digest, dcap, "%s", d);
			snprintf(mt, mcap, "%s", m);
		}
	}
	pclose(f);
	assert_true(digest[0]);
}

/* The store itself against containerd: both roots give the config's secret; the cost of a
 * look-up that reads the store (a miss) and of one that does not (a hit), printed for the
 * record (never asserted). A root given without its media type (a CRI image id) is sniffed. */
static void test_store_lookup_cost(void **state)
{
	struct grpc_client *c = grpc_client_new("/run/containerd/containerd.sock", 2000);
	struct image_store *s = image_store_new();
	const struct exposures *x;
	struct image_store_stats st;
	const char *refs[] = {INDEX, IMAGE, MANIFEST};
	char d[100], mt[100];
	struct timespec t0, t1;

	assert_non_null(c);
	assert_non_null(s);
	assert_int_equal(secrets_key_init(NULL), 0);
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		root_of(refs[i], d, sizeof(d), mt, sizeof(mt));
		assert_int_equal(image_store_secrets(s, c, NS, d, i == 2 ? "" : mt, &x), 0);
		assert_int_equal(x->n, 1);
		assert_string_equal(x->e[0].name, "STRIPE_KEY");
		image_store_get_stats(s, &st);
		print_message("    %-18s miss: %llu us (%s)\n", refs[i],
			      (unsigned long long)st.last_miss_us, i == 2 ? "sniffed" : mt);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(image_store_secrets(s, c, NS, d, mt, &x), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		print_message("    %-18s hit:  %ld ns\n", refs[i],
			      (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec);
	}
	image_store_get_stats(s, &st);
	assert_int_equal(st.misses, 3);
	assert_int_equal(st.hits, 3);
	/* a digest the store does not hold: a failure, cached */
	assert_true(image_store_secrets(s, c, NS,
					"sha256:0123456789abcdef0123456789abcdef"
					"0123456789abcdef0123456789abcdef",
					"", &x) < 0);
	assert_null(x);
	image_store_free(s);
	grpc_client_free(c);
	secrets_key_clear();
}

static void test_value_overridden(void **state)
{
	struct h_agent *a = h_agent_start(NULL);
	char id[64];

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-imgcfg-o-%d", getpid());
	run(a, id, IMAGE, "--env STRIPE_KEY=" STRIPE_OTHER);
	expect_origin(a, id, "STRIPE_KEY", "runtime");
	expect_no_values(a);
	assert_int_equal(h_agent_stop(a), 0);
}

static void test_index_picks_this_platform(void **state)
{
	struct h_agent *a = h_agent_start(NULL);
	char id[64];

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-imgcfg-i-%d", getpid());
	run(a, id, INDEX, "");
	expect_origin(a, id, "STRIPE_KEY", "image");
	expect_no_values(a);
	assert_int_equal(h_agent_stop(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_manifest_root),
	    cmocka_unit_test(test_value_overridden),
	    cmocka_unit_test(test_index_picks_this_platform),
	    cmocka_unit_test(test_store_lookup_cost),
	};

	return cmocka_run_group_tests_name("image_config", tests, group_setup, group_teardown);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_exposures.c - agent/attribution/exposures.c: the secrets of an OCI spec's process env and
 * args are found, named and fingerprinted, nothing else is, the value is kept nowhere, and the
 * count is bounded. Every value here is a fake of the right shape.
 */
#include <errno.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "exposures.h"
#include "k8s.h"
#include "unit.h"

#define STRIPE "sk_live_4eC39HqLyjWDarjtT1zdp7dc"

static const char spec_json[] =
	"{\"ociVersion\":\"1.1.0\",\"process\":{"
	"\"args\":[\"/app\",\"--db-password=Tr0ub4dor&3-horse\",\"--token\","
	"\"ghp_abcdefghijklmnopqrstuvwxyz0123456789\",\"AKIAIOSFODNN7EXAMPLE\",\"--verbose\","
	"\"plain-argument\"],"
	"\"env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\","
	"\"HOSTNAME=checkout-7d9\",\"STRIPE_KEY=" STRIPE "\",\"DB_PASSWORD=changeme\","
	"\"DATABASE_URL=postgres://app:s3cr3t-pw@db:5432/app\",\"=nameless\",\"NOEQUALS\","
	"\"GOOGLE_APPLICATION_CREDENTIALS=/var/run/secrets/gcp/key.json\"]},"
	"\"mounts\":[]}";

static int key_setup(void **state)
{
	return secrets_key_init(NULL);
}

static int key_teardown(void **state)
{
	secrets_key_clear();
	return 0;
}

static const struct exposure *find(const struct exposures *x, const char *name)
{
	for (unsigned i = 0; i < x->n; i++)
		if (!strcmp(x->e[i].name, name))
			return &x->e[i];
	return NULL;
}

static void test_env_and_args(void **state)
{
	cJSON *spec = cJSON_Parse(spec_json);
	struct exposures x;
	const struct exposure *e;
	char fp[SECRET_FP_LEN];

	assert_non_null(spec);
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	cJSON_Delete(spec);
	assert_int_equal(x.n, 5);
	assert_int_equal(x.dropped, 0);

	e = find(&x, "STRIPE_KEY");
	assert_non_null(e);
	assert_int_equal(e->source, EXPOSURE_ENV);
	assert_string_equal(e->detector, "stripe-secret-key");
	assert_int_equal(secrets_fingerprint(STRIPE, strlen(STRIPE), fp), 0);
	assert_string_equal(e->fingerprint, fp); /* the value's, under the key */
	e = find(&x, "DATABASE_URL");
	assert_non_null(e);
	assert_string_equal(e->detector, "url-password");
	e = find(&x, "--db-password");
	assert_non_null(e);
	assert_int_equal(e->source, EXPOSURE_ARG);
	assert_string_equal(e->detector, "named-secret");
	e = find(&x, "--token"); /* the flag names the argument after it */
	assert_non_null(e);
	assert_string_equal(e->detector, "github-token");
	e = find(&x, "argv[4]"); /* a bare value: its position */
	assert_non_null(e);
	assert_string_equal(e->detector, "aws-access-key-id");
	assert_string_equal(exposure_source_name(e->source), "arg");
	/* not secrets: PATH, HOSTNAME, a weak password, a path to a key file */
	assert_null(find(&x, "DB_PASSWORD"));
	assert_null(find(&x, "GOOGLE_APPLICATION_CREDENTIALS"));
	/* the value is held nowhere in what is kept */
	assert_null(memmem(&x, sizeof(x), "4eC39HqL", 8));
	assert_null(memmem(&x, sizeof(x), "Tr0ub4dor", 9));
	assert_null(memmem(&x, sizeof(x), "s3cr3t-pw", 9));
}

/* More than EXPOSURES_MAX: kept up to the bound, the rest counted; long names are cut. */
static void test_bounded(void **state)
{
	cJSON *spec = cJSON_CreateObject(), *proc = cJSON_AddObjectToObject(spec, "process");
	cJSON *env = cJSON_AddArrayToObject(proc, "env");
	char buf[256];
	struct exposures x;

	for (int i = 0; i < EXPOSURES_MAX + 3; i++) {
		snprintf(buf, sizeof(buf), "KEY_%d=AKIAIOSFODNN7EXAMPL%c", i, 'A' + i);
		cJSON_AddItemToArray(env, cJSON_CreateString(buf));
	}
	memset(buf, 'N', 200);
	snprintf(buf + 200, sizeof(buf) - 200, "_TOKEN=" STRIPE);
	cJSON_AddItemToArray(env, cJSON_CreateString(buf));
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	assert_int_equal(x.n, EXPOSURES_MAX);
	assert_int_equal(x.dropped, 4);
	cJSON_Delete(spec);

	spec = cJSON_CreateObject();
	proc = cJSON_AddObjectToObject(spec, "process");
	env = cJSON_AddArrayToObject(proc, "env");
	cJSON_AddItemToArray(env, cJSON_CreateString(buf));
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	assert_int_equal(x.n, 1);
	assert_int_equal(strlen(x.e[0].name), EXPOSURE_NAME - 1);
	cJSON_Delete(spec);
}

/* No process, odd types, no key: nothing, and no crash. */
static void test_odd_specs(void **state)
{
	struct exposures x;
	cJSON *spec;

	assert_int_equal(exposures_from_cjson(NULL, &x), -EINVAL);
	spec = cJSON_Parse("{\"process\":{\"env\":\"STRIPE_KEY=" STRIPE "\",\"args\":{}}}");
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	assert_int_equal(x.n, 0);
	cJSON_Delete(spec);
	spec = cJSON_Parse("{\"process\":{\"env\":[1,null,\"STRIPE_KEY=" STRIPE "\"]}}");
	secrets_key_clear(); /* without a key nothing can name a secret without holding it */
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	assert_int_equal(x.n, 0);
	assert_int_equal(secrets_key_init(NULL), 0);
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	assert_int_equal(x.n, 1);
	cJSON_Delete(spec);
}

/* Origins against the pod spec and the image config: a literal, a Secret by key, a ConfigMap by
 * envFrom, the image's for what its config has with that very value, another container's entries
 * ignored; the rest `runtime` when both sources were read, else unknown. */
static void test_origins(void **state)
{
	static struct k8s_pod_info pod;
	static const struct {
		const char *c, *var;
		uint8_t origin;
		const char *src;
	} refs[] = {
		{"checkout", "DB_PASSWORD", K8S_ENV_LITERAL, ""},
		{"checkout", "API_TOKEN", K8S_ENV_SECRET, "checkout-api"},
		{"sidecar", "STRIPE_KEY", K8S_ENV_SECRET, "not-this-one"},
		{"checkout", "", K8S_ENV_CONFIGMAP, "checkout-env"},
	};
	struct exposures x = {.n = 5}, img = {.n = 3};
	static const char *const names[] = {"DB_PASSWORD", "API_TOKEN", "STRIPE_KEY", "--token",
					    "OTHER_SECRET"};
	struct exposure_sources src = {.pod = &pod, .pod_known = true, .container = "checkout"};

	for (size_t i = 0; i < 5; i++) {
		snprintf(x.e[i].name, sizeof(x.e[i].name), "%s", names[i]);
		snprintf(x.e[i].fingerprint, sizeof(x.e[i].fingerprint), "hmac-sha256:%zu", i);
		x.e[i].source = i == 3 ? EXPOSURE_ARG : EXPOSURE_ENV;
	}
	/* the image bakes STRIPE_KEY (same value), DB_PASSWORD (same value: the pod's entry still
	 * wins), and OTHER_SECRET with another value */
	img.e[0] = x.e[2];
	img.e[1] = x.e[0];
	img.e[2] = x.e[4];
	snprintf(img.e[2].fingerprint, sizeof(img.e[2].fingerprint), "hmac-sha256:other");
	for (size_t i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		struct k8s_env_ref *r = &pod.env[pod.nenv++];

		snprintf(r->container, sizeof(r->container), "%s", refs[i].c);
		snprintf(r->var, sizeof(r->var), "%s", refs[i].var);
		snprintf(r->source, sizeof(r->source), "%s", refs[i].src);
		r->origin = refs[i].origin;
	}
	/* no image config: the pod spec's entries, envFrom for the rest */
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[0].origin), "manifest");
	assert_string_equal(x.e[0].origin_ref, "");
	assert_string_equal(exposure_origin_name(x.e[1].origin), "k8s-secret");
	assert_string_equal(x.e[1].origin_ref, "checkout-api");
	/* the sidecar's Secret is not this container's: the envFrom ConfigMap takes it */
	assert_string_equal(exposure_origin_name(x.e[2].origin), "k8s-configmap");
	assert_string_equal(x.e[2].origin_ref, "checkout-env");
	assert_string_equal(exposure_origin_name(x.e[3].origin), "unknown"); /* an argument */
	assert_string_equal(exposure_origin_name(x.e[4].origin), "k8s-configmap");
	/* with the image config: its very value is the image's even with an envFrom; a named
	 * entry wins over the image; another value came through the envFrom */
	src.image = &img;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[0].origin), "manifest");
	assert_string_equal(exposure_origin_name(x.e[2].origin), "image");
	assert_string_equal(x.e[2].origin_ref, "");
	assert_string_equal(exposure_origin_name(x.e[4].origin), "k8s-configmap");
	/* without the envFrom source: the image's, or in neither (runtime) */
	pod.nenv = 3;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[2].origin), "image");
	assert_string_equal(exposure_origin_name(x.e[4].origin), "runtime");
	/* an argument neither the pod's command/args nor the image's Entrypoint+Cmd carry */
	assert_string_equal(exposure_origin_name(x.e[3].origin), "runtime");
	/* the pod spec's args carry it (by fingerprint), for this container: the manifest's;
	 * the sidecar's are not this container's */
	snprintf(pod.args[0].container, sizeof(pod.args[0].container), "sidecar");
	snprintf(pod.args[0].fingerprint, sizeof(pod.args[0].fingerprint), "hmac-sha256:3");
	pod.nargs = 1;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[3].origin), "runtime");
	snprintf(pod.args[1].container, sizeof(pod.args[1].container), "checkout");
	snprintf(pod.args[1].fingerprint, sizeof(pod.args[1].fingerprint), "hmac-sha256:3");
	pod.nargs = 2;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[3].origin), "manifest");
	pod.nargs = 0;
	/* the image's scan was cut short: what it does not list is not known to be in neither */
	img.dropped = 1;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[4].origin), "unknown");
	img.dropped = 0;
	/* no image config: what the pod spec does not set is not known any more */
	src.image = NULL;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[2].origin), "unknown");
	assert_string_equal(exposure_origin_name(x.e[4].origin), "unknown");
	/* a pod spec not seen yet: only the image config says anything */
	src = (struct exposure_sources){.container = "checkout", .image = &img};
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[0].origin), "image");
	assert_string_equal(exposure_origin_name(x.e[1].origin), "unknown");
	assert_string_equal(exposure_origin_name(x.e[2].origin), "image");
	assert_string_equal(exposure_origin_name(x.e[4].origin), "unknown");
	/* no pod at all (plain containerd): the rest is the runtime's, arguments too */
	src.pod_known = true;
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(x.e[1].origin), "runtime");
	assert_string_equal(exposure_origin_name(x.e[3].origin), "runtime");
	assert_string_equal(exposure_origin_name(x.e[4].origin), "runtime");
	/* nothing read: unknown */
	src = (struct exposure_sources){0};
	exposures_set_origins(&x, &src);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(exposure_origin_name(x.e[i].origin), "unknown");
	assert_string_equal(exposure_origin_name(200), "unknown");
	assert_string_equal(exposure_origin_name(EXPOSURE_RUNTIME), "runtime");
}

/* An image config's Env and Entrypoint+Cmd, scanned as a container's spec is: the same names
 * and fingerprints, so that a container's secret is found in it; an argument only at its place. */
static void test_from_image(void **state)
{
	cJSON *cfg = cJSON_Parse("{\"architecture\":\"amd64\",\"config\":{"
				 "\"Env\":[\"PATH=/bin\",\"STRIPE_KEY=" STRIPE "\"],"
				 "\"Entrypoint\":[\"/app\",\"--token\"],"
				 "\"Cmd\":[\"ghp_abcdefghijklmnopqrstuvwxyz0123456789\","
				 "\"AKIAIOSFODNN7EXAMPLE\"]}}");
	cJSON *spec = cJSON_Parse(spec_json);
	struct exposures img, x;
	struct exposure_sources src = {.pod_known = true, .image = &img};
	const struct exposure *e;

	assert_int_equal(exposures_from_image(cfg, &img), 0);
	assert_int_equal(img.n, 3);
	assert_non_null(find(&img, "STRIPE_KEY"));
	assert_non_null(e = find(&img, "--token")); /* Cmd continues Entrypoint's argv */
	assert_int_equal(e->source, EXPOSURE_ARG);
	assert_non_null(find(&img, "argv[3]"));
	assert_int_equal(exposures_from_cjson(spec, &x), 0);
	exposures_set_origins(&x, &src);
	assert_string_equal(exposure_origin_name(find(&x, "STRIPE_KEY")->origin), "image");
	assert_string_equal(exposure_origin_name(find(&x, "--token")->origin), "image");
	/* the container has AKIA… at argv[4], the image at argv[3]: not the image's */
	assert_string_equal(exposure_origin_name(find(&x, "argv[4]")->origin), "runtime");
	assert_string_equal(exposure_origin_name(find(&x, "DATABASE_URL")->origin), "runtime");
	cJSON_Delete(cfg);
	cJSON_Delete(spec);
	/* no config object, a null one: nothing baked in; anything else is not a config */
	cfg = cJSON_Parse("{\"architecture\":\"amd64\",\"config\":null}");
	assert_int_equal(exposures_from_image(cfg, &img), 0);
	assert_int_equal(img.n, 0);
	cJSON_Delete(cfg);
	cfg = cJSON_Parse("{\"config\":[\"STRIPE_KEY=" STRIPE "\"]}");
	assert_int_equal(exposures_from_image(cfg, &img), -EINVAL);
	cJSON_Delete(cfg);
	assert_int_equal(exposures_from_image(NULL, &img), -EINVAL);
}

/* A pod spec's command then args, scanned as one argv: the secrets written there. */
static void test_from_pod_argv(void **state)
{
	cJSON *cmd = cJSON_Parse("[\"/app\", \"--api-key=" STRIPE "\"]");
	cJSON *args = cJSON_Parse("[\"--token\", \"ghp_abcdefghijklmnopqrstuvwxyz0123456789\","
				  " \"--log-level\", \"debug\"]");
	struct exposures x, only;

	assert_int_equal(exposures_from_argv(cmd, args, &x), 0);
	assert_int_equal(x.n, 2);
	assert_non_null(find(&x, "--api-key"));
	assert_non_null(find(&x, "--token"));
	/* args alone (the image's Entrypoint runs them) and neither */
	assert_int_equal(exposures_from_argv(NULL, args, &only), 0);
	assert_int_equal(only.n, 1);
	assert_string_equal(only.e[0].fingerprint, find(&x, "--token")->fingerprint);
	assert_int_equal(exposures_from_argv(NULL, NULL, &only), 0);
	assert_int_equal(only.n, 0);
	cJSON_Delete(cmd);
	cJSON_Delete(args);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env_and_args),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_odd_specs),
		cmocka_unit_test(test_origins),
		cmocka_unit_test(test_from_image),
		cmocka_unit_test(test_from_pod_argv),
	};

	return cmocka_run_group_tests_name("exposures", tests, key_setup, key_teardown);
}

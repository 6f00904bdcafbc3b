// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_provenance.c - the provenance table: precedence within a field, each source kind,
 * unknown fields omitted, oversized values refused; and the bounded label set.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "policy.h"
#include "provenance.h"

static void add(struct label_set *ls, const char *k, const char *v)
{
	assert_true(labels_add(ls, k, strlen(k), v, strlen(v)));
}

static void test_precedence_and_sources(void **state)
{
	static struct label_set img, ann, pl;
	struct provenance p;

	labels_init(&img);
	labels_init(&ann);
	labels_init(&pl);
	add(&img, "vcs-ref", "second-choice");
	add(&img, "org.opencontainers.image.revision", "first-choice");
	add(&img, "com.gitlab.ci.pipeline.id", "77");
	add(&img, "org.label-schema.vcs-url", "https://git.example/x");
	add(&ann, "cloud2dev.dev/commit", "annotation-commit");
	add(&ann, "argocd.argoproj.io/revision", "deadbeef");
	add(&pl, "app.kubernetes.io/version", "2.0.0");
	provenance_resolve(&img, &ann, &pl, &p);
	assert_string_equal(p.value[PROV_COMMIT], "first-choice");
	assert_string_equal(p.source[PROV_COMMIT], "image-label:org.opencontainers.image.revision");
	assert_string_equal(p.value[PROV_PIPELINE_ID], "77");
	assert_string_equal(p.source[PROV_PIPELINE_ID], "image-label:com.gitlab.ci.pipeline.id");
	assert_string_equal(p.value[PROV_REPOSITORY], "https://git.example/x");
	assert_string_equal(p.value[PROV_VERSION], "2.0.0");
	assert_string_equal(p.source[PROV_VERSION], "pod-label:app.kubernetes.io/version");
	/* no pod annotation is taken for the deploy commit (the GitOps objects give it) */
	assert_string_equal(p.value[PROV_DEPLOY_COMMIT], "");
	assert_string_equal(p.value[PROV_BUILD_TIME], "");
	assert_string_equal(p.value[PROV_PIPELINE_URL], "");

	/* without image labels the pod annotation gives the commit */
	labels_init(&img);
	provenance_resolve(&img, &ann, NULL, &p);
	assert_string_equal(p.value[PROV_COMMIT], "annotation-commit");
	assert_string_equal(p.source[PROV_COMMIT], "pod-annotation:cloud2dev.dev/commit");
	assert_string_equal(p.value[PROV_VERSION], "");
}

static void test_render(void **state)
{
	static struct label_set img;
	struct provenance p;
	char buf[2048];
	struct jw w;
	cJSON *o, *src;
	long n;

	labels_init(&img);
	provenance_resolve(&img, NULL, NULL, &p);
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	provenance_render(&w, &p); /* nothing known: no "provenance" at all */
	jw_obj_end(&w);
	n = jw_finish(&w);
	assert_int_equal(n, 2);
	add(&img, "org.opencontainers.image.revision", "abc");
	add(&img, "empty-values-are-unknown", "");
	add(&img, "dev.cloud2dev.pipeline.url", "");
	provenance_resolve(&img, NULL, NULL, &p);
	jw_init(&w, buf, sizeof(buf));
	jw_obj_begin(&w);
	provenance_render(&w, &p);
	jw_obj_end(&w);
	n = jw_finish(&w);
	assert_true(n > 0);
	buf[n] = 0;
	o = cJSON_Parse(buf);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "provenance"), "commit")
				    ->valuestring,
			    "abc");
	assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(o, "provenance"), "pipeline_url"));
	src = cJSON_GetObjectItem(cJSON_GetObjectItem(o, "provenance"), "sources");
	assert_string_equal(cJSON_GetObjectItem(src, "commit")->valuestring,
			    "image-label:org.opencontainers.image.revision");
	cJSON_Delete(o);
}

static void test_label_set_bounds(void **state)
{
	static struct label_set ls;
	char big[LABELS_ARENA];
	int added = 0;

	labels_init(&ls);
	memset(big, 'x', sizeof(big));
	assert_false(labels_add(&ls, "k", 1, big, sizeof(big))); /* larger than the arena */
	assert_false(labels_add(&ls, "a\0b", 3, "v", 1));	  /* embedded NUL */
	assert_false(labels_add(&ls, "", 0, "v", 1));		  /* empty key */
	for (int i = 0; i < LABELS_MAX + 10; i++) {
		char k[16];

		snprintf(k, sizeof(k), "k%d", i);
		added += labels_add(&ls, k, strlen(k), "v", 1);
	}
	assert_int_equal(added, LABELS_MAX);
	assert_int_equal(ls.dropped, 3 + 10);
	assert_string_equal(labels_get(&ls, "k0"), "v");
	assert_null(labels_get(&ls, "k200"));
}

static void test_from_env(void **state)
{
	static struct label_set img;
	static const char env[] = "PATH=/bin\0SECRET_TOKEN=canary-do-not-leak\0GIT_COMMIT=c0ffee\0"
				  "CI_PIPELINE_ID=42\0DD_GIT_REPOSITORY_URL=\0GIT_URLX=nope\0"
				  "BUILD_URL=https://ci.example/b/42";
	struct provenance p;

	labels_init(&img);
	add(&img, "dev.cloud2dev.pipeline.id", "from-label");
	provenance_resolve(&img, NULL, NULL, &p);
	provenance_from_env(env, sizeof(env) - 1, &p); /* the last entry has no NUL: bounded */
	assert_string_equal(p.value[PROV_COMMIT], "c0ffee");
	assert_string_equal(p.source[PROV_COMMIT], "env:GIT_COMMIT");
	assert_string_equal(p.value[PROV_PIPELINE_ID], "from-label"); /* labels come first */
	assert_string_equal(p.value[PROV_REPOSITORY], "");	       /* empty values ignored */
	assert_string_equal(p.value[PROV_PIPELINE_URL], "https://ci.example/b/42");
	for (int f = 0; f < PROV_MAX; f++) /* a value that is not allowlisted never lands */
		assert_null(strstr(p.value[f], "canary"));
}

static int load(struct c2d_policy *pol, const char *json, char *err, size_t errlen)
{
	return policy_load_json(pol, json, strlen(json), "p.json", err, errlen);
}

static void test_custom_keys(void **state)
{
	static struct label_set img, ann;
	static struct c2d_policy pol;
	struct provenance p;
	char err[256] = "";

	provenance_clear_keys();
	labels_init(&img);
	labels_init(&ann);
	add(&img, "org.opencontainers.image.revision", "oci-rev");
	add(&img, "com.acme.git.sha", "acme-sha");
	add(&ann, "acme.io/deployed-from", "gitops-sha");
	/* through the policy file, as an operator writes it */
	assert_int_equal(load(&pol,
			      "{\"provenance_keys\": {\"commit\": [\"image-label:com.acme.git.sha\"], "
			      "\"deploy_commit\": [\"pod-annotation:acme.io/deployed-from\"]}}",
			      err, sizeof(err)),
			 0);
	provenance_resolve(&img, &ann, NULL, &p);
	assert_string_equal(p.value[PROV_COMMIT], "acme-sha"); /* ahead of the OCI default */
	assert_string_equal(p.source[PROV_COMMIT], "image-label:com.acme.git.sha");
	assert_string_equal(p.value[PROV_DEPLOY_COMMIT], "gitops-sha");
	assert_string_equal(p.source[PROV_DEPLOY_COMMIT], "pod-annotation:acme.io/deployed-from");
	/* errors name what is wrong */
	assert_int_equal(provenance_add_key("sha", "image-label:x", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown provenance field \"sha\""));
	assert_int_equal(provenance_add_key("commit", "label:x", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "image-label:KEY"));
	assert_int_equal(provenance_add_key("commit", "image-label:", err, sizeof(err)), -EINVAL);
	assert_int_equal(load(&pol, "{\"provenance_keys\": {\"commit\": \"x\"}}", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "p.json: provenance_keys: \"commit\" must be an array"));
	provenance_clear_keys();
	provenance_resolve(&img, &ann, NULL, &p);
	assert_string_equal(p.value[PROV_COMMIT], "oci-rev");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_precedence_and_sources),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_label_set_bounds),
		cmocka_unit_test(test_custom_keys),
		cmocka_unit_test(test_from_env),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

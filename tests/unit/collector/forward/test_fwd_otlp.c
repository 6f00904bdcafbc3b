// SPDX-License-Identifier: BSD-2-Clause
/* test_fwd_otlp.c - collector/forward/fwd_otlp.c: OTLP/HTTP JSON field names and types, one
 * ResourceLogs per container, identity in the Resource and details in the attributes. */
#include <errno.h>

#include "fwd_events.h"
#include "unit/unit.h"

static const struct fwd_conf conf = {.name = "otel", .type = FWD_OTLP, .cluster = "prod-eu-1"};

static cJSON *format(struct fwd_batch *b)
{
	static char buf[1 << 16];
	long n = fwd_format_otlp(&conf, b->e, b->n, buf, sizeof(buf));
	cJSON *j;

	assert_true(n > 0);
	j = cJSON_ParseWithLength(buf, (size_t)n);
	assert_non_null(j);
	return j;
}

/* The AnyValue of key in a KeyValue list, or NULL; fails if the key is there twice. */
static const cJSON *attr(const cJSON *list, const char *key)
{
	const cJSON *kv, *found = NULL;

	cJSON_ArrayForEach(kv, list) {
		const cJSON *k = cJSON_GetObjectItemCaseSensitive(kv, "key");

		assert_true(cJSON_IsString(k));
		if (strcmp(k->valuestring, key) == 0) {
			assert_null(found);
			found = cJSON_GetObjectItemCaseSensitive(kv, "value");
		}
	}
	return found;
}

static void assert_str_attr(const cJSON *list, const char *key, const char *want)
{
	const cJSON *v = attr(list, key), *s = cJSON_GetObjectItemCaseSensitive(v, "stringValue");

	if (!cJSON_IsString(s))
		fail_msg("%s: no stringValue", key);
	assert_string_equal(s->valuestring, want);
	assert_int_equal(cJSON_GetArraySize(v), 1);
}

/* intValue must be a decimal string (OTLP JSON: 64-bit integers as strings). */
static void assert_int_attr(const cJSON *list, const char *key, const char *want)
{
	const cJSON *v = attr(list, key), *s = cJSON_GetObjectItemCaseSensitive(v, "intValue");

	if (!cJSON_IsString(s))
		fail_msg("%s: intValue is not a string", key);
	assert_string_equal(s->valuestring, want);
}


static void test_resource_per_container(void **state)
{
	struct fwd_batch b = {0};
	const cJSON *rl, *res, *recs;
	cJSON *j;

	batch_add(&b, EV_A1);
	batch_add(&b, EV_B1);
	batch_add(&b, EV_A2);
	j = format(&b);
	rl = cJSON_GetObjectItemCaseSensitive(j, "resourceLogs");
	assert_int_equal(cJSON_GetArraySize(rl), 2); /* A (twice) and B */
	res = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rl, 0), "resource"), "attributes");
	assert_str_attr(res, "k8s.cluster.name", "prod-eu-1");
	assert_str_attr(res, "k8s.node.name", "node-1");
	assert_str_attr(res, "k8s.namespace.name", "shop");
	assert_str_attr(res, "k8s.pod.name", "web-7d4b9c8f6d-x2k9p");
	assert_str_attr(res, "k8s.pod.uid", "0b6f3c1e");
	assert_str_attr(res, "k8s.container.name", "web");
	assert_str_attr(res, "k8s.deployment.name", "web");
	assert_str_attr(res, "container.id", CID_A);
	assert_str_attr(res, "container.name", "web");
	assert_str_attr(res, "container.runtime.name", "containerd");
	assert_str_attr(res, "container.image.name", "ghcr.io/acme/web");
	assert_str_attr(res, "oci.manifest.digest", "sha256:aaaa");
	assert_str_attr(res, "vcs.repository.url.full", "https://github.com/acme/web");
	assert_str_attr(res, "vcs.ref.head.revision", REV);
	assert_str_attr(res, "cicd.pipeline.run.id", "9753949763");
	assert_str_attr(res, "cicd.pipeline.run.url.full",
			"https://github.com/acme/web/actions/runs/9753949763");
	assert_str_attr(res, "service.version", "1.4.2");
	{
		const cJSON *tags = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(attr(res, "container.image.tags"),
							 "arrayValue"), "values");

		assert_int_equal(cJSON_GetArraySize(tags), 1);
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tags, 0),
								     "stringValue")->valuestring,
				    "1.4.2");
	}
	assert_null(attr(res, "process.pid")); /* details stay out of the Resource */
	assert_null(attr(res, "file.path"));
	recs = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rl, 0),
								    "scopeLogs"), 0), "logRecords");
	assert_int_equal(cJSON_GetArraySize(recs), 2); /* A1 then A2, in batch order */
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(recs, 1),
							     "timeUnixNano")->valuestring,
			    "1748779202500000000");
	res = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rl, 1), "resource"), "attributes");
	assert_str_attr(res, "container.id", CID_B);
	assert_str_attr(res, "k8s.statefulset.name", "db");
	assert_null(attr(res, "vcs.ref.head.revision")); /* unknown: omitted, never "" */
	cJSON_Delete(j);
	batch_free(&b);
}

static void test_log_record(void **state)
{
	struct fwd_batch b = {0};
	const cJSON *rec, *at, *t;
	cJSON *j;

	batch_add(&b, EV_A1);
	j = format(&b);
	rec = cJSON_GetArrayItem(
		cJSON_GetObjectItemCaseSensitive(
			cJSON_GetArrayItem(
				cJSON_GetObjectItemCaseSensitive(
					cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
								   j, "resourceLogs"), 0),
					"scopeLogs"),
				0),
			"logRecords"),
		0);
	t = cJSON_GetObjectItemCaseSensitive(rec, "timeUnixNano");
	assert_true(cJSON_IsString(t));
	assert_string_equal(t->valuestring, "1748779200123456789");
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(rec, "severityNumber")));
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(rec, "severityNumber")->valueint, 17);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(rec, "severityText")->valuestring,
			    "high");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(rec, "eventName")->valuestring,
			    "cloud2dev.credential_read");
	at = cJSON_GetObjectItemCaseSensitive(rec, "attributes");
	assert_int_attr(at, "process.pid", "4242");
	assert_int_attr(at, "process.parent_pid", "4200");
	assert_int_attr(at, "process.user.id", "0");
	assert_str_attr(at, "process.executable.path", "/bin/busybox");
	assert_str_attr(at, "file.path", "/var/run/secrets/kubernetes.io/serviceaccount/token");
	assert_str_attr(at, "security_rule.name", "k8s-serviceaccount-token");
	assert_str_attr(at, "cloud2dev.id", "b7e3c1d2a9f04e51-00000000000004d2");
	assert_str_attr(at, "cloud2dev.outcome", "success");
	assert_str_attr(at, "cloud2dev.syscall.name", "openat");
	assert_int_attr(at, "cloud2dev.syscall.ret", "3");
	assert_str_attr(at, "cloud2dev.k8s.service_account", "web");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(attr(at, "process.command_args"),
							 "arrayValue"));
	/* identity is in the Resource, not repeated per record */
	assert_null(attr(at, "cloud2dev.provenance.commit"));
	assert_null(attr(at, "cloud2dev.container.id"));
	assert_null(attr(at, "process.uid"));
	assert_null(attr(at, "cloud2dev.process.pid"));
	cJSON_Delete(j);
	batch_free(&b);
}

static void test_overflow(void **state)
{
	struct fwd_batch b = {0};
	char small[256];

	batch_add(&b, EV_A1);
	assert_int_equal(fwd_format_otlp(&conf, b.e, b.n, small, sizeof(small)), -ENOSPC);
	batch_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resource_per_container),
		cmocka_unit_test(test_log_record),
		cmocka_unit_test(test_overflow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

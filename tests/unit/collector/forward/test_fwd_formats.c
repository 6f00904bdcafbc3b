// SPDX-License-Identifier: BSD-2-Clause
/* test_fwd_formats.c - collector/forward/fwd_{loki,elastic,splunk,syslog,webhook}.c exact payloads,
 * the `_bulk` answer with partial failures, the filters and the forwarder config keys. */
#include <errno.h>
#include <stdio.h>

#include "forward.h"
#include "fwd_events.h"
#include "unit/unit.h"

static char buf[1 << 16];

static void test_loki(void **state)
{
	struct fwd_conf c = {.type = FWD_LOKI};
	struct fwd_batch b = {0};
	const cJSON *streams, *s0, *lbl, *v, *it;
	cJSON *j;
	long n;

	batch_add(&b, EV_A1);
	batch_add(&b, EV_B1);
	batch_add(&b, EV_A2);
	n = fwd_format_loki(&c, b.e, b.n, buf, sizeof(buf));
	assert_true(n > 0);
	j = cJSON_ParseWithLength(buf, (size_t)n);
	streams = cJSON_GetObjectItemCaseSensitive(j, "streams");
	/* A1 (high) and A2 (critical) differ in severity: three streams */
	assert_int_equal(cJSON_GetArraySize(streams), 3);
	s0 = cJSON_GetArrayItem(streams, 0);
	lbl = cJSON_GetObjectItemCaseSensitive(s0, "stream");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(lbl, "source")->valuestring, "cloud2dev");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(lbl, "kind")->valuestring,
			    "credential_read");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(lbl, "namespace")->valuestring, "shop");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(lbl, "workload")->valuestring, "web");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(lbl, "severity")->valuestring, "high");
	assert_int_equal(cJSON_GetArraySize(lbl), 5);
	cJSON_ArrayForEach(it, lbl) { /* never pods or ids; values strings; label-name charset */
		assert_true(cJSON_IsString(it));
		assert_int_equal(strspn(it->string, "abcdefghijklmnopqrstuvwxyz_"), strlen(it->string));
	}
	assert_null(cJSON_GetObjectItemCaseSensitive(lbl, "pod"));
	v = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(s0, "values"), 0);
	assert_int_equal(cJSON_GetArraySize(v), 2);
	assert_true(cJSON_IsString(cJSON_GetArrayItem(v, 0)));
	assert_string_equal(cJSON_GetArrayItem(v, 0)->valuestring, "1748779200123456789");
	assert_string_equal(cJSON_GetArrayItem(v, 1)->valuestring, EV_A1); /* the line = the event */
	cJSON_Delete(j);
	batch_free(&b);
}

static void test_loki_order_in_stream(void **state)
{
	struct fwd_conf c = {.type = FWD_LOKI};
	struct fwd_batch b = {0};
	const cJSON *vals;
	cJSON *j;

	batch_add(&b, EV_A1);
	batch_add(&b, EV_B1);
	batch_add(&b, EV_A1);
	j = cJSON_Parse(buf + 0 * fwd_format_loki(&c, b.e, b.n, buf, sizeof(buf)));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(j, "streams")), 2);
	vals = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "streams"), 0), "values");
	assert_int_equal(cJSON_GetArraySize(vals), 2);
	cJSON_Delete(j);
	batch_free(&b);
}

/* EV_A1 at another second of the same minute, with its own id suffix. */
static char *ev_a1_at(int sec, int tag)
{
	char *ev = strdup(EV_A1), *t = strstr(ev, "12:00:00."), *id = strstr(ev, "-00000000000004d2");

	t[6] = (char)('0' + sec / 10);
	t[7] = (char)('0' + sec % 10);
	id[16] = (char)('0' + tag);
	return ev;
}

static void test_loki_stream_sorted_by_time(void **state)
{
	/* Loki refuses a stream going back in time: entries are sorted, ties in ingest order */
	static const int secs[] = {30, 10, 20, 10};
	struct fwd_conf c = {.type = FWD_LOKI};
	struct fwd_batch b = {0};
	static const char *const want[] = {"0000004d1", "0000004d3", "0000004d2", "0000004d0"};
	const cJSON *vals;
	char *evs[4];
	cJSON *j;

	for (int i = 0; i < 4; i++)
		batch_add(&b, evs[i] = ev_a1_at(secs[i], i));
	assert_true(fwd_format_loki(&c, b.e, b.n, buf, sizeof(buf)) > 0);
	j = cJSON_Parse(buf);
	vals = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "streams"), 0), "values");
	assert_int_equal(cJSON_GetArraySize(vals), 4);
	for (int i = 0; i < 4; i++) {
		const cJSON *v = cJSON_GetArrayItem(vals, i);
		const char *ts = cJSON_GetArrayItem(v, 0)->valuestring;

		assert_non_null(strstr(cJSON_GetArrayItem(v, 1)->valuestring, want[i]));
		if (i)
			assert_true(strcmp(cJSON_GetArrayItem(cJSON_GetArrayItem(vals, i - 1), 0)
						   ->valuestring, ts) <= 0);
	}
	cJSON_Delete(j);
	batch_free(&b);
	for (int i = 0; i < 4; i++)
		free(evs[i]);
}

static void test_elastic(void **state)
{
	struct fwd_conf c = {.type = FWD_ELASTIC, .index = "c2d"};
	struct fwd_batch b = {0};
	char want[8192];
	long n;

	batch_add(&b, EV_A1);
	batch_add(&b, EV_B1);
	n = fwd_format_elastic(&c, b.e, b.n, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = 0;
	snprintf(want, sizeof(want),
		 "{\"create\":{\"_index\":\"c2d\",\"_id\":\"b7e3c1d2a9f04e51-00000000000004d2\"}}\n"
		 "{\"@timestamp\":\"2025-06-01T12:00:00.123456789Z\",%s\n"
		 "{\"create\":{\"_index\":\"c2d\",\"_id\":\"b7e3c1d2a9f04e51-00000000000004d3\"}}\n"
		 "{\"@timestamp\":\"2025-06-01T12:00:01Z\",%s\n", EV_A1 + 1, EV_B1 + 1);
	assert_string_equal(buf, want);
	assert_int_equal(buf[n - 1], '\n'); /* _bulk: the last line ends with \n too */
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		cJSON *j = cJSON_Parse(line); /* every line is one JSON object */

		assert_true(cJSON_IsObject(j));
		cJSON_Delete(j);
	}
	batch_free(&b);
}

static void test_elastic_response(void **state)
{
	struct fwd_ack a;
	const char *all_ok = "{\"took\":3,\"errors\":false,\"items\":[{\"create\":{\"status\":201}},"
			     "{\"create\":{\"status\":201}}]}";
	const char *partial =
		"{\"errors\":true,\"items\":[{\"create\":{\"status\":201}},"
		"{\"create\":{\"status\":409,\"error\":{\"type\":\"version_conflict_engine_exception\"}}},"
		"{\"create\":{\"status\":400,\"error\":{\"type\":\"mapper_parsing_exception\"}}},"
		"{\"create\":{\"status\":429,\"error\":{\"type\":\"es_rejected_execution_exception\"}}},"
		"{\"create\":{\"status\":201}}]}";
	const char *server = "{\"errors\":true,\"items\":[{\"create\":{\"status\":503}}]}";

	assert_int_equal(fwd_elastic_parse(all_ok, strlen(all_ok), 2, &a), 0);
	assert_int_equal(a.done, 2);
	assert_false(a.retry);
	assert_int_equal(a.refused, 0);
	/* 201, 409 (already there = delivered), 400 (refused), then 429 stops the prefix */
	assert_int_equal(fwd_elastic_parse(partial, strlen(partial), 5, &a), 0);
	assert_int_equal(a.done, 3);
	assert_int_equal(a.refused, 1);
	assert_int_equal(a.refused_status, 400);
	assert_true(a.retry);
	assert_int_equal(fwd_elastic_parse(server, strlen(server), 1, &a), 0);
	assert_int_equal(a.done, 0);
	assert_true(a.retry);
	assert_int_equal(fwd_elastic_parse(all_ok, strlen(all_ok), 3, &a), -EPROTO);
	assert_int_equal(fwd_elastic_parse("<html>", 6, 1, &a), -EPROTO);
}

static void test_splunk(void **state)
{
	struct fwd_conf c = {.type = FWD_SPLUNK, .index = "k8s_security"};
	struct fwd_batch b = {0};
	char want[8192];
	long n;

	batch_add(&b, EV_A1);
	batch_add(&b, EV_B1);
	n = fwd_format_splunk(&c, b.e, b.n, buf, sizeof(buf));
	assert_true(n > 0);
	buf[n] = 0;
	snprintf(want, sizeof(want),
		 "{\"time\":1748779200.123456,\"host\":\"node-1\",\"source\":\"cloud2dev\","
		 "\"sourcetype\":\"cloud2dev:event\",\"index\":\"k8s_security\",\"event\":%s}"
		 "{\"time\":1748779201.000000,\"host\":\"node-1\",\"source\":\"cloud2dev\","
		 "\"sourcetype\":\"cloud2dev:event\",\"index\":\"k8s_security\",\"event\":%s}",
		 EV_A1, EV_B1);
	assert_string_equal(buf, want);
	c.index = NULL;
	n = fwd_format_splunk(&c, b.e, 1, buf, sizeof(buf));
	buf[n] = 0;
	assert_null(strstr(buf, "\"index\""));
	batch_free(&b);
}

/* Every frame's length prefix equals the byte length of its message. */
static size_t check_frames(const char *p, size_t len, const char **msgs, size_t max)
{
	size_t nframes = 0;

	while (len) {
		char *end;
		unsigned long n = strtoul(p, &end, 10);

		assert_true(end > p && *end == ' ' && p[0] != '0');
		len -= (size_t)(end + 1 - p);
		p = end + 1;
		assert_true(n <= len);
		if (nframes < max)
			msgs[nframes] = p;
		nframes++;
		p += n;
		len -= n;
	}
	return nframes;
}

static void test_syslog(void **state)
{
	struct fwd_conf c = {.type = FWD_SYSLOG, .facility = 16};
	struct fwd_batch b = {0};
	const char *msgs[4];
	char want[8192], frame[8300];
	long n;

	batch_add(&b, EV_A2);
	batch_add(&b, EV_B1);
	n = fwd_format_syslog(&c, b.e, b.n, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(check_frames(buf, (size_t)n, msgs, 4), 2);
	snprintf(want, sizeof(want),
		 "<130>1 2025-06-01T12:00:02.500000Z node-1 cloud2dev - credential_read "
		 "[cloud2dev@32473 rule=\"k8s-serviceaccount-token\" commit=\"" REV "\" "
		 "pipeline_id=\"9753949763\" repository=\"https://github.com/acme/web\" "
		 "namespace=\"shop\" workload=\"web\" pod=\"web-7d4b9c8f6d-x2k9p\" "
		 "container_id=\"" CID_A "\" image_digest=\"sha256:aaaa\"] %s", EV_A2);
	snprintf(frame, sizeof(frame), "%zu %s", strlen(want), want);
	assert_memory_equal(buf, frame, strlen(frame));
	/* medium → warning (4): local0 → <132>; fields it lacks are left out, not empty */
	assert_memory_equal(msgs[1], "<132>1 2025-06-01T12:00:01.000000Z node-1 cloud2dev - "
			    "privileged_call [cloud2dev@32473 rule=\"setuid-root\" namespace=\"shop\" "
			    "workload=\"db\" pod=\"db-0\" container_id=\"" CID_B "\"] {", 175);
	batch_free(&b);
}

static void test_syslog_escaping(void **state)
{
	struct fwd_conf c = {.type = FWD_SYSLOG, .facility = 4};
	const char *body = "{\"time\":\"2025-06-01T12:00:00Z\",\"kind\":\"credential_read\","
			   "\"severity\":\"info\",\"node\":{\"name\":\"n\\u00e9ud 1\"},"
			   "\"k8s\":{\"pod\":\"a\\\"b]c\\\\d\"}}";
	struct fwd_batch b = {0};
	const char *msgs[1];
	long n;

	batch_add(&b, body);
	n = fwd_format_syslog(&c, b.e, 1, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(check_frames(buf, (size_t)n, msgs, 1), 1);
	/* auth.info = <38>; a HOSTNAME with a space or non-ASCII is the NILVALUE */
	assert_memory_equal(msgs[0], "<38>1 2025-06-01T12:00:00.000000Z - cloud2dev - "
			    "credential_read [cloud2dev@32473 pod=\"a\\\"b\\]c\\\\d\"] ", 88);
	batch_free(&b);
}

static void test_webhook(void **state)
{
	struct fwd_conf c = {.type = FWD_WEBHOOK};
	struct fwd_batch b = {0};
	char want[8192];
	long n;

	batch_add(&b, EV_A1);
	batch_add(&b, EV_B1);
	n = fwd_format_webhook(&c, b.e, b.n, buf, sizeof(buf));
	buf[n] = 0;
	snprintf(want, sizeof(want), "[%s,%s]", EV_A1, EV_B1);
	assert_string_equal(buf, want);
	c.ndjson = true;
	n = fwd_format_webhook(&c, b.e, b.n, buf, sizeof(buf));
	buf[n] = 0;
	snprintf(want, sizeof(want), "%s\n%s\n", EV_A1, EV_B1);
	assert_string_equal(buf, want);
	assert_int_equal(fwd_format_webhook(&c, b.e, b.n, buf, 100), -ENOSPC);
	batch_free(&b);
}

static void test_filter(void **state)
{
	struct fwd_conf c = {0};
	struct fwd_batch b = {0};

	batch_add(&b, EV_A1); /* credential_read, high, shop */
	batch_add(&b, EV_B1); /* privileged_call, medium, shop */
	assert_true(fwd_filter(&c, b.parsed[0]));
	c.min_severity = 3; /* high */
	assert_true(fwd_filter(&c, b.parsed[0]));
	assert_false(fwd_filter(&c, b.parsed[1]));
	c.min_severity = 0;
	c.kinds = "metadata_access,privileged_call";
	assert_false(fwd_filter(&c, b.parsed[0]));
	assert_true(fwd_filter(&c, b.parsed[1]));
	c.kinds = "privileged_cal"; /* whole words only */
	assert_false(fwd_filter(&c, b.parsed[1]));
	c.kinds = NULL;
	c.namespaces = "prod,shop";
	assert_true(fwd_filter(&c, b.parsed[0]));
	c.namespaces = "prod";
	assert_false(fwd_filter(&c, b.parsed[0]));
	batch_free(&b);
}

static void test_config(void **state)
{
	struct fwd_conf *l = NULL;
	char err[256];

	assert_int_equal(fwd_config_key(&l, "forwarder.siem.type", "splunk", err, sizeof(err)), 0);
	assert_int_equal(fwd_config_key(&l, "forwarder.siem.url", "https://s:8088/services/collector/event",
					err, sizeof(err)), 0);
	assert_int_equal(fwd_config_key(&l, "forwarder.siem.min_severity", "high", err, sizeof(err)), 0);
	assert_int_equal(fwd_config_key(&l, "forwarder.log.type", "syslog", err, sizeof(err)), 0);
	assert_non_null(l);
	assert_string_equal(l->name, "siem");
	assert_int_equal(l->type, FWD_SPLUNK);
	assert_int_equal(l->min_severity, 3);
	assert_int_equal(l->batch, 500); /* defaults */
	assert_int_equal(l->next->facility, 16);
	assert_int_equal(fwd_config_check(l, err, sizeof(err)), -EINVAL); /* log has no url */
	assert_contains(err, "forwarder.log");
	assert_int_equal(fwd_config_key(&l, "forwarder.siem.typo", "x", err, sizeof(err)), -EINVAL);
	assert_contains(err, "forwarder.siem.typo");
	assert_int_equal(fwd_config_key(&l, "forwarder.siem.batch", "0", err, sizeof(err)), -EINVAL);
	assert_int_equal(fwd_config_key(&l, "forwarder.siem.type", "kafka", err, sizeof(err)), -EINVAL);
	assert_int_equal(fwd_config_key(&l, "forwarder.Bad Name.type", "otlp", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(fwd_config_key(&l, "forwarder.siem.ack", "true", err, sizeof(err)), 0);
	assert_int_equal(fwd_config_key(&l, "forwarder.log.url", "tcp://127.0.0.1:1", err,
					sizeof(err)), 0);
	assert_int_equal(fwd_config_check(l, err, sizeof(err)), -EINVAL); /* ack needs channel */
	assert_contains(err, "channel");
	fwd_config_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loki),	 cmocka_unit_test(test_loki_order_in_stream),
		cmocka_unit_test(test_loki_stream_sorted_by_time),
		cmocka_unit_test(test_elastic),	 cmocka_unit_test(test_elastic_response),
		cmocka_unit_test(test_splunk),	 cmocka_unit_test(test_syslog),
		cmocka_unit_test(test_syslog_escaping), cmocka_unit_test(test_webhook),
		cmocka_unit_test(test_filter),	 cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

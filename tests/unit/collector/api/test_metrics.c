// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_metrics.c - collector/api/metrics_export.c: the collector's families pass the strict format
 * reader (unit/prom_check.h), ingest counters and each forwarder's counters land in their
 * series, a forwarder name that needs escaping stays valid text, and event kinds are sorted
 * into their counters.
 */
#include <errno.h>
#include <stdio.h>

#include "metrics_export.h"
#include "unit/prom_check.h"
#include "unit/unit.h"

static char text[64 << 10];
static struct fwd_stats fst[2];

static const struct fwd_stats *stats_of(const struct forward *f, size_t i)
{
	return i < 2 ? &fst[i] : NULL;
}

static void test_collector_metrics(void **state)
{
	static struct collector_stats s;
	struct fwd_conf b = {.name = "siem \"eu\"", .type = FWD_SYSLOG};
	struct fwd_conf a = {.name = "otel", .type = FWD_OTLP, .next = &b};
	uint64_t bytes = 1 << 20;
	struct collector_metrics_in in = {.version = "1.2.3", .start_time_s = 42, .stats = &s,
					  .store_bytes = &bytes, .forwarders = &a,
					  .fwd_stats = stats_of};
	const char *bad;

	atomic_store(&s.requests, 10);
	atomic_store(&s.batches, 7);
	atomic_store(&s.events, 700);
	atomic_store(&s.duplicates, 5);
	atomic_store(&s.rejected[REJ_AUTH], 2);
	atomic_store(&s.kinds[IK_CREDENTIAL_READ], 300);
	atomic_store(&s.kinds[IK_AGENT_GAP], 1);
	atomic_store(&fst[0].queue, 12);
	atomic_store(&fst[0].sent, 650);
	atomic_store(&fst[1].queue, -1); /* not looked yet: shown as 0 */
	atomic_store(&fst[1].retries, 3);
	atomic_store(&fst[1].failures, 4);
	atomic_store(&fst[1].dropped, 1);

	assert_true(collector_metrics_render(text, sizeof(text), &in) > 0);
	bad = prom_check(text);
	if (bad)
		fail_msg("%s\n%s", bad, text);
	assert_int_equal(prom_value(text, "c2d_collector_build_info{version=\"1.2.3\"}"), 1);
	assert_int_equal(prom_value(text, "c2d_collector_http_requests_total"), 10);
	assert_int_equal(prom_value(text, "c2d_collector_ingest_batches_total"), 7);
	assert_int_equal(prom_value(text, "c2d_collector_http_rejected_total{reason=\"unauthorized\"}"),
			 2);
	assert_int_equal(prom_value(text, "c2d_collector_events_stored_total"), 700);
	assert_int_equal(prom_value(text, "c2d_collector_events_duplicate_total"), 5);
	assert_int_equal(prom_value(text, "c2d_collector_events_received_total{kind=\"credential_read\"}"),
			 300);
	assert_int_equal(prom_value(text, "c2d_collector_events_received_total{kind=\"agent_gap\"}"),
			 1);
	assert_int_equal(prom_value(text, "c2d_collector_store_bytes"), 1 << 20);
	assert_int_equal(prom_value(text, "c2d_collector_forwarder_queue_events{forwarder=\"otel\","
					  "type=\"otlp\"}"), 12);
	assert_int_equal(prom_value(text, "c2d_collector_forwarder_sent_events_total{forwarder="
					  "\"otel\",type=\"otlp\"}"), 650);
	assert_int_equal(prom_value(text, "c2d_collector_forwarder_queue_events{forwarder="
					  "\"siem \\\"eu\\\"\",type=\"syslog\"}"), 0);
	assert_int_equal(prom_value(text, "c2d_collector_forwarder_retries_total{forwarder="
					  "\"siem \\\"eu\\\"\",type=\"syslog\"}"), 3);
	assert_int_equal(prom_value(text, "c2d_collector_forwarder_failures_total{forwarder="
					  "\"siem \\\"eu\\\"\",type=\"syslog\"}"), 4);
	assert_int_equal(prom_value(text, "c2d_collector_forwarder_dropped_events_total{forwarder="
					  "\"siem \\\"eu\\\"\",type=\"syslog\"}"), 1);
}

static void test_collector_metrics_minimal(void **state)
{
	struct collector_metrics_in in = {0};

	assert_true(collector_metrics_render(text, sizeof(text), &in) > 0);
	assert_null(prom_check(text));
	assert_null(strstr(text, "forwarder"));
	assert_null(strstr(text, "store_bytes"));
	assert_int_equal(collector_metrics_render(text, 64, &in), -ENOSPC);
}

static void test_kind_counters(void **state)
{
	assert_int_equal(stats_kind("credential_read"), IK_CREDENTIAL_READ);
	assert_int_equal(stats_kind("container_start"), IK_CONTAINER_START);
	assert_int_equal(stats_kind("agent_gap"), IK_AGENT_GAP);
	assert_int_equal(stats_kind("credential_read2"), IK_OTHER);
	assert_int_equal(stats_kind(""), IK_OTHER);
	assert_int_equal(stats_kind(NULL), IK_OTHER);
	assert_string_equal(stats_kind_name(IK_STORAGE_WRITE), "storage_write");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collector_metrics),
		cmocka_unit_test(test_collector_metrics_minimal),
		cmocka_unit_test(test_kind_counters),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

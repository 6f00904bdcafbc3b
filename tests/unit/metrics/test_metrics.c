// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_metrics.c - common/prom.c (the Prometheus text writer) and agent/metrics/metrics.c (the
 * agent's metric families): every rendering passes the strict format reader of
 * prom_check.h, and each counter lands in the series its name promises.
 */
#include <errno.h>
#include <stdio.h>

#include "gap.h"
#include "metrics.h"
#include "prom.h"
#include "prom_check.h"
#include "unit.h"

static char text[64 << 10];

static void test_writer_escapes_label_values(void **state)
{
	struct prom p;
	const char *const l[] = {"a", "back\\slash \"quoted\"\nline", "b", "", NULL};

	prom_init(&p, text, sizeof(text));
	prom_family(&p, "x_total", "counter", "A test.");
	prom_sample(&p, "x_total", l, 18446744073709551615ull);
	assert_false(p.overflow);
	assert_string_equal(text, "# HELP x_total A test.\n# TYPE x_total counter\n"
				  "x_total{a=\"back\\\\slash \\\"quoted\\\"\\nline\",b=\"\"} "
				  "18446744073709551615\n");
	assert_null(prom_check(text));
}

static void test_writer_keeps_whole_lines_on_overflow(void **state)
{
	char small[80];
	struct prom p;

	prom_init(&p, small, sizeof(small));
	prom_metric(&p, "a_total", "counter", "First.", 1); /* 46 bytes of header + 10 of sample */
	prom_sample1(&p, "a_total", "k", "a rather long label value", 2);
	assert_true(p.overflow);
	assert_int_equal(strlen(small), p.len);
	assert_string_equal(small, "# HELP a_total First.\n# TYPE a_total counter\na_total 1\n");
	prom_sample(&p, "a_total", NULL, 3); /* short enough, but the writer has stopped */
	assert_int_equal(strlen(small), p.len);
}

static void test_checker_catches_bad_text(void **state)
{
	/* the reader must be able to fail, or the tests below prove nothing */
	assert_non_null(prom_check("x_total 1\n"));				  /* no family */
	assert_non_null(prom_check("# HELP x A.\n# TYPE x counter\nx 1\n"));	  /* no _total */
	assert_non_null(prom_check("# HELP x_total A.\n# TYPE x_total gauge\nx_total 1\n"));
	assert_non_null(prom_check("# HELP y A.\n# TYPE y gauge\ny{a=\"\\q\"} 1\n"));
	assert_non_null(prom_check("# HELP y A.\n# TYPE y gauge\ny 1\ny 2\n"));
	assert_non_null(prom_check("# HELP y A.\n# TYPE y gauge\ny -1\n"));
	assert_non_null(prom_check("# HELP y A.\n# TYPE y gauge\ny 1"));
	assert_null(prom_check("# HELP y A.\n# TYPE y gauge\ny{a=\"1\",b=\"2\"} 1\n"));
}

/* Every subsystem present, every counter a distinct value. */
static long render_full(char *buf, size_t cap)
{
	static struct c2d_stats k;
	static struct pipeline_stats pl;
	static struct proc_cache_stats pc = {.entries = 301, .bytes = 40960, .hits = 900,
					     .misses = 12, .evictions = 3};
	static struct meta_cache_stats mc = {.hits = 55, .misses = 6, .resolved = 5, .failures = 1,
					     .queue_full = 2, .entries = 6, .capacity = 1024,
					     .image_hits = 3, .image_misses = 4, .image_failures = 1};
	static struct k8s_stats ks = {.lists = 1, .watches = 4, .events = 17, .errors = 2,
				      .pods = 9};
	static struct ship_stats ss = {.batches_2xx = 40, .batches_dropped = 1, .batches_auth = 2,
				       .batches_retry = 3, .batches_neterr = 4, .retries = 7,
				       .events_sent = 4000, .bytes_sent = 123456,
				       .batches_spooled = 44};
	static struct spool_stats sp = {.bytes = 8192, .records = 3, .events = 250, .corrupt = 1,
					.write_errors = 5};
	static struct gitops_stats gs = {.lists = 3, .watches = 6, .events = 5, .objects = 7,
					 .sources_off = 1};
	static uint64_t lost[GAP_NREASONS] = {11, 12, 13};
	struct agent_metrics_in in = {.version = "9.9.9", .hook_mode = "tracepoint",
				      .kernel = &k, .pipeline = &pl, .proc_cache = &pc,
				      .meta_cache = &mc, .k8s = &ks, .gitops = &gs, .ship = &ss,
				      .spool = &sp,
				      .lost = lost, .runtime_task_starts = 8,
				      .start_time_s = 1700000000};

	k.events[C2D_KIND_CREDENTIAL_READ] = 21;
	k.events[C2D_KIND_PRIVILEGED_CALL] = 22;
	k.drop_ringbuf = 31;
	k.drop_proc_ringbuf = 32;
	k.map_full = 33;
	k.path_truncated = 34;
	pl.findings[C2D_KIND_CREDENTIAL_READ] = 20;
	pl.findings[C2D_KIND_STORAGE_WRITE] = 19;
	pl.container_starts = 6;
	pl.runtime_filtered = 14;
	pl.gap_events = 2;
	return agent_metrics_render(buf, cap, &in);
}

static void test_agent_metrics_full(void **state)
{
	long n = render_full(text, sizeof(text));
	const char *bad;

	assert_true(n > 0);
	assert_int_equal(n, strlen(text));
	bad = prom_check(text);
	if (bad)
		fail_msg("%s\n%s", bad, text);
	assert_int_equal(prom_value(text, "c2d_agent_build_info{version=\"9.9.9\","
					  "hooks=\"tracepoint\"}"), 1);
	assert_int_equal(prom_value(text, "c2d_agent_start_time_seconds"), 1700000000);
	assert_int_equal(prom_value(text, "c2d_agent_kernel_findings_total{kind=\"credential_read\"}"),
			 21);
	assert_int_equal(prom_value(text, "c2d_agent_kernel_drops_total{reason=\"ring_full\"}"), 31);
	assert_int_equal(prom_value(text, "c2d_agent_kernel_drops_total{reason=\"process_ring_full\"}"),
			 32);
	assert_int_equal(prom_value(text, "c2d_agent_kernel_drops_total{reason=\"map_full\"}"), 33);
	assert_int_equal(prom_value(text, "c2d_agent_events_total{kind=\"credential_read\"}"), 20);
	assert_int_equal(prom_value(text, "c2d_agent_events_total{kind=\"storage_write\"}"), 19);
	assert_int_equal(prom_value(text, "c2d_agent_events_total{kind=\"container_start\"}"), 6);
	assert_int_equal(prom_value(text, "c2d_agent_filtered_total{reason=\"container_runtime\"}"),
			 14);
	assert_int_equal(prom_value(text, "c2d_agent_process_cache_entries"), 301);
	assert_int_equal(prom_value(text, "c2d_agent_process_cache_lookups_total{result=\"miss\"}"),
			 12);
	assert_int_equal(prom_value(text, "c2d_agent_metadata_cache_entries"), 6);
	assert_int_equal(prom_value(text, "c2d_agent_metadata_cache_lookups_total{result=\"hit\"}"),
			 55);
	assert_int_equal(prom_value(text, "c2d_agent_runtime_task_starts_total"), 8);
	assert_int_equal(prom_value(text, "c2d_agent_kubernetes_pods"), 9);
	assert_int_equal(prom_value(text, "c2d_agent_gitops_objects"), 7);
	assert_int_equal(prom_value(text, "c2d_agent_gitops_requests_total{verb=\"watch\"}"), 6);
	assert_int_equal(prom_value(text, "c2d_agent_gitops_sources_off"), 1);
	assert_int_equal(prom_value(text, "c2d_agent_image_config_lookups_total{result=\"miss\"}"),
			 4);
	assert_int_equal(prom_value(text, "c2d_agent_events_total{kind=\"agent_gap\"}"), 2);
	assert_int_equal(prom_value(text, "c2d_agent_batches_shipped_total{status=\"accepted\"}"),
			 40);
	assert_int_equal(prom_value(text, "c2d_agent_batches_shipped_total{status=\"network_error\"}"),
			 4);
	assert_int_equal(prom_value(text, "c2d_agent_events_shipped_total"), 4000);
	assert_int_equal(prom_value(text, "c2d_agent_spool_bytes"), 8192);
	assert_int_equal(prom_value(text, "c2d_agent_spool_records"), 3);
	assert_int_equal(prom_value(text, "c2d_agent_spool_write_errors_total"), 5);
	assert_int_equal(prom_value(text, "c2d_agent_events_lost_total{reason=\"queue_full\"}"), 11);
	assert_int_equal(prom_value(text, "c2d_agent_events_lost_total{reason=\"kernel_ring_full\"}"),
			 13);
}

static void test_agent_metrics_leave_out_what_is_not_running(void **state)
{
	struct pipeline_stats pl = {0};
	struct proc_cache_stats pc = {0};
	struct agent_metrics_in in = {.pipeline = &pl, .proc_cache = &pc};
	long n = agent_metrics_render(text, sizeof(text), &in);

	assert_true(n > 0);
	assert_null(prom_check(text));
	assert_null(strstr(text, "c2d_agent_spool_"));
	assert_null(strstr(text, "c2d_agent_batches_shipped_total"));
	assert_null(strstr(text, "c2d_agent_kubernetes_"));
	assert_null(strstr(text, "c2d_agent_metadata_cache_"));
	assert_null(strstr(text, "c2d_agent_kernel_")); /* stats map unreadable: no fake zeros */
	assert_int_equal(prom_value(text, "c2d_agent_build_info{version=\"unknown\","
					  "hooks=\"unknown\"}"), 1);
}

static void test_agent_metrics_too_small(void **state)
{
	char small[1000];
	long n = render_full(small, sizeof(small));

	assert_int_equal(n, -ENOSPC);
	assert_true(strlen(small) > 0 && strlen(small) < sizeof(small));
	assert_null(prom_check(small)); /* what fit is still valid text */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_escapes_label_values),
		cmocka_unit_test(test_writer_keeps_whole_lines_on_overflow),
		cmocka_unit_test(test_checker_catches_bad_text),
		cmocka_unit_test(test_agent_metrics_full),
		cmocka_unit_test(test_agent_metrics_leave_out_what_is_not_running),
		cmocka_unit_test(test_agent_metrics_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

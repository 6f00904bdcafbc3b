// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_evasion_flood.c - a flood of one finding hides nothing (issue 11, "summarise, don't
 * drop"). Identical findings are folded in the kernel into one event's count; only distinct
 * findings spend the per-container budget (--container-rate, default 10000/s, bursts 5000).
 *
 *   - container: a real container (ctr run) opens its service-account token 20,000 times and
 *     then, at once, reads /root/.aws/credentials. The credentials read arrives; the token
 *     findings' counts add up to exactly 20,000 (once the sweep flushed the tail); every
 *     finding of that container that leaves the agent carries its container fields.
 *   - host: the same from a host process (/etc/shadow 20,000 times, then /etc/gshadow), with a
 *     budget of 2 findings in a burst: the distinct read still arrives, the count is exact.
 * Before folding, the container's credentials read was lost (5,617 token findings out of
 * 20,000 came out, the read did not).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "harness.h"

#define NS "default"
#define IMAGE "c2d/flood:rev-1"
#define N_FLOOD 20000
#define N_RACE 300000 /* per thread: longer than a window, even on a fast machine */
#define TOKEN "/var/run/secrets/kubernetes.io/serviceaccount/token"
#define AWS "/root/.aws/credentials"
#define WAIT_MS 30000 /* the tail is flushed by the sweep within window + 1 s */

static char *dir;

static int setup(void **state)
{
	char creds[300];

	dir = h_mkdtemp();
	if (!dir)
		return -1;
	snprintf(creds, sizeof(creds), "%s/credentials", dir);
	if (h_write_file(creds, 0600) < 0)
		return -1;
	/* a static flood_open and a credentials file in a busybox image */
	if (h_sh("cc -static -O2 -o %s/flood_open tests/integration/triggers/flood_open.c", dir))
		return -1;
	return h_sh("C2D_IMAGE_EXTRA='%s/flood_open:/bin/flood_open %s:" AWS "' "
		    "tests/integration/images/build_image.sh " NS " " IMAGE " >/dev/null",
		    dir, creds);
}

static int teardown(void **state)
{
	h_sh("ctr -n " NS " images rm " IMAGE " c2d/flood:img >/dev/null 2>&1");
	h_rm_rf(dir);
	free(dir);
	return 0;
}

/* What the findings of one cgroup (or process) add up to. */
struct tally {
	long long cgroup_id; /* 0: any */
	long long pid;	     /* 0: any */
	const char *flood_rule, *other_rule;
	long long flood_events, flood_count, other_events, other_count;
	long long findings, attributed;
	const char *container; /* the container id every finding must carry, or NULL */
};

static bool is_finding(const cJSON *ev)
{
	const char *k = h_str(ev, "kind");

	return k && strcmp(k, "container_start") && strcmp(k, "agent_gap");
}

/* Every finding that stands for several: count >= 2, first_time <= last_time == time. */
static void check_fold_fields(const cJSON *ev, long long count)
{
	struct timespec first, last, t;

	if (!h_get(ev, "first_time")) {
		assert_int_equal(count, 1);
		h_expect_absent(ev, "last_time");
		return;
	}
	assert_true(h_parse_time(h_str(ev, "first_time"), &first));
	assert_true(h_parse_time(h_str(ev, "last_time"), &last));
	assert_true(h_parse_time(h_str(ev, "time"), &t));
	assert_true(first.tv_sec < last.tv_sec ||
		    (first.tv_sec == last.tv_sec && first.tv_nsec <= last.tv_nsec));
	assert_true(last.tv_sec == t.tv_sec && last.tv_nsec == t.tv_nsec);
}

static void tally(const struct h_agent *a, struct tally *t)
{
	t->flood_events = t->flood_count = t->other_events = t->other_count = 0;
	t->findings = t->attributed = 0;
	for (size_t i = 0; i < h_agent_nevents(a); i++) {
		const cJSON *ev = h_agent_event(a, i);
		long long cg = 0, pid = 0, count = 1;
		const char *rule = h_str(ev, "rule");

		if (!is_finding(ev) || !h_int(ev, "cgroup_id", &cg) || (t->cgroup_id && cg != t->cgroup_id))
			continue;
		if (t->pid && (!h_int(ev, "process.pid", &pid) || pid != t->pid))
			continue;
		if (h_get(ev, "count"))
			assert_true(h_int(ev, "count", &count) && count >= 2);
		check_fold_fields(ev, count);
		t->findings++;
		if (t->container && h_str(ev, "container.id") &&
		    !strcmp(h_str(ev, "container.id"), t->container) &&
		    !strcmp(h_str(ev, "container.image.name"), IMAGE))
			t->attributed++;
		if (rule && !strcmp(rule, t->flood_rule)) {
			t->flood_events++;
			t->flood_count += count;
		} else if (rule && !strcmp(rule, t->other_rule)) {
			t->other_events++;
			t->other_count += count;
		}
	}
}

/* Pump until the flood's counts are all in and the other finding arrived (or time is up). */
static void wait_tally(struct h_agent *a, struct tally *t)
{
	for (int waited = 0; waited < WAIT_MS; waited += 250) {
		h_agent_pump(a, 250);
		tally(a, t);
		if (t->flood_count >= N_FLOOD && t->other_count >= 1)
			return;
	}
}

static bool container_finding(const cJSON *ev, const void *id)
{
	return is_finding(ev) && h_str(ev, "container.id") &&
	       !strcmp(h_str(ev, "container.id"), id);
}

static void test_container_flood_hides_nothing(void **state)
{
	struct h_agent *a = h_agent_start(
		(const char *const[]){"--k8s-api", "none", "--fold-window", "1", NULL});
	struct tally t = {.flood_rule = "k8s-serviceaccount-token", .other_rule = "aws-credentials"};
	char id[64], n[16];
	const cJSON *ev;

	assert_non_null(a);
	snprintf(id, sizeof(id), "c2d-flood-%d", getpid());
	snprintf(n, sizeof(n), "%d", N_FLOOD);
	/* the container's findings by its id, and any token or credentials finding at all, so
	 * that one without its container fields would be seen too (matched by cgroup below) */
	assert_int_equal(h_agent_keep(a, id), 0);
	assert_int_equal(h_agent_keep(a, TOKEN), 0);
	assert_int_equal(h_agent_keep(a, AWS), 0);
	assert_int_equal(h_sh("ctr -n " NS " run --rm " IMAGE " %s /bin/flood_open -n %s " TOKEN
			      " " AWS " >/dev/null",
			      id, n),
			 0);
	ev = h_agent_wait(a, container_finding, id, H_EVENT_TIMEOUT_MS);
	assert_non_null(ev);
	assert_true(h_int(ev, "cgroup_id", &t.cgroup_id) && t.cgroup_id > 0);
	t.container = id;
	wait_tally(a, &t);
	print_message("container flood: %lld token findings in %lld events; %s read: %lld; "
		      "%lld findings, %lld with the container's fields\n",
		      t.flood_count, t.flood_events, AWS, t.other_count, t.findings, t.attributed);
	assert_int_equal(t.other_count, 1);	   /* the distinct read was not hidden */
	assert_int_equal(t.flood_count, N_FLOOD); /* and the flood was counted exactly */
	assert_true(t.flood_events < 100);	   /* folded, not sent one by one */
	assert_int_equal(t.attributed, t.findings); /* 100 % carry their container */
	ev = h_agent_find(a, container_finding, id);
	h_expect_str(ev, "container.runtime", "containerd");
	assert_int_equal(h_agent_stop(a), 0);
}

/* A cgroup v2 of the test's own, so that the tight budget below is not shared with the rest
 * of the host (on this hybrid host every process is in the v2 root). */
static const char *own_cgroup(char *buf, size_t cap)
{
	static const char *const roots[] = {"/sys/fs/cgroup/unified", "/sys/fs/cgroup"};
	char probe[300];

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		snprintf(probe, sizeof(probe), "%s/cgroup.procs", roots[i]);
		if (access(probe, W_OK))
			continue;
		snprintf(buf, cap, "%s/c2d-flood-%d", roots[i], getpid());
		if (!h_sh("mkdir -p %s", buf))
			return buf;
	}
	return NULL;
}

static void test_host_flood_hides_nothing(void **state)
{
	/* a budget of 3 findings at once, one a second after: the flood may spend one unit per
	 * window; without folding the distinct read is refused */
	struct h_agent *a = h_agent_start((const char *const[]){
		"--containerd-socket", "none", "--k8s-api", "none", "--container-rate", "1",
		"--container-burst", "2", "--fold-window", "1", NULL});
	struct tally t = {.flood_rule = "etc-shadow", .other_rule = "etc-gshadow"};
	char n[16], cg[300], cmd[700];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	struct h_proc p;

	assert_non_null(a);
	assert_non_null(own_cgroup(cg, sizeof(cg)));
	snprintf(n, sizeof(n), "%d", N_FLOOD);
	/* the shell moves itself into the cgroup, then becomes the trigger (same pid) */
	snprintf(cmd, sizeof(cmd), "echo $$ >%s/cgroup.procs && exec %s -n %s /etc/shadow "
		 "/etc/gshadow", cg, h_trigger("flood_open"), n);
	assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	t.pid = p.pid;
	wait_tally(a, &t);
	print_message("host flood: %lld /etc/shadow findings in %lld events; /etc/gshadow: %lld\n",
		      t.flood_count, t.flood_events, t.other_count);
	h_sh("rmdir %s", cg);
	assert_int_equal(t.other_count, 1);
	assert_int_equal(t.flood_count, N_FLOOD);
	assert_true(t.flood_events <= 3); /* the first, at most one per window, the sweep's */
	assert_int_equal(h_agent_stop(a), 0);
}

/*
 * Two threads on two CPUs open one file at once for longer than a window, under a budget of
 * 3 at once and 1 a second: they race on one fold entry (atomic adds and exchanges), windows
 * close while they run, events are refused by the budget and parked: the counts still add up
 * to every open, exactly.
 */
static void test_racing_threads_count_exactly(void **state)
{
	struct h_agent *a = h_agent_start((const char *const[]){
		"--containerd-socket", "none", "--k8s-api", "none", "--container-rate", "1",
		"--container-burst", "2", "--fold-window", "1", NULL});
	struct tally t = {.flood_rule = "etc-shadow", .other_rule = "etc-gshadow"};
	char n[16], cg[300], cmd[700];
	char *argv[] = {"/bin/sh", "-c", cmd, NULL};
	long long total = 2LL * N_RACE;
	struct h_proc p;

	assert_non_null(a);
	assert_non_null(own_cgroup(cg, sizeof(cg)));
	snprintf(n, sizeof(n), "%d", N_RACE);
	snprintf(cmd, sizeof(cmd), "echo $$ >%s/cgroup.procs && exec %s -t 2 -n %s /etc/shadow "
		 "/etc/gshadow", cg, h_trigger("flood_open"), n);
	assert_int_equal(h_run(&p, a, argv, H_KEEP_ID, H_KEEP_ID), 0);
	t.pid = p.pid;
	for (int waited = 0; waited < WAIT_MS; waited += 250) {
		h_agent_pump(a, 250);
		tally(a, &t);
		if (t.flood_count >= total && t.other_count >= 1)
			break;
	}
	print_message("racing threads: %lld of %lld /etc/shadow findings in %lld events; "
		      "/etc/gshadow: %lld\n", t.flood_count, total, t.flood_events, t.other_count);
	h_sh("rmdir %s", cg);
	assert_int_equal(t.flood_count, total);
	assert_int_equal(t.other_count, 1);
	assert_int_equal(h_agent_stop(a), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_flood_hides_nothing),
		cmocka_unit_test(test_host_flood_hides_nothing),
		cmocka_unit_test(test_racing_threads_count_exactly),
	};

	return cmocka_run_group_tests_name("evasion_flood", tests, setup, teardown);
}

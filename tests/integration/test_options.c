// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_options.c - the agent refuses what it cannot honour before it loads anything: a
 * malformed policy file or a bad option is exit status 2 with a message that names the file,
 * the rule or the option and what is wrong, because a typo in a security policy must not
 * silently watch less. `--help` and `--version` exit 0.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include <sys/mman.h>
#include <sys/stat.h>
#include <fcntl.h>
#include "harness.h"

#define POLICY "@" /* in args and want: the path of the case's policy file */
#define OUT_MAX 65536

static char *tmp;
static char out[OUT_MAX], err[OUT_MAX]; /* static: a failed assertion must not leak them */

struct refusal {
	const char *name;
	const char *policy;  /* content of the policy file, or NULL */
	const char *args[4]; /* after the agent's path */
	const char *want[5]; /* stderr must contain each */
};

static const struct refusal refusals[] = {
	{"policy: not JSON", "{\"rules\": [", {"--policy", POLICY}, {POLICY, "not valid JSON"}},
	{"policy: unknown kind",
	 "{\"rules\":[{\"name\":\"my-rule\",\"kind\":\"credential_write\",\"path\":\"/etc/x\"}]}",
	 {"--policy", POLICY},
	 {POLICY, "\"my-rule\"", "unknown kind", "credential_write"}},
	{"policy: pattern without a leading slash",
	 "{\"rules\":[{\"name\":\"shadow-copy\",\"kind\":\"credential_read\","
	 "\"path\":\"etc/shadow\"}]}",
	 {"--policy", POLICY},
	 {POLICY, "\"shadow-copy\"", "pattern must start with"}},
	{"policy: unknown field in a rule",
	 "{\"rules\":[{\"name\":\"aws-typo\",\"kind\":\"credential_read\",\"pth\":\"/x\"}]}",
	 {"--policy", POLICY},
	 {POLICY, "\"aws-typo\"", "unknown field", "\"pth\""}},
	{"policy: unknown top-level field", "{\"rule\":[]}", {"--policy", POLICY},
	 {POLICY, "unknown top-level field", "\"rule\""}},
	{"policy: change of a rule that does not exist",
	 "{\"rules\":[{\"name\":\"etc-shadw\",\"enabled\":false}]}", {"--policy", POLICY},
	 {POLICY, "\"etc-shadw\"", "no rule named"}},
	{"policy: missing file", NULL, {"--policy", "/nonexistent/c2d-policy.json"},
	 {"/nonexistent/c2d-policy.json", "cannot open"}},
	{"--ringbuf-mb 3", NULL, {"--ringbuf-mb", "3"}, {"--ringbuf-mb", "\"3\"", "power of two"}},
	{"--ringbuf-mb 512", NULL, {"--ringbuf-mb", "512"}, {"--ringbuf-mb", "\"512\""}},
	{"--unknown", NULL, {"--unknown"}, {"unknown option", "--unknown"}},
	{"--policy without a value", NULL, {"--policy"}, {"--policy", "needs a value"}},
	{"--log-level loud", NULL, {"--log-level", "loud"}, {"--log-level", "\"loud\""}},
	{"--storage-path relative", NULL, {"--storage-path", "data/"},
	 {"--storage-path", "data/", "absolute"}},
	{"a stray argument", NULL, {"--stdout", "extra"}, {"unexpected argument", "\"extra\""}},
	{"--collector ftp://", NULL, {"--collector", "ftp://collector:21"},
	 {"--collector", "only http:// and https://"}},
	{"--collector not a URL", NULL, {"--collector", "http://[::1"}, {"--collector", "not a URL"}},
	{"--log-format xml", NULL, {"--log-format", "xml"}, {"--log-format", "\"xml\""}},
	{"--check-policy of a bad file", "{\"rules\":[{\"name\":\"x\",\"kind\":\"nope\"}]}",
	 {"--check-policy", POLICY}, {POLICY, "unknown kind"}},
};

#define NREFUSALS (sizeof(refusals) / sizeof(refusals[0]))

static const char *agent_path(void)
{
	return getenv("C2D_AGENT") ? getenv("C2D_AGENT") : "build/c2d-agent-san";
}

static int group_setup(void **state)
{
	tmp = h_mkdtemp();
	return tmp ? 0 : -1;
}

static int group_teardown(void **state)
{
	h_rm_rf(tmp);
	free(tmp);
	return 0;
}

/* Run the agent with args; its stdout and stderr land in out and err. */
static void run_agent(const char *const *args, int *status)
{
	char *argv[8] = {(char *)agent_path()};
	size_t n = 1;

	while (args[n - 1] && n < 7) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	assert_int_equal(h_run_capture(argv, status, out, OUT_MAX, err, OUT_MAX), 0);
}

static const char *subst(const char *s, const char *policy)
{
	return strcmp(s, POLICY) == 0 ? policy : s;
}

static void test_refused(void **state)
{
	const struct refusal *r = *state;
	char policy[PATH_MAX];
	const char *args[5] = {0};
	int status;
	FILE *f;

	snprintf(policy, sizeof(policy), "%s/policy-%zu.json", tmp, (size_t)(r - refusals));
	if (r->policy) {
		assert_non_null(f = fopen(policy, "we"));
		fputs(r->policy, f);
		assert_int_equal(fclose(f), 0);
	}
	for (size_t i = 0; r->args[i]; i++)
		args[i] = subst(r->args[i], policy);
	run_agent(args, &status);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 2)
		fail_msg("%s: want exit status 2, wait status 0x%x; stderr:\n%s", r->name, status,
			 err);
	assert_string_equal(out, ""); /* nothing but events ever goes to stdout */
	for (size_t i = 0; r->want[i]; i++)
		if (!strstr(err, subst(r->want[i], policy)))
			fail_msg("%s: stderr does not name `%s`:\n%s", r->name,
				 subst(r->want[i], policy), err);
	assert_null(strstr(err, " ready")); /* refused before anything was loaded */
}

static void test_help(void **state)
{
	static const char *const names[] = {"--stdout", "--policy", "--storage-path",
					    "--node-name", "--log-level", "--ringbuf-mb",
					    "--help", NULL};
	static const char *const args[] = {"--help", NULL};
	int status;

	run_agent(args, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "usage:"));
	for (size_t i = 0; names[i]; i++)
		if (!strstr(out, names[i]))
			fail_msg("--help does not list %s:\n%s", names[i], out);
	assert_string_equal(err, "");
}

/* Run as nobody: --check-policy works without privileges or BPF; the agent itself names the
 * capabilities it lacks instead of blaming the kernel. */
static void run_as_nobody(const char *const *args, int *status)
{
	char *argv[8] = {(char *)agent_path()};
	size_t n = 1;
	int o = memfd_create("o", 0), e = memfd_create("e", 0);

	while (args[n - 1] && n < 7) {
		argv[n] = (char *)args[n - 1];
		n++;
	}
	argv[n] = NULL;
	assert_true(o >= 0 && e >= 0);
	{
		pid_t pid = fork();

		if (pid == 0) {
			dup2(o, 1);
			dup2(e, 2);
			if (setgid(H_NOBODY) || setuid(H_NOBODY))
				_exit(126);
			execv(argv[0], argv);
			_exit(127);
		}
		assert_true(pid > 0);
		assert_int_equal(waitpid(pid, status, 0), pid);
	}
	out[pread(o, out, OUT_MAX - 1, 0) > 0 ? lseek(o, 0, SEEK_END) : 0] = 0;
	err[pread(e, err, OUT_MAX - 1, 0) > 0 ? lseek(e, 0, SEEK_END) : 0] = 0;
	close(o);
	close(e);
}

static void test_unprivileged(void **state)
{
	const char *check[] = {"--check-policy", NULL, NULL};
	static const char *const run[] = {"--stdout", "--containerd-socket", "none", "--k8s-api",
					  "none", NULL};
	char policy[PATH_MAX];
	int status;
	FILE *f;

	snprintf(policy, sizeof(policy), "%s/ok.json", tmp);
	assert_non_null(f = fopen(policy, "we"));
	fputs("{\"rules\":[{\"name\":\"vault-token\",\"kind\":\"credential_read\","
	      "\"path\":\"*/.vault-token\"}]}", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(tmp, 0755), 0);
	assert_int_equal(chmod(policy, 0644), 0);
	check[1] = policy;
	run_as_nobody(check, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_non_null(strstr(out, "valid"));
	run_as_nobody(run, &status);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	if (!strstr(err, "missing capabilities: CAP_BPF, CAP_PERFMON"))
		fail_msg("no capability named:\n%s", err);
	assert_null(strstr(err, "no BPF ring buffer"));
}

static void test_version(void **state)
{
	static const char *const args[] = {"--version", NULL};
	int status;

	run_agent(args, &status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(strncmp(out, "c2d-agent ", 10), 0);
	assert_non_null(strstr(out, "(git "));
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_help),
		cmocka_unit_test(test_version),
		cmocka_unit_test(test_unprivileged),
	};
	struct CMUnitTest tests[NREFUSALS + sizeof(fixed) / sizeof(fixed[0])];

	for (size_t i = 0; i < NREFUSALS; i++)
		tests[i] = (struct CMUnitTest){.name = refusals[i].name, .test_func = test_refused,
					       .initial_state = (void *)&refusals[i]};
	memcpy(&tests[NREFUSALS], fixed, sizeof(fixed));
	return cmocka_run_group_tests_name("options", tests, group_setup, group_teardown);
}

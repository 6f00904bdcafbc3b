// SPDX-License-Identifier: BSD-2-Clause
/*
 * spec_scan.c - what the secret scan adds to a container's start (tests/bench/run.sh): a
 * typical OCI spec (ENV entries a real image and pod give: PATH, service links, config, a few
 * secrets; a command line with flags) parsed once, as the agent does for its mounts, then its
 * env and args scanned and fingerprinted (exposures_from_cjson). Prints one line of key=value:
 * parse_us (the parse alone), scan_us (the scan on the parsed spec), env, args, found.
 *
 *   spec_scan [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "exposures.h"

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* 40 variables (10 service links, 24 ordinary, 6 secrets of the right shape, all fakes) and
 * a 12-argument command line with two secrets. */
static char *make_spec(int *nenv, int *nargs)
{
	cJSON *spec = cJSON_CreateObject(), *proc = cJSON_AddObjectToObject(spec, "process");
	cJSON *env = cJSON_AddArrayToObject(proc, "env"), *args = cJSON_AddArrayToObject(proc, "args");
	static const char *const secrets[] = {
		"STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
		"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"DATABASE_URL=postgres://app:s3cr3t-pw@db:5432/app",
		"GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789",
		"SESSION_SECRET=Tr0ub4dor&3-horse-battery",
	};
	static const char *const argv[] = {"/app/server", "--listen=:8080", "--log-level", "info",
					   "--db-password=Tr0ub4dor&3-horse", "--workers", "8",
					   "--token", "glpat-abcdefghij0123456789", "--tls",
					   "--metrics", "/etc/app/config.yaml"};
	char buf[160], *out;

	cJSON_AddItemToArray(env, cJSON_CreateString("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:"
						      "/usr/bin:/sbin:/bin"));
	for (int i = 0; i < 10; i++) {
		snprintf(buf, sizeof(buf), "SVC%d_SERVICE_HOST=10.96.%d.%d", i, i, 10 + i);
		cJSON_AddItemToArray(env, cJSON_CreateString(buf));
	}
	for (int i = 0; i < 23; i++) {
		snprintf(buf, sizeof(buf), "APP_SETTING_%d=value-%d-for-the-application", i, i);
		cJSON_AddItemToArray(env, cJSON_CreateString(buf));
	}
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++)
		cJSON_AddItemToArray(env, cJSON_CreateString(secrets[i]));
	for (size_t i = 0; i < sizeof(argv) / sizeof(argv[0]); i++)
		cJSON_AddItemToArray(args, cJSON_CreateString(argv[i]));
	*nenv = cJSON_GetArraySize(env);
	*nargs = cJSON_GetArraySize(args);
	out = cJSON_PrintUnformatted(spec);
	cJSON_Delete(spec);
	return out;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 20000, nenv, nargs;
	char *text = make_spec(&nenv, &nargs);
	struct exposures x;
	double t0, parse = 0, scan = 0;

	if (rounds <= 0 || secrets_key_init(NULL) < 0)
		return 2;
	for (int i = 0; i < rounds; i++) {
		cJSON *spec;

		t0 = now_us();
		spec = cJSON_Parse(text);
		parse += now_us() - t0;
		t0 = now_us();
		exposures_from_cjson(spec, &x);
		scan += now_us() - t0;
		cJSON_Delete(spec);
	}
	printf("parse_us=%.2f scan_us=%.2f env=%d args=%d found=%u\n", parse / rounds, scan / rounds,
	       nenv, nargs, x.n);
	cJSON_free(text);
	secrets_key_clear();
	return x.n ? 0 : 1;
}

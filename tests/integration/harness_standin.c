// SPDX-License-Identifier: BSD-2-Clause
/*
 * harness_standin.c - the stand-in Kubernetes API servers (tests/integration/standins/): a
 * certificate for 127.0.0.1 and a bearer token made in the test's directory, the server
 * started and its port read once it listens, and its request log searched.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

int h_standin_certs(const char *dir, const char *token)
{
	return h_sh("cd %s && openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out "
		    "cert.pem -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 "
		    "2>/dev/null && printf '%%s\\n' '%s' > token",
		    dir, token);
}

pid_t h_standin_start(char *const argv[], const char *dir, char *port, size_t cap)
{
	char pf[256];
	pid_t pid = fork();
	FILE *f;

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		return -1;
	snprintf(pf, sizeof(pf), "%s/port", dir);
	for (int i = 0; i < 100 && access(pf, R_OK) != 0; i++)
		usleep(100000);
	f = fopen(pf, "r");
	if (!f || !fgets(port, (int)cap, f)) {
		if (f)
			fclose(f);
		h_standin_stop(pid);
		return -1;
	}
	port[strcspn(port, "\n")] = 0;
	fclose(f);
	return pid;
}

void h_standin_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

int h_file_count(const char *path, const char *needle)
{
	char line[4096];
	FILE *f = fopen(path, "r");
	int n = 0;

	while (f && fgets(line, sizeof(line), f))
		n += strstr(line, needle) != NULL;
	if (f)
		fclose(f);
	return n;
}

int h_standin_requests(const char *dir, const char *needle)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/requests.log", dir);
	return h_file_count(path, needle);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * log.c - leveled logging to stderr: `time level message`, one write per line so that
 * threads never interleave. Messages name objects (paths, rule names), never secret values.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static enum c2d_log_level g_level = C2D_LOG_INFO;
static const char *const g_names[] = {"error", "warn", "info", "debug"};

void c2d_log_set_level(enum c2d_log_level lvl)
{
	g_level = lvl;
}

enum c2d_log_level c2d_log_get_level(void)
{
	return g_level;
}

int c2d_log_parse_level(const char *s, enum c2d_log_level *out)
{
	for (size_t i = 0; i < sizeof(g_names) / sizeof(g_names[0]); i++) {
		if (strcmp(s, g_names[i]) == 0) {
			*out = (enum c2d_log_level)i;
			return 0;
		}
	}
	return -EINVAL;
}

void c2d_log(enum c2d_log_level lvl, const char *fmt, ...)
{
	char line[1024];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m;

	if (lvl > g_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %-5s ",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     ts.tv_nsec / 1000000, g_names[lvl]);
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	n += (size_t)m < sizeof(line) - n - 1 ? m : (int)(sizeof(line) - n - 2);
	while (n > 0 && line[n - 1] == '\n')
		n--;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

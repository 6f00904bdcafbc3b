// SPDX-License-Identifier: BSD-2-Clause
/*
 * log.c - leveled logging to stderr: `time level message` or one JSON object per line, one
 * write per line so that threads never interleave. Messages name objects (paths, rule names),
 * never secret values. A message can hold a name a workload chose (a path): in text lines its
 * control characters become '?', so it cannot start a forged line; JSON escapes them.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jsonw.h"
#include "log.h"

static enum c2d_log_level g_level = C2D_LOG_INFO;
static enum c2d_log_format g_format = C2D_LOG_TEXT;
static const char *const g_names[] = {"error", "warn", "info", "debug"};

void c2d_log_set_level(enum c2d_log_level lvl)
{
	g_level = lvl;
}

void c2d_log_set_format(enum c2d_log_format fmt)
{
	g_format = fmt;
}

int c2d_log_parse_format(const char *s, enum c2d_log_format *out)
{
	if (strcmp(s, "text") && strcmp(s, "json"))
		return -EINVAL;
	*out = strcmp(s, "json") ? C2D_LOG_TEXT : C2D_LOG_JSON;
	return 0;
}

/* {"time":"2026-…Z","level":"info","msg":"…"} into out; its length (0: did not fit). */
static size_t json_line(char *out, size_t cap, const char *when, const char *level,
			const char *msg)
{
	struct jw w;
	long n;

	jw_init(&w, out, cap - 1);
	jw_obj_begin(&w);
	jw_kv_str(&w, "time", when);
	jw_kv_str(&w, "level", level);
	jw_kv_str(&w, "msg", msg);
	jw_obj_end(&w);
	n = jw_finish(&w);
	if (n <= 0)
		return 0;
	out[n] = '\n';
	return (size_t)n + 1;
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
	char line[1100], msg[1024], when[64], js[2048];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int m;
	size_t len, n;

	if (lvl > g_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	snprintf(when, sizeof(when), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	m = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	len = strlen(msg);
	while (len > 0 && msg[len - 1] == '\n')
		msg[--len] = 0;
	if (g_format == C2D_LOG_JSON) {
		n = json_line(js, sizeof(js), when, g_names[lvl], msg);
		if (n)
			(void)!write(STDERR_FILENO, js, n);
		return;
	}
	for (size_t i = 0; i < len; i++) /* one message, one line: nothing can forge another */
		if ((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f)
			msg[i] = msg[i] == '\t' ? ' ' : '?';
	n = (size_t)snprintf(line, sizeof(line) - 1, "%s %-5s %s", when, g_names[lvl], msg);
	if (n > sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
}

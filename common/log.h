/* SPDX-License-Identifier: BSD-2-Clause */
/* log.h - the one leveled logger (stderr, one line per message, printf-checked). */
#ifndef C2D_LOG_H
#define C2D_LOG_H

#include <stdbool.h>

enum c2d_log_level { C2D_LOG_ERROR = 0, C2D_LOG_WARN, C2D_LOG_INFO, C2D_LOG_DEBUG };

enum c2d_log_format {
	C2D_LOG_TEXT = 0, /* `2026-12-06T20:31:02.123Z info  message` */
	C2D_LOG_JSON,	  /* {"time":"…","level":"info","msg":"…"} per line (log shippers) */
};

void c2d_log_set_level(enum c2d_log_level lvl);
void c2d_log_set_format(enum c2d_log_format fmt);
/* Parse "text|json"; returns 0 or -EINVAL. */
int c2d_log_parse_format(const char *s, enum c2d_log_format *out);
enum c2d_log_level c2d_log_get_level(void);
/* Parse "error|warn|info|debug"; returns 0 or -EINVAL. */
int c2d_log_parse_level(const char *s, enum c2d_log_level *out);
void c2d_log(enum c2d_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) c2d_log(C2D_LOG_ERROR, __VA_ARGS__)
#define log_warn(...) c2d_log(C2D_LOG_WARN, __VA_ARGS__)
#define log_info(...) c2d_log(C2D_LOG_INFO, __VA_ARGS__)
#define log_debug(...) c2d_log(C2D_LOG_DEBUG, __VA_ARGS__)

#endif

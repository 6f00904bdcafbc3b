/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * redact.h - remove secret values from command lines before anything keeps them.
 * `--password=x` keeps the flag and loses the value; `--token x` loses the next argument;
 * values that look like credentials (cloud keys, tokens, JWTs, URL passwords) are replaced.
 */
#ifndef C2D_REDACT_H
#define C2D_REDACT_H

#include <stddef.h>

#define C2D_REDACTED "[REDACTED]"

/* Redact argv given as NUL-separated args (in, n bytes) into out (cap bytes); returns the
 * length written (NUL-separated, NUL-terminated). */
size_t redact_args(const char *in, size_t n, char *out, size_t cap);

#endif

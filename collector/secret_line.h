/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * secret_line.h - the first line of a file that holds a secret (a forwarder's token, the
 * ClickHouse password): CR/LF cut, nothing else of the file read, the read buffer wiped.
 */
#ifndef C2D_COLLECTOR_SECRET_LINE_H
#define C2D_COLLECTOR_SECRET_LINE_H

#include <stddef.h>

/* Into out (cap bytes, NUL-terminated; "" for an empty file): its length, or -errno when the
 * file cannot be opened. */
long secret_line_read(const char *path, char *out, size_t cap);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/* ids.h - random instance ids (event id = instance + sequence, EVENTS.md). */
#ifndef C2D_IDS_H
#define C2D_IDS_H

#include <stddef.h>

/* 16 lower-case hex digits from the kernel's CSPRNG; returns 0 or -errno. */
int ids_random_hex16(char out[17]);

#endif

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * rfc3339.h - RFC 3339 timestamps to nanoseconds since the epoch: one parser for the event
 * schema (strict: UTC only), the query parameters and the Kubernetes objects (metav1.Time),
 * which differ only in what they tolerate. Dates are checked against the calendar; years
 * 1970..2261 (int64 nanoseconds end in 2262).
 */
#ifndef C2D_RFC3339_H
#define C2D_RFC3339_H

#include <stdint.h>

enum rfc3339_flags {
	RFC3339_UTC = 1 << 0,	  /* only "Z": no offset */
	RFC3339_LENIENT = 1 << 1, /* also 't' or ' ' before the time, 'z', a leap second (60)
				   * and more than 9 fraction digits (the rest dropped) */
};

/* 0 with *ns set, or -EINVAL. */
int rfc3339_parse(const char *s, unsigned flags, int64_t *ns);

#endif

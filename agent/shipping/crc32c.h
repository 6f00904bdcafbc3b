/* SPDX-License-Identifier: BSD-2-Clause */
/* crc32c.h - CRC-32C (Castagnoli), the checksum of spool records (better error detection
 * than zlib's CRC-32 for the same cost in software). */
#ifndef C2D_CRC32C_H
#define C2D_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/* Continue crc over n bytes; start with crc = 0. */
uint32_t crc32c(uint32_t crc, const void *data, size_t n);

#endif

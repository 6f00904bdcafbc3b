// SPDX-License-Identifier: BSD-2-Clause
/*
 * fuzz_spool.c - libFuzzer harness for the spool reader (agent/shipping/spool.c): a segment file as
 * a crash, a full disk or another process may leave it. The input is the segment's records (the
 * harness writes a valid segment header before them); if its first byte is odd, the harness also
 * fixes the checksum of every record it can frame, so that the fuzzer reaches the paths after the
 * CRC check. Opening the spool and reading it to the end must never crash, never return a record
 * longer than its limit, and never loop.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crc32c.h"
#include "log.h"
#include "spool.h"
#include "fuzz.h"

static char dir[] = "/tmp/c2d-fuzz-spool.XXXXXX";

static void clean(void)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			unlinkat(dirfd(d), de->d_name, 0);
	if (d)
		closedir(d);
}

/* Patch the CRC of each record that frames (magic, length within the input). */
static void fix_crcs(uint8_t *p, size_t n)
{
	size_t off = 0;

	while (off + SPOOL_REC_HDR <= n) {
		uint32_t magic, len, crc;

		memcpy(&magic, p + off, 4);
		memcpy(&len, p + off + 8, 4);
		if (magic != SPOOL_REC_MAGIC || len > n - off - SPOOL_REC_HDR)
			return;
		crc = crc32c(crc32c(0, p + off, 24), p + off + SPOOL_REC_HDR, len);
		memcpy(p + off + 24, &crc, 4);
		off += SPOOL_REC_HDR + len;
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	c2d_log_set_level(C2D_LOG_ERROR);
	if (!mkdtemp(dir))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t hdr[SPOOL_SEG_HDR] = SPOOL_SEG_MAGIC, *recs;
	uint32_t v = SPOOL_VERSION, crc;
	struct spool *sp;
	struct spool_rec r;
	char path[128];
	int fd, n = 0;

	if (size < 1)
		return 0;
	recs = malloc(size);
	if (!recs)
		return 0;
	memcpy(recs, data + 1, size - 1);
	if (data[0] & 1)
		fix_crcs(recs, size - 1);
	memcpy(hdr + 8, &v, 4);
	crc = crc32c(0, hdr, 12);
	memcpy(hdr + 12, &crc, 4);
	snprintf(path, sizeof(path), "%s/seg-%016x.c2s", dir, 1);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, hdr, sizeof(hdr)) == sizeof(hdr));
	CHECK(write(fd, recs, size - 1) == (ssize_t)(size - 1));
	close(fd);
	free(recs);
	if (spool_open(&sp, dir, 1 << 20) == 0) {
		while (spool_next(sp, &r) == 0) {
			CHECK(r.len <= SPOOL_REC_MAX && r.len <= size);
			free(r.data);
			spool_ack(sp, &r);
			CHECK(++n <= (int)size); /* every record takes at least a header */
		}
		spool_close(sp);
	}
	clean();
	return 0;
}

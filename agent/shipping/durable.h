/* SPDX-License-Identifier: BSD-2-Clause */
/* durable.h - small files that must survive a crash whole or not at all (the spool's read
 * position, the agent id, the sequence reservation), and the state directory itself. */
#ifndef C2D_DURABLE_H
#define C2D_DURABLE_H

#include <stddef.h>
#include <sys/types.h>

/* mkdir -p with mode for every directory made; an existing leaf is chmod'ed to mode.
 * Returns an O_DIRECTORY fd, or -errno. */
int durable_mkdir(const char *path, mode_t mode);

/* Replace name in dirfd atomically: write name.tmp (0600) + fsync + rename + fsync(dir).
 * After a crash at any point the file holds either the old or the new content. 0 or -errno. */
int durable_write(int dirfd, const char *name, const void *data, size_t len);

/* Read at most cap-1 bytes of name, NUL-terminated: the length, or -errno. */
long durable_read(int dirfd, const char *name, char *buf, size_t cap);

#endif

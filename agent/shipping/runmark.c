// SPDX-License-Identifier: BSD-2-Clause
/* runmark.c - the `running` file of the state directory (runmark.h). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "durable.h"
#include "runmark.h"

#define RUN_FILE "running"
/* fixed width, so an in-place rewrite never leaves the tail of a longer line behind */
#define RUN_FMT "c2d-run 1 %016" PRIx64 " %016" PRIx64 " %016" PRIx64 "\n"
#define RUN_LEN (10 + 3 * 17)

struct runmark {
	pthread_mutex_t mu;
	int dirfd, fd;
	uint64_t issued, spooled;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void rewrite(struct runmark *m)
{
	char line[RUN_LEN + 1];

	snprintf(line, sizeof(line), RUN_FMT, m->issued, m->spooled, now_ms());
	if (pwrite(m->fd, line, RUN_LEN, 0) != RUN_LEN) {
		/* a full disk: the next rewrite tries again; at worst a later start under-reports */
	}
}

int runmark_open(struct runmark **out, const char *dir, uint64_t first,
		 struct runmark_prev *prev)
{
	struct runmark *m = calloc(1, sizeof(*m));
	char buf[128];

	memset(prev, 0, sizeof(*prev));
	if (!m)
		return -ENOMEM;
	m->dirfd = durable_mkdir(dir, 0700);
	if (m->dirfd < 0) {
		int rc = m->dirfd;

		free(m);
		return rc;
	}
	if (durable_read(m->dirfd, RUN_FILE, buf, sizeof(buf)) >= 0) {
		prev->unclean = true;
		if (sscanf(buf, "c2d-run 1 %" SCNx64 " %" SCNx64 " %" SCNx64, &prev->issued,
			   &prev->spooled, &prev->time_ms) != 3)
			prev->issued = prev->spooled = prev->time_ms = 0; /* torn: unknown */
	}
	m->fd = openat(m->dirfd, RUN_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (m->fd < 0) {
		int rc = -errno;

		close(m->dirfd);
		free(m);
		return rc;
	}
	pthread_mutex_init(&m->mu, NULL);
	m->issued = m->spooled = first ? first - 1 : 0; /* nothing of this run is lost yet */
	rewrite(m);
	fsync(m->dirfd); /* the file's existence, at least, outlives a power cut */
	*out = m;
	return 0;
}

/* Set *field to seq (only upwards when monotonic) and rewrite the line if it changed. */
static void update(struct runmark *m, uint64_t *field, uint64_t seq, bool monotonic)
{
	pthread_mutex_lock(&m->mu);
	if (seq != *field && (!monotonic || seq > *field)) {
		*field = seq;
		rewrite(m);
	}
	pthread_mutex_unlock(&m->mu);
}

void runmark_issued(struct runmark *m, uint64_t seq)
{
	if (m)
		update(m, &m->issued, seq, false);
}

void runmark_spooled(struct runmark *m, uint64_t seq)
{
	if (m)
		update(m, &m->spooled, seq, true);
}

void runmark_close(struct runmark *m, bool clean)
{
	if (!m)
		return;
	close(m->fd);
	if (clean && unlinkat(m->dirfd, RUN_FILE, 0) == 0)
		fsync(m->dirfd);
	close(m->dirfd);
	pthread_mutex_destroy(&m->mu);
	free(m);
}

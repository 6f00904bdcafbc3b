// SPDX-License-Identifier: BSD-2-Clause
/* seqstate.c - see seqstate.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "durable.h"
#include "ids.h"
#include "log.h"
#include "seqstate.h"

#define ID_FILE "agent-id"
#define SEQ_FILE "seq"

struct seqstate {
	int dirfd;
	uint64_t block, first, limit;
	char id[17];
};

static bool is_hex16(const char *s)
{
	for (int i = 0; i < 16; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[16] == 0 || s[16] == '\n';
}

/* A fresh agent id: nothing issued under it yet, so its sequence starts at 1. */
static int new_id(struct seqstate *s)
{
	char line[18];
	int rc = ids_random_hex16(s->id);

	if (rc < 0)
		return rc;
	snprintf(line, sizeof(line), "%s\n", s->id);
	s->first = 1;
	return durable_write(s->dirfd, ID_FILE, line, 17);
}

/* The agent id and where its next block starts. A sequence file that cannot be trusted
 * would risk reuse: the agent takes a new id instead (the collector sees a new agent). */
static int load(struct seqstate *s)
{
	char buf[128];
	uint64_t next;

	if (durable_read(s->dirfd, ID_FILE, buf, sizeof(buf)) < 0 || !is_hex16(buf))
		return new_id(s);
	memcpy(s->id, buf, 16);
	s->id[16] = 0;
	if (durable_read(s->dirfd, SEQ_FILE, buf, sizeof(buf)) < 0 ||
	    sscanf(buf, "c2d-seq 1 %" SCNu64, &next) != 1 || next == 0) {
		log_warn("state: no usable sequence file for agent id %s: taking a new agent id",
			 s->id);
		return new_id(s);
	}
	s->first = next;
	return 0;
}

int seqstate_reserve(void *arg, uint64_t next, uint64_t *limit)
{
	struct seqstate *s = arg;
	char buf[64];
	int n, rc;

	if (next > UINT64_MAX - s->block)
		return -EOVERFLOW;
	n = snprintf(buf, sizeof(buf), "c2d-seq 1 %" PRIu64 "\n", next + s->block);
	rc = durable_write(s->dirfd, SEQ_FILE, buf, (size_t)n);
	if (rc < 0)
		return rc;
	s->limit = next + s->block;
	*limit = s->limit;
	return 0;
}

int seqstate_open(struct seqstate **out, const char *dir, uint64_t block)
{
	struct seqstate *s = calloc(1, sizeof(*s));
	uint64_t lim;
	int rc;

	if (!s)
		return -ENOMEM;
	s->block = block ? block : SEQSTATE_BLOCK;
	s->dirfd = durable_mkdir(dir, 0700);
	rc = s->dirfd;
	if (rc >= 0)
		rc = load(s);
	if (rc >= 0)
		rc = seqstate_reserve(s, s->first, &lim);
	if (rc < 0) {
		seqstate_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void seqstate_free(struct seqstate *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	free(s);
}

const char *seqstate_agent_id(const struct seqstate *s)
{
	return s->id;
}

uint64_t seqstate_first(const struct seqstate *s)
{
	return s->first;
}

uint64_t seqstate_limit(const struct seqstate *s)
{
	return s->limit;
}

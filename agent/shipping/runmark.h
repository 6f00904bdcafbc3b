/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * runmark.h - did the last run stop cleanly, and if not, how many events did it lose? While
 * the agent runs, a file `running` in the state directory holds two watermarks: the highest
 * event sequence number issued and the highest appended to the spool. They are rewritten in
 * place, without fsync: what they must survive is a SIGKILL or an OOM kill, which keep the
 * page cache (a power cut is another matter: the spool's fsync covers what was spooled). A
 * clean stop removes the file. Found at start, it says the last run was killed: the ids it
 * issued after the last spooled one never reached the disk, and their number is reported in
 * band (agent_gap, reason agent_restart). Events still in the kernel ring at the kill had no
 * id yet and cannot be counted by anyone.
 */
#ifndef C2D_RUNMARK_H
#define C2D_RUNMARK_H

#include <stdbool.h>
#include <stdint.h>

struct runmark;

struct runmark_prev {
	bool unclean;	  /* the file was there: the last run did not stop cleanly */
	uint64_t issued;  /* its last issued sequence number */
	uint64_t spooled; /* its last sequence number appended to the spool */
	uint64_t time_ms; /* when the file was last written (wall clock) */
};

/* Read what the last run left in dir (made 0700 if needed), then start this run's file with
 * both watermarks at first - 1 (first: this run's first sequence number). 0 or -errno. */
int runmark_open(struct runmark **out, const char *dir, uint64_t first,
		 struct runmark_prev *prev);
/* The watermarks moved (any thread; each call rewrites the line when a value changed). */
void runmark_issued(struct runmark *m, uint64_t seq);
void runmark_spooled(struct runmark *m, uint64_t seq);
/* A clean stop removes the file; NULL is fine. */
void runmark_close(struct runmark *m, bool clean);

#endif

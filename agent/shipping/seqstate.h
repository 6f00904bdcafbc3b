/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * seqstate.h - event ids that stay unique across restarts (--state-dir): a persistent agent
 * id (file agent-id, random once) and a sequence handed out in reserved blocks. The start of
 * the next block is written durably BEFORE any id of the current block is issued, so a run
 * after any crash starts above every id issued before: gaps are allowed, reuse never is.
 */
#ifndef C2D_SEQSTATE_H
#define C2D_SEQSTATE_H

#include <stdint.h>

#define SEQSTATE_BLOCK 1000000u /* ids per reservation: one small fsync'd write per block */

struct seqstate;

/* Open (creating dir 0700 and the files 0600 as needed) and reserve the first block.
 * block: ids per reservation (0: SEQSTATE_BLOCK). 0 or -errno. */
int seqstate_open(struct seqstate **out, const char *dir, uint64_t block);
void seqstate_free(struct seqstate *s);

const char *seqstate_agent_id(const struct seqstate *s); /* 16 hex digits */
uint64_t seqstate_first(const struct seqstate *s);	 /* first sequence number to issue */
uint64_t seqstate_limit(const struct seqstate *s);	 /* ids below this are reserved */

/* Reserve the block starting at next (the first id not yet reserved): *limit becomes its end.
 * Matches render_ctx.reserve. 0 or -errno (then no id at or above the old limit is safe). */
int seqstate_reserve(void *s, uint64_t next, uint64_t *limit);

#endif

// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_spool.c - the on-disk spool: append / read / ack / replay across reopen, damage
 * (torn last record, flipped byte) detected, skipped and counted exactly once, drop-oldest
 * with exact lost counts, and the read position surviving a crash between its update and
 * the deletion of the segment it left.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"

#include "spool.h"

struct fx {
	char dir[64];
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/c2d-spool.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void seg_path(const struct fx *f, int id, char *out, size_t cap)
{
	snprintf(out, cap, "%s/seg-%016x.c2s", f->dir, id);
}

/* A payload that says which record it is: "rec-<i>" then padding to len. */
static void append_n(struct spool *sp, int from, int n, size_t len, uint64_t *lost)
{
	char buf[65536];

	for (int i = from; i < from + n; i++) {
		uint64_t lf = 0;

		memset(buf, 'x', len);
		snprintf(buf, len, "rec-%d", i);
		assert_int_equal(spool_append(sp, buf, (uint32_t)len, 7, SPOOL_F_GZIP, 1000 + i,
					      lost, &lf),
				 0);
	}
}

static int next_index(struct spool *sp, struct spool_rec *r)
{
	int i = -1;

	if (spool_next(sp, r) != 0)
		return -1;
	assert_int_equal(sscanf((char *)r->data, "rec-%d", &i), 1);
	return i;
}

static void read_ack(struct spool *sp, int want)
{
	struct spool_rec r;

	assert_int_equal(next_index(sp, &r), want);
	assert_int_equal(r.nevents, 7);
	assert_int_equal(r.flags, SPOOL_F_GZIP);
	assert_int_equal(spool_ack(sp, &r), 0);
	free(r.data);
}

static void test_replay_across_reopen(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	struct spool_stats st;
	struct spool_rec r;
	uint64_t lost = 0;
	struct stat sb;
	char p[128];

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	assert_int_equal(stat(f->dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	append_n(sp, 0, 3, 100, &lost);
	read_ack(sp, 0);
	/* read but not acknowledged: must come again */
	assert_int_equal(next_index(sp, &r), 1);
	free(r.data);
	spool_close(sp);

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	spool_get_stats(sp, &st);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.events, 14);
	append_n(sp, 3, 1, 100, &lost);
	read_ack(sp, 1);
	read_ack(sp, 2);
	read_ack(sp, 3);
	assert_int_equal(spool_next(sp, &r), -ENOENT);
	spool_get_stats(sp, &st);
	assert_int_equal(st.records, 0);
	assert_int_equal(st.corrupt, 0);
	assert_int_equal(lost, 0);
	spool_close(sp);
	seg_path(f, 1, p, sizeof(p)); /* fully acknowledged: deleted */
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/position", f->dir);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
}

static void damage(const struct fx *f, int seg, off_t at, int truncate_to)
{
	char p[128];
	int fd;

	seg_path(f, seg, p, sizeof(p));
	fd = open(p, O_RDWR);
	assert_true(fd >= 0);
	if (truncate_to) {
		struct stat sb;

		assert_int_equal(fstat(fd, &sb), 0);
		assert_int_equal(ftruncate(fd, sb.st_size - truncate_to), 0);
	} else {
		char c;

		assert_int_equal(pread(fd, &c, 1, at), 1);
		c ^= 0x20;
		assert_int_equal(pwrite(fd, &c, 1, at), 1);
	}
	close(fd);
}

static void test_torn_last_record(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	struct spool_stats st;
	struct spool_rec r;
	uint64_t lost = 0;

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 0, 2, 100, &lost);
	spool_close(sp);
	damage(f, 1, 0, 10); /* the crash cut the last record short */

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	read_ack(sp, 0);
	assert_int_equal(spool_next(sp, &r), -ENOENT);
	spool_get_stats(sp, &st);
	assert_int_equal(st.corrupt, 1);
	spool_close(sp);

	/* counted once: the next start does not meet it again (no crash loop either) */
	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	assert_int_equal(spool_next(sp, &r), -ENOENT);
	spool_get_stats(sp, &st);
	assert_int_equal(st.corrupt, 0);
	spool_close(sp);
}

static void test_flipped_byte(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	struct spool_stats st;
	struct spool_rec r;
	uint64_t lost = 0;

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 0, 3, 100, &lost);
	spool_close(sp);
	/* inside the payload of the second record: length intact, checksum wrong */
	damage(f, 1, SPOOL_SEG_HDR + (SPOOL_REC_HDR + 100) + SPOOL_REC_HDR + 50, 0);

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	read_ack(sp, 0);
	read_ack(sp, 2);
	assert_int_equal(spool_next(sp, &r), -ENOENT);
	spool_get_stats(sp, &st);
	assert_int_equal(st.corrupt, 1);
	spool_close(sp);
}

static void test_bad_header_skips_segment_only(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	struct spool_stats st;
	uint64_t lost = 0;

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 0, 2, 100, &lost);
	spool_close(sp);
	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0); /* segment 2 */
	append_n(sp, 2, 1, 100, &lost);
	spool_close(sp);
	damage(f, 1, SPOOL_SEG_HDR + 1, 0); /* the first record's magic */

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	read_ack(sp, 2); /* the rest of segment 1 has no trustworthy length: skipped */
	spool_get_stats(sp, &st);
	assert_int_equal(st.corrupt, 1);
	spool_close(sp);
}

static void test_full_drops_oldest(void **state)
{
	struct fx *f = *state;
	const uint64_t max = 256 << 10; /* segments of 64 KiB */
	struct spool *sp;
	struct spool_stats st;
	struct spool_rec r;
	uint64_t lost = 0;
	int n = 60, first;

	assert_int_equal(spool_open(&sp, f->dir, max), 0);
	append_n(sp, 0, n, 10000, &lost); /* 600 kB into 256 KiB */
	spool_get_stats(sp, &st);
	assert_true(st.bytes <= max);
	assert_true(lost > 0);
	assert_int_equal(lost % 7, 0);
	assert_int_equal(st.dropped_events, lost);
	/* conservation: every event is either still spooled or counted as lost */
	assert_int_equal(st.events + lost, (uint64_t)n * 7);
	/* the oldest went: the first left is exactly the one after the lost ones */
	first = next_index(sp, &r);
	assert_int_equal(first, (int)(lost / 7));
	free(r.data);
	spool_close(sp);
}

/*
 * A record out with the sender when a full spool deletes its segment: not lost then. Delivered
 * (spool_ack), it is counted nowhere as lost; not delivered (spool_release), it is lost then,
 * once. Conservation holds both ways: every event delivered, spooled, or lost, exactly once.
 * (A CI run caught delivered + lost one over what was generated.)
 */
static void test_full_while_sending(void **state)
{
	struct fx *f = *state;
	const uint64_t max = 256 << 10;
	uint64_t lost = 0, delivered = 0, lf = 0;
	struct spool_stats st;
	struct spool *sp;
	struct spool_rec r;
	int n = 0;

	for (int round = 0; round < 2; round++) {
		assert_int_equal(spool_open(&sp, f->dir, max), 0);
		append_n(sp, n, 10, 10000, &lost);
		n += 10;
		assert_int_equal(spool_next(sp, &r), 0); /* out with the sender */
		append_n(sp, n, 40, 10000, &lost);	   /* meanwhile the spool fills up */
		n += 40;
		if (round == 0) {
			assert_int_equal(spool_ack(sp, &r), 0);
			delivered += r.nevents;
			assert_int_equal(spool_release(sp, &r, &lost, &lf), 0); /* a no-op now */
		} else {
			assert_int_equal(spool_release(sp, &r, &lost, &lf), 1);
			assert_int_equal(spool_release(sp, &r, &lost, &lf), 0); /* once */
		}
		free(r.data);
		spool_get_stats(sp, &st);
		assert_true(st.dropped_events > 0);
		/* drain what is left */
		while (spool_next(sp, &r) == 0) {
			delivered += r.nevents;
			assert_int_equal(spool_ack(sp, &r), 0);
			free(r.data);
		}
		assert_int_equal(delivered + lost, (uint64_t)n * 7);
		spool_close(sp);
	}
	assert_true(lost > 0);
}

static void test_too_big_for_spool(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	uint64_t lost = 0, lf = 0;
	static char big[70000];

	assert_int_equal(spool_open(&sp, f->dir, 65536), 0);
	assert_int_equal(spool_append(sp, big, sizeof(big), 1, 0, 0, &lost, &lf), -EFBIG);
	spool_close(sp);
}

/* A crash after the position moved past segment 1 but before segment 1 was deleted. */
static void test_crash_before_segment_delete(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	struct spool_rec r;
	uint64_t lost = 0;
	char p[128], cmd[300];

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 0, 2, 100, &lost);
	spool_close(sp);
	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 2, 1, 100, &lost);
	seg_path(f, 1, p, sizeof(p));
	snprintf(cmd, sizeof(cmd), "cp -p %s %s.keep", p, p);
	assert_int_equal(system(cmd), 0);
	read_ack(sp, 0);
	read_ack(sp, 1); /* segment 1 done: position → segment 2, then segment 1 deleted */
	spool_close(sp);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(cmd, sizeof(cmd), "mv %s.keep %s", p, p); /* as if the unlink never happened */
	assert_int_equal(system(cmd), 0);

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	assert_int_equal(next_index(sp, &r), 2); /* not 0: nothing acknowledged comes back */
	free(r.data);
	spool_close(sp);
	assert_int_equal(access(p, F_OK), -1);
}

/* The position cannot be saved (a full or read-only disk; here "position.tmp" is a directory
 * so the temp file cannot be created): the reader still moves on, delivered segments are still
 * deleted (they are what keeps the disk full), and a reopen replays at worst what was sent. */
static void test_position_unsaved_still_advances(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	struct spool_rec r;
	uint64_t lost = 0;
	char p[128], tmp[128];

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 0, 2, 100, &lost);
	spool_close(sp);
	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0); /* a new segment for appends */
	append_n(sp, 2, 2, 100, &lost);
	snprintf(tmp, sizeof(tmp), "%s/position.tmp", f->dir);
	assert_int_equal(mkdir(tmp, 0700), 0);
	assert_int_equal(next_index(sp, &r), 0);
	assert_true(spool_ack(sp, &r) < 0); /* reported ... */
	free(r.data);
	assert_int_equal(next_index(sp, &r), 1); /* ... but the reader is not stuck on record 0 */
	spool_ack(sp, &r);
	free(r.data);
	assert_int_equal(next_index(sp, &r), 2); /* into the next segment */
	spool_ack(sp, &r);
	free(r.data);
	seg_path(f, 1, p, sizeof(p));
	assert_int_equal(access(p, F_OK), -1); /* the delivered segment is gone */
	spool_close(sp);
	assert_int_equal(rmdir(tmp), 0);
	/* the saved position is stale (before record 0 of a deleted segment): replay from the
	 * first segment that exists, never from anything older */
	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	assert_int_equal(next_index(sp, &r), 2);
	free(r.data);
	spool_close(sp);
}

static void test_position_file_atomic(void **state)
{
	struct fx *f = *state;
	struct spool *sp;
	uint64_t lost = 0;
	char p[128], buf[128];
	FILE *fp;

	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	append_n(sp, 0, 2, 100, &lost);
	read_ack(sp, 0);
	snprintf(p, sizeof(p), "%s/position.tmp", f->dir);
	assert_int_equal(access(p, F_OK), -1); /* renamed into place, not left half-written */
	snprintf(p, sizeof(p), "%s/position", f->dir);
	fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	assert_string_equal(buf, "c2d-spool-position 1 0000000000000001 148\n");
	spool_close(sp);
	/* a garbage position file: everything is replayed (duplicates, never loss) */
	fp = fopen(p, "w");
	fputs("garbage", fp);
	fclose(fp);
	assert_int_equal(spool_open(&sp, f->dir, 1 << 20), 0);
	read_ack(sp, 0);
	read_ack(sp, 1);
	spool_close(sp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replay_across_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_last_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flipped_byte, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_header_skips_segment_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_drops_oldest, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_while_sending, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big_for_spool, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_before_segment_delete, setup, teardown),
		cmocka_unit_test_setup_teardown(test_position_file_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_position_unsaved_still_advances, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

// SPDX-License-Identifier: BSD-2-Clause
/*
 * spool.c - see spool.h and SHIPPING.md (format). Invariants that make a crash at any point
 * safe:
 *  - a record is fsync'd before spool_append returns, so before it can be sent;
 *  - the position file is replaced atomically (durable_write) and always names a segment that
 *    still exists: it is moved forward and persisted BEFORE the segment it leaves is unlinked;
 *  - segments below the persisted position are leftovers of such a crash and deleted at open;
 *  - appends always go to a segment created by this run, never after a possibly torn tail.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "crc32c.h"
#include "durable.h"
#include "log.h"
#include "spool.h"

#define POS_FILE "position"

struct seg {
	uint64_t id, size;
	uint64_t records, events; /* unsent: at or after the read position */
	uint64_t first_ms;	  /* of its first unsent record, 0 if unknown */
};

struct spool {
	pthread_mutex_t mu;
	int dirfd, wfd;
	uint64_t max_bytes, seg_max;
	struct seg *segs; /* sorted by id; the last one takes the appends */
	size_t nsegs, cap;
	uint64_t rseg, roff; /* read position: the next unsent record */
	bool pos_failing;    /* the last pos_save failed (logged once until one succeeds) */
	/* the record spool_next last handed out, until spool_ack or spool_release: a full spool
	 * may delete its segment meanwhile (orphaned), and whether its events are lost is only
	 * known when the send ends */
	struct {
		bool out, orphaned;
		uint64_t seg, off;
		uint32_t nevents;
		uint64_t first_ms;
	} inflight;
	struct spool_stats st;
};

/* Record header, little-endian, 32 bytes; the checksum covers bytes [0, 24) and the payload. */
struct rec_hdr {
	uint32_t magic;
	uint8_t version, flags;
	uint16_t reserved;
	uint32_t len, nevents;
	uint64_t first_ms;
	uint32_t crc, reserved2;
};
_Static_assert(sizeof(struct rec_hdr) == SPOOL_REC_HDR, "spool record header layout");

static void seg_name(char *buf, size_t cap, uint64_t id)
{
	snprintf(buf, cap, "seg-%016" PRIx64 ".c2s", id);
}

static uint32_t rec_crc(const struct rec_hdr *h, const void *data, uint32_t len)
{
	return crc32c(crc32c(0, h, 24), data, len);
}

static int pread_all(int fd, void *buf, size_t n, uint64_t off)
{
	ssize_t r = pread(fd, buf, n, (off_t)off);

	return r == (ssize_t)n ? 0 : r < 0 ? -errno : -ENODATA;
}

/* ---- position ------------------------------------------------------------------------- */

static int pos_save(struct spool *sp)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "c2d-spool-position 1 %016" PRIx64 " %" PRIu64 "\n",
			 sp->rseg, sp->roff);
	int rc = durable_write(sp->dirfd, POS_FILE, buf, (size_t)n);

	if (rc < 0 && !sp->pos_failing)
		log_error("spool: persisting the read position: %s (delivery goes on; a restart "
			  "before it is saved again resends, and the collector drops duplicates)",
			  strerror(-rc));
	else if (rc == 0 && sp->pos_failing)
		log_info("spool: the read position is saved again");
	sp->pos_failing = rc < 0;
	return rc;
}

static void pos_load(struct spool *sp)
{
	char buf[128];
	uint64_t seg, off;

	sp->rseg = 0;
	sp->roff = SPOOL_SEG_HDR;
	if (durable_read(sp->dirfd, POS_FILE, buf, sizeof(buf)) < 0)
		return;
	if (sscanf(buf, "c2d-spool-position 1 %" SCNx64 " %" SCNu64, &seg, &off) == 2 &&
	    off >= SPOOL_SEG_HDR) {
		sp->rseg = seg;
		sp->roff = off;
	} else {
		log_warn("spool: unreadable position file, replaying every segment (the collector "
			 "drops the duplicates)");
	}
}

/* ---- segments ------------------------------------------------------------------------- */

static int seg_push(struct spool *sp, uint64_t id, uint64_t size)
{
	if (sp->nsegs == sp->cap) {
		size_t cap = sp->cap ? sp->cap * 2 : 16;
		struct seg *s = realloc(sp->segs, cap * sizeof(*s));

		if (!s)
			return -ENOMEM;
		sp->segs = s;
		sp->cap = cap;
	}
	sp->segs[sp->nsegs++] = (struct seg){.id = id, .size = size};
	return 0;
}

static int cmp_seg(const void *a, const void *b)
{
	const struct seg *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static int seg_list(struct spool *sp)
{
	int fd = openat(sp->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	int rc = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while (!rc && (de = readdir(d)) != NULL) {
		uint64_t id;
		struct stat st;
		char tail[8];

		if (sscanf(de->d_name, "seg-%16" SCNx64 "%7s", &id, tail) != 2 ||
		    strcmp(tail, ".c2s") || fstatat(sp->dirfd, de->d_name, &st, 0) < 0)
			continue;
		rc = seg_push(sp, id, (uint64_t)st.st_size);
		sp->st.bytes += (uint64_t)st.st_size;
	}
	closedir(d);
	if (sp->nsegs)
		qsort(sp->segs, sp->nsegs, sizeof(*sp->segs), cmp_seg);
	return rc;
}

static void seg_unlink(struct spool *sp, size_t i)
{
	char name[64];

	seg_name(name, sizeof(name), sp->segs[i].id);
	if (unlinkat(sp->dirfd, name, 0) < 0 && errno != ENOENT)
		log_warn("spool: deleting %s: %s", name, strerror(errno));
	sp->st.bytes -= sp->segs[i].size;
	sp->st.records -= sp->segs[i].records;
	sp->st.events -= sp->segs[i].events;
	memmove(&sp->segs[i], &sp->segs[i + 1], (sp->nsegs - i - 1) * sizeof(*sp->segs));
	sp->nsegs--;
}

/* Count the unsent records of a segment from `from` on, reading headers only; a damaged one
 * ends the count (the reader skips and counts it when it gets there). */
static void seg_scan(struct spool *sp, struct seg *s, uint64_t from)
{
	char name[64];
	struct rec_hdr h;
	int fd;

	seg_name(name, sizeof(name), s->id);
	fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (uint64_t off = from; off + SPOOL_REC_HDR <= s->size; off += SPOOL_REC_HDR + h.len) {
		if (pread_all(fd, &h, sizeof(h), off) < 0 || h.magic != SPOOL_REC_MAGIC ||
		    h.len > SPOOL_REC_MAX)
			break;
		if (!s->records)
			s->first_ms = h.first_ms;
		s->records++;
		s->events += h.nevents;
	}
	close(fd);
	sp->st.records += s->records;
	sp->st.events += s->events;
}

/* A new segment for appends: created, header written, file and directory fsync'd. */
static int seg_create(struct spool *sp, uint64_t min_id)
{
	uint64_t id = sp->nsegs ? sp->segs[sp->nsegs - 1].id + 1 : min_id;
	char name[64], hdr[SPOOL_SEG_HDR] = SPOOL_SEG_MAGIC;
	uint32_t v = SPOOL_VERSION, crc;
	int fd, rc = 0;

	memcpy(hdr + 8, &v, 4);
	crc = crc32c(0, hdr, 12);
	memcpy(hdr + 12, &crc, 4);
	seg_name(name, sizeof(name), id);
	fd = openat(sp->dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (write(fd, hdr, sizeof(hdr)) != sizeof(hdr) || fsync(fd) < 0 || fsync(sp->dirfd) < 0)
		rc = errno ? -errno : -EIO;
	if (!rc)
		rc = seg_push(sp, id, SPOOL_SEG_HDR);
	if (rc) {
		close(fd);
		unlinkat(sp->dirfd, name, 0);
		return rc;
	}
	if (sp->wfd >= 0)
		close(sp->wfd);
	sp->wfd = fd;
	sp->st.bytes += SPOOL_SEG_HDR;
	return 0;
}

/* Segments wholly before the read position go; the position moves to an existing segment. */
static void seg_settle(struct spool *sp)
{
	bool moved = false;

	while (sp->nsegs && sp->segs[0].id < sp->rseg)
		seg_unlink(sp, 0); /* acked before a crash that came before their deletion */
	if (sp->nsegs && sp->segs[0].id != sp->rseg) { /* its segment is gone (deleted by hand) */
		sp->rseg = sp->segs[0].id;
		sp->roff = SPOOL_SEG_HDR;
		moved = true;
	}
	for (size_t i = 0; i < sp->nsegs; i++)
		seg_scan(sp, &sp->segs[i], i == 0 ? sp->roff : SPOOL_SEG_HDR);
	if (moved)
		pos_save(sp);
}

int spool_open(struct spool **out, const char *dir, uint64_t max_bytes)
{
	struct spool *sp = calloc(1, sizeof(*sp));
	int rc;

	if (!sp)
		return -ENOMEM;
	pthread_mutex_init(&sp->mu, NULL);
	sp->wfd = -1;
	sp->max_bytes = max_bytes;
	/* small enough that dropping the oldest segment loses little, big enough to be few */
	sp->seg_max = max_bytes / 16 < (64 << 10) ? (64 << 10) : max_bytes / 16;
	sp->dirfd = durable_mkdir(dir, 0700);
	if (sp->dirfd < 0) {
		rc = sp->dirfd;
		goto fail;
	}
	pos_load(sp);
	rc = seg_list(sp);
	if (rc < 0)
		goto fail;
	seg_settle(sp);
	/* ids only grow: a position left behind by a crash can never point into a new segment */
	rc = seg_create(sp, sp->rseg + 1);
	if (rc < 0)
		goto fail;
	if (sp->segs[0].id != sp->rseg) { /* the spool was empty */
		sp->rseg = sp->segs[0].id;
		sp->roff = SPOOL_SEG_HDR;
	}
	if (sp->st.records)
		log_info("spool: %" PRIu64 " records (%" PRIu64 " events) left unsent by the last "
			 "run: replaying them first", sp->st.records, sp->st.events);
	*out = sp;
	return 0;
fail:
	spool_close(sp);
	return rc;
}

void spool_close(struct spool *sp)
{
	if (!sp)
		return;
	if (sp->wfd >= 0)
		close(sp->wfd);
	if (sp->dirfd >= 0)
		close(sp->dirfd);
	pthread_mutex_destroy(&sp->mu);
	free(sp->segs);
	free(sp);
}

/* ---- appending ------------------------------------------------------------------------ */

/* Delete the oldest segment to make room; its unsent events are lost (counted). The read
 * position leaves it first, persisted, so it never names a deleted segment. */
/* Every record of segs[0] is delivered: move to the next segment and delete this one. It goes
 * even when the position cannot be saved (a full or read-only disk): keeping it would keep the
 * disk full and, worse, leave the reader in front of records it has already sent. A stale
 * position file only makes a restart replay what the collector has (it drops duplicates). */
static int leave_segment(struct spool *sp)
{
	int rc;

	sp->rseg = sp->segs[1].id;
	sp->roff = SPOOL_SEG_HDR;
	rc = pos_save(sp);
	seg_unlink(sp, 0);
	return rc;
}
static void drop_oldest(struct spool *sp, uint64_t *lost, uint64_t *lost_first_ms)
{
	struct seg *s = &sp->segs[0];
	/* the record being sent is not lost yet: its sender holds a copy (spool_release says) */
	bool held = sp->inflight.out && !sp->inflight.orphaned && sp->inflight.seg == s->id &&
		    sp->rseg == s->id && sp->inflight.off == sp->roff && s->records;
	uint64_t records = s->records - (held ? 1 : 0);
	uint64_t events = s->events - (held && sp->inflight.nevents <= s->events
					       ? sp->inflight.nevents
					       : 0);

	if (held)
		sp->inflight.orphaned = true;
	if (records) {
		if (!*lost_first_ms)
			*lost_first_ms = s->first_ms;
		*lost += events;
		sp->st.dropped_records += records;
		sp->st.dropped_events += events;
	}

	if (sp->rseg == s->id)
		leave_segment(sp);
	else
		seg_unlink(sp, 0);
}

static int make_room(struct spool *sp, uint64_t need, uint64_t *lost, uint64_t *lost_first_ms)
{
	struct seg *w = &sp->segs[sp->nsegs - 1];
	int rc;

	if (w->size > SPOOL_SEG_HDR && w->size + need > sp->seg_max) {
		rc = seg_create(sp, 0);
		if (rc < 0)
			return rc;
	}
	while (sp->st.bytes + need > sp->max_bytes) {
		if (sp->nsegs == 1) {
			if (sp->segs[0].size == SPOOL_SEG_HDR)
				return -EFBIG; /* alone larger than the whole spool */
			rc = seg_create(sp, 0);
			if (rc < 0)
				return rc;
		}
		drop_oldest(sp, lost, lost_first_ms);
	}
	return 0;
}

static int write_rec(struct spool *sp, struct seg *w, const struct rec_hdr *h, const void *data)
{
	struct iovec iov[2] = {{(void *)h, sizeof(*h)}, {(void *)data, h->len}};
	ssize_t n = writev(sp->wfd, iov, 2);
	int rc = 0;

	if (n != (ssize_t)(sizeof(*h) + h->len))
		rc = n < 0 ? -errno : -ENOSPC;
	else if (fdatasync(sp->wfd) < 0)
		rc = -errno;
	if (rc) { /* leave no partial record behind for the next append */
		if (ftruncate(sp->wfd, (off_t)w->size) < 0)
			log_warn("spool: truncating after a failed write: %s", strerror(errno));
		return rc;
	}
	if (!w->records)
		w->first_ms = h->first_ms;
	w->size += sizeof(*h) + h->len;
	w->records++;
	w->events += h->nevents;
	sp->st.bytes += sizeof(*h) + h->len;
	sp->st.records++;
	sp->st.events += h->nevents;
	sp->st.appended++;
	return 0;
}

int spool_append(struct spool *sp, const void *data, uint32_t len, uint32_t nevents,
		 uint32_t flags, uint64_t first_ms, uint64_t *lost_events, uint64_t *lost_first_ms)
{
	struct rec_hdr h = {.magic = SPOOL_REC_MAGIC, .version = SPOOL_VERSION,
			    .flags = (uint8_t)flags, .len = len, .nevents = nevents,
			    .first_ms = first_ms};
	int rc;

	if (len > SPOOL_REC_MAX)
		return -EFBIG;
	h.crc = rec_crc(&h, data, len);
	pthread_mutex_lock(&sp->mu);
	rc = make_room(sp, sizeof(h) + len, lost_events, lost_first_ms);
	if (!rc)
		rc = write_rec(sp, &sp->segs[sp->nsegs - 1], &h, data);
	if (rc)
		sp->st.write_errors++;
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

/* ---- reading -------------------------------------------------------------------------- */


static void skip_corrupt(struct spool *sp, struct seg *s, const struct rec_hdr *h,
			 const char *why)
{
	bool whole = h->magic != SPOOL_REC_MAGIC || h->version != SPOOL_VERSION ||
		     h->len > SPOOL_REC_MAX || sp->roff + SPOOL_REC_HDR + h->len > s->size;

	sp->st.corrupt++;
	log_warn("spool: segment %016" PRIx64 " offset %" PRIu64 ": %s; skipped%s", s->id,
		 sp->roff, why, whole ? " with the rest of the segment" : "");
	if (whole) { /* no trustworthy length to step over it */
		sp->roff = s->size;
	} else {
		sp->roff += SPOOL_REC_HDR + h->len;
		s->events -= h->nevents <= s->events ? h->nevents : s->events;
		sp->st.events -= h->nevents <= sp->st.events ? h->nevents : sp->st.events;
	}
	if (s->records) {
		s->records--;
		sp->st.records--;
	}
	pos_save(sp); /* counted once: the next start does not meet it again */
}

/* Read the record at the read position: 0, 1 if it was damaged (skipped), or -errno. */
static int read_at(struct spool *sp, int fd, struct seg *s, struct spool_rec *rec)
{
	struct rec_hdr h = {0};
	int rc = pread_all(fd, &h, sizeof(h), sp->roff);

	if (rc == -ENODATA || (!rc && (h.magic != SPOOL_REC_MAGIC || h.version != SPOOL_VERSION ||
				       h.len > SPOOL_REC_MAX ||
				       sp->roff + SPOOL_REC_HDR + h.len > s->size))) {
		skip_corrupt(sp, s, &h, rc ? "torn record header" : "bad or torn record");
		return 1;
	}
	if (rc < 0)
		return rc;
	rec->data = malloc(h.len ? h.len : 1);
	if (!rec->data)
		return -ENOMEM;
	rc = pread_all(fd, rec->data, h.len, sp->roff + SPOOL_REC_HDR);
	if (rc == 0 && rec_crc(&h, rec->data, h.len) != h.crc)
		rc = -EBADMSG;
	if (rc < 0) {
		free(rec->data);
		rec->data = NULL;
		if (rc != -EBADMSG && rc != -ENODATA)
			return rc;
		skip_corrupt(sp, s, &h, "checksum mismatch");
		return 1;
	}
	*rec = (struct spool_rec){.data = rec->data, .len = h.len, .nevents = h.nevents,
				  .flags = h.flags, .first_ms = h.first_ms, .seg = s->id,
				  .off = sp->roff};
	return 0;
}

int spool_next(struct spool *sp, struct spool_rec *rec)
{
	char name[64];
	int rc = 1, fd;

	pthread_mutex_lock(&sp->mu);
	while (rc == 1) {
		struct seg *s = &sp->segs[0];

		if (sp->roff >= s->size) {
			if (sp->nsegs == 1) {
				rc = -ENOENT;
				break;
			}
			leave_segment(sp);
			continue;
		}
		seg_name(name, sizeof(name), s->id);
		fd = openat(sp->dirfd, name, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			rc = -errno;
			break;
		}
		rc = read_at(sp, fd, s, rec);
		close(fd);
	}
	if (rc == 0) {
		sp->inflight.out = true;
		sp->inflight.orphaned = false;
		sp->inflight.seg = rec->seg;
		sp->inflight.off = rec->off;
		sp->inflight.nevents = rec->nevents;
		sp->inflight.first_ms = rec->first_ms;
	}
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

int spool_release(struct spool *sp, const struct spool_rec *rec, uint64_t *lost_events,
		  uint64_t *lost_first_ms)
{
	int orphaned = 0;

	pthread_mutex_lock(&sp->mu);
	if (sp->inflight.out && sp->inflight.seg == rec->seg && sp->inflight.off == rec->off) {
		orphaned = sp->inflight.orphaned;
		if (orphaned) { /* its segment went while it was out, and it was not delivered */
			*lost_events += sp->inflight.nevents;
			if (!*lost_first_ms)
				*lost_first_ms = sp->inflight.first_ms;
			sp->st.dropped_records++;
			sp->st.dropped_events += sp->inflight.nevents;
		}
		sp->inflight.out = false;
	}
	pthread_mutex_unlock(&sp->mu);
	return orphaned;
}

int spool_ack(struct spool *sp, const struct spool_rec *rec)
{
	struct seg *s;
	int rc = 0;

	pthread_mutex_lock(&sp->mu);
	s = &sp->segs[0];
	if (sp->inflight.out && sp->inflight.seg == rec->seg && sp->inflight.off == rec->off)
		sp->inflight.out = false; /* delivered: orphaned or not, nothing is lost */
	if (rec->seg == sp->rseg && rec->off == sp->roff) {
		sp->roff += SPOOL_REC_HDR + rec->len;
		s->records -= s->records ? 1 : 0;
		s->events -= rec->nevents <= s->events ? rec->nevents : s->events;
		sp->st.records -= sp->st.records ? 1 : 0;
		sp->st.events -= rec->nevents <= sp->st.events ? rec->nevents : sp->st.events;
		s->first_ms = 0;
		/* failing to save, the position still advances in memory */
		if (sp->roff >= s->size && sp->nsegs > 1)
			rc = leave_segment(sp);
		else
			rc = pos_save(sp);
	}
	pthread_mutex_unlock(&sp->mu);
	return rc;
}

void spool_get_stats(struct spool *sp, struct spool_stats *st)
{
	pthread_mutex_lock(&sp->mu);
	*st = sp->st;
	pthread_mutex_unlock(&sp->mu);
}

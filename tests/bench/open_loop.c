// SPDX-License-Identifier: BSD-2-Clause
/*
 * open_loop.c - load generator and event counter for tests/bench/run.sh.
 *
 *   open_loop open PATH N         N x open(PATH, O_RDONLY)+close; prints ns per iteration
 *                                 (wall clock), then the CPU ns of this process per iteration
 *   open_loop getppid [PATH] N    N x getppid() (a syscall the agent does not monitor); the same
 *   open_loop burst PATH N [RATE] N x open+close of PATH, as fast as possible (RATE 0 or absent)
 *                                 or paced at RATE opens/s; prints one line of key=value:
 *                                 generated, failed, start_ns, end_ns, elapsed_ns, rate
 *   open_loop count PATTERN       reads standard input to EOF; counts the lines and the lines
 *                                 containing PATTERN; prints lines, matched, first_ns, last_ns
 *                                 (CLOCK_MONOTONIC when the first/last matching line was read)
 *
 * Every timestamp is CLOCK_MONOTONIC in ns, so burst and count output can be subtracted.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define WARMUP 1000
#define PACE_CHUNK 256 /* paced bursts: sleep until each chunk's scheduled start */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* "WALL CPU": ns per iteration, wall clock (the measure) and this process's CPU time. */
static void report(uint64_t t0, uint64_t t1, uint64_t c0, uint64_t c1, uint64_t n)
{
	printf("%.1f %.1f\n", (double)(t1 - t0) / (double)n, (double)(c1 - c0) / (double)n);
}

static void usage(void)
{
	fprintf(stderr, "usage: open_loop open PATH N\n"
			"       open_loop getppid [PATH] N\n"
			"       open_loop burst PATH N [RATE]\n"
			"       open_loop count PATTERN\n");
	exit(2);
}

static uint64_t parse_u64(const char *s, const char *what)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-') {
		fprintf(stderr, "open_loop: %s: \"%s\" is not a whole number\n", what, s);
		exit(2);
	}
	return v;
}

static int open_close(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int run_open(const char *path, uint64_t n)
{
	uint64_t t0, t1, c0, c1;

	if (open_close(path) < 0) {
		fprintf(stderr, "open_loop: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	for (int i = 0; i < WARMUP; i++)
		open_close(path);
	c0 = cpu_ns();
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		open_close(path);
	t1 = now_ns();
	c1 = cpu_ns();
	report(t0, t1, c0, c1, n);
	return 0;
}

static int run_getppid(uint64_t n)
{
	uint64_t t0, t1, c0, c1;

	for (int i = 0; i < WARMUP; i++)
		syscall(SYS_getppid);
	c0 = cpu_ns();
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = now_ns();
	c1 = cpu_ns();
	report(t0, t1, c0, c1, n);
	return 0;
}

static int run_burst(const char *path, uint64_t n, uint64_t rate)
{
	uint64_t t0, t1, failed = 0;

	if (open_close(path) < 0) { /* this one is an event too: counted below */
		fprintf(stderr, "open_loop: open %s: %s\n", path, strerror(errno));
		return 1;
	}
	n = n ? n - 1 : 0;
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		if (rate && i % PACE_CHUNK == 0) {
			uint64_t due = t0 + (uint64_t)((double)i * 1e9 / (double)rate);
			struct timespec ts = {.tv_sec = due / 1000000000ull,
					      .tv_nsec = due % 1000000000ull};

			while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
				;
		}
		if (open_close(path) < 0)
			failed++;
	}
	t1 = now_ns();
	printf("generated=%" PRIu64 " failed=%" PRIu64 " start_ns=%" PRIu64 " end_ns=%" PRIu64
	       " elapsed_ns=%" PRIu64 " rate=%.0f\n",
	       n + 1 - failed, failed, t0, t1, t1 - t0,
	       t1 > t0 ? (double)n * 1e9 / (double)(t1 - t0) : 0.0);
	return failed ? 1 : 0;
}

static int run_count(const char *pat)
{
	size_t cap = 1 << 20, len = 0, plen = strlen(pat);
	char *buf = malloc(cap);
	uint64_t lines = 0, matched = 0, first = 0, last = 0;

	if (!buf || !plen)
		return 1;
	for (;;) {
		ssize_t r;
		size_t start = 0;
		char *nl;
		int hit = 0;

		if (len == cap) { /* a line longer than the buffer: grow */
			char *nb = realloc(buf, cap * 2);

			if (!nb)
				return 1;
			buf = nb;
			cap *= 2;
		}
		r = read(STDIN_FILENO, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			perror("open_loop: read");
			return 1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
		while ((nl = memchr(buf + start, '\n', len - start))) {
			lines++;
			if (memmem(buf + start, (size_t)(nl - (buf + start)), pat, plen)) {
				matched++;
				hit = 1;
			}
			start = (size_t)(nl - buf) + 1;
		}
		if (hit) {
			last = now_ns();
			if (!first)
				first = last;
		}
		memmove(buf, buf + start, len - start);
		len -= start;
	}
	if (len) { /* unterminated last line */
		lines++;
		if (memmem(buf, len, pat, plen)) {
			matched++;
			last = now_ns();
			if (!first)
				first = last;
		}
	}
	free(buf);
	printf("lines=%" PRIu64 " matched=%" PRIu64 " first_ns=%" PRIu64 " last_ns=%" PRIu64 "\n",
	       lines, matched, first, last);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "open") && argc == 4)
		return run_open(argv[2], parse_u64(argv[3], "N") ?: 1);
	if (!strcmp(argv[1], "getppid") && (argc == 3 || argc == 4))
		return run_getppid(parse_u64(argv[argc - 1], "N") ?: 1);
	if (!strcmp(argv[1], "burst") && (argc == 4 || argc == 5))
		return run_burst(argv[2], parse_u64(argv[3], "N"),
				 argc == 5 ? parse_u64(argv[4], "RATE") : 0);
	if (!strcmp(argv[1], "count") && argc == 3)
		return run_count(argv[2]);
	usage();
	return 2;
}

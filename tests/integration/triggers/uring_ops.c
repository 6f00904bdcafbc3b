// SPDX-License-Identifier: BSD-2-Clause
/*
 * uring_ops - one file operation through io_uring, never through its syscall:
 *
 *   uring_ops openat PATH          IORING_OP_OPENAT, O_RDONLY (completed inline or by io-wq)
 *   uring_ops openat-write PATH    IORING_OP_OPENAT, O_WRONLY|O_CREAT|O_TRUNC
 *   uring_ops openat2 PATH         IORING_OP_OPENAT2, how.flags O_RDONLY
 *   uring_ops openat-async PATH    IORING_OP_OPENAT with IOSQE_ASYNC (an io-wq worker runs it)
 *   uring_ops openat-sqpoll PATH   IORING_OP_OPENAT on an IORING_SETUP_SQPOLL ring (the SQ
 *                                  thread submits it: no io_uring_enter for the op at all)
 *   uring_ops renameat OLD NEW     IORING_OP_RENAMEAT
 *   uring_ops unlinkat PATH        IORING_OP_UNLINKAT
 *   uring_ops linkat OLD NEW       IORING_OP_LINKAT (a hard link NEW to OLD)
 *   uring_ops symlinkat TARGET NEW IORING_OP_SYMLINKAT (NEW -> TARGET)
 *   uring_ops ftruncate PATH       open(O_WRONLY) then IORING_OP_FTRUNCATE to 0
 *   uring_ops connect ADDR PORT    IORING_OP_CONNECT over TCP (IPv4 or IPv6 literal)
 *   uring_ops openat-fixed PATH    OPENAT into fixed-file slot 0 (no fd: io_uring_prep_openat_direct)
 *   uring_ops openat-race PATH N   N OPENATs while a thread swaps the fd they get (close +
 *                                  dup2 of /dev/null): prints "opens N swapped M"
 *   uring_ops openat-batch PATH N  N OPENATs submitted in one io_uring_enter (N <= 512)
 *   uring_ops openat-skip PATH     OPENAT with IOSQE_CQE_SKIP_SUCCESS (no CQE when it works),
 *   uring_ops unlinkat-skip PATH   UNLINKAT likewise; a linked NOP's CQE says it is done
 *   uring_ops openat-overflow PATH OPENAT whose CQE overflows a full CQ ring (2 NOPs unreaped)
 *
 * Exit 0 when the operation's CQE says success, 1 otherwise (the result on stderr).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OP_FTRUNCATE 55 /* IORING_OP_FTRUNCATE (6.9); liburing 2.3 has no helper for it */

static int submit_wait(struct io_uring *ring, const char *what)
{
	struct io_uring_cqe *cqe;
	int rc = io_uring_submit(ring), res;

	if (rc < 0) {
		fprintf(stderr, "uring_ops %s: submit: %s\n", what, strerror(-rc));
		return -1;
	}
	rc = io_uring_wait_cqe(ring, &cqe);
	if (rc < 0) {
		fprintf(stderr, "uring_ops %s: wait: %s\n", what, strerror(-rc));
		return -1;
	}
	res = cqe->res;
	io_uring_cqe_seen(ring, cqe);
	if (res < 0)
		fprintf(stderr, "uring_ops %s: %s\n", what, strerror(-res));
	return res;
}

static int do_open(struct io_uring *ring, const char *mode, const char *path)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);
	int flags = O_RDONLY | O_CLOEXEC, fd;
	struct open_how how = {0}; /* read by the kernel at submit: alive until then */

	if (strcmp(mode, "openat-write") == 0)
		flags = O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC;
	if (strcmp(mode, "openat2") == 0) {
		how.flags = (unsigned long long)flags;
		io_uring_prep_openat2(sqe, AT_FDCWD, path, &how);
	} else {
		io_uring_prep_openat(sqe, AT_FDCWD, path, flags, 0600);
	}
	if (strcmp(mode, "openat-fixed") == 0) {
		if (io_uring_register_files_sparse(ring, 1) < 0)
			return 1;
		io_uring_prep_openat_direct(sqe, AT_FDCWD, path, O_RDONLY, 0, 0);
	}
	if (strcmp(mode, "openat-async") == 0)
		sqe->flags |= IOSQE_ASYNC;
	fd = submit_wait(ring, mode);
	if (fd < 0)
		return 1;
	if (strcmp(mode, "openat-fixed") != 0)
		close(fd);
	return 0;
}

static int do_ftruncate(struct io_uring *ring, const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	struct io_uring_sqe *sqe;
	int rc;

	if (fd < 0) {
		perror("uring_ops ftruncate: open");
		return 1;
	}
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_rw(OP_FTRUNCATE, sqe, fd, NULL, 0, 0);
	rc = submit_wait(ring, "ftruncate");
	close(fd);
	return rc < 0;
}

static int do_connect(struct io_uring *ring, const char *addr, const char *port)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t len = sizeof(*s4);
	struct io_uring_sqe *sqe;
	int fd, rc;

	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		len = sizeof(*s6);
	} else {
		return 2;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 1;
	sqe = io_uring_get_sqe(ring);
	io_uring_prep_connect(sqe, fd, (struct sockaddr *)&ss, len);
	rc = submit_wait(ring, "connect");
	close(fd);
	return rc < 0;
}

/* The op of sqe with IOSQE_CQE_SKIP_SUCCESS, linked to a NOP whose CQE ends the wait. */
static int skip_then_nop(struct io_uring *ring, struct io_uring_sqe *sqe, const char *what)
{
	sqe->flags |= IOSQE_CQE_SKIP_SUCCESS | IOSQE_IO_LINK;
	io_uring_prep_nop(io_uring_get_sqe(ring));
	return submit_wait(ring, what) < 0; /* the op's own failure, else the NOP's result */
}

static int do_skip(struct io_uring *ring, const char *mode, const char *path)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (strcmp(mode, "openat-skip") == 0)
		io_uring_prep_openat(sqe, AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	else
		io_uring_prep_unlinkat(sqe, AT_FDCWD, path, 0);
	return skip_then_nop(ring, sqe, mode);
}

/* Fill the CQ ring (2 entries for a 1-entry SQ) with unreaped NOPs, then open. */
static int do_overflow(const char *path)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int res = -1;

	if (io_uring_queue_init(1, &ring, 0) < 0)
		return 1;
	for (int i = 0; i < 2; i++) {
		io_uring_prep_nop(io_uring_get_sqe(&ring));
		io_uring_submit(&ring);
	}
	io_uring_prep_openat(io_uring_get_sqe(&ring), AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	io_uring_submit(&ring);
	for (int i = 0; i < 3 && io_uring_wait_cqe(&ring, &cqe) == 0; i++) {
		if (i == 2)
			res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return res < 0;
}

/* A batch larger than the agent's table of pending findings: none may be dropped. */
static int do_batch(const char *path, int n)
{
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	int ok = 0;

	if (n < 1 || n > 512 || io_uring_queue_init(512, &ring, 0) < 0)
		return 1;
	for (int i = 0; i < n; i++)
		io_uring_prep_openat(io_uring_get_sqe(&ring), AT_FDCWD, path, O_RDONLY | O_CLOEXEC,
				     0);
	if (io_uring_submit(&ring) != n)
		return 1;
	for (int i = 0; i < n && io_uring_wait_cqe(&ring, &cqe) == 0; i++) {
		if (cqe->res >= 0) {
			close(cqe->res);
			ok++;
		}
		io_uring_cqe_seen(&ring, cqe);
	}
	io_uring_queue_exit(&ring);
	return ok != n;
}

static volatile int race_stop;
static int race_fd, race_null;

/* Free the fd the next open gets, then put /dev/null there: an open landing in between has
 * its file replaced before its CQE is posted. */
static void *race_swapper(void *arg)
{
	while (!race_stop) {
		close(race_fd);
		dup2(race_null, race_fd);
	}
	return NULL;
}

static int do_race(struct io_uring *ring, const char *path, int n)
{
	struct io_uring_cqe *cqe;
	pthread_t th;
	int swapped = 0;

	race_null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	race_fd = race_null + 1; /* the lowest free fd: where the next open lands */
	if (race_null < 0 || pthread_create(&th, NULL, race_swapper, NULL) != 0)
		return 1;
	for (int i = 0; i < n; i++) {
		io_uring_prep_openat(io_uring_get_sqe(ring), AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
		io_uring_submit(ring);
		if (io_uring_wait_cqe(ring, &cqe) < 0)
			break;
		if (cqe->res == race_fd)
			swapped++;
		else if (cqe->res >= 0)
			close(cqe->res);
		io_uring_cqe_seen(ring, cqe);
	}
	race_stop = 1;
	pthread_join(th, NULL);
	printf("opens %d swapped %d\n", n, swapped);
	return 0;
}

int main(int argc, char **argv)
{
	struct io_uring_params p = {0};
	struct io_uring ring;
	const char *mode;
	int rc;

	if (argc < 3)
		return 2;
	mode = argv[1];
	if (strcmp(mode, "openat-overflow") == 0)
		return do_overflow(argv[2]);
	if (strcmp(mode, "openat-batch") == 0 && argc == 4)
		return do_batch(argv[2], atoi(argv[3]));
	if (strcmp(mode, "openat-sqpoll") == 0) {
		p.flags = IORING_SETUP_SQPOLL;
		p.sq_thread_idle = 1000;
	}
	rc = io_uring_queue_init_params(8, &ring, &p);
	if (rc < 0) {
		fprintf(stderr, "uring_ops: io_uring_queue_init: %s\n", strerror(-rc));
		return 1;
	}
	if (strcmp(mode, "openat-race") == 0 && argc == 4)
		rc = do_race(&ring, argv[2], atoi(argv[3]));
	else if (strcmp(mode, "openat-skip") == 0 || strcmp(mode, "unlinkat-skip") == 0)
		rc = do_skip(&ring, mode, argv[2]);
	else if (strncmp(mode, "openat", 6) == 0)
		rc = do_open(&ring, mode, argv[2]);
	else if (strcmp(mode, "renameat") == 0 && argc == 4) {
		io_uring_prep_renameat(io_uring_get_sqe(&ring), AT_FDCWD, argv[2], AT_FDCWD, argv[3],
				       0);
		rc = submit_wait(&ring, mode) < 0;
	} else if (strcmp(mode, "unlinkat") == 0) {
		io_uring_prep_unlinkat(io_uring_get_sqe(&ring), AT_FDCWD, argv[2], 0);
		rc = submit_wait(&ring, mode) < 0;
	} else if (strcmp(mode, "linkat") == 0 && argc == 4) {
		io_uring_prep_linkat(io_uring_get_sqe(&ring), AT_FDCWD, argv[2], AT_FDCWD, argv[3],
				     0);
		rc = submit_wait(&ring, mode) < 0;
	} else if (strcmp(mode, "symlinkat") == 0 && argc == 4) {
		io_uring_prep_symlinkat(io_uring_get_sqe(&ring), argv[2], AT_FDCWD, argv[3]);
		rc = submit_wait(&ring, mode) < 0;
	} else if (strcmp(mode, "ftruncate") == 0)
		rc = do_ftruncate(&ring, argv[2]);
	else if (strcmp(mode, "connect") == 0 && argc == 4)
		rc = do_connect(&ring, argv[2], argv[3]);
	else
		rc = 2;
	io_uring_queue_exit(&ring);
	return rc;
}

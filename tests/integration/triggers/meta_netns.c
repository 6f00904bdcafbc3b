// SPDX-License-Identifier: BSD-2-Clause
/*
 * meta_netns - reach 169.254.169.254:80 every way a workload can, inside a network namespace
 * of its own (never the host's): the address on that namespace's lo, a listener on it that
 * answers one HTTP-like request, net.ipv4.tcp_fastopen=3 there. Needs root.
 *
 *   meta_netns connect|sendto|sendmsg|uring|uring-async|uring-sqpoll|udp|v6-sendto|mapped
 *	one exchange: connect(); TCP Fast Open sendto/sendmsg(MSG_FASTOPEN) with no connect();
 *	io_uring IORING_OP_CONNECT (inline, forced to an io-wq worker, or by an SQPOLL
 *	ring's kernel thread); a UDP connect();
 *	Fast Open sendto to [fd00:ec2::254]:80; an IPv6 socket's connect() to
 *	::ffff:169.254.169.254 (IPv4-mapped)
 *   meta_netns int80
 *	x86-64 only: connect() through the 32-bit entry (int $0x80, i386 numbers) from this 64-bit
 *	process, which no syscall tracepoint sees (the kernel ignores compat calls there)
 *   meta_netns race-hidden|race-forged|race-unreach N RESULT_FILE
 *	N blocking connects while a second thread flips the sockaddr between 169.254.169.254 and
 *	127.0.0.1 (listeners on both); the main thread sets the metadata address (hidden) or
 *	127.0.0.1 (forged) before each. Writes "meta=<n> lo=<n> failed=<n>" to RESULT_FILE: where
 *	the connections really went, by getpeername(). race-unreach: no route to the metadata
 *	address (off-cloud), so the kernel's attempts to it fail before SYN_SENT (ENETUNREACH):
 *	counted as meta; only the copies of the sockaddr can tell.
 * The main thread makes every connection (process.tid absent), except uring-async and
 * uring-sqpoll (io_uring threads of the trigger).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#define META "169.254.169.254"
#define META6 "fd00:ec2::254"
#define REQ "GET /latest/meta-data/ HTTP/1.0\r\n\r\n"
#define RESP "HTTP/1.0 200 OK\r\n\r\nami-id\n"

static int die(const char *what)
{
	fprintf(stderr, "meta_netns: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void write_file(const char *path, const char *s, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		die(path);
	close(fd);
}

/* A network namespace with the metadata address on its own lo, Fast Open on. */
static void netns_setup(bool with_meta)
{
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET)");
	if (system(with_meta ? "ip link set lo up && ip addr add " META "/32 dev lo && "
			       "ip -6 addr add " META6 "/128 dev lo nodad"
			     : "ip link set lo up") != 0) {
		errno = EIO;
		die("ip addr add");
	}
	write_file("/proc/sys/net/ipv4/tcp_fastopen", "3", 0);
}

static struct sockaddr_in addr_of(const char *ip, int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(port)};

	inet_pton(AF_INET, ip, &sa.sin_addr);
	return sa;
}

static int listener(const char *ip, int type)
{
	struct sockaddr_in sa = addr_of(ip, type == SOCK_STREAM ? 80 : 53);
	int one = 1, qlen = 16;
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		die("listener socket");
	if (type == SOCK_STREAM && setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)))
		die("TCP_FASTOPEN");
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 4096) < 0)
		die("listen");
	return fd;
}

/* The server's side of one exchange, then the client reads the answer. */
static void serve_and_read(int lfd, int cfd)
{
	char buf[256];
	int s = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);

	if (s < 0)
		die("accept");
	if (read(s, buf, sizeof(buf)) <= 0 || write(s, RESP, strlen(RESP)) < 0)
		die("server");
	close(s);
	if (read(cfd, buf, sizeof(buf)) <= 0)
		die("client read");
}

static int client(void)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

static void one_uring(int fd, const struct sockaddr_in *sa, bool async, bool sqpoll)
{
	struct io_uring_params p = {.flags = sqpoll ? IORING_SETUP_SQPOLL : 0,
				    .sq_thread_idle = 1000};
	struct io_uring ring;
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;
	int rc = io_uring_queue_init_params(4, &ring, &p);

	if (rc < 0) {
		errno = -rc;
		die("io_uring_queue_init");
	}
	sqe = io_uring_get_sqe(&ring);
	io_uring_prep_connect(sqe, fd, (const struct sockaddr *)sa, sizeof(*sa));
	if (async)
		sqe->flags |= IOSQE_ASYNC; /* issued by an io-wq worker thread */
	if (io_uring_submit(&ring) != 1 || io_uring_wait_cqe(&ring, &cqe) < 0)
		die("io_uring submit");
	if (cqe->res < 0) {
		errno = -cqe->res;
		die("IORING_OP_CONNECT");
	}
	io_uring_cqe_seen(&ring, cqe);
	io_uring_queue_exit(&ring);
}

#ifdef __x86_64__
static long int80(long nr, long a, long b, long c)
{
	long ret;

	asm volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret;
}

/* The i386 connect (362) with a sockaddr below 4 GiB, where 32-bit pointers reach. */
static int connect_int80(int fd, const struct sockaddr_in *sa)
{
	struct sockaddr_in *low = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	long rc;

	if (low == MAP_FAILED)
		die("mmap(MAP_32BIT)");
	*low = *sa;
	rc = int80(362, fd, (long)low, sizeof(*low));
	if (rc < 0) {
		errno = (int)-rc;
		return -1;
	}
	return 0;
}
#else
static int connect_int80(int fd, const struct sockaddr_in *sa)
{
	errno = ENOSYS;
	return -1;
}
#endif

/* IPv6: Fast Open to the v6 endpoint, or a v6 socket's connect to the v4 one, mapped. */
static int one_exchange6(const char *mode)
{
	struct sockaddr_in6 sa = {.sin6_family = AF_INET6, .sin6_port = htons(80)};
	struct sockaddr_in6 la = sa;
	bool mapped = !strcmp(mode, "mapped");
	int one = 1, qlen = 16;
	int lfd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);

	inet_pton(AF_INET6, mapped ? "::ffff:" META : META6, &sa.sin6_addr);
	la.sin6_addr = mapped ? in6addr_any : sa.sin6_addr; /* :: takes v4 too (v6only off) */
	if (lfd < 0 || fd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &qlen, sizeof(qlen)) ||
	    bind(lfd, (struct sockaddr *)&la, sizeof(la)) < 0 || listen(lfd, 16) < 0)
		die("v6 listener");
	if (mapped) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    write(fd, REQ, strlen(REQ)) < 0)
			die("v6 connect");
	} else if (sendto(fd, REQ, strlen(REQ), MSG_FASTOPEN, (struct sockaddr *)&sa,
			  sizeof(sa)) < 0) {
		die("v6 sendto(MSG_FASTOPEN)");
	}
	serve_and_read(lfd, fd);
	return 0;
}

static int one_exchange(const char *mode)
{
	struct sockaddr_in sa = addr_of(META, 80);
	int lfd, fd;

	if (!strcmp(mode, "v6-sendto") || !strcmp(mode, "mapped"))
		return one_exchange6(mode);
	if (!strcmp(mode, "udp")) {
		sa.sin_port = htons(53);
		lfd = listener(META, SOCK_DGRAM);
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			die("udp connect");
		return 0;
	}
	lfd = listener(META, SOCK_STREAM);
	fd = client();
	if (!strcmp(mode, "connect")) {
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
		    write(fd, REQ, strlen(REQ)) < 0)
			die("connect");
	} else if (!strcmp(mode, "int80")) {
		if (connect_int80(fd, &sa) < 0 || write(fd, REQ, strlen(REQ)) < 0)
			die("int $0x80 connect");
	} else if (!strcmp(mode, "sendto")) {
		if (sendto(fd, REQ, strlen(REQ), MSG_FASTOPEN, (struct sockaddr *)&sa,
			   sizeof(sa)) < 0)
			die("sendto(MSG_FASTOPEN)");
	} else if (!strcmp(mode, "sendmsg")) {
		struct iovec iov = {.iov_base = REQ, .iov_len = strlen(REQ)};
		struct msghdr m = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
				   .msg_iovlen = 1};

		if (sendmsg(fd, &m, MSG_FASTOPEN) < 0)
			die("sendmsg(MSG_FASTOPEN)");
	} else if (!strncmp(mode, "uring", 5)) {
		one_uring(fd, &sa, !strcmp(mode, "uring-async"), !strcmp(mode, "uring-sqpoll"));
		if (write(fd, REQ, strlen(REQ)) < 0)
			die("write");
	} else {
		return 2;
	}
	serve_and_read(lfd, fd);
	close(fd);
	close(lfd);
	return 0;
}

/* The sockaddr both threads write: sin_addr is an aligned 32-bit word, never torn. */
static struct sockaddr_in race_sa;
static atomic_bool race_stop;
static in_addr_t race_meta, race_lo;

/* Threads on different CPUs when there are two: the flips must land while connect() runs. */
static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set); /* best effort: one CPU still races, less often */
}

static void *flipper(void *arg)
{
	volatile in_addr_t *a = &race_sa.sin_addr.s_addr;

	pin(1);
	while (!atomic_load_explicit(&race_stop, memory_order_relaxed)) {
		*a = race_lo;
		*a = race_meta;
	}
	return NULL;
}

/* unreach: no route to the metadata address here, so a connect the kernel made to it fails
 * with ENETUNREACH before any packet (counted as meta), one to 127.0.0.1 succeeds. */
static int race(bool hidden, bool unreach, int n, const char *result)
{
	int meta = 0, lo = 0, failed = 0;
	pthread_t t;
	char out[96];

	race_meta = inet_addr(META);
	race_lo = inet_addr("127.0.0.1");
	race_sa = addr_of(META, 80);
	if (!unreach)
		listener(META, SOCK_STREAM);
	listener("127.0.0.1", SOCK_STREAM);
	pin(0);
	if (pthread_create(&t, NULL, flipper, NULL) != 0)
		die("pthread_create");
	/* n rounds, and on (bounded) while one side has not happened yet: on a loaded machine the
	 * flipping thread may not run at all during the first n */
	for (int i = 0; i < n || ((meta == 0 || lo == 0) && i < 8 * n); i++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int fd = client();

		race_sa.sin_addr.s_addr = hidden ? race_meta : race_lo;
		if (connect(fd, (struct sockaddr *)&race_sa, sizeof(race_sa)) < 0)
			(unreach && errno == ENETUNREACH) ? meta++ : failed++;
		else if (getpeername(fd, (struct sockaddr *)&peer, &len) < 0)
			failed++;
		else if (peer.sin_addr.s_addr == race_meta)
			meta++;
		else
			lo++;
		close(fd);
	}
	atomic_store(&race_stop, true);
	pthread_join(t, NULL);
	snprintf(out, sizeof(out), "meta=%d lo=%d failed=%d\n", meta, lo, failed);
	write_file(result, out, O_CREAT | O_TRUNC);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	netns_setup(strcmp(argv[1], "race-unreach") != 0);
	if (!strncmp(argv[1], "race-", 5)) {
		if (argc < 4)
			return 2;
		return race(strcmp(argv[1], "race-forged") != 0, !strcmp(argv[1], "race-unreach"),
			    atoi(argv[2]), argv[3]);
	}
	return one_exchange(argv[1]);
}

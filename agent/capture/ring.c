// SPDX-License-Identifier: BSD-2-Clause
/* ring.c - see ring.h. The layout is the kernel's (kernel/bpf/ringbuf.c): page 0 holds the
 * consumer position, page 1 the producer position, then the data area twice, so that a record
 * that wraps reads as one piece. Each record starts with an 8-byte header whose first word is
 * its length with the busy (not committed yet) and discard bits. */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/bpf.h>

#include "ring.h"

/* Publish the consumer position at least every sixteenth of the ring, so that a long pass
 * never holds back much of the room the producers need. */
#define RING_PUBLISH_SHARE 16

int ring_open(struct ring *r, int map_fd, ring_sample_fn fn, void *ctx)
{
	struct bpf_map_info info;
	__u32 len = sizeof(info);
	struct epoll_event ev = {.events = EPOLLIN};
	void *p;
	long page = sysconf(_SC_PAGESIZE);

	memset(r, 0, sizeof(*r));
	r->epfd = -1;
	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(map_fd, &info, &len) < 0)
		return -errno;
	if (info.type != BPF_MAP_TYPE_RINGBUF || info.max_entries == 0 ||
	    (info.max_entries & (info.max_entries - 1)) || page <= 0)
		return -EINVAL;
	r->page = (size_t)page;
	r->mask = info.max_entries - 1;
	r->publish_bytes = info.max_entries / RING_PUBLISH_SHARE;
	r->fn = fn;
	r->ctx = ctx;
	p = mmap(NULL, r->page, PROT_READ | PROT_WRITE, MAP_SHARED, map_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	r->consumer_pos = p;
	r->map_len = r->page + 2 * (size_t)info.max_entries;
	p = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, map_fd, (off_t)r->page);
	if (p == MAP_FAILED) {
		int err = -errno;

		ring_close(r);
		return err;
	}
	r->producer_pos = p;
	r->data = (unsigned char *)p + r->page;
	r->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (r->epfd < 0 || epoll_ctl(r->epfd, EPOLL_CTL_ADD, map_fd, &ev) < 0) {
		int err = -errno;

		ring_close(r);
		return err;
	}
	return 0;
}

int ring_consume(struct ring *r)
{
	unsigned long cons = *r->consumer_pos, published = cons, prod;
	int n = 0;

	do {
		prod = __atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE);
		while (cons < prod) {
			__u32 *hdr = (__u32 *)(r->data + (cons & r->mask));
			__u32 len = __atomic_load_n(hdr, __ATOMIC_ACQUIRE);
			__u32 size;

			if (len & BPF_RINGBUF_BUSY_BIT)
				goto out; /* not committed yet: the next pass reads it */
			size = len & ~(__u32)(BPF_RINGBUF_BUSY_BIT | BPF_RINGBUF_DISCARD_BIT);
			if (size > r->mask + 1 - BPF_RINGBUF_HDR_SZ) {
				n = -EIO; /* not a record the kernel writes: read no further */
				goto out;
			}
			cons += ((uint64_t)size + BPF_RINGBUF_HDR_SZ + 7) & ~7ull;
			if (!(len & BPF_RINGBUF_DISCARD_BIT)) {
				int err = r->fn(r->ctx, (unsigned char *)hdr + BPF_RINGBUF_HDR_SZ,
						size);

				if (n < INT32_MAX)
					n++;
				if (err < 0) {
					__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
					return err;
				}
			}
			if (cons - published >= r->publish_bytes) {
				__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
				published = cons;
			}
		}
		/* caught up with this snapshot: give the room back, then look again */
		if (cons != published) {
			__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
			published = cons;
		}
	} while (__atomic_load_n(r->producer_pos, __ATOMIC_ACQUIRE) != prod);
out:
	if (cons != published)
		__atomic_store_n(r->consumer_pos, cons, __ATOMIC_RELEASE);
	return n;
}

int ring_poll(struct ring *r, int timeout_ms)
{
	struct epoll_event ev;

	if (epoll_wait(r->epfd, &ev, 1, timeout_ms) < 0)
		return -errno;
	return ring_consume(r);
}

void ring_close(struct ring *r)
{
	if (r->epfd >= 0)
		close(r->epfd);
	if (r->producer_pos)
		munmap(r->producer_pos, r->map_len);
	if (r->consumer_pos)
		munmap(r->consumer_pos, r->page);
	memset(r, 0, sizeof(*r));
	r->epfd = -1;
}

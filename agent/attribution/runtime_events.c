// SPDX-License-Identifier: BSD-2-Clause
/*
 * runtime_events.c - see runtime_events.h. Messages (containerd api/services/events/v1 and
 * api/events): Envelope { timestamp = 1; namespace = 2; topic = 3; Any event = 4 },
 * Any { type_url = 1; value = 2 }, TaskStart { container_id = 1; pid = 2 }.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backoff.h"
#include "grpc.h"
#include "log.h"
#include "pb.h"
#include "runtime_events.h"

#define PATH_SUBSCRIBE "/containerd.services.events.v1.Events/Subscribe"
#define BACKOFF_MAX_S 30

struct runtime_events {
	pthread_t thread;
	struct grpc_client *c;
	struct meta_cache *mc;
	volatile int stop;
	uint64_t seen;
};

static int decode_task_start(const struct pb_field *any, char *id, size_t idcap, uint32_t *pid)
{
	struct pb_reader r, v;
	struct pb_field f, g;
	bool is_start = false, have_value = false;

	pb_sub(any, &r);
	while (pb_next(&r, &f)) {
		if (f.num == 1 && f.wire == PB_LEN) /* "containerd.events.TaskStart" (+ a prefix) */
			is_start = f.len >= 9 && !memcmp(f.data + f.len - 9, "TaskStart", 9);
		if (f.num == 2 && f.wire == PB_LEN) {
			pb_sub(&f, &v);
			have_value = true;
			while (pb_next(&v, &g)) {
				if (g.num == 1 && g.wire == PB_LEN)
					pb_str(&g, id, idcap);
				else if (g.num == 2 && g.wire == PB_VARINT)
					*pid = (uint32_t)g.u64;
			}
			if (v.error)
				return -EPROTO;
		}
	}
	return r.error ? -EPROTO : is_start && have_value && id[0] ? 0 : -ENOENT;
}

int runtime_events_decode(const uint8_t *msg, size_t len, char *id, size_t idcap, char *ns,
			  size_t nscap, uint32_t *pid)
{
	struct pb_reader r;
	struct pb_field f;
	char topic[64] = "";
	int rc = -ENOENT;

	id[0] = ns[0] = 0;
	*pid = 0;
	pb_reader_init(&r, msg, len);
	while (pb_next(&r, &f)) {
		if (f.wire != PB_LEN)
			continue;
		if (f.num == 2)
			pb_str(&f, ns, nscap);
		else if (f.num == 3)
			pb_str(&f, topic, sizeof(topic));
		else if (f.num == 4)
			rc = decode_task_start(&f, id, idcap, pid);
	}
	if (r.error)
		return -EPROTO;
	return strcmp(topic, "/tasks/start") == 0 ? rc : -ENOENT;
}

static void on_envelope(void *ctx, const uint8_t *msg, size_t len)
{
	struct runtime_events *re = ctx;
	char id[129], ns[64];
	uint32_t pid;

	if (runtime_events_decode(msg, len, id, sizeof(id), ns, sizeof(ns), &pid) < 0)
		return;
	re->seen++;
	/* queue the look-up now. Not with pid for the environment: at TaskStart the process may
	 * still be runc's init, before its exec, whose environ is runc's (a read then used up a
	 * try and the container's own variables were never read). The exec event of that process
	 * offers the environment once it is the container's. */
	(void)pid;
	meta_cache_lookup(re->mc, id, ns[0] ? ns : NULL, 0, NULL);
}

static void *run(void *arg)
{
	struct runtime_events *re = arg;
	uint8_t req[128];
	struct pb_writer w;
	unsigned backoff = 1;
	bool logged = false;

	pb_writer_init(&w, req, sizeof(req));
	pb_put_str_field(&w, 1, "topic==\"/tasks/start\""); /* SubscribeRequest.filters */
	while (!re->stop) {
		int rc = grpc_stream(re->c, PATH_SUBSCRIBE, NULL, req, w.len, on_envelope, re,
				     &re->stop);

		if (re->stop)
			break;
		if (!logged) {
			log_warn("containerd events: stream ended (%d); retrying with backoff, new "
				 "containers are looked up on their first finding meanwhile; said once",
				 rc);
			logged = true;
		}
		backoff_wait(&backoff, BACKOFF_MAX_S, &re->stop);
	}
	return NULL;
}

struct runtime_events *runtime_events_start(const char *socket, struct meta_cache *mc)
{
	struct runtime_events *re = calloc(1, sizeof(*re));

	if (!re)
		return NULL;
	re->mc = mc;
	re->c = grpc_client_new(socket, 2000);
	if (!re->c || pthread_create(&re->thread, NULL, run, re) != 0) {
		grpc_client_free(re->c);
		free(re);
		return NULL;
	}
	return re;
}

void runtime_events_stop(struct runtime_events *re)
{
	if (!re)
		return;
	re->stop = 1;
	pthread_join(re->thread, NULL);
	grpc_client_free(re->c);
	free(re);
}

uint64_t runtime_events_seen(struct runtime_events *re)
{
	return re ? re->seen : 0;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/* fwd_events.h - realistic stored events (EVENTS.md) for the forwarder formatter tests. */
#ifndef C2D_TEST_FWD_EVENTS_H
#define C2D_TEST_FWD_EVENTS_H

#include <string.h>

#include <cjson/cJSON.h>

#include "fwd.h"

#define CID_A "3f2a9c0d5e6b7a8190a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8"
#define CID_B "aaaa9c0d5e6b7a8190a1b2c3d4e5f60718293a4b5c6d7e8f9012a3b4c5d6e7f8"
#define REV "9f1c2e3d4b5a69788796a5b4c3d2e1f0a9b8c7d6"

/* credential_read in container A at 2025-06-01T12:00:00.123456789Z */
#define EV_A1                                                                                      \
	"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"b7e3c1d2a9f04e51-00000000000004d2\","          \
	"\"time\":\"2025-06-01T12:00:00.123456789Z\",\"kind\":\"credential_read\","                 \
	"\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"high\",\"outcome\":\"success\","      \
	"\"node\":{\"name\":\"node-1\"},\"process\":{\"pid\":4242,\"ppid\":4200,\"uid\":0,"         \
	"\"euid\":0,\"gid\":0,\"comm\":\"cat\",\"executable\":\"/bin/busybox\",\"args\":[\"cat\","  \
	"\"/var/run/secrets/kubernetes.io/serviceaccount/token\"]},\"syscall\":{\"name\":"          \
	"\"openat\",\"ret\":3},\"file\":{\"path\":"                                                 \
	"\"/var/run/secrets/kubernetes.io/serviceaccount/token\"},\"container\":{\"id\":\"" CID_A   \
	"\",\"runtime\":\"containerd\",\"name\":\"web\",\"image\":{\"name\":"                       \
	"\"ghcr.io/acme/web:1.4.2\",\"digest\":\"sha256:aaaa\"}},\"k8s\":{\"namespace\":\"shop\","  \
	"\"pod\":\"web-7d4b9c8f6d-x2k9p\",\"pod_uid\":\"0b6f3c1e\",\"container\":\"web\","           \
	"\"node\":\"node-1\",\"service_account\":\"web\",\"workload\":{\"kind\":\"Deployment\","    \
	"\"name\":\"web\"}},\"provenance\":{\"commit\":\"" REV "\",\"repository\":"                 \
	"\"https://github.com/acme/web\",\"pipeline_id\":\"9753949763\",\"pipeline_url\":"          \
	"\"https://github.com/acme/web/actions/runs/9753949763\",\"version\":\"1.4.2\"}}"

/* privileged_call in container B (another pod of the same namespace), medium, 1 s later */
#define EV_B1                                                                                      \
	"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"b7e3c1d2a9f04e51-00000000000004d3\","          \
	"\"time\":\"2025-06-01T12:00:01Z\",\"kind\":\"privileged_call\",\"rule\":\"setuid-root\","  \
	"\"severity\":\"medium\",\"outcome\":\"failure\",\"node\":{\"name\":\"node-1\"},"            \
	"\"process\":{\"pid\":77,\"ppid\":1,\"uid\":1000,\"euid\":1000,\"executable\":\"/app\"},"   \
	"\"syscall\":{\"name\":\"setuid\",\"errno\":1},\"container\":{\"id\":\"" CID_B "\"},"      \
	"\"k8s\":{\"namespace\":\"shop\",\"pod\":\"db-0\",\"workload\":{\"kind\":\"StatefulSet\","   \
	"\"name\":\"db\"}}}"

/* a second event of container A: critical */
#define EV_A2                                                                                      \
	"{\"schema\":\"cloud2dev.event/v1\",\"id\":\"b7e3c1d2a9f04e51-00000000000004d4\","          \
	"\"time\":\"2025-06-01T12:00:02.5Z\",\"kind\":\"credential_read\","                         \
	"\"rule\":\"k8s-serviceaccount-token\",\"severity\":\"critical\",\"outcome\":\"success\","  \
	"\"node\":{\"name\":\"node-1\"},\"process\":{\"pid\":4243,\"executable\":\"/bin/busybox\"}," \
	"\"file\":{\"path\":\"/etc/shadow\"},\"container\":{\"id\":\"" CID_A "\","                   \
	"\"runtime\":\"containerd\",\"name\":\"web\",\"image\":{\"name\":"                          \
	"\"ghcr.io/acme/web:1.4.2\",\"digest\":\"sha256:aaaa\"}},\"k8s\":{\"namespace\":\"shop\","  \
	"\"pod\":\"web-7d4b9c8f6d-x2k9p\",\"pod_uid\":\"0b6f3c1e\",\"container\":\"web\","           \
	"\"node\":\"node-1\",\"service_account\":\"web\",\"workload\":{\"kind\":\"Deployment\","    \
	"\"name\":\"web\"}},\"provenance\":{\"commit\":\"" REV "\",\"repository\":"                 \
	"\"https://github.com/acme/web\",\"pipeline_id\":\"9753949763\",\"pipeline_url\":"          \
	"\"https://github.com/acme/web/actions/runs/9753949763\",\"version\":\"1.4.2\"}}"

struct fwd_batch {
	struct fwd_event e[8];
	cJSON *parsed[8];
	size_t n;
};

static inline void batch_add(struct fwd_batch *b, const char *body)
{
	b->parsed[b->n] = cJSON_Parse(body);
	b->e[b->n] = (struct fwd_event){(int64_t)b->n + 1, body, strlen(body), b->parsed[b->n]};
	b->n++;
}

static inline void batch_free(struct fwd_batch *b)
{
	for (size_t i = 0; i < b->n; i++)
		cJSON_Delete(b->parsed[i]);
	b->n = 0;
}

#endif

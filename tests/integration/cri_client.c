// SPDX-License-Identifier: BSD-2-Clause
/* cri_client.c - see cri_client.h. */
#include <errno.h>
#include <string.h>

#include "cri_client.h"
#include "pb.h"

#define RS "/runtime.v1.RuntimeService/"
#define NS_NODE 2 /* NamespaceMode NODE */

static void put_sub(struct pb_writer *w, uint32_t num, const struct pb_writer *sub)
{
	if (sub->overflow)
		w->overflow = true;
	pb_put_bytes_field(w, num, sub->buf, sub->len);
}

/* map<string,string> entries: one {1: key, 2: value} per pair */
static void put_labels(struct pb_writer *w, uint32_t num, const char *const *kv)
{
	for (; kv && kv[0] && kv[1]; kv += 2) {
		uint8_t e[512];
		struct pb_writer we;

		pb_writer_init(&we, e, sizeof(e));
		pb_put_str_field(&we, 1, kv[0]);
		pb_put_str_field(&we, 2, kv[1]);
		put_sub(w, num, &we);
	}
}

/* PodSandboxConfig { metadata 1 {name 1, uid 2, namespace 3}; labels 6; linux 8 {cgroup_parent
 * 1; security_context 2 { namespace_options 1 { network 1 = NODE } } } } */
static void put_sandbox_config(struct pb_writer *w, uint32_t num, const struct crit_pod *p)
{
	uint8_t b[1024], m[256], l[512], sc[32], no[16];
	struct pb_writer wb, wm, wl, wsc, wno;
	const char *labels[] = {"io.kubernetes.pod.name", p->name, "io.kubernetes.pod.namespace",
				p->ns, "io.kubernetes.pod.uid", p->uid, NULL};

	pb_writer_init(&wm, m, sizeof(m));
	pb_put_str_field(&wm, 1, p->name);
	pb_put_str_field(&wm, 2, p->uid);
	pb_put_str_field(&wm, 3, p->ns);
	pb_writer_init(&wno, no, sizeof(no));
	pb_put_varint_field(&wno, 1, NS_NODE);
	pb_writer_init(&wsc, sc, sizeof(sc));
	put_sub(&wsc, 1, &wno);
	pb_writer_init(&wl, l, sizeof(l));
	pb_put_str_field(&wl, 1, p->cgroup_parent);
	put_sub(&wl, 2, &wsc);
	pb_writer_init(&wb, b, sizeof(b));
	put_sub(&wb, 1, &wm);
	put_labels(&wb, 6, labels);
	put_sub(&wb, 8, &wl);
	put_sub(w, num, &wb);
}

int crit_encode_run_pod(const struct crit_pod *p, uint8_t *buf, size_t cap)
{
	struct pb_writer w;

	pb_writer_init(&w, buf, cap);
	put_sandbox_config(&w, 1, p); /* RunPodSandboxRequest.config */
	return w.overflow ? -ENAMETOOLONG : (int)w.len;
}

/* CreateContainerRequest { pod_sandbox_id 1; config 2 (ContainerConfig { metadata 1 {name 1};
 * image 2 {image 1}; command 3 (repeated); labels 9 }); sandbox_config 3 } */
int crit_encode_create(const struct crit_pod *p, const char *name, const char *image,
		       const char *const *cmd, const char *const *labels, uint8_t *buf,
		       size_t cap)
{
	return crit_encode_create_mounts(p, name, image, cmd, labels, NULL, 0, buf, cap);
}

int crit_encode_create_mounts(const struct crit_pod *p, const char *name, const char *image,
			      const char *const *cmd, const char *const *labels,
			      const struct crit_mount *mounts, size_t n, uint8_t *buf, size_t cap)
{
	uint8_t c[4096], m[128], im[512], mt[640];
	struct pb_writer w, wc, wm, wi, wt;

	pb_writer_init(&wm, m, sizeof(m));
	pb_put_str_field(&wm, 1, name);
	pb_writer_init(&wi, im, sizeof(im));
	pb_put_str_field(&wi, 1, image);
	pb_writer_init(&wc, c, sizeof(c));
	put_sub(&wc, 1, &wm);
	put_sub(&wc, 2, &wi);
	for (; cmd && *cmd; cmd++)
		pb_put_str_field(&wc, 3, *cmd);
	for (size_t i = 0; i < n; i++) {
		pb_writer_init(&wt, mt, sizeof(mt));
		pb_put_str_field(&wt, 1, mounts[i].container_path);
		pb_put_str_field(&wt, 2, mounts[i].host_path);
		if (mounts[i].readonly)
			pb_put_varint_field(&wt, 3, 1);
		if (wt.overflow)
			return -ENAMETOOLONG;
		put_sub(&wc, 7, &wt);
	}
	put_labels(&wc, 9, labels);
	pb_writer_init(&w, buf, cap);
	pb_put_str_field(&w, 1, p->id);
	put_sub(&w, 2, &wc);
	put_sandbox_config(&w, 3, p);
	return w.overflow ? -ENAMETOOLONG : (int)w.len;
}

int crit_encode_id(const char *id, uint8_t *buf, size_t cap)
{
	struct pb_writer w;

	pb_writer_init(&w, buf, cap);
	pb_put_str_field(&w, 1, id);
	return w.overflow ? -ENAMETOOLONG : (int)w.len;
}

/* The response's field 1 (an id) into out. */
static int call_for_id(struct grpc_client *c, const char *method, const uint8_t *req, int n,
		       char *out, size_t cap)
{
	char path[96] = RS;
	const uint8_t *resp;
	struct pb_reader r;
	struct pb_field f;
	size_t len;
	int rc;

	if (n < 0)
		return n;
	strncat(path, method, sizeof(path) - strlen(path) - 1);
	rc = grpc_call(c, path, NULL, req, (size_t)n, &resp, &len);
	if (rc < 0 || !out)
		return rc;
	out[0] = 0;
	pb_reader_init(&r, resp, len);
	while (pb_next(&r, &f))
		if (f.num == 1 && f.wire == PB_LEN)
			pb_str(&f, out, cap);
	return out[0] ? 0 : -EPROTO;
}

int crit_run_pod(struct grpc_client *c, struct crit_pod *p)
{
	uint8_t req[2048];

	return call_for_id(c, "RunPodSandbox", req, crit_encode_run_pod(p, req, sizeof(req)),
			   p->id, sizeof(p->id));
}

int crit_create_container(struct grpc_client *c, const struct crit_pod *p, const char *name,
			  const char *image, const char *const *cmd, const char *const *labels,
			  char *id, size_t idcap)
{
	return crit_create_container_mounts(c, p, name, image, cmd, labels, NULL, 0, id, idcap);
}

int crit_create_container_mounts(struct grpc_client *c, const struct crit_pod *p,
				 const char *name, const char *image, const char *const *cmd,
				 const char *const *labels, const struct crit_mount *mounts,
				 size_t n, char *id, size_t idcap)
{
	uint8_t req[8192];

	return call_for_id(c, "CreateContainer", req,
			   crit_encode_create_mounts(p, name, image, cmd, labels, mounts, n, req,
						     sizeof(req)),
			   id, idcap);
}

static int by_id(struct grpc_client *c, const char *method, const char *id)
{
	uint8_t req[256];

	return call_for_id(c, method, req, crit_encode_id(id, req, sizeof(req)), NULL, 0);
}

int crit_start_container(struct grpc_client *c, const char *id)
{
	return by_id(c, "StartContainer", id);
}

int crit_stop_pod(struct grpc_client *c, const char *pod_id)
{
	return by_id(c, "StopPodSandbox", pod_id);
}

int crit_remove_pod(struct grpc_client *c, const char *pod_id)
{
	return by_id(c, "RemovePodSandbox", pod_id);
}

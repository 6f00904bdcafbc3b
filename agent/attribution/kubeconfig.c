// SPDX-License-Identifier: BSD-2-Clause
/*
 * kubeconfig.c - see kubeconfig.h. The YAML is read with libyaml's document loader (aliases
 * stay references to one node, so navigation is bounded by the file); only the fields the
 * client uses are looked at:
 *   current-context; contexts[name].context.{cluster,user};
 *   clusters[name].cluster.{server, certificate-authority(-data), insecure-skip-tls-verify};
 *   users[name].user.{token, tokenFile} (client-certificate(-data), client-key(-data), exec,
 *   auth-provider, username/password: refused).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <yaml.h>

#include "kubeconfig.h"

#define DATA_MAX (256u * 1024) /* decoded certificate-authority-data or token */

struct kc_ctx {
	yaml_document_t *doc;
	const char *name, *dir;
	char *err;
	size_t errlen;
};

static int fail(struct kc_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct kc_ctx *c, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->err, c->errlen, "%s: %s", c->name, msg);
	return -EINVAL;
}

/* The value node of key in a mapping node, or NULL. */
static yaml_node_t *get(struct kc_ctx *c, yaml_node_t *map, const char *key)
{
	yaml_node_pair_t *p;

	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(c->doc, p->key);

		if (k && k->type == YAML_SCALAR_NODE && k->data.scalar.length == strlen(key) &&
		    !memcmp(k->data.scalar.value, key, k->data.scalar.length))
			return yaml_document_get_node(c->doc, p->value);
	}
	return NULL;
}

/* A scalar as a C string (libyaml NUL-terminates them); NULL if absent, not a scalar, or
 * holding a NUL byte. */
static const char *scalar(yaml_node_t *n)
{
	if (!n || n->type != YAML_SCALAR_NODE ||
	    strlen((const char *)n->data.scalar.value) != n->data.scalar.length)
		return NULL;
	return (const char *)n->data.scalar.value;
}

static const char *get_str(struct kc_ctx *c, yaml_node_t *map, const char *key)
{
	return scalar(get(c, map, key));
}

/* The `inner` mapping of the entry of list `list` named `name` (contexts → context …). */
static yaml_node_t *named(struct kc_ctx *c, const char *list, const char *inner, const char *name)
{
	yaml_node_t *seq = get(c, yaml_document_get_root_node(c->doc), list);
	yaml_node_item_t *it;

	if (!seq || seq->type != YAML_SEQUENCE_NODE)
		return NULL;
	for (it = seq->data.sequence.items.start; it < seq->data.sequence.items.top; it++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, *it);
		const char *n = get_str(c, e, "name");

		if (n && !strcmp(n, name))
			return get(c, e, inner);
	}
	return NULL;
}

static int b64_val(unsigned char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	return ch == '+' ? 62 : ch == '/' ? 63 : -1;
}

/* Standard base64, whitespace ignored, padding optional; -EINVAL on anything else. */
static ssize_t b64_decode(const char *in, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	size_t n = 0;
	int bits = 0;
	bool pad = false;

	for (; *in; in++) {
		int v = b64_val((unsigned char)*in);

		if (*in == ' ' || *in == '\n' || *in == '\r' || *in == '\t')
			continue;
		if (*in == '=') {
			pad = true;
			continue;
		}
		if (v < 0 || pad)
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -EMSGSIZE;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return (ssize_t)n;
}

/* Bytes into a memory-only file; its /proc/self/fd path in path. */
static int memfile(const char *tag, const void *data, size_t len, char *path, size_t cap)
{
	int fd = memfd_create(tag, MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return fd;
}

/* A path from the file, relative to the kubeconfig's directory as kubectl resolves it. */
static void file_path(struct kc_ctx *c, const char *p, char *out, size_t cap)
{
	if (p[0] == '/' || !c->dir)
		snprintf(out, cap, "%s", p);
	else
		snprintf(out, cap, "%s/%s", c->dir, p);
}

static int data_file(struct kc_ctx *c, const char *field, const char *b64, bool decode,
		     char *path, size_t cap)
{
	uint8_t *buf = malloc(DATA_MAX);
	ssize_t n = -ENOMEM;
	int fd;

	if (buf)
		n = decode ? b64_decode(b64, buf, DATA_MAX)
			   : (ssize_t)snprintf((char *)buf, DATA_MAX, "%s", b64);
	if (n <= 0 || (size_t)n >= DATA_MAX) {
		free(buf);
		return fail(c, "%s: %s", field, n == -ENOMEM ? "out of memory"
						 : decode   ? "not valid base64, or empty"
							    : "empty or too long");
	}
	fd = memfile(field, buf, (size_t)n, path, cap);
	explicit_bzero(buf, DATA_MAX); /* a token: not left in freed memory */
	free(buf);
	return fd < 0 ? fail(c, "%s: cannot keep it in memory (%s)", field, strerror(-fd)) : fd;
}

static int cluster(struct kc_ctx *c, const char *name, struct kubeconfig *kc)
{
	yaml_node_t *cl = named(c, "clusters", "cluster", name);
	const char *server, *ca, *cad, *insecure;
	int fd;

	if (!cl)
		return fail(c, "clusters: no cluster named \"%s\" (of the current context)", name);
	server = get_str(c, cl, "server");
	if (!server || strncmp(server, "https://", 8) != 0 || strlen(server) >= sizeof(kc->server))
		return fail(c, "clusters[%s].cluster.server: missing, not https:// or too long", name);
	insecure = get_str(c, cl, "insecure-skip-tls-verify");
	if (insecure && !strcmp(insecure, "true"))
		return fail(c, "clusters[%s].cluster.insecure-skip-tls-verify: not supported (the "
			       "server's certificate is always verified)", name);
	snprintf(kc->server, sizeof(kc->server), "%s", server);
	ca = get_str(c, cl, "certificate-authority");
	cad = get_str(c, cl, "certificate-authority-data");
	if (cad) {
		fd = data_file(c, "certificate-authority-data", cad, true, kc->ca_file,
			       sizeof(kc->ca_file));
		if (fd < 0)
			return fd;
		kc->ca_fd = fd;
	} else if (ca && ca[0]) {
		file_path(c, ca, kc->ca_file, sizeof(kc->ca_file));
	} else { /* a public CA: the system's bundle, as kubectl does */
		snprintf(kc->ca_file, sizeof(kc->ca_file), "/etc/ssl/certs/ca-certificates.crt");
	}
	return 0;
}

/* Ways to authenticate this client does not do: refused by name rather than ignored. */
static const char *const unsupported[] = {
	"client-certificate", "client-certificate-data", "client-key", "client-key-data",
	"exec",		      "auth-provider",		 "username", "password",
};

static int user(struct kc_ctx *c, const char *name, struct kubeconfig *kc)
{
	yaml_node_t *u = named(c, "users", "user", name);
	const char *tok, *tokf;
	int fd;

	if (!u)
		return fail(c, "users: no user named \"%s\" (of the current context)", name);
	tok = get_str(c, u, "token");
	tokf = get_str(c, u, "tokenFile");
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++)
		if (get(c, u, unsupported[i]) && !tok && !tokf)
			return fail(c, "users[%s].user.%s: not supported (use token or tokenFile)",
				    name, unsupported[i]);
	if (tok && tok[0]) {
		fd = data_file(c, "token", tok, false, kc->token_file, sizeof(kc->token_file));
		if (fd < 0)
			return fd;
		kc->token_fd = fd;
	} else if (tokf && tokf[0]) {
		file_path(c, tokf, kc->token_file, sizeof(kc->token_file));
	} else {
		return fail(c, "users[%s].user: no token or tokenFile", name);
	}
	return 0;
}

static int navigate(struct kc_ctx *c, struct kubeconfig *kc)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc), *ctx;
	const char *cur, *cl, *us;
	int rc;

	if (!root || root->type != YAML_MAPPING_NODE)
		return fail(c, "not a kubeconfig (the document is not a mapping)");
	cur = get_str(c, root, "current-context");
	if (!cur || !cur[0])
		return fail(c, "current-context: missing");
	ctx = named(c, "contexts", "context", cur);
	if (!ctx)
		return fail(c, "contexts: no context named \"%s\" (current-context)", cur);
	cl = get_str(c, ctx, "cluster");
	us = get_str(c, ctx, "user");
	if (!cl || !us)
		return fail(c, "contexts[%s].context.%s: missing", cur, cl ? "user" : "cluster");
	rc = cluster(c, cl, kc);
	return rc < 0 ? rc : user(c, us, kc);
}

int kubeconfig_parse(const char *yaml, size_t len, const char *dir, const char *name,
		     struct kubeconfig *kc, char *err, size_t errlen)
{
	struct kc_ctx c = {.name = name, .dir = dir, .err = err, .errlen = errlen};
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc;

	memset(kc, 0, sizeof(*kc));
	kc->ca_fd = kc->token_fd = -1;
	if (!yaml_parser_initialize(&parser))
		return fail(&c, "out of memory");
	yaml_parser_set_input_string(&parser, (const unsigned char *)yaml, len);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = fail(&c, "not valid YAML (line %zu: %s)", parser.problem_mark.line + 1,
			  parser.problem ? parser.problem : "?");
		yaml_parser_delete(&parser);
		return rc;
	}
	c.doc = &doc;
	rc = navigate(&c, kc);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc < 0)
		kubeconfig_release(kc);
	return rc;
}

static char *read_file(const char *path, size_t *len, int *rc)
{
	char *buf = malloc(KUBECONFIG_MAX + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = 0, r;

	*rc = fd < 0 ? -errno : !buf ? -ENOMEM : 0;
	while (*rc == 0 && (r = read(fd, buf + n, KUBECONFIG_MAX + 1 - (size_t)n)) > 0)
		n += r;
	if (*rc == 0 && n > (ssize_t)KUBECONFIG_MAX)
		*rc = -EFBIG;
	if (fd >= 0)
		close(fd);
	if (*rc < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)n;
	return buf;
}

int kubeconfig_load(const char *path, struct kubeconfig *kc, char *err, size_t errlen)
{
	char dir[4096], *slash, *yaml;
	size_t len = 0;
	int rc;

	yaml = read_file(path, &len, &rc);
	if (!yaml) {
		snprintf(err, errlen, "%s: %s", path,
			 rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		memset(kc, 0, sizeof(*kc));
		kc->ca_fd = kc->token_fd = -1;
		return rc;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash)
		*slash = 0;
	rc = kubeconfig_parse(yaml, len, slash ? (dir[0] ? dir : "/") : ".", path, kc, err,
			      errlen);
	explicit_bzero(yaml, len); /* it may hold a token */
	free(yaml);
	return rc;
}

void kubeconfig_release(struct kubeconfig *kc)
{
	if (kc->ca_fd >= 0)
		close(kc->ca_fd);
	if (kc->token_fd >= 0)
		close(kc->token_fd);
	kc->ca_fd = kc->token_fd = -1;
}

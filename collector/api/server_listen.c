// SPDX-License-Identifier: BSD-2-Clause
/*
 * server_listen.c - the listening socket, TLS, and starting, reloading and stopping the
 * daemon (server.h).
 *
 * The socket is bound by server_bind() before anything else happens (a port in use is
 * reported, naming the address, before the store is opened or migrated) and handed to
 * libmicrohttpd. That also makes a certificate reload a swap: a new daemon with the new
 * certificate starts on the same socket, the old one stops accepting (quiesce), finishes what
 * it was serving and is stopped; no connection is refused in between.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "listen_addr.h"
#include "log.h"
#include "server_int.h"

#define PEM_MAX (1u << 20)

int server_bind(const struct collector_config *cfg, int *fd, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int r;

	if (listen_addr_parse(cfg->listen, &ss) < 0) {
		snprintf(err, errlen,
			 "--listen: \"%s\" is not ADDR:PORT (127.0.0.1:8787, [::1]:8787, "
			 "localhost:8787, :8787)",
			 cfg->listen);
		return -EINVAL;
	}
	r = listen_addr_bind(&ss, 128);
	if (r < 0) {
		snprintf(err, errlen, "--listen %s: cannot listen there: %s", cfg->listen,
			 strerror(-r));
		return r;
	}
	*fd = r;
	return 0;
}

/* A PEM file into a NUL-terminated buffer (free with pem_free: it may be a private key). */
static char *pem_read(const char *path, char *err, size_t errlen)
{
	char *buf = malloc(PEM_MAX + 1);
	ssize_t n = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (buf && fd >= 0)
		n = read(fd, buf, PEM_MAX);
	if (fd >= 0)
		close(fd);
	if (!buf || n <= 0 || !memmem(buf, (size_t)n, "-----BEGIN ", 11)) {
		snprintf(err, errlen, "%s: %s", path,
			 fd < 0 ? strerror(errno) : "not a PEM file");
		free(buf);
		return NULL;
	}
	buf[n] = 0;
	return buf;
}

static void pem_free(char *p)
{
	if (p) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

/* Start a daemon on s->fd with the certificate in cert/key (NULL: plain HTTP). */
static struct MHD_Daemon *start(struct server *s, const char *cert, const char *key)
{
	const struct collector_config *cfg = s->cfg;
	unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_USE_ITC;

	if (cert)
		flags |= MHD_USE_TLS;
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, server_on_request, s,
	    MHD_OPTION_EXTERNAL_LOGGER, server_mhd_log, NULL, /* first, or MHD logs itself */
	    MHD_OPTION_LISTEN_SOCKET, s->fd,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)cfg->max_connections,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)cfg->per_ip_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg->connection_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg->connection_memory,
	    MHD_OPTION_NOTIFY_COMPLETED, server_on_completed, s,
	    cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, cert,
	    MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_END);
}

/* The certificate and key of cfg, read now; both NULL without TLS. 0 or -EINVAL. */
static int load_tls(const struct collector_config *cfg, char **cert, char **key, char *err,
		    size_t errlen)
{
	*cert = *key = NULL;
	if (!cfg->tls_cert && !cfg->tls_key)
		return 0;
	if (!cfg->tls_cert || !cfg->tls_key) {
		snprintf(err, errlen, "--tls-cert and --tls-key go together");
		return -EINVAL;
	}
	*cert = pem_read(cfg->tls_cert, err, errlen);
	*key = *cert ? pem_read(cfg->tls_key, err, errlen) : NULL;
	if (!*key) {
		pem_free(*cert);
		*cert = NULL;
		return -EINVAL;
	}
	return 0;
}

int server_new(const struct collector_config *cfg, int fd, struct store *store,
	       struct ch_store *chs, struct auth *auth, struct collector_stats *stats, const struct forward *fwd,
	       struct server **out, char *err, size_t errlen)
{
	struct server *s;
	char *cert, *key;

	if (load_tls(cfg, &cert, &key, err, errlen) < 0)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s) {
		pem_free(cert);
		pem_free(key);
		return -ENOMEM;
	}
	*s = (struct server){.cfg = cfg, .fd = fd, .store = store, .chs = chs, .auth = auth, .stats = stats,
			     .fwd = fwd, .start_time = time(NULL)};
	s->lim = (struct ingest_limits){cfg->max_events,
					{(int)cfg->max_depth, cfg->max_path, cfg->max_args}};
	s->d = start(s, cert, key);
	pem_free(cert); /* libmicrohttpd loaded them into its TLS credentials at start */
	pem_free(key);
	if (!s->d) {
		snprintf(err, errlen, "--listen %s: cannot serve%s", cfg->listen,
			 cfg->tls_cert ? " (is the certificate and key pair valid?)" : "");
		free(s);
		return cfg->tls_cert ? -EINVAL : -EIO;
	}
	*out = s;
	return 0;
}

/* Stop accepting on d, wait up to the shutdown timeout for its connections, stop it. The
 * listening socket stays open (it is ours). */
static void drain(struct server *s, struct MHD_Daemon *d)
{
	struct timespec t0, now, pause = {0, 20 * 1000000};

	MHD_quiesce_daemon(d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		const union MHD_DaemonInfo *di =
		    MHD_get_daemon_info(d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);

		if (!di || di->num_connections == 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec - t0.tv_sec >= (time_t)s->cfg->shutdown_timeout) {
			log_warn("server: %u connections still open after %u s",
				 di->num_connections, (unsigned)s->cfg->shutdown_timeout);
			break;
		}
		nanosleep(&pause, NULL);
	}
	MHD_stop_daemon(d);
}

int server_reload(struct server *s)
{
	struct MHD_Daemon *d, *old = s->d;
	char *cert, *key, err[512];

	if (!s->cfg->tls_cert)
		return 0;
	if (load_tls(s->cfg, &cert, &key, err, sizeof(err)) < 0) {
		log_error("server: TLS reload: %s: keeping the current certificate", err);
		return -EINVAL;
	}
	d = start(s, cert, key);
	pem_free(cert);
	pem_free(key);
	if (!d) {
		log_error("server: TLS reload: the new certificate and key do not load: keeping "
			  "the current ones");
		return -EINVAL;
	}
	s->d = d; /* both accept for a moment; then the old one finishes and goes */
	drain(s, old);
	log_info("server: TLS certificate reloaded from %s", s->cfg->tls_cert);
	return 0;
}

void server_free(struct server *s)
{
	if (!s)
		return;
	/* stop accepting; requests in flight get shutdown_timeout to finish */
	drain(s, s->d);
	free(s);
}

// SPDX-License-Identifier: BSD-2-Clause
/* options.c - see options.h. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "listen_addr.h"

#include "options.h"
#include "ship.h"

enum opt_type { OPT_FLAG, OPT_STR, OPT_STRLIST, OPT_UINT, OPT_LOGLEVEL, OPT_LOGFORMAT };

struct opt_def {
	const char *name;
	enum opt_type type;
	size_t off;
	const char *def;
	uint64_t min, max;
	bool pow2;
	const char *arg;
	const char *help;
};

#define OFF(f) offsetof(struct c2d_agent_opts, f)

static const struct opt_def defs[] = {
	{"stdout", OPT_FLAG, OFF(stdout_mode), NULL, 0, 0, false, NULL,
	 "print every event as one JSON object per line (NDJSON) on standard output"},
	{"policy", OPT_STR, OFF(policy_file), NULL, 0, 0, false, "FILE",
	 "policy file (JSON) adding rules or changing the built-in ones (README: Policy)"},
	{"storage-path", OPT_STRLIST, OFF(storage_paths), NULL, 0, 0, false, "PREFIX",
	 "a production-storage directory: writes, truncates, unlinks, renames below it are "
	 "reported (repeatable)"},
	{"node-name", OPT_STR, OFF(node_name), NULL, 0, 0, false, "NAME",
	 "node name in events (default: $C2D_NODE_NAME, $NODE_NAME, else the host name)"},
	{"log-level", OPT_LOGLEVEL, OFF(log_level), "info", 0, 0, false, "LEVEL",
	 "error, warn, info or debug"},
	{"ringbuf-mb", OPT_UINT, OFF(ringbuf_mb), "8", 1, 256, true, "MB",
	 "kernel ring buffer size for all CPUs, MiB, a power of two"},
	{"proc-cache-size", OPT_UINT, OFF(proc_cache_size), "65536", 1024, 1 << 22, false, "N",
	 "most processes kept in the process cache (least recently used are evicted)"},
	{"metadata-cache-size", OPT_UINT, OFF(meta_cache_size), "1024", 16, 65536, false, "N",
	 "most container records kept (least recently used are replaced; their containers are "
	 "asked again if they show up)"},
	{"stats-interval", OPT_UINT, OFF(stats_interval), "60", 0, 86400, false, "SECONDS",
	 "log the loss counters this often (0: only at exit)"},
	{"containerd-socket", OPT_STR, OFF(containerd_socket), "/run/containerd/containerd.sock", 0,
	 0, false, "PATH",
	 "containerd's API socket, for container records (image, pod, provenance); \"none\" to "
	 "not ask"},
	{"cri-socket", OPT_STR, OFF(cri_socket), NULL, 0, 0, false, "PATH",
	 "a CRI runtime's socket (runtime.v1), asked first for container records; the only source "
	 "on CRI-O nodes: /var/run/crio/crio.sock"},
	{"k8s-api", OPT_STR, OFF(k8s_api), NULL, 0, 0, false, "URL",
	 "Kubernetes API server (default in a pod: https://$KUBERNETES_SERVICE_HOST:$…_PORT; "
	 "\"none\": do not ask)"},
	{"k8s-ca", OPT_STR, OFF(k8s_ca), "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", 0, 0,
	 false, "FILE", "CA bundle the API server's certificate must chain to"},
	{"k8s-token-file", OPT_STR, OFF(k8s_token_file),
	 "/var/run/secrets/kubernetes.io/serviceaccount/token", 0, 0, false, "FILE",
	 "bearer token for the API server (re-read on every request)"},
	{"kubeconfig", OPT_STR, OFF(kubeconfig), NULL, 0, 0, false, "FILE",
	 "kubeconfig for the Kubernetes API instead of the in-cluster settings: its current "
	 "context's server, CA and token (or tokenFile); --k8s-api none still disables"},
	{"secret-key-file", OPT_STR, OFF(secret_key_file), NULL, 0, 0, false, "FILE",
	 "key of the secrets' fingerprints (HMAC-SHA-256, 16 to 64 bytes): the same file on every "
	 "node (a Kubernetes Secret) gives one secret one fingerprint across the cluster; without "
	 "it, a random key per run. Never logged"},
	{"collector", OPT_STR, OFF(collector), NULL, 0, 0, false, "URL",
	 "ship events to this collector (http:// or https://), batched, gzip'd, spooled on disk "
	 "while it is unreachable (works alongside --stdout); a comma-separated list (at most 8) "
	 "fails over to the next on errors"},
	{"token-file", OPT_STR, OFF(token_file), NULL, 0, 0, false, "FILE",
	 "bearer token for the collector (re-read when the file changes; never logged)"},
	{"collector-ca", OPT_STR, OFF(collector_ca), NULL, 0, 0, false, "FILE",
	 "CA bundle the collector's certificate must chain to (default: the system's)"},
	{"state-dir", OPT_STR, OFF(state_dir), NULL, 0, 0, false, "DIR",
	 "spool and event-id state, made 0700 (default with --collector: /var/lib/cloud2dev; "
	 "without either, ids use a random instance per start)"},
	{"batch-events", OPT_UINT, OFF(batch_events), "1000", 1, 100000, false, "N",
	 "most events in one batch sent to the collector"},
	{"batch-bytes", OPT_UINT, OFF(batch_bytes), "1048576", 4096, 64 << 20, false, "BYTES",
	 "most uncompressed bytes in one batch"},
	{"batch-age-ms", OPT_UINT, OFF(batch_age_ms), "1000", 1, 60000, false, "MS",
	 "longest an event waits for its batch to fill (the unsynced window of a crash)"},
	{"spool-max-mb", OPT_UINT, OFF(spool_max_mb), "256", 1, 1 << 20, false, "MB",
	 "most disk the spool takes; when full the oldest batches are dropped and reported "
	 "(agent_gap)"},
	{"container-rate", OPT_UINT, OFF(container_rate), "10000", 0, 10000000, false, "N",
	 "findings per second one container (cgroup) may send on average, enforced in the "
	 "kernel so a noisy one cannot crowd out the others; the excess is counted and reported "
	 "(agent_gap rate_limited); 0: no limit"},
	{"container-burst", OPT_UINT, OFF(container_burst), "5000", 1, 1000000, false, "N",
	 "findings a container may send at once above --container-rate"},
	{"fold-window", OPT_UINT, OFF(fold_window_s), "1", 0, 3600, false, "SECONDS",
	 "identical findings (same container, executable, rule and target) within this window "
	 "are folded in the kernel into one event with count, first_time and last_time; only "
	 "distinct findings spend the --container-rate budget; 0: every finding is sent"},
	{"metrics-addr", OPT_STR, OFF(metrics_addr), NULL, 0, 0, false, "ADDR:PORT",
	 "serve Prometheus /metrics, /healthz and /readyz here (\"127.0.0.1:9101\", \":9101\"); "
	 "off by default"},
	{"report-runtime-calls", OPT_FLAG, OFF(report_runtime_calls), NULL, 0, 0, false, NULL,
	 "also report the container runtime's own privileged calls (runc's init mounting and "
	 "pivoting a new container, containerd mounting snapshots), dropped by default"},
	{"watch-compat-syscalls", OPT_FLAG, OFF(watch_compat), NULL, 0, 0, false, NULL,
	 "report each process that makes 32-bit syscalls (int $0x80 on x86-64), which no "
	 "per-syscall tracepoint sees; costs ~50-80 ns on every syscall of the node (a raw "
	 "sys_enter program), so off by default (the start-up log says when the kernel takes them)"},
	{"log-format", OPT_LOGFORMAT, OFF(log_format), "text", 0, 0, false, "FORMAT",
	 "text, or json: one {\"time\",\"level\",\"msg\"} object per line"},
	{"check-policy", OPT_STR, OFF(check_policy), NULL, 0, 0, false, "FILE",
	 "check a policy file (with the --storage-path given) and exit: 0 valid, 2 refused with "
	 "the reason; needs no privileges and loads nothing"},
	{"help", OPT_FLAG, OFF(help), NULL, 0, 0, false, NULL, "show this help"},
	{"version", OPT_FLAG, OFF(version), NULL, 0, 0, false, NULL,
	 "print the version, git revision and kernel ABI"},
};

#define NDEFS (sizeof(defs) / sizeof(defs[0]))

/* An http:// or https:// URL with a host, as libcurl parses it (a typo such as ftp:// or a
 * missing host is refused at start, not retried forever). NULL passes. */
static int check_url(const char *flag, const char *url, char *err, size_t errlen)
{
	CURLU *u;
	char *scheme = NULL, *host = NULL;
	int rc = -EINVAL;

	if (!url)
		return 0;
	u = curl_url();
	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		snprintf(err, errlen, "--%s: \"%s\" is not a URL", flag, url);
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		 (strcmp(scheme, "http") && strcmp(scheme, "https")))
		snprintf(err, errlen, "--%s: \"%s\": only http:// and https:// are spoken", flag, url);
	else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host[0])
		snprintf(err, errlen, "--%s: \"%s\" has no host", flag, url);
	else
		rc = 0;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Each URL of a comma-separated list (at most SHIP_MAX_COLLECTORS). */
static int check_url_list(const char *flag, const char *list, char *err, size_t errlen)
{
	char *copy, *save = NULL;
	unsigned n = 0;
	int rc = 0;

	if (!list)
		return 0;
	copy = strdup(list);
	if (!copy)
		return -ENOMEM;
	for (char *u = strtok_r(copy, ",", &save); u && !rc; u = strtok_r(NULL, ",", &save))
		if (++n > SHIP_MAX_COLLECTORS) {
			snprintf(err, errlen, "--%s: more than %d URLs", flag, SHIP_MAX_COLLECTORS);
			rc = -EINVAL;
		} else {
			rc = check_url(flag, u, err, errlen);
		}
	if (!rc && !n) {
		snprintf(err, errlen, "--%s: no URL in \"%s\"", flag, list);
		rc = -EINVAL;
	}
	free(copy);
	return rc;
}

static int set_value(struct c2d_agent_opts *o, const struct opt_def *d, const char *v, char *err,
		     size_t errlen)
{
	char *p = (char *)o + d->off;
	char *end;
	uint64_t u;

	switch (d->type) {
	case OPT_FLAG:
		*(bool *)p = true;
		return 0;
	case OPT_STR:
		if (!v || !*v)
			goto empty;
		if (v[0] == '-' && v[1] == '-') { /* "--policy --stdout": a forgotten value */
			snprintf(err, errlen, "--%s: needs a value, got the option \"%s\"", d->name, v);
			return -EINVAL;
		}
		*(const char **)p = v;
		return 0;
	case OPT_STRLIST:
		if (!v || !*v)
			goto empty;
		if (o->nstorage >= C2D_MAX_STORAGE_PATHS) {
			snprintf(err, errlen, "--%s: at most %d", d->name, C2D_MAX_STORAGE_PATHS);
			return -EINVAL;
		}
		((const char **)p)[o->nstorage++] = v;
		return 0;
	case OPT_LOGFORMAT:
		if (!v || c2d_log_parse_format(v, (enum c2d_log_format *)p) < 0) {
			snprintf(err, errlen, "--%s: \"%s\" is not text or json", d->name, v ? v : "");
			return -EINVAL;
		}
		return 0;
	case OPT_LOGLEVEL:
		if (c2d_log_parse_level(v, (enum c2d_log_level *)p) < 0) {
			snprintf(err, errlen, "--%s: \"%s\" is not one of error, warn, info, debug",
				 d->name, v);
			return -EINVAL;
		}
		return 0;
	case OPT_UINT:
		errno = 0;
		u = strtoull(v, &end, 10);
		if (errno || end == v || *end || v[0] == '-' || u < d->min || u > d->max ||
		    (d->pow2 && (u & (u - 1)))) {
			snprintf(err, errlen, "--%s: \"%s\" is not %s in [%" PRIu64 ", %" PRIu64 "]",
				 d->name, v, d->pow2 ? "a power of two" : "a whole number", d->min,
				 d->max);
			return -EINVAL;
		}
		*(uint64_t *)p = u;
		return 0;
	}
	return 0;
empty:
	snprintf(err, errlen, "--%s: needs a non-empty value", d->name);
	return -EINVAL;
}

int options_parse(struct c2d_agent_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	struct option longopts[NDEFS + 1];
	struct sockaddr_storage ss;
	int idx, c;

	memset(o, 0, sizeof(*o));
	for (size_t i = 0; i < NDEFS; i++) {
		longopts[i] = (struct option){defs[i].name,
					      defs[i].type == OPT_FLAG ? no_argument
								       : required_argument,
					      NULL, (int)i + 256};
		if (defs[i].def && set_value(o, &defs[i], defs[i].def, err, errlen) < 0)
			return -EINVAL;
	}
	memset(&longopts[NDEFS], 0, sizeof(longopts[NDEFS]));
	optind = 0; /* 0, not 1: a full reset of getopt's state (a previous parse may have
		     * stopped inside a group of short options) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		if (c == 'h') {
			o->help = true;
			continue;
		}
		if (c < 256 || c >= 256 + (int)NDEFS) {
			if (optopt >= 256 && optopt < 256 + (int)NDEFS)
				snprintf(err, errlen, "--%s: %s", defs[optopt - 256].name,
					 defs[optopt - 256].type == OPT_FLAG ? "takes no value"
									    : "needs a value");
			else if (optopt > 0 && optopt < 256)
				snprintf(err, errlen, "unknown option \"-%c\" (see --help)", optopt);
			else
				snprintf(err, errlen, "unknown option \"%s\" (see --help)",
					 argv[optind - 1]);
			return -EINVAL;
		}
		if (set_value(o, &defs[c - 256], optarg, err, errlen) < 0)
			return -EINVAL;
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (see --help)", argv[optind]);
		return -EINVAL;
	}
	if (o->metrics_addr && listen_addr_parse(o->metrics_addr, &ss) < 0) {
		snprintf(err, errlen, "--metrics-addr: \"%s\" is not ADDR:PORT", o->metrics_addr);
		return -EINVAL;
	}
	if (check_url_list("collector", o->collector, err, errlen) < 0 ||
	    (o->k8s_api && strcmp(o->k8s_api, "none") &&
	     check_url("k8s-api", o->k8s_api, err, errlen) < 0))
		return -EINVAL;
	return 0;
}

void options_usage(FILE *f, const char *prog)
{
	fprintf(f, "usage: %s [options]\n\ncloud2dev node agent: captures credential reads, "
		   "privileged calls, production-storage writes\nand cloud-metadata access with eBPF.\n\n",
		prog);
	for (size_t i = 0; i < NDEFS; i++) {
		char left[64];

		snprintf(left, sizeof(left), "--%s%s%s", defs[i].name, defs[i].arg ? " " : "",
			 defs[i].arg ? defs[i].arg : "");
		fprintf(f, "  %-26s %s", left, defs[i].help);
		if (defs[i].def)
			fprintf(f, " [default: %s]", defs[i].def);
		fputc('\n', f);
	}
}

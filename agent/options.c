// SPDX-License-Identifier: BSD-2-Clause
/* options.c - see options.h. */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "listen_addr.h"
#include "opt_table.h"

#include "options.h"
#include "ship.h"

#define OFF(f) offsetof(struct c2d_agent_opts, f)

static const char *const kernel_reads_words[] = {"auto", "btf", "probe", NULL}; /* the enum's order */

static const struct opt_def defs[] = {
	OPT_DEF("stdout", OPT_FLAG, OFF(stdout_mode), NULL, 0, 0, NULL,
		"print every event as one JSON object per line (NDJSON) on standard output"),
	OPT_DEF("policy", OPT_STR_REF, OFF(policy_file), NULL, 0, 0, "FILE",
		"policy file (JSON) adding rules or changing the built-in ones (README: Policy)"),
	OPT_DEF("storage-path", OPT_STR_LIST, OFF(storage_paths), NULL, 0, C2D_MAX_STORAGE_PATHS,
		"PREFIX",
		"a production-storage directory: writes, truncates, unlinks, renames below it are "
		"reported (repeatable)", .count_off = OFF(nstorage)),
	OPT_DEF("node-name", OPT_STR_REF, OFF(node_name), NULL, 0, 0, "NAME",
		"node name in events (default: $C2D_NODE_NAME, $NODE_NAME, else the host name)"),
	OPT_DEF("log-level", OPT_LOG_LEVEL, OFF(log_level), "info", 0, 0, "LEVEL",
		"error, warn, info or debug"),
	OPT_DEF("ringbuf-mb", OPT_POW2, OFF(ringbuf_mb), "0", 0, 256, "MB",
		"kernel ring buffer size for all CPUs, MiB, a power of two; 0: 2 MiB per CPU, 4 to 64"),
	OPT_DEF("proc-cache-size", OPT_UINT, OFF(proc_cache_size), "65536", 1024, 1 << 22, "N",
		"most processes kept in the process cache (least recently used are evicted)"),
	OPT_DEF("metadata-cache-size", OPT_UINT, OFF(meta_cache_size), "1024", 16, 65536, "N",
		"most container records kept (least recently used are replaced; their containers "
		"are asked again if they show up)"),
	OPT_DEF("stats-interval", OPT_UINT, OFF(stats_interval), "60", 0, 86400, "SECONDS",
		"log the loss counters this often (0: only at exit)"),
	OPT_DEF("containerd-socket", OPT_STR_REF, OFF(containerd_socket),
		"/run/containerd/containerd.sock", 0, 0, "PATH",
		"containerd's API socket, for container records (image, pod, provenance); \"none\" "
		"to not ask"),
	OPT_DEF("cri-socket", OPT_STR_REF, OFF(cri_socket), NULL, 0, 0, "PATH",
		"a CRI runtime's socket (runtime.v1), asked first for container records; the only "
		"source on CRI-O nodes: /var/run/crio/crio.sock"),
	OPT_DEF("k8s-api", OPT_STR_REF, OFF(k8s_api), NULL, 0, 0, "URL",
		"Kubernetes API server (default in a pod: "
		"https://$KUBERNETES_SERVICE_HOST:$…_PORT; \"none\": do not ask)"),
	OPT_DEF("k8s-ca", OPT_STR_REF, OFF(k8s_ca),
		"/var/run/secrets/kubernetes.io/serviceaccount/ca.crt", 0, 0, "FILE",
		"CA bundle the API server's certificate must chain to"),
	OPT_DEF("k8s-token-file", OPT_STR_REF, OFF(k8s_token_file),
		"/var/run/secrets/kubernetes.io/serviceaccount/token", 0, 0, "FILE",
		"bearer token for the API server (re-read on every request)"),
	OPT_DEF("kubeconfig", OPT_STR_REF, OFF(kubeconfig), NULL, 0, 0, "FILE",
		"kubeconfig for the Kubernetes API instead of the in-cluster settings: its current "
		"context's server, CA and token (or tokenFile); --k8s-api none still disables"),
	OPT_DEF("secret-key-file", OPT_STR_REF, OFF(secret_key_file), NULL, 0, 0, "FILE",
		"key of the secrets' fingerprints (HMAC-SHA-256, 16 to 64 bytes): the same file on "
		"every node (a Kubernetes Secret) gives one secret one fingerprint across the "
		"cluster; without it, a random key per run. Never logged"),
	OPT_DEF("collector", OPT_STR_REF, OFF(collector), NULL, 0, 0, "URL",
		"ship events to this collector (http:// or https://), batched, gzip'd, spooled on "
		"disk while it is unreachable (works alongside --stdout); a comma-separated list "
		"(at most 8) fails over to the next on errors"),
	OPT_DEF("token-file", OPT_STR_REF, OFF(token_file), NULL, 0, 0, "FILE",
		"bearer token for the collector (re-read when the file changes; never logged)"),
	OPT_DEF("collector-ca", OPT_STR_REF, OFF(collector_ca), NULL, 0, 0, "FILE",
		"CA bundle the collector's certificate must chain to (default: the system's)"),
	OPT_DEF("state-dir", OPT_STR_REF, OFF(state_dir), NULL, 0, 0, "DIR",
		"spool and event-id state, made 0700 (default with --collector: "
		"/var/lib/cloud2dev; without either, ids use a random instance per start)"),
	OPT_DEF("batch-events", OPT_UINT, OFF(batch_events), "1000", 1, 100000, "N",
		"most events in one batch sent to the collector"),
	OPT_DEF("batch-bytes", OPT_UINT, OFF(batch_bytes), "1048576", 4096, 64 << 20, "BYTES",
		"most uncompressed bytes in one batch"),
	OPT_DEF("batch-age-ms", OPT_UINT, OFF(batch_age_ms), "1000", 1, 60000, "MS",
		"longest an event waits for its batch to fill (the unsynced window of a crash)"),
	OPT_DEF("spool-max-mb", OPT_UINT, OFF(spool_max_mb), "256", 1, 1 << 20, "MB",
		"most disk the spool takes; when full the oldest batches are dropped and reported "
		"(agent_gap)"),
	OPT_DEF("container-rate", OPT_UINT, OFF(container_rate), "10000", 0, 10000000, "N",
		"findings per second one container (cgroup) may send on average, enforced in the "
		"kernel so a noisy one cannot crowd out the others; the excess is counted and "
		"reported (agent_gap rate_limited); 0: no limit"),
	OPT_DEF("container-burst", OPT_UINT, OFF(container_burst), "5000", 1, 1000000, "N",
		"findings a container may send at once above --container-rate"),
	OPT_DEF("fold-window", OPT_UINT, OFF(fold_window_s), "1", 0, 3600, "SECONDS",
		"identical findings (same container, executable, rule and target) within this "
		"window are folded in the kernel into one event with count, first_time and "
		"last_time; only distinct findings spend the --container-rate budget; 0: every "
		"finding is sent"),
	OPT_DEF("metrics-addr", OPT_STR_REF, OFF(metrics_addr), NULL, 0, 0, "ADDR:PORT",
		"serve Prometheus /metrics, /healthz and /readyz here (\"127.0.0.1:9101\", "
		"\":9101\"); off by default"),
	OPT_DEF("report-runtime-calls", OPT_FLAG, OFF(report_runtime_calls), NULL, 0, 0, NULL,
		"also report the container runtime's own privileged calls (runc's init mounting "
		"and pivoting a new container, containerd mounting snapshots), dropped by default"),
	OPT_DEF("watch-compat-syscalls", OPT_FLAG, OFF(watch_compat), NULL, 0, 0, NULL,
		"report each process that makes 32-bit syscalls (int $0x80 on x86-64), which no "
		"per-syscall tracepoint sees; costs ~50-80 ns on every syscall of the node (a raw "
		"sys_enter program), so off by default (the start-up log says when the kernel "
		"takes them)"),
	OPT_DEF("kernel-reads", OPT_ENUM, OFF(kernel_reads), "auto", 0, 0, "HOW",
		"how the BPF programs read kernel objects: btf (plain loads through BTF types, "
		"bpf_rdonly_cast, 6.2+), probe (a helper call per read, every kernel), or auto: btf "
		"when the kernel takes it (and probe if it refuses the BTF-load object); the start-up "
		"log says which", .words = kernel_reads_words,
		.expect = "auto, btf or probe"),
	OPT_DEF("log-format", OPT_LOG_FORMAT, OFF(log_format), "text", 0, 0, "FORMAT",
		"text, or json: one {\"time\",\"level\",\"msg\"} object per line"),
	OPT_DEF("check-policy", OPT_STR_REF, OFF(check_policy), NULL, 0, 0, "FILE",
		"check a policy file (with the --storage-path given) and exit: 0 valid, 2 refused "
		"with the reason; needs no privileges and loads nothing"),
	OPT_DEF("help", OPT_FLAG, OFF(help), NULL, 0, 0, NULL, "show this help"),
	OPT_DEF("version", OPT_FLAG, OFF(version), NULL, 0, 0, NULL,
		"print the version, git revision and kernel ABI"),
};

static const struct opt_table table = OPT_TABLE(defs);

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

/* One option of the command line, set at once. The agent's own rule on top of the table's: a
 * string that is itself an option ("--policy --stdout") is a forgotten value, not a file. */
static int set_one(void *o, const struct opt_def *d, const char *v, char *err, size_t errlen)
{
	if (d->type == OPT_STR_REF && v && v[0] == '-' && v[1] == '-') {
		snprintf(err, errlen, "--%s: needs a value, got the option \"%s\"", d->name, v);
		return -EINVAL;
	}
	return opt_set(d, o, v, "--", err, errlen);
}

int options_parse(struct c2d_agent_opts *o, int argc, char **argv, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	int ret;

	memset(o, 0, sizeof(*o));
	ret = opt_defaults(&table, o);
	if (ret < 0) {
		snprintf(err, errlen, "a default does not parse: %s", strerror(-ret));
		return ret;
	}
	ret = opt_argv(&table, argc, argv, set_one, o, err, errlen);
	if (ret < 0)
		return ret;
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
	opt_usage(f, &table, 26);
}

/*
 * The ring buffer, MiB: as asked, else 2 MiB per CPU (more CPUs make more findings at once),
 * a power of two from 4 to 64. Its pages are mapped twice into the agent and count in its
 * resident memory once touched: 4 MiB on a 2-CPU node carried 300 k findings unpaced with no
 * drop at 25 MiB of RSS, where 8 MiB cost 32.5 MiB (docs/performance.md).
 */
uint64_t options_ringbuf_mb(const struct c2d_agent_opts *o, int ncpu)
{
	uint64_t mb = 4;

	if (o->ringbuf_mb)
		return o->ringbuf_mb;
	while (mb < 64 && ncpu > 0 && mb < 2 * (uint64_t)ncpu)
		mb <<= 1;
	return mb;
}

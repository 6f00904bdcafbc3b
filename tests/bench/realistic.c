// SPDX-License-Identifier: BSD-2-Clause
/*
 * realistic.c - a seeded, reproducible load of realistic cardinality for the collector's store
 * (tests/bench/store.sh), and the two ways to put it in:
 *
 *   realistic ndjson SEED FIRST N TOTAL
 *       events FIRST..FIRST+N-1 of a load of TOTAL, as NDJSON on standard output
 *   realistic post URL TOKEN_FILE SEED FIRST N TOTAL BATCH CONNS
 *       the same events, cut into gzip'd NDJSON bodies of BATCH events before the clock starts,
 *       POSTed to URL/v1/events over CONNS keep-alive connections (one thread each; a 503 is
 *       retried after a short pause); every batch must be answered 202 (stored durably).
 *       Prints "events=N seconds=S rate=R"
 *   realistic fill DB SEED FIRST N TOTAL
 *       the same events through the collector's own code: batch_parse() (ingest.c: prescan,
 *       parse, validate, minify) and store_insert_batch() (store_sqlite.c) in batches of 10,000,
 *       so the tables and indexes are exactly what POST /v1/events makes. Prints the same line.
 *   realistic fill-ch URL PASSWORD_FILE SEED FIRST N TOTAL [DB]
 *       the same events into the ClickHouse store (URL clickhouse://HOST:PORT/DATABASE, the
 *       password on the first line of PASSWORD_FILE) through the collector's own code:
 *       batch_parse(), then ch_store_open()/ch_store_insert() (ch_store.c) in batches of 10,000.
 *       With DB, exactly as a collector started with --store URL --db DB ingests (events.c):
 *       each batch goes through store_insert_batch_hook() into the local SQLite store, and
 *       inside its transaction into ClickHouse together with the identity_change events the
 *       local store made of it; without DB those events are not made (ClickHouse alone, but
 *       not the same contents as POST /v1/events makes). Prints the same line.
 *
 * The load (issue 15): 40 namespaces, 1,000 workloads (25 per namespace), 30 commits per
 * workload deployed one after the other over 30 days (2026-11-01 onwards), a catalogue of 400
 * behaviours of which each workload shows 16 (4 from its first commit, the others introduced at
 * a later commit, some absent for a few commits and back: reintroduced), 500 nodes (one agent
 * each), 3 replicas per revision, ~1.2 KB per event. Kinds: 4 % container_start, 2 %
 * secret_exposure (3 secrets per workload, some shared by many), the rest findings spread over
 * credential_read, storage_write, privileged_call, metadata_access. One workload in 20 changes its
 * cloud role at its 15th commit (the collector then makes identity_change events). Event i's
 * time is 30 days * i / TOTAL after the start, so the same SEED and TOTAL give the same events
 * whatever FIRST/N cut them into; every value comes from a hash of (SEED, i, ...).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <zlib.h>

#ifdef REALISTIC_STORE
#include "ingest.h"
#include "store.h"
/* store.sh's BASELINE builds this file against an older revision's collector, which may have
 * no ClickHouse store: fill-ch only where there is one */
#if __has_include("ch_store.h")
#define REALISTIC_CH
#include "ch_store.h"
#endif
#endif

#define NAMESPACES 40
#define WORKLOADS  1000
#define COMMITS	   30
#define BEHAVIOURS 400
#define PER_WL	   16 /* behaviours per workload */
#define NODES	   500
#define REPLICAS   3
#define DAYS	   30
#define T0_S	   1793491200LL /* 2026-11-01T00:00:00Z */
#define EVENT_MAX  4096
#define FILL_BATCH 10000

static uint64_t seed;

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

static uint64_t h3(uint64_t a, uint64_t b, uint64_t c)
{
	return mix(mix(mix(seed ^ a) ^ b) ^ c);
}

static void hex(char *out, int n, uint64_t a, uint64_t b)
{
	static const char d[] = "0123456789abcdef";

	for (int i = 0; i < n; i++) {
		uint64_t v = h3(a, b, (uint64_t)i / 16);

		out[i] = d[(v >> ((i % 16) * 4)) & 15];
	}
	out[n] = 0;
}

static const char *const apps[] = {"checkout", "payments", "cart",  "search", "catalog",
				   "auth",     "gateway",  "orders", "ledger", "mailer",
				   "billing",  "profile",  "media",  "stock",  "pricing",
				   "review",   "shipping", "notify", "report", "export",
				   "import",   "session",  "quota",  "audit",  "tenant"};
static const char *const teams[] = {"shop", "pay", "core", "data", "edge", "ml", "ops", "web"};

struct beh {
	const char *kind, *rule, *severity, *syscall, *exe, *comm;
	char target[160];
	int net;
};

static const char *const exes[][2] = {
	{"/bin/busybox", "cat"},	   {"/usr/bin/python3.11", "python3"},
	{"/usr/local/bin/node", "node"}, {"/usr/bin/java", "java"},
	{"/app/server", "server"},	   {"/usr/bin/curl", "curl"},
	{"/bin/bash", "bash"},		   {"/usr/local/bin/gunicorn", "gunicorn"},
};

/* Behaviour b of the catalogue: kind from b % 4, the rest from tables and b. */
static void behaviour(int b, struct beh *o)
{
	static const char *const cred[] = {"/var/run/secrets/kubernetes.io/serviceaccount/token",
					   "/root/.aws/credentials", "/root/.docker/config.json",
					   "/etc/kubernetes/admin.conf", "/root/.ssh/id_ed25519"};
	static const char *const cred_rules[] = {"k8s-serviceaccount-token", "aws-credentials",
						 "docker-config", "kubeconfig", "ssh-private-key"};
	static const char *const priv[] = {"setuid", "ptrace", "mount", "unshare", "init_module",
					   "bpf", "setns", "capset"};
	static const char *const priv_rules[] = {"setuid-root", "ptrace-attach", "mount",
						 "unshare-user-ns", "kernel-module", "bpf-load",
						 "setns", "capset"};
	int v = b / 4, e = (b * 7) % 8;

	memset(o, 0, sizeof(*o));
	o->exe = exes[e][0];
	o->comm = exes[e][1];
	switch (b % 4) {
	case 0:
		o->kind = "credential_read", o->severity = "high", o->syscall = "openat";
		o->rule = cred_rules[v % 5];
		/* the same few files, read by many executables; then app key files */
		snprintf(o->target, sizeof(o->target), "%s", cred[v % 5]);
		if (v >= 25)
			snprintf(o->target, sizeof(o->target), "/etc/app/secrets/key-%d.pem", v);
		break;
	case 1:
		o->kind = "storage_write", o->severity = "medium", o->syscall = "openat";
		o->rule = "production-storage-write";
		snprintf(o->target, sizeof(o->target), "/var/lib/postgresql/data/base/%d/%d", 16384 + v % 7,
			 2600 + v);
		break;
	case 2:
		o->kind = "privileged_call", o->severity = "critical";
		o->rule = priv_rules[v % 8], o->syscall = priv[v % 8];
		snprintf(o->target, sizeof(o->target), "%s", priv[v % 8]);
		o->exe = v % 2 ? "/usr/bin/sudo" : o->exe;
		break;
	default:
		o->kind = "metadata_access", o->severity = "high", o->syscall = "connect";
		o->rule = v % 2 ? "cloud-metadata" : "cloud-metadata-v6";
		snprintf(o->target, sizeof(o->target), v % 2 ? "169.254.169.254" : "fd00:ec2::254");
		o->net = 1;
		break;
	}
}

/* The j-th behaviour of workload w, and the commit it starts at (0: from the first); j % 5 == 4
 * ones are absent for three commits after the one they came with, then back. */
static int wl_behaviour(int w, int j, int *intro)
{
	*intro = j < 4 ? 0 : (int)(h3(w, j, 'i') % COMMITS);
	return (int)(h3(w, j, 'b') % BEHAVIOURS);
}

static int wl_shows(int w, int j, int c)
{
	int intro, b = wl_behaviour(w, j, &intro);

	(void)b;
	if (c < intro)
		return 0;
	return !(j % 5 == 4 && c > intro && c <= intro + 3 && intro + 4 < COMMITS);
}

struct ctx {
	int w, c, rep, node;
	char ns[16], name[48], commit[41], digest[72], deploy[41], pod[80], cid[65];
	char agent[17];
	int64_t t;
};

static void context(uint64_t i, uint64_t total, struct ctx *x)
{
	int64_t span = (int64_t)DAYS * 86400 * 1000000000LL;
	double phase;
	char h[16];

	x->t = T0_S * 1000000000LL + (int64_t)((double)span * (double)i / (double)total) +
	       (int64_t)(h3(i, 't', 0) % 1000);
	x->w = (int)(h3(i, 'w', 0) % WORKLOADS);
	phase = (double)i / (double)total * COMMITS + (double)(h3(x->w, 'o', 0) % 1000) / 1000.0;
	x->c = phase >= COMMITS ? COMMITS - 1 : (int)phase;
	x->rep = (int)(h3(i, 'r', 0) % REPLICAS);
	x->node = (int)(h3(x->w, x->c, x->rep) % NODES);
	snprintf(x->ns, sizeof(x->ns), "%s-%d", teams[x->w % NAMESPACES % 8], x->w % NAMESPACES);
	snprintf(x->name, sizeof(x->name), "%s-%d", apps[(x->w / NAMESPACES) % 25], x->w / NAMESPACES);
	hex(x->commit, 40, x->w, 1000 + (uint64_t)x->c);
	memcpy(x->digest, "sha256:", 7);
	hex(x->digest + 7, 64, x->w, 2000 + (uint64_t)x->c);
	hex(x->deploy, 40, x->w, 3000 + (uint64_t)x->c / 3);
	hex(h, 10, x->w, 4000 + (uint64_t)x->c);
	snprintf(x->pod, sizeof(x->pod), "%s-%.10s-%05x", x->name, h,
		 (unsigned)(h3(x->w, x->c, x->rep) & 0xfffff));
	hex(x->cid, 64, x->w, 6000 + (uint64_t)x->c * 8 + (uint64_t)x->rep);
	hex(x->agent, 16, 'a', (uint64_t)x->node);
}

static void time_str(int64_t ns, char *out, size_t len)
{
	time_t s = (time_t)(ns / 1000000000);
	struct tm tm;

	gmtime_r(&s, &tm);
	snprintf(out, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ns % 1000000000));
}

/* k8s (with the identity the pod runs with) and provenance: shared by every kind. */
static int tail(char *o, size_t len, const struct ctx *x)
{
	int role = x->w % 20 == 7 && x->c >= 15; /* this one's role changed at its 15th commit */

	return snprintf(
	    o, len,
	    "\"container\":{\"id\":\"%s\",\"name\":\"%s\","
	    "\"image\":{\"name\":\"registry.example/%s/%s:1.%d.0\",\"digest\":\"%s\"}},"
	    "\"k8s\":{\"namespace\":\"%s\",\"pod\":\"%s\",\"container\":\"%s\","
	    "\"node\":\"node-%03d\",\"service_account\":\"%s\","
	    "\"workload\":{\"kind\":\"Deployment\",\"name\":\"%s\"},"
	    "\"identity\":{\"service_account\":\"%s\",\"cloud\":[{\"provider\":\"aws\","
	    "\"key\":\"eks.amazonaws.com/role-arn\",\"value\":\"arn:aws:iam::111122223333:role/%s-%s\"}]"
	    "}},"
	    "\"provenance\":{\"commit\":\"%s\",\"repository\":\"https://github.com/acme-%s/%s\","
	    "\"version\":\"1.%d.0\",\"pipeline_id\":\"%d\","
	    "\"pipeline_url\":\"https://ci.example/acme-%s/%s/-/pipelines/%d\","
	    "\"deploy_commit\":\"%s\"}}",
	    x->cid, x->name, x->ns, x->name, x->c, x->digest, x->ns, x->pod, x->name,
	    x->node, x->name, x->name, x->name, x->name, role ? "admin" : "ro", x->commit, x->ns,
	    x->name, x->c, 100000 + x->w * COMMITS + x->c, x->ns, x->name,
	    100000 + x->w * COMMITS + x->c, x->deploy);
}

static int finding(char *o, size_t len, const struct ctx *x, uint64_t i)
{
	struct beh b;
	int j = (int)(h3(i, 'j', 0) % PER_WL), intro, n, pid = 100 + (int)(h3(i, 'p', 0) % 30000);

	if (!wl_shows(x->w, j, x->c))
		j = (int)(h3(i, 'k', 0) % 4);
	behaviour(wl_behaviour(x->w, j, &intro), &b);
	n = snprintf(o, len,
		     "\"kind\":\"%s\",\"rule\":\"%s\",\"severity\":\"%s\",\"outcome\":\"success\","
		     "\"node\":{\"name\":\"node-%03d\"},\"process\":{\"pid\":%d,\"ppid\":%d,\"uid\":0,"
		     "\"euid\":0,\"comm\":\"%s\",\"executable\":\"%s\",\"args\":[\"%s\","
		     "\"/etc/%s/config.yaml\"]},",
		     b.kind, b.rule, b.severity, x->node, pid, pid - 1, b.comm, b.exe, b.comm, x->name);
	if (b.net)
		n += snprintf(o + n, len - (size_t)n,
			      "\"syscall\":{\"name\":\"connect\",\"ret\":0},\"network\":{\"family\":"
			      "\"%s\",\"address\":\"%s\",\"port\":80},",
			      strchr(b.target, ':') ? "ipv6" : "ipv4", b.target);
	else if (!strcmp(b.kind, "privileged_call"))
		n += snprintf(o + n, len - (size_t)n, "\"syscall\":{\"name\":\"%s\",\"ret\":0},",
			      b.syscall);
	else
		n += snprintf(o + n, len - (size_t)n,
			      "\"syscall\":{\"name\":\"openat\",\"ret\":3,\"flags\":[\"O_RDONLY\","
			      "\"O_CLOEXEC\"]},\"file\":{\"path\":\"%s\",\"inode\":%d,\"dev\":\"0:57\"},",
			      b.target, 1000 + (int)(h3(x->w, intro, 'n') % 900000));
	return n;
}

static int exposure(char *o, size_t len, const struct ctx *x, uint64_t i)
{
	static const char *const names[][2] = {{"STRIPE_KEY", "stripe-secret-key"},
					       {"AWS_SECRET_ACCESS_KEY", "aws-secret-access-key"},
					       {"GITHUB_TOKEN", "github-token"}};
	int k = (int)(h3(i, 's', 0) % 3);
	uint64_t shared = x->w % 10 == 3 ? 77 : (uint64_t)x->w; /* one in ten share a few secrets */
	char fp[33];

	hex(fp, 32, shared, 7000 + (uint64_t)k);
	return snprintf(o, len,
			"\"kind\":\"secret_exposure\",\"rule\":\"secret-exposure\",\"severity\":"
			"\"high\",\"node\":{\"name\":\"node-%03d\"},\"exposure\":{\"source\":\"env\","
			"\"name\":\"%s\",\"detector\":\"%s\",\"fingerprint\":\"hmac-sha256:%s\","
			"\"origin\":\"%s\"},",
			x->node, names[k][0], names[k][1], fp, k == 1 ? "k8s-secret" : "image");
}

/* Event i of a load of `total` into o (NUL-terminated, no newline); its length. */
static int event(char *o, size_t len, uint64_t i, uint64_t total)
{
	struct ctx x;
	char t[96];
	int n, r = (int)(h3(i, 'K', 0) % 100);

	context(i, total, &x);
	time_str(x.t, t, sizeof(t));
	n = snprintf(o, len, "{\"schema\":\"cloud2dev.event/v1\",\"id\":\"%s-%016" PRIx64
		     "\",\"time\":\"%s\",", x.agent, i, t);
	if (r < 4)
		n += snprintf(o + n, len - (size_t)n,
			      "\"kind\":\"container_start\",\"severity\":\"info\",\"node\":{\"name\":"
			      "\"node-%03d\"},",
			      x.node);
	else if (r < 6)
		n += exposure(o + n, len - (size_t)n, &x, i);
	else
		n += finding(o + n, len - (size_t)n, &x, i);
	n += tail(o + n, len - (size_t)n, &x);
	return n < (int)len ? n : -ENOSPC;
}

/* Events first..first+n-1 as NDJSON into a growing buffer. */
static char *ndjson(uint64_t first, uint64_t n, uint64_t total, size_t *len)
{
	char *buf = malloc(n * EVENT_MAX), *p = buf;

	if (!buf)
		return NULL;
	for (uint64_t i = first; i < first + n; i++) {
		int k = event(p, EVENT_MAX - 1, i, total);

		if (k < 0) {
			free(buf);
			return NULL;
		}
		p[k] = '\n';
		p += k + 1;
	}
	*len = (size_t)(p - buf);
	return buf;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- post ------------------------------------------------------------------------------- */

struct body {
	unsigned char *data;
	size_t len;
};

struct poster {
	const char *url;
	struct curl_slist *hdrs;
	struct body *bodies;
	size_t nbodies, next;
	pthread_mutex_t lock;
	int failed;
};

static int gzip_body(const char *in, size_t len, struct body *out)
{
	z_stream z = {0};
	int rc;

	out->data = malloc(compressBound(len) + 64);
	if (!out->data || deflateInit2(&z, 1, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	z.next_in = (unsigned char *)in;
	z.avail_in = (unsigned)len;
	z.next_out = out->data;
	z.avail_out = (unsigned)(compressBound(len) + 64);
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -EIO;
}

static size_t sink(char *p, size_t sz, size_t n, void *u)
{
	(void)p, (void)u;
	return sz * n;
}

static void *post_thread(void *arg)
{
	struct poster *p = arg;
	CURL *c = curl_easy_init();
	long code = 0;

	if (!c || curl_easy_setopt(c, CURLOPT_URL, p->url) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_HTTPHEADER, p->hdrs) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L) != CURLE_OK) {
		p->failed = 1;
		return NULL;
	}
	for (;;) {
		size_t k;

		pthread_mutex_lock(&p->lock);
		k = p->next < p->nbodies && !p->failed ? p->next++ : SIZE_MAX;
		pthread_mutex_unlock(&p->lock);
		if (k == SIZE_MAX)
			break;
		for (int tries = 0; tries < 600; tries++) {
			curl_easy_setopt(c, CURLOPT_POSTFIELDS, p->bodies[k].data);
			curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)p->bodies[k].len);
			if (curl_easy_perform(c) != CURLE_OK)
				code = 0;
			else
				curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
			if (code != 503)
				break;
			usleep(100000);
		}
		if (code != 202) {
			fprintf(stderr, "realistic: batch %zu: HTTP %ld\n", k, code);
			p->failed = 1;
		}
	}
	curl_easy_cleanup(c);
	return NULL;
}

static int post(char **argv)
{
	uint64_t first = strtoull(argv[5], NULL, 0), n = strtoull(argv[6], NULL, 0);
	uint64_t total = strtoull(argv[7], NULL, 0), batch = strtoull(argv[8], NULL, 0);
	int conns = atoi(argv[9]);
	struct poster p = {.lock = PTHREAD_MUTEX_INITIALIZER};
	char url[512], tok[256], auth[300];
	pthread_t th[16];
	FILE *f = fopen(argv[3], "r");
	double t0;

	if (!f || !fgets(tok, sizeof(tok), f) || !batch || conns < 1 || conns > 16)
		return fprintf(stderr, "realistic: bad arguments or token file\n"), 2;
	fclose(f);
	tok[strcspn(tok, "\r\n")] = 0;
	snprintf(url, sizeof(url), "%s/v1/events", argv[2]);
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", tok);
	p.url = url;
	p.hdrs = curl_slist_append(NULL, auth);
	p.hdrs = curl_slist_append(p.hdrs, "Content-Type: application/x-ndjson");
	p.hdrs = curl_slist_append(p.hdrs, "Content-Encoding: gzip");
	p.hdrs = curl_slist_append(p.hdrs, "Expect:");
	p.nbodies = (size_t)((n + batch - 1) / batch);
	p.bodies = calloc(p.nbodies, sizeof(*p.bodies));
	for (size_t k = 0; p.bodies && k < p.nbodies; k++) {
		uint64_t a = first + k * batch, m = a + batch > first + n ? first + n - a : batch;
		size_t len;
		char *text = ndjson(a, m, total, &len);

		if (!text || gzip_body(text, len, &p.bodies[k]) < 0)
			return fprintf(stderr, "realistic: out of memory\n"), 1;
		free(text);
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	t0 = now_s();
	for (int k = 0; k < conns; k++)
		pthread_create(&th[k], NULL, post_thread, &p);
	for (int k = 0; k < conns; k++)
		pthread_join(th[k], NULL);
	t0 = now_s() - t0;
	printf("events=%" PRIu64 " seconds=%.3f rate=%.0f\n", n, t0, (double)n / t0);
	for (size_t k = 0; k < p.nbodies; k++)
		free(p.bodies[k].data);
	free(p.bodies);
	curl_slist_free_all(p.hdrs);
	return p.failed;
}

/* ---- fill ------------------------------------------------------------------------------- */

#ifdef REALISTIC_STORE
/* Events [first, first + n) of total in batches of FILL_BATCH: batch_parse(), then into the
 * SQLite store s (its commit hook, when given, inside each transaction), else straight into
 * ClickHouse (ch_insert). *cur is the batch in hand, for the hook. Prints the events=/
 * seconds=/rate= line. */
static int fill_batches(struct store *s, store_commit_hook hook, void *ctx, struct batch **cur,
			int (*ch_insert)(void *ctx, struct batch *b), uint64_t first, uint64_t n,
			uint64_t total)
{
	struct ingest_limits lim = {FILL_BATCH, {32, 4096, 32768}};
	uint64_t stored = 0;
	double t0 = now_s();
	char err[256];

	for (uint64_t a = first; a < first + n; a += FILL_BATCH) {
		uint64_t m = a + FILL_BATCH > first + n ? first + n - a : FILL_BATCH;
		struct batch b;
		size_t len, acc = 0, dups;
		char *text = ndjson(a, m, total, &len);
		int ret;

		if (!text || batch_parse(&b, text, len, &lim, err, sizeof(err)) < 0)
			return fprintf(stderr, "realistic: event %" PRIu64 "..: %s\n", a,
				       text ? err : "out of memory"), 1;
		*cur = &b;
		if (s)
			ret = store_insert_batch_hook(s, b.events, b.bodies, b.n, T0_S * 1000000000LL,
						      &acc, &dups, hook, ctx);
		else if ((ret = ch_insert(ctx, &b)) == 0)
			acc = b.n;
		batch_free(&b);
		free(text);
		if (ret < 0)
			return fprintf(stderr, "realistic: store: %s\n", strerror(-ret)), 1;
		stored += acc;
	}
	t0 = now_s() - t0;
	printf("events=%" PRIu64 " seconds=%.3f rate=%.0f\n", stored, t0, (double)stored / t0);
	return 0;
}

static int fill(char **argv)
{
	struct store *s;
	struct batch *b;
	char err[256];
	int ret;

	if (store_open(argv[2], &s, err, sizeof(err)) < 0)
		return fprintf(stderr, "realistic: %s\n", err), 1;
	ret = fill_batches(s, NULL, NULL, &b, NULL, strtoull(argv[4], NULL, 0),
			   strtoull(argv[5], NULL, 0), strtoull(argv[6], NULL, 0));
	store_free(s);
	return ret;
}
#endif

#ifdef REALISTIC_CH
struct ch_fill {
	struct batch *b; /* the batch in hand (fill_batches) */
	struct ch_store *chs;
};

/* As events.c's commit hook: the batch and the identity_change events the local store made of
 * it in one ClickHouse INSERT, inside the SQLite transaction. */
static int ch_fill_hook(void *ctx, cJSON *const *made, char *const *made_bodies, size_t nmade)
{
	const struct ch_fill *h = ctx;
	const struct ch_rows sets[2] = {{h->b->events, h->b->bodies, h->b->n},
					{made, made_bodies, nmade}};

	return ch_store_insert_sets(h->chs, sets, 2, T0_S * 1000000000LL);
}

static int ch_fill_only(void *ctx, struct batch *b)
{
	const struct ch_fill *h = ctx;

	return ch_store_insert(h->chs, b->events, b->bodies, b->n, T0_S * 1000000000LL);
}

static int fill_ch(int argc, char **argv)
{
	struct ch_options o = {.url = argv[2], .password_file = argv[3]};
	struct ch_fill h = {0};
	struct store *s = NULL;
	char err[512];
	int ret;

	if (ch_store_open(&o, &h.chs, err, sizeof(err)) < 0)
		return fprintf(stderr, "realistic: clickhouse: %s\n", err), 1;
	if (argc == 9 && store_open(argv[8], &s, err, sizeof(err)) < 0)
		return fprintf(stderr, "realistic: %s\n", err), 1;
	ret = fill_batches(s, ch_fill_hook, &h, &h.b, ch_fill_only, strtoull(argv[5], NULL, 0),
			   strtoull(argv[6], NULL, 0), strtoull(argv[7], NULL, 0));
	store_free(s);
	ch_store_free(h.chs);
	return ret;
}
#endif

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "ndjson")) {
		uint64_t first = strtoull(argv[3], NULL, 0), n = strtoull(argv[4], NULL, 0);
		uint64_t total = strtoull(argv[5], NULL, 0);
		static char buf[EVENT_MAX];

		seed = strtoull(argv[2], NULL, 0);
		for (uint64_t i = first; i < first + n; i++) {
			int k = event(buf, sizeof(buf), i, total);

			if (k < 0)
				return 1;
			buf[k] = '\n';
			fwrite(buf, 1, (size_t)k + 1, stdout);
		}
		return 0;
	}
	if (argc == 10 && !strcmp(argv[1], "post")) {
		seed = strtoull(argv[4], NULL, 0);
		return post(argv);
	}
#ifdef REALISTIC_STORE
	if (argc == 7 && !strcmp(argv[1], "fill")) {
		seed = strtoull(argv[3], NULL, 0);
		return fill(argv);
	}
#endif
#ifdef REALISTIC_CH
	if ((argc == 8 || argc == 9) && !strcmp(argv[1], "fill-ch")) {
		seed = strtoull(argv[4], NULL, 0);
		return fill_ch(argc, argv);
	}
#endif
	fprintf(stderr, "usage: realistic ndjson SEED FIRST N TOTAL\n"
			"       realistic post URL TOKEN_FILE SEED FIRST N TOTAL BATCH CONNS\n"
			"       realistic fill DB SEED FIRST N TOTAL\n"
			"       realistic fill-ch URL PASSWORD_FILE SEED FIRST N TOTAL [DB]\n");
	return 2;
}

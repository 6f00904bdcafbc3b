// SPDX-License-Identifier: BSD-2-Clause
/*
 * policy.c - rule table, pattern checking, encoding into the kernel's LPM keys, the policy
 * file, and a reference matcher with the kernel's semantics (lib/policy.bpf.h).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"
#include "syscalls.h"

#define MAX_COMPS 3 /* components a suffix or directory rule may name (kernel key: 3) */

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static const char *const kind_names[C2D_RULE_KINDS] = {
	[C2D_KIND_NONE] = "none",
	[C2D_KIND_CREDENTIAL_READ] = "credential_read",
	[C2D_KIND_PRIVILEGED_CALL] = "privileged_call",
	[C2D_KIND_STORAGE_WRITE] = "storage_write",
	[C2D_KIND_METADATA_ACCESS] = "metadata_access",
	[C2D_KIND_CONTAINER_MOUNT] = "container_mount",
	[C2D_KIND_SECRET_EXPOSURE] = "secret_exposure",
};

const char *policy_kind_name(enum c2d_kind k)
{
	return (unsigned)k < C2D_RULE_KINDS ? kind_names[k] : "none";
}

int policy_kind_parse(const char *s, enum c2d_kind *out)
{
	for (int i = 1; i < C2D_KIND_MAX; i++) {
		if (strcmp(s, kind_names[i]) == 0) {
			*out = (enum c2d_kind)i;
			return 0;
		}
	}
	return -EINVAL;
}

bool policy_severity_valid(const char *s)
{
	return !strcmp(s, "low") || !strcmp(s, "medium") || !strcmp(s, "high") ||
	       !strcmp(s, "critical");
}

bool policy_name_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= C2D_RULE_NAME_MAX || s[0] == '-' || s[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!(islower((unsigned char)s[i]) || isdigit((unsigned char)s[i]) || s[i] == '-'))
			return false;
	return true;
}

int policy_find(const struct c2d_policy *p, const char *name, size_t from)
{
	for (size_t i = from; i < p->n; i++)
		if (strcmp(p->rules[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* Split "/a/b/c" (after the leading '/') into components; checks each. */
static int split(const char *s, char comps[][C2D_PATTERN_MAX + 1], int max, char *err, size_t errlen)
{
	int n = 0;

	while (*s) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);

		if (len == 0)
			return fail(err, errlen, "empty path component (\"//\")");
		if ((len == 1 && s[0] == '.') || (len == 2 && s[0] == '.' && s[1] == '.'))
			return fail(err, errlen, "\".\" and \"..\" components are not allowed");
		if (n >= max)
			return fail(err, errlen, "too many components (at most %d)", max);
		memcpy(comps[n], s, len);
		comps[n][len] = 0;
		n++;
		s += len;
		if (*s == '/')
			s++;
	}
	return n;
}

enum c2d_match policy_classify(const char *pat, char *err, size_t errlen)
{
	char comps[8][C2D_PATTERN_MAX + 1];
	size_t len = strlen(pat);
	int n;

	if (len == 0 || len > C2D_LPM_MAX - 2) {
		fail(err, errlen, "pattern must be 1 to %d bytes", C2D_LPM_MAX - 2);
		return C2D_MATCH_NONE;
	}
	if (pat[0] == '/') {
		char all[64][C2D_PATTERN_MAX + 1];

		if (strchr(pat, '*')) {
			fail(err, errlen, "'*' is only allowed as a leading \"*/\" or at the end");
			return C2D_MATCH_NONE;
		}
		if (len > 1 && split(pat + 1, all, 64, err, errlen) < 0)
			return C2D_MATCH_NONE;
		return pat[len - 1] == '/' ? C2D_MATCH_PREFIX : C2D_MATCH_EXACT;
	}
	if (pat[0] != '*' || pat[1] != '/') {
		fail(err, errlen, "pattern must start with \"/\" (absolute) or \"*/\" (suffix)");
		return C2D_MATCH_NONE;
	}
	n = split(pat + 2, comps, 8, err, errlen);
	if (n <= 0) {
		if (n == 0)
			fail(err, errlen, "a suffix pattern needs at least one component");
		return C2D_MATCH_NONE;
	}
	for (int i = 0; i < n; i++) {
		char *star = strchr(comps[i], '*');

		if (strlen(comps[i]) >= C2D_COMP_MAX) {
			fail(err, errlen, "component \"%s\" is longer than %d bytes", comps[i],
			     C2D_COMP_MAX - 1);
			return C2D_MATCH_NONE;
		}
		if (star && (i != n - 1 || star[1] != 0 || pat[len - 1] == '/')) {
			fail(err, errlen, "'*' is only allowed at the end of the last component");
			return C2D_MATCH_NONE;
		}
	}
	if (pat[len - 1] == '/' || strchr(comps[n - 1], '*')) {
		int dirs = pat[len - 1] == '/' ? n : n - 1;

		if (dirs < 1 || dirs > MAX_COMPS) {
			fail(err, errlen, "a directory pattern names 1 to %d directories", MAX_COMPS);
			return C2D_MATCH_NONE;
		}
		if (pat[len - 1] != '/' && strlen(comps[n - 1]) - 1 >= C2D_LEAF_GLOB_MAX) {
			fail(err, errlen, "a name prefix before '*' is at most %d bytes",
			     C2D_LEAF_GLOB_MAX - 1);
			return C2D_MATCH_NONE;
		}
		return C2D_MATCH_DIR;
	}
	if (n > MAX_COMPS) {
		fail(err, errlen, "a suffix pattern names at most %d components", MAX_COMPS);
		return C2D_MATCH_NONE;
	}
	return C2D_MATCH_SUFFIX;
}

static struct c2d_rule *new_rule(struct c2d_policy *p, const char *name, enum c2d_kind kind,
				 const char *severity, char *err, size_t errlen)
{
	struct c2d_rule *r;

	if (!policy_name_valid(name)) {
		fail(err, errlen, "rule name \"%s\" must be kebab-case [a-z0-9-], under %d bytes",
		     name, C2D_RULE_NAME_MAX);
		return NULL;
	}
	if (!policy_severity_valid(severity)) {
		fail(err, errlen, "severity \"%s\" is not one of low, medium, high, critical",
		     severity);
		return NULL;
	}
	if (p->n >= C2D_MAX_RULES) {
		fail(err, errlen, "too many rules (at most %d)", C2D_MAX_RULES);
		return NULL;
	}
	r = &p->rules[p->n];
	memset(r, 0, sizeof(*r));
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->severity, sizeof(r->severity), "%s", severity);
	r->kind = kind;
	r->enabled = true;
	return r;
}

int policy_add_path_rule(struct c2d_policy *p, const char *name, enum c2d_kind kind,
			 const char *pattern, const char *severity, char *err, size_t errlen)
{
	enum c2d_match m = policy_classify(pattern, err, errlen);
	struct c2d_rule *r;

	if (m == C2D_MATCH_NONE)
		return -EINVAL;
	if (kind == C2D_KIND_STORAGE_WRITE && m != C2D_MATCH_PREFIX && m != C2D_MATCH_EXACT)
		return fail(err, errlen, "storage paths are absolute (\"/srv/data/\" or a file)");
	if (kind != C2D_KIND_STORAGE_WRITE && kind != C2D_KIND_CREDENTIAL_READ)
		return fail(err, errlen, "a path rule is credential_read or storage_write");
	r = new_rule(p, name, kind, severity, err, errlen);
	if (!r)
		return -EINVAL;
	snprintf(r->pattern, sizeof(r->pattern), "%s", pattern);
	r->match = m;
	p->n++;
	return 0;
}

int policy_add_storage_path(struct c2d_policy *p, const char *prefix, char *err, size_t errlen)
{
	char pat[C2D_PATTERN_MAX + 2];
	size_t n = strlen(prefix);

	if (n == 0 || n >= C2D_PATTERN_MAX || prefix[0] != '/')
		return fail(err, errlen, "storage path \"%s\" must be an absolute directory", prefix);
	/* a directory: everything below it */
	snprintf(pat, sizeof(pat), "%s%s", prefix, prefix[n - 1] == '/' ? "" : "/");
	return policy_add_path_rule(p, "production-storage", C2D_KIND_STORAGE_WRITE, pat, "high",
				    err, errlen);
}

int policy_parse_addr(const char *s, struct c2d_addr_key *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, s, out->addr) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, s, out->addr) == 1) {
		static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

		if (memcmp(out->addr, v4mapped, 12) == 0) { /* the kernel side folds these to v4 */
			memmove(out->addr, out->addr + 12, 4);
			memset(out->addr + 4, 0, 12);
			out->family = AF_INET;
			return 0;
		}
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int policy_add_metadata_addr(struct c2d_policy *p, const char *name, const char *addr,
			     const char *severity, char *err, size_t errlen)
{
	struct c2d_addr_key k;
	struct c2d_rule *r;
	size_t nmeta = 0;

	for (size_t i = 0; i < p->n; i++)
		nmeta += p->rules[i].kind == C2D_KIND_METADATA_ACCESS;
	if (nmeta >= C2D_MAX_META)
		return fail(err, errlen, "too many metadata addresses (at most %d)", C2D_MAX_META);
	if (policy_parse_addr(addr, &k) < 0)
		return fail(err, errlen, "\"%s\" is not an IPv4 or IPv6 address", addr);
	r = new_rule(p, name, C2D_KIND_METADATA_ACCESS, severity, err, errlen);
	if (!r)
		return -EINVAL;
	r->addr = k;
	snprintf(r->pattern, sizeof(r->pattern), "%s", addr);
	p->n++;
	return 0;
}

/* Components of a path, last first: comps[i] points into buf. */
static int rsplit(const char *path, char *buf, size_t buflen, const char **comps, int max)
{
	int n = 0;
	char *s;

	snprintf(buf, buflen, "%s", path);
	for (s = buf + strlen(buf); s > buf && n < max;) {
		char *slash;

		while (s > buf && s[-1] == '/')
			*--s = 0;
		if (s == buf)
			break;
		*s = 0;
		slash = memrchr(buf, '/', (size_t)(s - buf));
		comps[n++] = slash ? slash + 1 : buf;
		s = slash ? slash : buf;
	}
	return n;
}

int policy_encode_path(const struct c2d_rule *r, uint32_t rule_id, struct c2d_lpm_key *key,
		       struct c2d_rule_val *val)
{
	char buf[C2D_PATTERN_MAX + 1];
	const char *comps[MAX_COMPS + 1];
	size_t len = strlen(r->pattern), pos = 0;
	int n, first = 0;

	memset(key, 0, sizeof(*key));
	memset(val, 0, sizeof(*val));
	val->rule_id = (uint16_t)rule_id;
	val->kind = (uint8_t)r->kind;
	switch (r->match) {
	case C2D_MATCH_EXACT: /* the NUL is part of the key: no longer path can match */
		memcpy(key->data, r->pattern, len + 1);
		key->prefixlen = (uint32_t)(len + 1) * 8;
		return 0;
	case C2D_MATCH_PREFIX:
		memcpy(key->data, r->pattern, len);
		key->prefixlen = (uint32_t)len * 8;
		return 0;
	case C2D_MATCH_SUFFIX:
	case C2D_MATCH_DIR:
		n = rsplit(r->pattern + 1, buf, sizeof(buf), comps, MAX_COMPS + 1);
		if (r->match == C2D_MATCH_DIR && r->pattern[len - 1] != '/') {
			size_t gl = strlen(comps[0]) - 1; /* leaf prefix without its '*' */

			memcpy(val->leaf_glob, comps[0], gl);
			val->leaf_glob_len = (uint8_t)gl;
			first = 1;
		}
		for (int i = first; i < n; i++) {
			size_t cl = strlen(comps[i]);

			memcpy(key->data + pos, comps[i], cl);
			pos += cl;
			key->data[pos++] = '/';
		}
		key->prefixlen = (uint32_t)pos * 8;
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * The kernel's directory trie holds one value per directory key: two rules naming the same
 * directories (`* /.ssh/id_*` and `* /.ssh/known_host*`, spaces added) would keep only the
 * later, and every file the earlier one watches would silently stop matching in the kernel
 * while this file's reference matcher still found it (tests/bpf showed it). Such a policy is
 * refused instead: one directory rule per directory (disable or change the other one).
 */
int policy_check_dir_rules(const struct c2d_policy *p, char *err, size_t errlen)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct c2d_rule *a = &p->rules[i];
		struct c2d_lpm_key ka, kb;
		struct c2d_rule_val v;

		if (!a->enabled || a->kind != C2D_KIND_CREDENTIAL_READ || a->match != C2D_MATCH_DIR ||
		    policy_encode_path(a, 0, &ka, &v) < 0)
			continue;
		for (size_t j = i + 1; j < p->n; j++) {
			const struct c2d_rule *b = &p->rules[j];

			if (!b->enabled || b->kind != a->kind || b->match != C2D_MATCH_DIR ||
			    !strcmp(a->pattern, b->pattern) || policy_encode_path(b, 0, &kb, &v) < 0)
				continue;
			if (ka.prefixlen == kb.prefixlen &&
			    !memcmp(ka.data, kb.data, ka.prefixlen / 8))
				return fail(err, errlen,
					    "rules %s (%s) and %s (%s) watch the same directory: "
					    "one directory rule per directory",
					    a->name, a->pattern, b->name, b->pattern);
		}
	}
	return 0;
}

static bool comps_equal(const char **pc, int pn, const char **rc, int rn)
{
	if (pn < rn)
		return false;
	for (int i = 0; i < rn; i++)
		if (strcmp(pc[i], rc[i]) != 0 || strlen(pc[i]) >= C2D_COMP_MAX)
			return false;
	return true;
}

/* Score of rule r on a path (longer = more specific, as the LPM trie picks), or -1. */
static int rule_score(const struct c2d_rule *r, const char *path, const char **pc, int pn)
{
	char buf[C2D_PATTERN_MAX + 1];
	const char *rc[MAX_COMPS + 1];
	size_t len = strlen(r->pattern);
	int rn;

	switch (r->match) {
	case C2D_MATCH_EXACT:
		return strlen(path) < C2D_LPM_MAX - 1 && strcmp(path, r->pattern) == 0 ? (int)len + 1
										       : -1;
	case C2D_MATCH_PREFIX:
		return strncmp(path, r->pattern, len) == 0 ? (int)len : -1;
	case C2D_MATCH_SUFFIX:
		rn = rsplit(r->pattern + 1, buf, sizeof(buf), rc, MAX_COMPS + 1);
		return comps_equal(pc, pn, rc, rn) ? (int)len : -1;
	case C2D_MATCH_DIR: {
		bool glob = r->pattern[len - 1] != '/';

		rn = rsplit(r->pattern + 1, buf, sizeof(buf), rc, MAX_COMPS + 1);
		if (pn < 2)
			return -1;
		if (glob) {
			size_t gl = strlen(rc[0]) - 1;

			if (strncmp(pc[0], rc[0], gl) != 0)
				return -1;
			return comps_equal(pc + 1, pn - 1, rc + 1, rn - 1) ? (int)len : -1;
		}
		return comps_equal(pc + 1, pn - 1, rc, rn) ? (int)len : -1;
	}
	default:
		return -1;
	}
}

/* The kernel looks in order: prefix trie (exact, prefix), suffix trie, directory trie; within
 * one trie the longest entry wins. */
int policy_match_path(const struct c2d_policy *p, const char *path, unsigned kinds)
{
	static const enum c2d_match order[][2] = {
		{C2D_MATCH_EXACT, C2D_MATCH_PREFIX},
		{C2D_MATCH_SUFFIX, C2D_MATCH_SUFFIX},
		{C2D_MATCH_DIR, C2D_MATCH_DIR},
	};
	char buf[C2D_PATH_MAX];
	const char *pc[4];
	int pn = rsplit(path, buf, sizeof(buf), pc, 4);

	for (size_t k = 1; k < C2D_KIND_MAX; k++) {
		if (!(kinds & (1u << k)))
			continue;
		for (size_t o = 0; o < sizeof(order) / sizeof(order[0]); o++) {
			int best = -1, best_score = -1;

			for (size_t i = 0; i < p->n; i++) {
				const struct c2d_rule *r = &p->rules[i];
				int sc;

				if (!r->enabled || r->kind != (enum c2d_kind)k ||
				    (r->match != order[o][0] && r->match != order[o][1]))
					continue;
				sc = rule_score(r, path, pc, pn);
				if (sc >= 0 && sc >= best_score) { /* equal: the later rule, as
								   * the kernel's overwrite */
					best_score = sc;
					best = (int)i;
				}
			}
			if (best >= 0)
				return best;
		}
	}
	return -1;
}

int policy_normalize_path(char *path)
{
	size_t out = 0, n = strlen(path);
	const char *s = path;
	char *res;

	if (path[0] != '/')
		return -EINVAL;
	res = malloc(n + 2);
	if (!res)
		return -ENOMEM;
	while (*s) {
		const char *e;
		size_t len;

		while (*s == '/')
			s++;
		if (!*s)
			break;
		e = strchr(s, '/');
		len = e ? (size_t)(e - s) : strlen(s);
		if (len == 1 && s[0] == '.') {
			/* nothing */
		} else if (len == 2 && s[0] == '.' && s[1] == '.') {
			while (out > 0 && res[out - 1] != '/')
				out--;
			if (out > 0)
				out--; /* the '/' before the dropped component */
		} else {
			res[out++] = '/';
			memcpy(res + out, s, len);
			out += len;
		}
		s += len;
	}
	if (out == 0)
		res[out++] = '/';
	res[out] = 0;
	memcpy(path, res, out + 1);
	free(res);
	return 0;
}

/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h - what is watched: the rule table, its defaults, the policy file, and the
 * encoding of rules into the kernel's maps.
 *
 * A rule's index in the table is its rule_id in the kernel; events carry it back.
 *
 * Path patterns:
 *   /etc/shadow            exact path
 *   /etc/kubernetes/pki/   everything below a directory (prefix)
 *   * /.aws/credentials    (written without the space) a path ending in these whole components
 *   * /.azure/             a file directly inside a directory of that name, anywhere
 *   * /.ssh/id_*           ... whose name starts with `id_`
 */
#ifndef C2D_POLICY_H
#define C2D_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "c2d_abi.h"
#include "syscalls.h"

#define C2D_RULE_NAME_MAX 64
#define C2D_PATTERN_MAX 255
#define C2D_MAX_RULES 1024
#define C2D_MAX_META 32

/*
 * A kind user space alone judges (no kernel event has it): the runtime's bind mounts of host
 * paths into a container (runtime_mounts.h), reported by the built-in rule host-path-mount,
 * which a policy file may disable or give another severity.
 */
#define C2D_KIND_CONTAINER_MOUNT ((enum c2d_kind)C2D_KIND_MAX)
/* Likewise: a secret a container was started with (exposures.h), rule secret-exposure. */
#define C2D_KIND_SECRET_EXPOSURE ((enum c2d_kind)(C2D_KIND_MAX + 1))
#define C2D_RULE_KINDS (C2D_KIND_MAX + 2)
#define C2D_RULE_HOST_PATH_MOUNT "host-path-mount"
#define C2D_RULE_SECRET_EXPOSURE "secret-exposure"

enum c2d_match {
	C2D_MATCH_NONE = 0,
	C2D_MATCH_EXACT,
	C2D_MATCH_PREFIX,
	C2D_MATCH_SUFFIX,
	C2D_MATCH_DIR,
};

struct c2d_rule {
	char name[C2D_RULE_NAME_MAX];
	enum c2d_kind kind;
	char severity[12]; /* low | medium | high | critical */
	bool enabled;
	/* credential_read / storage_write */
	char pattern[C2D_PATTERN_MAX + 1];
	enum c2d_match match;
	/* privileged_call: the syscalls it reports, and their in-kernel filter */
	c2d_sysmask sys_mask; /* bit per enum c2d_sys */
	uint32_t only_mask;
	/* metadata_access */
	struct c2d_addr_key addr;
};

struct c2d_policy {
	struct c2d_rule rules[C2D_MAX_RULES];
	size_t n;
	bool report_denied_opens;
};

/* Fill p with the built-in defaults (EVENTS.md). */
void policy_defaults(struct c2d_policy *p);

/* Add one rule; validates the pattern. On error returns -EINVAL and writes why into err. */
int policy_add_path_rule(struct c2d_policy *p, const char *name, enum c2d_kind kind,
			 const char *pattern, const char *severity, char *err, size_t errlen);
int policy_add_storage_path(struct c2d_policy *p, const char *prefix, char *err, size_t errlen);
int policy_add_metadata_addr(struct c2d_policy *p, const char *name, const char *addr,
			     const char *severity, char *err, size_t errlen);

/* Apply a policy file (JSON, see README). On error returns -EINVAL and a message naming the
 * file, the rule and what is wrong in err. */
int policy_load_file(struct c2d_policy *p, const char *path, char *err, size_t errlen);
int policy_load_json(struct c2d_policy *p, const char *json, size_t len, const char *origin,
		     char *err, size_t errlen);

/* Classify and check a path pattern. */
enum c2d_match policy_classify(const char *pattern, char *err, size_t errlen);

/* Encode a path rule as its LPM key and value; returns 0 or -EINVAL. */
int policy_encode_path(const struct c2d_rule *r, uint32_t rule_id, struct c2d_lpm_key *key,
		       struct c2d_rule_val *val);

/* The gates of the kernel's path tries (struct c2d_gates) for p's enabled path rules: what a
 * walked path must have for a rule of each trie to match it. */
void policy_gates(const struct c2d_policy *p, struct c2d_gates *g);
/* Would the kernel look in a trie of these kinds (1 << enum c2d_kind) for the walked,
 * canonical path p? The gates' reference, for tests; false proves no rule matches. */
bool policy_gates_admit(const struct c2d_gates *g, const char *p, unsigned kinds);

/* -EINVAL (and why) if two enabled directory rules name the same directories: the kernel keeps
 * one rule per directory key. Checked before the maps are filled. */
int policy_check_dir_rules(const struct c2d_policy *p, char *err, size_t errlen);

/* The reference matcher, same semantics as the kernel's: rule index or -1. `kinds` is a
 * bit mask of (1 << enum c2d_kind). Used for paths user space had to normalise, and tests. */
int policy_match_path(const struct c2d_policy *p, const char *path, unsigned kinds);

/* Lexically normalise an absolute path in place (`.`, `..`, `//`); returns 0 or -EINVAL. */
int policy_normalize_path(char *path);

const char *policy_kind_name(enum c2d_kind k);
int policy_kind_parse(const char *s, enum c2d_kind *out);
bool policy_severity_valid(const char *s);
bool policy_name_valid(const char *s); /* kebab-case, under C2D_RULE_NAME_MAX */
int policy_find(const struct c2d_policy *p, const char *name, size_t from);
int policy_parse_addr(const char *s, struct c2d_addr_key *out);

#endif

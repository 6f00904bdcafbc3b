// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_policy_match.c - agent/policy/policy*.c: the reference matcher on the default rules, and
 * against a model of the kernel's tries built from the encoded keys; two directory
 * rules on one directory.
 */
#include "policy_test.h"

/* ---- policy_match_path on the defaults ------------------------------------------------- */

struct match_case {
	const char *path;
	const char *rule; /* NULL: no match */
};

static const struct match_case default_matches[] = {
	{"/root/.aws/credentials", "aws-credentials"},
	{"/home/u/.aws/credentials", "aws-credentials"},
	{"/home/u/.aws/config", "aws-config"},
	{"/.aws/credentials", "aws-credentials"},
	{"/x/y.aws/credentials", NULL},
	{"/home/u/.aws/credentials.bak", NULL},
	{"/credentials", NULL},
	{"/home/u/.ssh/id_ed25519", "ssh-private-key"},
	{"/home/u/.ssh/id_rsa", "ssh-private-key"},
	{"/home/u/.ssh/id_", "ssh-private-key"},
	{"/home/u/.ssh/known_hosts", NULL},
	{"/home/u/.ssh/authorized_keys", "ssh-authorized-keys"},
	{"/home/u/x.ssh/id_rsa", NULL},
	{"/home/u/.ssh/keys/id_rsa", NULL},
	{"/etc/shadow", "etc-shadow"},
	{"/etc/shadowx", NULL},
	{"/etc/shadow-", NULL},
	{"/etc/gshadow", "etc-gshadow"},
	{"/etc/sudoers", "etc-sudoers"},
	{"/etc/passwd", NULL},
	{"/var/run/secrets/kubernetes.io/serviceaccount/..2026/token", "k8s-serviceaccount-token"},
	{"/run/secrets/kubernetes.io/serviceaccount/token", "k8s-serviceaccount-token"},
	{"/var/run/secrets/kubernetes.io/serviceaccountx/token", NULL},
	{"/var/run/secrets/eks.amazonaws.com/serviceaccount/token", "eks-pod-identity-token"},
	{"/etc/kubernetes/pki/ca.key", "kubernetes-pki"},
	{"/etc/kubernetes/pki", NULL},
	{"/etc/kubernetes/admin.conf", "kubernetes-admin-conf"},
	{"/home/u/.azure/msal_token_cache.json", "azure-cli-credentials"},
	{"/.azure/x", "azure-cli-credentials"},
	{"/home/u/.azure/cliextensions/x", NULL},
	{"/home/u/.azure", NULL},
	{"/home/u/.kube/config", "kubeconfig"},
	{"/home/u/.docker/config.json", "docker-config"},
	{"/home/u/.config/gcloud/application_default_credentials.json",
	 "gcp-application-default-credentials"},
	{"/home/u/.git-credentials", "git-credentials"},
	{"/home/u/.netrc", "netrc"},
	{"/srv/data/db", NULL},
};

static void test_match_defaults(void **state)
{
	policy_defaults(&pol);
	for (size_t i = 0; i < ARRAY_SIZE(default_matches); i++) {
		const struct match_case *c = &default_matches[i];

		assert_name(match_name(c->path, CRED), c->rule, c->path);
	}
}

static void test_match_disabled_rule(void **state)
{
	policy_defaults(&pol);
	pol.rules[rule_named("etc-shadow")].enabled = false;
	assert_name(match_name("/etc/shadow", CRED), NULL, "/etc/shadow");
	assert_name(match_name("/etc/gshadow", CRED), "etc-gshadow", "/etc/gshadow");
}

static void test_match_storage_only_when_asked(void **state)
{
	char err[256] = "";

	policy_defaults(&pol);
	assert_int_equal(policy_add_storage_path(&pol, "/srv/data", err, sizeof(err)), 0);
	assert_int_equal(policy_add_storage_path(&pol, "/etc", err, sizeof(err)), 0);
	assert_name(match_name("/srv/data/db/x", CRED), NULL, "/srv/data/db/x");
	assert_name(match_name("/srv/data/db/x", STOR), "production-storage", "/srv/data/db/x");
	assert_name(match_name("/srv/data/db/x", CRED | STOR), "production-storage", "both");
	assert_name(match_name("/srv/database", STOR), NULL, "/srv/database");
	assert_name(match_name("/etc/shadow", STOR), "production-storage", "/etc/shadow");
	assert_name(match_name("/etc/shadow", CRED | STOR), "etc-shadow", "/etc/shadow");
	assert_name(match_name("/etc/shadow", 0), NULL, "no kinds");
}

/*
 * A model of the kernel's lookups (bpf/policy.bpf.c), fed with policy_encode_path's keys the
 * way loader_fill_policy stores them (BPF_ANY: a later rule with the same key replaces an
 * earlier one). The reference matcher is documented to have the same semantics.
 */
struct lpm_entry {
	struct c2d_lpm_key key;
	struct c2d_rule_val val;
};

struct lpm_trie {
	struct lpm_entry e[48];
	size_t n;
};

static struct {
	struct lpm_trie prefix, suffix, dir;
} model;

static void trie_put(struct lpm_trie *t, const struct c2d_lpm_key *k, const struct c2d_rule_val *v)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].key.prefixlen == k->prefixlen &&
		    memcmp(t->e[i].key.data, k->data, k->prefixlen / 8) == 0)
			break;
	assert_true(i < ARRAY_SIZE(t->e));
	t->e[i].key = *k;
	t->e[i].val = *v;
	if (i == t->n)
		t->n++;
}

static const struct lpm_entry *trie_lookup(const struct lpm_trie *t, const struct c2d_lpm_key *k)
{
	const struct lpm_entry *best = NULL;

	for (size_t i = 0; i < t->n; i++) {
		const struct lpm_entry *e = &t->e[i];

		if (e->key.prefixlen <= k->prefixlen &&
		    memcmp(e->key.data, k->data, e->key.prefixlen / 8) == 0 &&
		    (!best || e->key.prefixlen > best->key.prefixlen))
			best = e;
	}
	return best;
}

/* The trie loader_fill_policy() puts a credential rule in. */
static struct lpm_trie *model_trie(enum c2d_match m)
{
	if (m == C2D_MATCH_SUFFIX)
		return &model.suffix;
	return m == C2D_MATCH_DIR ? &model.dir : &model.prefix;
}

static void model_build(void)
{
	memset(&model, 0, sizeof(model));
	for (size_t i = 0; i < pol.n; i++) {
		const struct c2d_rule *r = &pol.rules[i];
		struct c2d_lpm_key k;
		struct c2d_rule_val v;

		if (!r->enabled || r->kind != C2D_KIND_CREDENTIAL_READ)
			continue;
		assert_int_equal(policy_encode_path(r, (uint32_t)i, &k, &v), 0);
		trie_put(model_trie(r->match), &k, &v);
	}
}

/* The last (at most 4) components, last first. */
static int path_comps(const char *path, const char **c, size_t *len)
{
	const char *end = path + strlen(path);
	int n = 0;

	while (end > path && n < 4) {
		const char *s = end;

		while (s > path && s[-1] != '/')
			s--;
		if (s < end) {
			c[n] = s;
			len[n++] = (size_t)(end - s);
		}
		end = s > path ? s - 1 : path;
	}
	return n;
}

/* "ccc/bb/a/" from components [first, first + count); a component of 64 bytes or more is
 * cut and gets a separator that no rule holds. */
static void model_rkey_n(struct c2d_lpm_key *k, const char **c, const size_t *len, int n,
			 int first, int count)
{
	size_t pos = 0;

	memset(k, 0, sizeof(*k));
	for (int i = first; i < n && i < first + count; i++) {
		bool cut = len[i] >= C2D_COMP_MAX;
		size_t l = cut ? C2D_COMP_MAX - 1 : len[i];

		memcpy(k->data + pos, c[i], l);
		k->data[pos + l] = cut ? 1 : '/';
		pos += l + 1;
	}
	k->prefixlen = (uint32_t)pos * 8;
}

static void model_rkey(struct c2d_lpm_key *k, const char **c, const size_t *len, int n, int first)
{
	model_rkey_n(k, c, len, n, first, 3);
}

static int model_match(const char *path)
{
	const struct lpm_entry *e;
	struct c2d_lpm_key k = {0};
	size_t n = strlen(path) + 1, len[4];
	const char *c[4];
	int nc;

	if (n > C2D_LPM_MAX - 1)
		n = C2D_LPM_MAX - 1;
	memcpy(k.data, path, n);
	k.prefixlen = (uint32_t)n * 8;
	e = trie_lookup(&model.prefix, &k);
	if (e)
		return e->val.rule_id;
	nc = path_comps(path, c, len);
	if (model.suffix.n && nc > 0) {
		model_rkey(&k, c, len, nc, 0);
		e = trie_lookup(&model.suffix, &k);
		if (e)
			return e->val.rule_id;
	}
	/* as policy.bpf.c: the longest directory key, then fewer directories while the leaf
	 * test of the entry found fails */
	for (int cnt = 3; model.dir.n && nc > 1 && cnt > 0; cnt--) {
		model_rkey_n(&k, c, len, nc, 1, cnt);
		if (k.prefixlen == 0)
			break;
		e = trie_lookup(&model.dir, &k);
		if (!e)
			break;
		if (e->val.leaf_glob_len <= len[0] &&
		    memcmp(c[0], e->val.leaf_glob, e->val.leaf_glob_len) == 0)
			return e->val.rule_id;
	}
	return -1;
}

static void assert_model_agrees(const char *path)
{
	int ref = policy_match_path(&pol, path, CRED), ker = model_match(path);

	if (ref != ker)
		fail_msg("%s: reference matcher says %s, the kernel's tries say %s", path,
			 ref < 0 ? "(none)" : pol.rules[ref].name,
			 ker < 0 ? "(none)" : pol.rules[ker].name);
}

static void test_match_agrees_with_kernel_model(void **state)
{
	static const char *const extra[] = {
		"/home/u/.ssh/id_rsa.pub",
		"/a/b/c/d/e/.aws/credentials",
		"/home/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/.npmrc",
		"/home/u/.aws/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	};

	policy_defaults(&pol);
	model_build();
	assert_true(model.prefix.n > 0 && model.suffix.n > 0 && model.dir.n > 0);
	for (size_t i = 0; i < ARRAY_SIZE(default_matches); i++)
		assert_model_agrees(default_matches[i].path);
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++)
		assert_model_agrees(extra[i]);
}

static void add_cred_rule(const char *name, const char *pattern)
{
	char err[256] = "";

	if (policy_add_path_rule(&pol, name, C2D_KIND_CREDENTIAL_READ, pattern, "high", err,
				 sizeof(err)) < 0)
		fail_msg("%s: %s", pattern, err);
}

static void test_match_kernel_model_same_key(void **state)
{
	/* Was a bug (fixed): two rules with the same key (a user rule "my-shadow" on /etc/shadow next to the
	 * default etc-shadow): the loader stores both with BPF_ANY, so the kernel reports the
	 * later rule (my-shadow), while policy_match_path keeps the first (etc-shadow). The same
	 * open is attributed to different rules depending on whether user space had to
	 * normalise the path. Fixed: the reference matcher takes the later rule too. */
	policy_defaults(&pol);
	add_cred_rule("my-shadow", "/etc/shadow");
	model_build();
	assert_model_agrees("/etc/shadow");
}

static void test_match_kernel_model_dir_masking(void **state)
{
	/* Was a bug (fixed): directory rules: the kernel takes the longest directory key and then checks the
	 * leaf glob; the reference matcher scores by pattern length among rules whose leaf
	 * matches. With the default "*\/.ssh/id_*" plus "*\/home/.ssh/x*", a read of
	 * /home/.ssh/id_rsa is ssh-private-key for the reference matcher, but the kernel finds
	 * ".ssh/home/" (leaf "x" fails) and reports nothing: a more specific rule masks a
	 * default one. Fixed: the kernel now retries with fewer directories. */
	policy_defaults(&pol);
	add_cred_rule("deploy-ssh", "*/home/.ssh/x*");
	model_build();
	assert_model_agrees("/home/.ssh/id_rsa");
}

static void test_check_dir_rules_same_directory(void **state)
{
	/* Was a bug (fixed by refusing such a policy; found by tests/bpf in the kernel): two
	 * directory rules on one directory ("*\/.ssh/id_*" and "*\/.ssh/known_host*") share one
	 * key of the kernel's directory trie, the later replaces the earlier, and
	 * /home/u/.ssh/id_rsa matched nothing in the kernel while the reference matcher said
	 * ssh-private-key. */
	char err[256] = "";

	policy_defaults(&pol);
	assert_int_equal(policy_check_dir_rules(&pol, err, sizeof(err)), 0);
	add_cred_rule("ssh-known-hosts", "*/.ssh/known_host*");
	model_build();
	assert_int_equal(model_match("/home/u/.ssh/id_rsa"), -1); /* what the kernel would do */
	assert_int_equal(policy_match_path(&pol, "/home/u/.ssh/id_rsa", CRED),
			 rule_named("ssh-private-key"));
	assert_int_equal(policy_check_dir_rules(&pol, err, sizeof(err)), -EINVAL);
	assert_contains(err, "ssh-private-key");
	assert_contains(err, "ssh-known-hosts");
	/* one of them disabled: accepted, and the tries agree again */
	pol.rules[rule_named("ssh-private-key")].enabled = false;
	assert_int_equal(policy_check_dir_rules(&pol, err, sizeof(err)), 0);
	model_build();
	assert_model_agrees("/home/u/.ssh/known_hosts");
	assert_model_agrees("/home/u/.ssh/id_rsa");
	/* different directories, or more of them, are different keys */
	policy_defaults(&pol);
	add_cred_rule("deploy-ssh", "*/deploy/.ssh/y*");
	add_cred_rule("azure-sub", "*/x/.azure/");
	assert_int_equal(policy_check_dir_rules(&pol, err, sizeof(err)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_defaults),
		cmocka_unit_test(test_match_disabled_rule),
		cmocka_unit_test(test_match_storage_only_when_asked),
		cmocka_unit_test(test_match_agrees_with_kernel_model),
		cmocka_unit_test(test_match_kernel_model_same_key),
		cmocka_unit_test(test_match_kernel_model_dir_masking),
		cmocka_unit_test(test_check_dir_rules_same_directory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

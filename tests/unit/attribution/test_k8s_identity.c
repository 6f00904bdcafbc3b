// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_k8s_identity.c - agent/attribution/k8s_identity.c, k8s_identity_json.c and k8s_sa_cache.c:
 * pod specs and ServiceAccounts as the API returns them (and as a hostile workload could shape
 * them), resolved for a container and rendered; the rendered bytes compared exactly.
 */
#include <stdio.h>

#include <cjson/cJSON.h>

#include "jsonw.h"
#include "k8s_identity.h"
#include "k8s_sa_cache.h"
#include "unit.h"

static char out[16384];

/* Parse a pod ({"metadata":…,"spec":…}) and an optional ServiceAccount; resolve for c. */
static void resolve(const char *pod_json, const char *sa_json, const char *c,
		    struct k8s_identity *id)
{
	static struct k8s_pod_identity pid;
	cJSON *pod = cJSON_Parse(pod_json), *sa = sa_json ? cJSON_Parse(sa_json) : NULL;

	assert_non_null(pod);
	memset(&pid, 0, sizeof(pid));
	if (sa)
		k8s_identity_parse_sa(&pid.sa, sa);
	k8s_identity_parse_pod(&pid, cJSON_GetObjectItem(pod, "metadata"),
			       cJSON_GetObjectItem(pod, "spec"));
	k8s_identity_resolve(&pid, c, id);
	cJSON_Delete(pod);
	cJSON_Delete(sa);
}

/* The identity object alone, as render.c writes it inside "k8s". */
static const char *render(const char *pod_json, const char *sa_json, const char *c)
{
	static struct k8s_identity id;
	struct jw w;
	long n;

	resolve(pod_json, sa_json, c, &id);
	jw_init(&w, out, sizeof(out) - 1);
	jw_obj_begin(&w);
	k8s_identity_render(&w, "checkout", &id);
	jw_obj_end(&w);
	n = jw_finish(&w);
	assert_true(n > 0);
	out[n] = 0;
	return out;
}

#define SA_IRSA                                                                                    \
	"{\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"checkout\",\"annotations\":{"       \
	"\"eks.amazonaws.com/role-arn\":\"arn:aws:iam::111122223333:role/checkout-ro\"}}}"

#define FULL_POD                                                                                   \
	"{\"metadata\":{\"name\":\"p\"},\"spec\":{\"serviceAccountName\":\"checkout\","            \
	"\"hostNetwork\":true,\"hostPID\":true,\"hostIPC\":true,"                                  \
	"\"volumes\":[{\"name\":\"sock\",\"hostPath\":{\"path\":"                                  \
	"\"/var/run/containerd/containerd.sock\"}},{\"name\":\"aws\",\"projected\":{\"sources\":[" \
	"{\"serviceAccountToken\":{\"audience\":\"sts.amazonaws.com\",\"path\":\"token\"}}]}}],"   \
	"\"containers\":[{\"name\":\"checkout\",\"securityContext\":{\"privileged\":true,"         \
	"\"runAsUser\":0,\"capabilities\":{\"add\":[\"NET_ADMIN\"]}}}]}}"

static void test_full_sample(void **st)
{
	assert_string_equal(
	    render(FULL_POD, SA_IRSA, "checkout"),
	    "{\"identity\":{\"service_account\":\"checkout\",\"cloud\":[{\"provider\":\"aws\","
	    "\"key\":\"eks.amazonaws.com/role-arn\",\"value\":"
	    "\"arn:aws:iam::111122223333:role/checkout-ro\"}],\"automount_token\":true,"
	    "\"token_audiences\":[\"sts.amazonaws.com\"],\"privileged\":true,"
	    "\"allow_privilege_escalation\":true,\"run_as_root\":true,"
	    "\"capabilities_added\":[\"NET_ADMIN\"],"
	    "\"host_paths\":[\"/var/run/containerd/containerd.sock\"],\"host_network\":true,"
	    "\"host_pid\":true,\"host_ipc\":true}}");
	/* another container of the pod: the pod's part only */
	assert_string_equal(
	    render(FULL_POD, SA_IRSA, "sidecar"),
	    "{\"identity\":{\"service_account\":\"checkout\",\"cloud\":[{\"provider\":\"aws\","
	    "\"key\":\"eks.amazonaws.com/role-arn\",\"value\":"
	    "\"arn:aws:iam::111122223333:role/checkout-ro\"}],\"automount_token\":true,"
	    "\"token_audiences\":[\"sts.amazonaws.com\"],"
	    "\"host_paths\":[\"/var/run/containerd/containerd.sock\"],\"host_network\":true,"
	    "\"host_pid\":true,\"host_ipc\":true}}");
}

static void test_automount_defaults(void **st)
{
	static const char *const sa_false =
	    "{\"metadata\":{\"name\":\"s\"},\"automountServiceAccountToken\":false}";
	static const char *const sa_true =
	    "{\"metadata\":{\"name\":\"s\"},\"automountServiceAccountToken\":true}";
	struct k8s_identity id;

	resolve("{\"spec\":{}}", NULL, "c", &id); /* both absent (SA unread): true */
	assert_true(id.known && id.automount_token && id.sa_unread);
	resolve("{\"spec\":{}}", "{\"metadata\":{\"name\":\"s\"}}", "c", &id);
	assert_true(id.automount_token);
	assert_false(id.sa_unread);
	resolve("{\"spec\":{}}", sa_false, "c", &id); /* the SA says no */
	assert_false(id.automount_token);
	resolve("{\"spec\":{\"automountServiceAccountToken\":true}}", sa_false, "c", &id);
	assert_true(id.automount_token); /* the pod overrides its SA */
	resolve("{\"spec\":{\"automountServiceAccountToken\":false}}", sa_true, "c", &id);
	assert_false(id.automount_token);
	resolve("{\"spec\":{\"automountServiceAccountToken\":\"false\"}}", sa_false, "c", &id);
	assert_false(id.automount_token); /* not a boolean: unset, so the SA's */
	assert_string_equal(render("{\"spec\":{}}", sa_false, "c"),
			    "{\"identity\":{\"service_account\":\"checkout\","
			    "\"automount_token\":false}}");
	assert_string_equal(render("{\"spec\":{}}", NULL, "c"),
			    "{\"identity\":{\"service_account\":\"checkout\",\"automount_token\":"
			    "true,\"service_account_unread\":true}}");
	resolve("{\"metadata\":{}}", sa_true, "c", &id); /* no spec: nothing known */
	assert_false(id.known);
	assert_string_equal(render("{\"metadata\":{}}", NULL, "c"), "{}");
}

/* Pod and container security contexts: the container's runAsUser wins; escalation allowed
 * unless explicitly refused. */
static void test_security_context(void **st)
{
	struct k8s_identity id;

	resolve("{\"spec\":{\"securityContext\":{\"runAsUser\":0},\"containers\":[{\"name\":"
		"\"a\",\"securityContext\":{\"runAsUser\":1000,\"allowPrivilegeEscalation\":false}}"
		",{\"name\":\"b\"}]}}",
		NULL, "a", &id);
	assert_false(id.run_as_root);
	assert_false(id.allow_privilege_escalation);
	assert_false(id.privileged);
	resolve("{\"spec\":{\"securityContext\":{\"runAsUser\":0},\"containers\":[{\"name\":"
		"\"a\"},{\"name\":\"b\"}]}}",
		NULL, "b", &id);
	assert_true(id.run_as_root); /* the pod's default */
	assert_true(id.allow_privilege_escalation);
	resolve(
	    "{\"spec\":{\"initContainers\":[{\"name\":\"i\",\"securityContext\":{"
	    "\"allowPrivilegeEscalation\":false,\"capabilities\":{\"add\":[\"SYS_ADMIN\"]}}}]}}",
	    NULL, "i", &id);
	assert_true(id.allow_privilege_escalation); /* CAP_SYS_ADMIN allows it regardless */
	assert_int_equal(id.ncaps, 1);
	resolve("{\"metadata\":{\"labels\":{\"azure.workload.identity/use\":\"true\"}},"
		"\"spec\":{\"ephemeralContainers\":[{\"name\":\"dbg\",\"securityContext\":{"
		"\"runAsNonRoot\":true}}]}}",
		NULL, "dbg", &id);
	assert_false(id.run_as_root);
}

static void test_sorted_dedup(void **st)
{
	struct k8s_identity id;

	resolve("{\"spec\":{\"volumes\":[{\"projected\":{\"sources\":["
		"{\"serviceAccountToken\":{\"audience\":\"vault\"}},"
		"{\"serviceAccountToken\":{\"audience\":\"api://AzureADTokenExchange\"}},"
		"{\"serviceAccountToken\":{\"path\":\"token\"}},"
		"{\"serviceAccountToken\":{\"audience\":\"vault\"}}]}},"
		"{\"hostPath\":{\"path\":\"/var/log\"}},{\"hostPath\":{\"path\":\"/etc\"}},"
		"{\"hostPath\":{\"path\":\"/var/log\"}}],"
		"\"containers\":[{\"name\":\"c\",\"securityContext\":{\"capabilities\":{\"add\":["
		"\"SYS_PTRACE\",\"cap_net_admin\",\"NET_ADMIN\",\"CAP_SYS_PTRACE\"]}}}]}}",
		NULL, "c", &id);
	assert_int_equal(id.naud, 2);
	assert_string_equal(id.audiences[0], "api://AzureADTokenExchange");
	assert_string_equal(id.audiences[1], "vault");
	assert_int_equal(id.npaths, 2);
	assert_string_equal(id.host_paths[0], "/etc");
	assert_string_equal(id.host_paths[1], "/var/log");
	assert_int_equal(id.ncaps, 2);
	assert_string_equal(id.caps[0], "NET_ADMIN");
	assert_string_equal(id.caps[1], "SYS_PTRACE");
	assert_false(id.truncated);
}

/* n host paths /p<i>, in the order given by `step` (coprime with n). */
static void many_paths(char *buf, size_t cap, int n, int step)
{
	size_t len = (size_t)snprintf(buf, cap, "{\"spec\":{\"volumes\":[");

	for (int i = 0; i < n; i++)
		len +=
		    (size_t)snprintf(buf + len, cap - len, "%s{\"hostPath\":{\"path\":\"/p%02d\"}}",
				     i ? "," : "", (i * step) % n);
	snprintf(buf + len, cap - len, "]}}");
}

static void test_caps_and_order(void **st)
{
	static char a[4096], b[4096], ra[4096];
	struct k8s_identity id;

	many_paths(a, sizeof(a), 20, 1);
	many_paths(b, sizeof(b), 20, 7);
	resolve(a, NULL, "c", &id);
	assert_int_equal(id.npaths, K8S_ID_LIST);
	assert_true(id.truncated);
	assert_string_equal(id.host_paths[0], "/p00"); /* the 8 smallest, whatever the order */
	assert_string_equal(id.host_paths[7], "/p07");
	snprintf(ra, sizeof(ra), "%s", render(a, SA_IRSA, "c"));
	assert_string_equal(render(b, SA_IRSA, "c"), ra); /* byte-identical */
	assert_contains(ra, "\"truncated\":true");
}

static void test_byte_identical(void **st)
{
	static char first[4096];
	static const char *const reordered =
	    "{\"spec\":{\"hostIPC\":true,\"hostPID\":true,\"hostNetwork\":true,"
	    "\"serviceAccountName\":\"checkout\",\"containers\":[{\"securityContext\":{"
	    "\"capabilities\":{\"add\":[\"NET_ADMIN\"]},\"runAsUser\":0,\"privileged\":true},"
	    "\"name\":\"checkout\"}],\"volumes\":[{\"projected\":{\"sources\":["
	    "{\"serviceAccountToken\":{\"path\":\"token\",\"audience\":\"sts.amazonaws.com\"}}]},"
	    "\"name\":\"aws\"},{\"hostPath\":{\"path\":\"/var/run/containerd/containerd.sock\"},"
	    "\"name\":\"sock\"}]}}";

	snprintf(first, sizeof(first), "%s", render(FULL_POD, SA_IRSA, "checkout"));
	assert_string_equal(render(reordered, SA_IRSA, "checkout"), first);
	/* and a different one differs */
	assert_string_not_equal(render(reordered, NULL, "checkout"), first);
}

static void test_hostile(void **st)
{
	static char big[1 << 20], longs[8192];
	struct k8s_identity id;
	size_t n;

	/* wrong types everywhere: nothing taken, nothing crashes */
	resolve("{\"metadata\":[],\"spec\":{\"hostNetwork\":\"true\",\"hostPID\":1,"
		"\"volumes\":{\"hostPath\":{\"path\":\"/x\"}},\"securityContext\":[],"
		"\"containers\":[\"x\",{\"name\":5},{\"name\":\"c\",\"securityContext\":{"
		"\"privileged\":\"true\",\"runAsUser\":\"0\",\"capabilities\":{\"add\":[1,null,{},"
		"\"\"]}}}]}}",
		"{\"metadata\":{\"annotations\":{\"eks.amazonaws.com/role-arn\":7}},"
		"\"automountServiceAccountToken\":\"no\"}",
		"c", &id);
	assert_true(id.known);
	assert_false(id.host_network || id.host_pid || id.privileged || id.run_as_root);
	assert_int_equal(id.ncaps, 0);
	assert_int_equal(id.npaths, 0);
	assert_string_equal(id.cloud[1], "");
	assert_true(id.automount_token);
	assert_true(id.truncated); /* values dropped */
	/* control characters, quotes and backslashes: dropped */
	resolve("{\"spec\":{\"volumes\":[{\"hostPath\":{\"path\":\"/a\\nb\"}},{\"hostPath\":{"
		"\"path\":\"/a\\\"b\"}},{\"hostPath\":{\"path\":\"/\\u00e9\"}}]}}",
		NULL, "c", &id);
	assert_int_equal(id.npaths, 0);
	assert_true(id.truncated);
	/* long strings: cut */
	n = (size_t)snprintf(longs, sizeof(longs),
			     "{\"spec\":{\"volumes\":[{\"projected\":{"
			     "\"sources\":[{\"serviceAccountToken\":{\"audience\":\"");
	memset(longs + n, 'a', 5000);
	snprintf(longs + n + 5000, sizeof(longs) - n - 5000, "\"}}]}}]}}");
	resolve(longs, NULL, "c", &id);
	assert_int_equal(id.naud, 1);
	assert_int_equal(strlen(id.audiences[0]), K8S_ID_AUD_LEN - 1);
	assert_true(id.truncated);
	/* a huge array of containers and capabilities: bounded */
	n = (size_t)snprintf(big, sizeof(big), "{\"spec\":{\"containers\":[");
	for (int i = 0; i < 5000; i++)
		n += (size_t)snprintf(big + n, sizeof(big) - n,
				      "%s{\"name\":\"c%d\",\"securityContext\":{\"capabilities\":"
				      "{\"add\":[\"A%d\",\"B\",\"C\",\"D\",\"E\",\"F\",\"G\",\"H\","
				      "\"I\",\"J\"]}}}",
				      i ? "," : "", i, i);
	snprintf(big + n, sizeof(big) - n, "]}}");
	resolve(big, NULL, "c0", &id);
	assert_int_equal(id.ncaps, K8S_ID_LIST);
	assert_string_equal(id.caps[0], "A0");
	assert_true(id.truncated);
	resolve(big, NULL, "c4999", &id); /* beyond K8S_ID_CONTAINERS: the pod's part only */
	assert_int_equal(id.ncaps, 0);
}

static void test_cloud_keys(void **st)
{
	static const char *const sa =
	    "{\"metadata\":{\"annotations\":{"
	    "\"iam.gke.io/gcp-service-account\":\"app@proj.iam.gserviceaccount.com\","
	    "\"azure.workload.identity/client-id\":\"00000000-0000-0000-0000-000000000001\","
	    "\"azure.workload.identity/tenant-id\":\"00000000-0000-0000-0000-000000000002\","
	    "\"eks.amazonaws.com/audience\":\"sts.amazonaws.com\","
	    "\"Eks.amazonaws.com/role-arn\":\"not this one\"}}}";
	const char *r;

	/* no role-arn: the IRSA audience says nothing; no pod label: Azure's webhook is off */
	r = render("{\"spec\":{}}", sa, "c");
	assert_string_equal(r, "{\"identity\":{\"service_account\":\"checkout\",\"cloud\":[{"
			       "\"provider\":\"gcp\",\"key\":\"iam.gke.io/gcp-service-account\","
			       "\"value\":\"app@proj.iam.gserviceaccount.com\"}],"
			       "\"automount_token\":true}}");
	r = render("{\"metadata\":{\"labels\":{\"azure.workload.identity/use\":\"true\"}},"
		   "\"spec\":{}}",
		   sa, "c");
	assert_contains(r, "{\"provider\":\"azure\",\"key\":\"azure.workload.identity/client-id\","
			   "\"value\":\"00000000-0000-0000-0000-000000000001\"},{\"provider\":"
			   "\"azure\",\"key\":\"azure.workload.identity/tenant-id\"");
	r = render("{\"spec\":{}}",
		   "{\"metadata\":{\"annotations\":{"
		   "\"eks.amazonaws.com/audience\":\"custom\","
		   "\"eks.amazonaws.com/role-arn\":\"arn:aws:iam::1:role/r\"}}}",
		   "c");
	assert_contains(r, "\"cloud\":[{\"provider\":\"aws\",\"key\":\"eks.amazonaws.com/audience\""
			   ",\"value\":\"custom\"},{\"provider\":\"aws\",\"key\":"
			   "\"eks.amazonaws.com/role-arn\"");
}

/* ---- the ServiceAccount cache ---- */

static int fetches;
static long fetch_status = 200;
static char last_path[512];

static long fake_fetch(void *arg, const char *path, struct k8s_sa_identity *sa)
{
	fetches++;
	snprintf(last_path, sizeof(last_path), "%s", path);
	if (fetch_status == 200) {
		sa->read = true;
		snprintf(sa->cloud[1], sizeof(sa->cloud[1]), "arn:%d", fetches);
	}
	return fetch_status;
}

static void test_sa_cache(void **st)
{
	static struct k8s_sa_cache c;
	struct k8s_sa_identity sa;

	memset(&c, 0, sizeof(c));
	fetches = 0;
	fetch_status = 200;
	assert_int_equal(k8s_sa_cache_get(&c, "shop", "checkout", true, 100, fake_fetch, NULL, &sa),
			 0);
	assert_int_equal(fetches, 1);
	assert_string_equal(last_path, "/api/v1/namespaces/shop/serviceaccounts/checkout");
	assert_true(sa.read);
	/* the same pod again, and a new pod within K8S_SA_MIN_REFRESH_S: cached */
	k8s_sa_cache_get(&c, "shop", "checkout", false, 150, fake_fetch, NULL, &sa);
	k8s_sa_cache_get(&c, "shop", "checkout", true, 101, fake_fetch, NULL, &sa);
	assert_int_equal(fetches, 1);
	/* a new pod later: read again */
	k8s_sa_cache_get(&c, "shop", "checkout", true, 160, fake_fetch, NULL, &sa);
	assert_int_equal(fetches, 2);
	assert_string_equal(sa.cloud[1], "arn:2");
	/* older than the TTL: read again */
	k8s_sa_cache_get(&c, "shop", "checkout", false, 160 + K8S_SA_TTL_S, fake_fetch, NULL, &sa);
	assert_int_equal(fetches, 3);
	/* names that are not Kubernetes names are never put in a path */
	assert_int_equal(
	    k8s_sa_cache_get(&c, "shop", "../../secrets", true, 1000, fake_fetch, NULL, &sa), -22);
	assert_int_equal(k8s_sa_cache_get(&c, "a.b", "x", true, 1000, fake_fetch, NULL, &sa), -22);
	assert_int_equal(k8s_sa_cache_get(&c, "shop", "", true, 1000, fake_fetch, NULL, &sa), -22);
	assert_int_equal(fetches, 3);
	assert_false(sa.read);
	/* a refusal: negative-cached for K8S_SA_FAIL_TTL_S */
	fetch_status = 403;
	k8s_sa_cache_get(&c, "other", "sa", false, 2000, fake_fetch, NULL, &sa);
	k8s_sa_cache_get(&c, "other", "sa", false, 2001, fake_fetch, NULL, &sa);
	assert_int_equal(fetches, 4);
	assert_false(sa.read);
	k8s_sa_cache_get(&c, "other", "sa", false, 2000 + K8S_SA_FAIL_TTL_S, fake_fetch, NULL, &sa);
	assert_int_equal(fetches, 5);
	/* bounded: many ServiceAccounts reuse the least recently used slots */
	fetch_status = 200;
	for (int i = 0; i < 3 * K8S_SA_CACHE_MAX; i++) {
		char name[16];

		snprintf(name, sizeof(name), "sa-%d", i);
		k8s_sa_cache_get(&c, "ns", name, false, 3000, fake_fetch, NULL, &sa);
	}
	assert_int_equal(fetches, 5 + 3 * K8S_SA_CACHE_MAX);
	k8s_sa_cache_get(&c, "ns", "sa-0", false, 3000, fake_fetch, NULL, &sa); /* evicted */
	assert_int_equal(fetches, 6 + 3 * K8S_SA_CACHE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_sample),	     cmocka_unit_test(test_automount_defaults),
	    cmocka_unit_test(test_security_context), cmocka_unit_test(test_sorted_dedup),
	    cmocka_unit_test(test_caps_and_order),   cmocka_unit_test(test_byte_identical),
	    cmocka_unit_test(test_hostile),	     cmocka_unit_test(test_cloud_keys),
	    cmocka_unit_test(test_sa_cache),
	};

	return cmocka_run_group_tests_name("k8s_identity", tests, NULL, NULL);
}

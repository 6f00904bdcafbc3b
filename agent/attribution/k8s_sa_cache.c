// SPDX-License-Identifier: BSD-2-Clause
/* k8s_sa_cache.c - see k8s_sa_cache.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "k8s_sa_cache.h"
#include "log.h"

/* A DNS-1123 name (a namespace is a label: no dot): safe in a URL path as it is. */
static bool dns_name(const char *s, size_t max, bool dots)
{
	size_t n = strlen(s);

	if (!n || n > max || s[0] == '-' || s[0] == '.' || s[n - 1] == '-' || s[n - 1] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-' ||
		      (dots && *s == '.')))
			return false;
	return true;
}

static struct k8s_sa_entry *slot(struct k8s_sa_cache *c, const char *ns, const char *name)
{
	struct k8s_sa_entry *lru = &c->e[0];

	for (size_t i = 0; i < K8S_SA_CACHE_MAX; i++) {
		struct k8s_sa_entry *e = &c->e[i];

		if (e->used && !strcmp(e->ns, ns) && !strcmp(e->name, name))
			return e;
		if (!e->used || (lru->used && e->used_at < lru->used_at))
			lru = e;
	}
	memset(lru, 0, sizeof(*lru));
	snprintf(lru->ns, sizeof(lru->ns), "%s", ns);
	snprintf(lru->name, sizeof(lru->name), "%s", name);
	return lru;
}

static bool stale(const struct k8s_sa_entry *e, bool new_pod, time_t now)
{
	time_t age = now - e->fetched;

	if (!e->used)
		return true;
	if (new_pod && age >= K8S_SA_MIN_REFRESH_S)
		return true;
	return age >= (e->sa.read ? K8S_SA_TTL_S : K8S_SA_FAIL_TTL_S) || age < 0;
}

static void fetch_into(struct k8s_sa_cache *c, struct k8s_sa_entry *e, time_t now,
		       k8s_sa_fetch_fn fetch, void *arg)
{
	char path[400];
	long st;

	snprintf(path, sizeof(path), "/api/v1/namespaces/%s/serviceaccounts/%s", e->ns, e->name);
	memset(&e->sa, 0, sizeof(e->sa));
	c->fetches++;
	st = fetch(arg, path, &e->sa);
	if (st != 200 || !e->sa.read) {
		memset(&e->sa, 0, sizeof(e->sa));
		c->failures++;
		if (st == 401 || st == 403) {
			if (!c->warned)
				log_warn(
				    "kubernetes API: get serviceaccounts refused (%ld): the agent "
				    "needs get on serviceaccounts; cloud identities are left out; "
				    "said once",
				    st);
			c->warned = true;
		}
	}
	e->used = true;
	e->fetched = now;
}

int k8s_sa_cache_get(struct k8s_sa_cache *c, const char *ns, const char *name, bool new_pod,
		     time_t now, k8s_sa_fetch_fn fetch, void *arg, struct k8s_sa_identity *out)
{
	struct k8s_sa_entry *e;

	memset(out, 0, sizeof(*out));
	if (!ns || !name || !dns_name(ns, 63, false) || !dns_name(name, 253, true))
		return -EINVAL;
	e = slot(c, ns, name);
	if (stale(e, new_pod, now))
		fetch_into(c, e, now, fetch, arg);
	e->used_at = ++c->clock;
	*out = e->sa;
	return 0;
}

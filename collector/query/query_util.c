// SPDX-License-Identifier: BSD-2-Clause
/* query_util.c - parameters, times, statements and JSON helpers the query modules share. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "query_internal.h"
#include "rfc3339.h"

#define NS_PER_S 1000000000LL

cJSON *query_fail(struct query_req *q, int status, const char *fmt, ...)
{
	va_list ap;

	q->status = status;
	va_start(ap, fmt);
	vsnprintf(q->err, sizeof(q->err), fmt, ap);
	va_end(ap);
	return NULL;
}

const char *query_param(struct query_req *q, const char *name)
{
	const char *v = q->param ? q->param(q->ctx, name) : NULL;

	return v && *v ? v : NULL;
}

int query_param_limit(struct query_req *q, int *limit)
{
	const char *v = query_param(q, "limit");
	char *end;
	long n;

	*limit = QUERY_LIMIT_DEFAULT;
	if (!v)
		return 0;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > QUERY_LIMIT_MAX) {
		query_fail(q, 400, "limit: \"%.64s\" is not a whole number in [1, %d]", v,
			   QUERY_LIMIT_MAX);
		return -EINVAL;
	}
	*limit = (int)n;
	return 0;
}

int query_param_since(struct query_req *q, int64_t *ns)
{
	const char *v = query_param(q, "since");
	struct timespec now;
	int64_t d;

	*ns = 0;
	if (!v)
		return 0;
	if (query_parse_time(v, ns) == 0)
		return 0;
	if (query_parse_duration(v, &d) == 0) {
		clock_gettime(CLOCK_REALTIME, &now);
		*ns = (int64_t)now.tv_sec * NS_PER_S + now.tv_nsec - d;
		return 0;
	}
	query_fail(q, 400,
		   "since: \"%.64s\" is neither an RFC 3339 time nor a duration (30m, 1h, 7d)", v);
	return -EINVAL;
}

/* Reads exactly n digits. */
int query_parse_time(const char *s, int64_t *ns)
{
	return rfc3339_parse(s, RFC3339_LENIENT, ns);
}

int query_parse_duration(const char *s, int64_t *ns)
{
	static const struct {
		char unit;
		int64_t seconds;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	char *end;
	long long n;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || !*end || end[1])
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (*end != units[i].unit)
			continue;
		if (n > INT64_MAX / NS_PER_S / units[i].seconds)
			return -EINVAL;
		*ns = n * units[i].seconds * NS_PER_S;
		return 0;
	}
	return -EINVAL;
}

void query_format_time(int64_t ns, char out[QUERY_TIME_MAX])
{
	time_t t = (time_t)(ns / NS_PER_S);
	long frac = (long)(ns % NS_PER_S);
	struct tm tm;
	size_t n;

	if (frac < 0) { /* before 1970: floor, not truncate */
		t--;
		frac += NS_PER_S;
	}
	gmtime_r(&t, &tm);
	n = strftime(out, QUERY_TIME_MAX, "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac)
		snprintf(out + n, QUERY_TIME_MAX - n, ".%09ldZ", frac);
	else
		snprintf(out + n, QUERY_TIME_MAX - n, "Z");
}

bool qj_str(cJSON *obj, const char *key, const char *value)
{
	return value ? cJSON_AddStringToObject(obj, key, value) != NULL
		     : cJSON_AddNullToObject(obj, key) != NULL;
}

bool qj_time(cJSON *obj, const char *key, int64_t ns)
{
	char buf[QUERY_TIME_MAX];

	query_format_time(ns, buf);
	return cJSON_AddStringToObject(obj, key, buf) != NULL;
}

void query_short_rev(const char *rev, char *out, size_t len)
{
	if (!strncmp(rev, "sha256:", 7))
		snprintf(out, len, "sha256:%.12s", rev + 7);
	else
		snprintf(out, len, "%.12s", rev);
}

int query_param_workload(struct query_req *q, char *buf, size_t len, const char **ns,
			 const char **name, bool required)
{
	const char *v = query_param(q, "workload");
	char *slash;

	*ns = *name = NULL;
	if (!v && !required)
		return 0;
	if (!v)
		return query_fail(q, 400, "workload: required, as NAMESPACE/NAME"), -EINVAL;
	if (strlen(v) >= len)
		return query_fail(q, 400, "workload: longer than %zu characters", len - 1), -EINVAL;
	snprintf(buf, len, "%s", v);
	slash = strchr(buf, '/');
	if (!slash || slash == buf || !slash[1] || strchr(slash + 1, '/'))
		return query_fail(q, 400, "workload: \"%.100s\" is not NAMESPACE/NAME", v), -EINVAL;
	*slash = 0;
	*ns = buf;
	*name = slash + 1;
	return 0;
}

bool qj_distinct(cJSON *obj, const char *key, const char *json, int max)
{
	cJSON *in = json ? cJSON_Parse(json) : NULL, *out = cJSON_AddArrayToObject(obj, key), *it;
	int n = 0;

	cJSON_ArrayForEach(it, in)
	{
		if (!cJSON_IsString(it) || n++ >= max)
			continue;
		if (!out || !cJSON_AddItemToArray(out, cJSON_CreateString(it->valuestring)))
			out = NULL;
	}
	cJSON_Delete(in);
	return out != NULL;
}

cJSON *query_collect(struct query_req *q, struct qstmt *st, cJSON *res, cJSON *arr,
		     bool (*add)(cJSON *arr, struct qstmt *st, const void *ctx), const void *ctx)
{
	int rc = QS_ERROR, count = 0;

	while (arr && (rc = qs_step(st)) == QS_ROW && add(arr, st, ctx))
		count++;
	qs_finalize(st);
	if (rc != QS_DONE || !cJSON_AddNumberToObject(res, "count", count)) {
		cJSON_Delete(res);
		return NULL;
	}
	return res;
}

const char *const query_finding_kinds[QUERY_NFINDING_KINDS + 1] = {
	"credential_read", "privileged_call", "storage_write",	 "metadata_access",
	"container_mount", "secret_exposure", "identity_change", NULL};

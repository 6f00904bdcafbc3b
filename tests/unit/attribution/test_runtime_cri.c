// SPDX-License-Identifier: BSD-2-Clause
/*
 * test_runtime_cri.c - the CRI request encoders against bytes worked out by hand (INTEGRATION.md
 * §2.3), and the response decoders against hand-built messages: unknown fields (one- and
 * two-byte tags) skipped, the first of repeated strings kept, truncation refused, and both
 * shapes of the verbose info JSON (containerd's, CRI-O's).
 */
#include <errno.h>
#include <stdio.h>

#include "unit.h"

#include "runtime_cri.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

/* A hand-rolled message builder, independent of pb.c's writer. */
struct msg {
	uint8_t b[8192];
	size_t n;
};

static void byte(struct msg *m, uint8_t v)
{
	m->b[m->n++] = v;
}

static void varint(struct msg *m, uint64_t v)
{
	for (; v >= 0x80; v >>= 7)
		byte(m, (uint8_t)(v | 0x80));
	byte(m, (uint8_t)v);
}

static void bytes(struct msg *m, uint32_t num, const void *p, size_t len)
{
	varint(m, (uint64_t)num << 3 | 2);
	varint(m, len);
	memcpy(m->b + m->n, p, len);
	m->n += len;
}

static void str(struct msg *m, uint32_t num, const char *s)
{
	bytes(m, num, s, strlen(s));
}

static void sub(struct msg *m, uint32_t num, const struct msg *s)
{
	bytes(m, num, s->b, s->n);
}

static void entry(struct msg *m, uint32_t num, const char *k, const char *v)
{
	struct msg e = {.n = 0};

	str(&e, 1, k);
	str(&e, 2, v);
	sub(m, num, &e);
}

static void test_encode_container_status(void **state)
{
	static const uint8_t want[] = {0x0a, 0x40, HEX64[0]}; /* 0a 40 <64> 10 01 */
	uint8_t buf[128];
	int n = cri_encode_container_status(HEX64, true, buf, sizeof(buf));

	assert_int_equal(n, 68);
	assert_memory_equal(buf, want, 3);
	assert_memory_equal(buf + 2, HEX64, 64);
	assert_int_equal(buf[66], 0x10);
	assert_int_equal(buf[67], 0x01);
	assert_int_equal(cri_encode_container_status(HEX64, false, buf, sizeof(buf)), 66);
	assert_int_equal(cri_encode_container_status(HEX64, true, buf, 60), -ENAMETOOLONG);
}

static void test_encode_image_status(void **state)
{
	/* {image{image="sha256:<64>"}, verbose}: 0a 49 0a 47 <71> 10 01, 77 bytes */
	uint8_t buf[128];
	int n = cri_encode_image_status("sha256:" HEX64, true, buf, sizeof(buf));

	assert_int_equal(n, 77);
	assert_int_equal(buf[0], 0x0a);
	assert_int_equal(buf[1], 0x49);
	assert_int_equal(buf[2], 0x0a);
	assert_int_equal(buf[3], 0x47);
	assert_memory_equal(buf + 4, "sha256:" HEX64, 71);
	assert_int_equal(buf[75], 0x10);
	assert_int_equal(buf[76], 0x01);
	assert_int_equal(cri_encode_image_status("x", true, buf, 4), -ENAMETOOLONG);
}

static void test_decode_version(void **state)
{
	static const uint8_t msg[] = "\x0a\x02v1\x12\x05"
				     "cri-o\x1a\x06"
				     "1.29.1\x22\x02v1";
	char name[16], ver[16];

	assert_int_equal(cri_decode_version(msg, sizeof(msg) - 1, name, sizeof(name), ver,
					    sizeof(ver)),
			 0);
	assert_string_equal(name, "cri-o");
	assert_string_equal(ver, "1.29.1");
	assert_int_equal(cri_decode_version(msg, 5, name, sizeof(name), ver, sizeof(ver)), -EPROTO);
}

static const char ctr_info[] =
	"{\"sandboxID\":\"sb1\",\"pid\":4242,\"removing\":false,\"runtimeType\":"
	"\"io.containerd.runc.v2\",\"runtimeSpec\":{\"annotations\":{\"a\":\"b\"},\"linux\":"
	"{\"cgroupsPath\":\"/kubepods/x\"}}}";

static void container_status(struct msg *m, const char *info)
{
	struct msg st = {.n = 0}, md = {.n = 0}, im = {.n = 0};

	str(&md, 1, "payments");
	byte(&md, 0x10), byte(&md, 0x02); /* attempt = 2 */
	str(&im, 1, "docker.io/acme/payments:1.4.2");
	entry(&im, 2, "x", "y");
	str(&st, 1, HEX64);
	sub(&st, 2, &md);
	byte(&st, 0x18), byte(&st, 0x01); /* state RUNNING */
	byte(&st, 0x38), varint(&st, (uint64_t)-1); /* exit_code -1: ten bytes */
	sub(&st, 8, &im);
	str(&st, 9, "docker.io/acme/payments@sha256:" HEX64);
	entry(&st, 12, "io.kubernetes.pod.name", "payments-7d9f8c6b5-x2x4q");
	entry(&st, 12, "io.kubernetes.container.name", "payments");
	entry(&st, 13, "io.kubernetes.container.restartCount", "0");
	str(&st, 17, "sha256:" HEX64);		  /* image_id: a two-byte tag, 8a 01 */
	byte(&st, 0x98), byte(&st, 0x01), byte(&st, 9); /* stop_signal (19): unknown here */
	str(&st, 99, "a field from the future");
	sub(m, 1, &st);
	if (info)
		entry(m, 2, "info", info);
}

static void test_decode_container_status(void **state)
{
	static struct cri_container c;
	struct msg m = {.n = 0};

	container_status(&m, ctr_info);
	assert_int_equal(cri_decode_container_status(m.b, m.n, &c), 0);
	assert_string_equal(c.id, HEX64);
	assert_string_equal(c.name, "payments");
	assert_string_equal(c.image, "docker.io/acme/payments:1.4.2");
	assert_string_equal(c.image_ref, "docker.io/acme/payments@sha256:" HEX64);
	assert_string_equal(c.image_id, "sha256:" HEX64);
	assert_string_equal(labels_get(&c.labels, "io.kubernetes.container.name"), "payments");
	assert_null(labels_get(&c.labels, "io.kubernetes.container.restartCount"));
	assert_string_equal(labels_get(&c.annotations, "io.kubernetes.container.restartCount"), "0");
	assert_string_equal(c.sandbox_id, "sb1");
	assert_string_equal(c.runtime_type, "io.containerd.runc.v2");
	assert_int_equal(c.pid, 4242);
	/* CRI-O's info has no runtimeType; no info at all is fine too */
	m.n = 0;
	container_status(&m, "{\"sandboxID\":\"sb2\",\"pid\":7,\"privileged\":false}");
	assert_int_equal(cri_decode_container_status(m.b, m.n, &c), 0);
	assert_string_equal(c.sandbox_id, "sb2");
	assert_string_equal(c.runtime_type, "");
	m.n = 0;
	container_status(&m, NULL);
	assert_int_equal(cri_decode_container_status(m.b, m.n, &c), 0);
	assert_string_equal(c.sandbox_id, "");
}

static void test_decode_container_status_bad(void **state)
{
	static struct cri_container c;
	struct msg m = {.n = 0};

	container_status(&m, "[1,2]"); /* info not an object: ignored, the rest stands */
	assert_int_equal(cri_decode_container_status(m.b, m.n, &c), 0);
	assert_string_equal(c.sandbox_id, "");
	assert_int_equal(cri_decode_container_status(m.b, 3, &c), -EPROTO);
	assert_int_equal(cri_decode_container_status((const uint8_t *)"", 0, &c), -ENOENT);
}

static void image_status(struct msg *m, const char *info)
{
	struct msg im = {.n = 0};

	str(&im, 1, "sha256:" HEX64);
	str(&im, 2, "docker.io/acme/payments:1.4.2");
	str(&im, 2, "docker.io/acme/payments:latest");
	str(&im, 3, "docker.io/acme/payments@sha256:" HEX64);
	byte(&im, 0x20), varint(&im, 123456); /* size */
	sub(m, 1, &im);
	if (info)
		entry(m, 2, "info", info);
}

static void test_decode_image_status_containerd(void **state)
{
	static struct cri_image img;
	struct msg m = {.n = 0};

	image_status(&m, "{\"chainID\":\"sha256:c\",\"imageSpec\":{\"architecture\":\"amd64\","
			 "\"config\":{\"Env\":[\"A=b\"],\"Labels\":{\"org.opencontainers.image."
			 "revision\":\"3f2a9c1e\",\"n\":5}}}}");
	assert_int_equal(cri_decode_image_status(m.b, m.n, &img), 0);
	assert_string_equal(img.id, "sha256:" HEX64);
	assert_string_equal(img.repo_tag, "docker.io/acme/payments:1.4.2");
	assert_int_equal(img.ntags, 2);
	assert_string_equal(img.repo_digest, "docker.io/acme/payments@sha256:" HEX64);
	assert_string_equal(labels_get(&img.labels, "org.opencontainers.image.revision"),
			    "3f2a9c1e");
	assert_null(labels_get(&img.labels, "n")); /* not a string: dropped, counted */
	assert_int_equal(img.labels.dropped, 1);
}

static void test_decode_image_status_crio(void **state)
{
	static struct cri_image img;
	struct msg m = {.n = 0};

	image_status(&m, "{\"labels\":{\"org.opencontainers.image.source\":\"https://git.example/a\"},"
			 "\"imageSpec\":{\"architecture\":\"amd64\"}}");
	assert_int_equal(cri_decode_image_status(m.b, m.n, &img), 0);
	assert_string_equal(labels_get(&img.labels, "org.opencontainers.image.source"),
			    "https://git.example/a");
	/* no image in the response: the runtime does not have it */
	assert_int_equal(cri_decode_image_status((const uint8_t *)"", 0, &img), -ENOENT);
	assert_int_equal(cri_parse_image_info("{", 1, &img.labels), -EINVAL);
	assert_int_equal(cri_parse_image_info("\"s\"", 3, &img.labels), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encode_container_status),
		cmocka_unit_test(test_encode_image_status),
		cmocka_unit_test(test_decode_version),
		cmocka_unit_test(test_decode_container_status),
		cmocka_unit_test(test_decode_container_status_bad),
		cmocka_unit_test(test_decode_image_status_containerd),
		cmocka_unit_test(test_decode_image_status_crio),
	};

	return cmocka_run_group_tests_name("runtime_cri", tests, NULL, NULL);
}

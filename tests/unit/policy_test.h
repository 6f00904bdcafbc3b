/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy_test.h - what the policy tests share (test_policy_*.c): the policy under test (one per
 * program, ~400 KiB: not on the stack) and the look-ups of a rule by name and of the rule a path
 * matches.
 */
#ifndef C2D_TEST_POLICY_TEST_H
#define C2D_TEST_POLICY_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "policy.h"
#include "syscalls.h"
#include "unit.h"

#define KIND_BIT(k) (1u << (k))
#define CRED KIND_BIT(C2D_KIND_CREDENTIAL_READ)
#define STOR KIND_BIT(C2D_KIND_STORAGE_WRITE)
#define NS_FLAGS 0xfe020080u

static struct c2d_policy pol; /* ~400 KiB: not on the stack */

static inline int rule_named(const char *name)
{
	int i = policy_find(&pol, name, 0);

	if (i < 0)
		fail_msg("no rule named \"%s\"", name);
	return i;
}

static inline const char *match_name(const char *path, unsigned kinds)
{
	int i = policy_match_path(&pol, path, kinds);

	return i < 0 ? NULL : pol.rules[i].name;
}

static inline void assert_name(const char *got, const char *want, const char *path)
{
	if (!want && got)
		fail_msg("%s: matched \"%s\", expected no match", path, got);
	if (want && (!got || strcmp(got, want) != 0))
		fail_msg("%s: matched \"%s\", expected \"%s\"", path, got ? got : "(none)", want);
}

#endif

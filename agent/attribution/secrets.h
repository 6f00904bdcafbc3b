/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * secrets.h - recognise a secret by its shape, and name it without keeping it.
 *
 * A value is a secret when it has the shape of a known credential format (an AWS access key id,
 * a GitHub/GitLab/Slack/Stripe/Google/npm/PyPI token, a PEM private key, a JWT, a URL with a
 * password) or when its name says so (PASSWORD, SECRET, TOKEN, API_KEY…) and the value has the
 * length and entropy of one. Detectors are rows of a table: add a format by adding a row.
 *
 * What leaves this module about a secret is the detector's id and a keyed fingerprint: the
 * first 128 bits of HMAC-SHA-256(key, value), so that the same secret is recognised wherever it
 * appears (pods, images, revisions) under one cluster key, and cannot be recovered from it. The
 * value itself is never copied, logged or returned.
 */
#ifndef C2D_SECRETS_H
#define C2D_SECRETS_H

#include <stdbool.h>
#include <stddef.h>

#define SECRET_KEY_MAX 64
#define SECRET_FP_LEN 45 /* "hmac-sha256:" + 32 hex digits + NUL */

/* Set the fingerprint key from a file (the first SECRET_KEY_MAX bytes, at least 16; a trailing
 * newline is not part of it), or, with path NULL, a random key for this run only (fingerprints
 * then match within one agent run, not across nodes). 0 or -errno. Called once at start-up,
 * before any thread fingerprints. */
int secrets_key_init(const char *path);

/* Forget the key (zeroed). */
void secrets_key_clear(void);

/* The id of the detector that recognises value (vlen bytes) named name (nlen bytes; name may be
 * NULL for an argument without one), or NULL: not a secret. */
const char *secrets_detect(const char *name, size_t nlen, const char *value, size_t vlen);

/* Does v start like a credential of a known format (a prefix only, no shape check)? What the
 * command-line redaction (redact.c) replaces wherever it appears. */
bool secrets_has_known_prefix(const char *v);

/* Does a variable or flag name say it holds a secret (PASSWORD, api_key, --token…)? */
bool secrets_name_is_secret(const char *name, size_t n);

/* The keyed fingerprint of value into out ("hmac-sha256:" + 32 hex). 0, or -EINVAL without a
 * key. */
int secrets_fingerprint(const char *value, size_t n, char out[SECRET_FP_LEN]);

#endif

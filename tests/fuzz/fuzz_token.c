/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for bearer tokens (token.h). The first byte chooses:
 *  - the rest is a token as sent (a NUL-terminated heap copy);
 *  - the rest is "header JSON" newline "claims JSON", which the harness
 *    encodes and signs with the right key, so that the claim checks
 *    behind the signature are reached too;
 *  - the rest is an Authorization header value;
 *  - eight bytes of iat, four of lifetime, then a subject: the token
 *    token_issue() makes must verify, with that exp, at that time.
 * A token accepted must be unexpired for the subject asked about, and
 * libjwt, decoding it on its own, must read the same subject and exp
 * (the strict checks in front of it must never let through a token two
 * JSON readers see differently).
 *
 * Against the verifier before libjwt (the same rules, then HMAC-SHA256
 * recomputed here and compared with the signature segment): a token
 * accepted has that signature, and a token with that signature is never
 * refused as "bad signature", so libjwt accepts every token the rules let
 * through and the old verifier accepted; together, for one key the two
 * accept the same tokens.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <jwt.h>

#include "token.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_KEY	"fuzz-token-key-of-thirty-two-bytes!"
#define FUZZ_SUB	"owner"
#define FUZZ_NOW	((time_t)1767225600)	/* 2026-01-01 */
#define ISSUE_HEADER	12	/* iat (8 bytes) and lifetime (4) */
#define PLAIN_SUB_MAX	64

enum fuzz_mode {
	MODE_RAW,
	MODE_SIGNED,
	MODE_AUTHORIZATION,
	MODE_ISSUE,
	MODE_COUNT
};

static size_t	 b64url(const uint8_t *, size_t, char *);
static char	*sign(const uint8_t *, size_t);
static void	 verify_check(const char *);
static void	 libjwt_agrees(const char *, const char *, time_t);
static int	 old_signature_ok(const char *);
static void	 issue_check(const uint8_t *, size_t);
static int	 plain_subject(const char *);

/* Base64url without padding into out (room for 4 * len / 3 + 4). */
static size_t
b64url(const uint8_t *in, size_t len, char *out)
{
	static const char	abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t			i, o;
	uint32_t		v;

	for (i = 0, o = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = abc[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
	}
	return (o);
}

/* "header\nclaims" into a token signed with FUZZ_KEY. */
static char *
sign(const uint8_t *p, size_t len)
{
	const uint8_t	*nl;
	uint8_t		 mac[SHA256_DIGEST_LENGTH];
	unsigned int	 maclen;
	size_t		 hlen, o, cap;
	char		*tok;

	if ((nl = memchr(p, '\n', len)) == NULL)
		return (NULL);
	hlen = (size_t)(nl - p);

	cap = (len / 3 + 2) * 4 + (SHA256_DIGEST_LENGTH / 3 + 2) * 4 + 3;
	if ((tok = malloc(cap)) == NULL)
		abort();
	o = b64url(p, hlen, tok);
	tok[o++] = '.';
	o += b64url(nl + 1, len - hlen - 1, tok + o);
	if (HMAC(EVP_sha256(), FUZZ_KEY, (int)strlen(FUZZ_KEY),
	    (const uint8_t *)tok, o, mac, &maclen) == NULL)
		abort();
	tok[o++] = '.';
	o += b64url(mac, maclen, tok + o);
	tok[o] = '\0';
	return (tok);
}

static void
verify_check(const char *tok)
{
	enum token_status	st;
	time_t			exp;

	exp = 0;
	st = token_verify(FUZZ_KEY, strlen(FUZZ_KEY), tok, FUZZ_SUB,
	    FUZZ_NOW, &exp);
	if (token_status_text(st) == NULL)
		abort();
	if (old_signature_ok(tok)) {
		if (st == TOKEN_BAD_SIGNATURE)
			abort();
	} else if (st == TOKEN_OK)
		abort();
	switch (st) {
	case TOKEN_OK:
		if (exp <= FUZZ_NOW)
			abort();
		libjwt_agrees(tok, FUZZ_SUB, exp);
		/* Another subject, or later than exp: refused. */
		if (token_verify(FUZZ_KEY, strlen(FUZZ_KEY), tok, "other",
		    FUZZ_NOW, NULL) == TOKEN_OK)
			abort();
		if (token_verify(FUZZ_KEY, strlen(FUZZ_KEY), tok, FUZZ_SUB,
		    exp, NULL) == TOKEN_OK)
			abort();
		/* And with another key, of course. */
		if (token_verify("x", 1, tok, FUZZ_SUB, FUZZ_NOW,
		    NULL) == TOKEN_OK)
			abort();
		break;
	case TOKEN_MALFORMED:
	case TOKEN_BAD_ALGORITHM:
	case TOKEN_BAD_SIGNATURE:
	case TOKEN_EXPIRED:
	case TOKEN_NOT_YET_VALID:
	case TOKEN_BAD_SUBJECT:
		break;
	default:
		abort();
	}
}

/*
 * The signature check of the verifier libjwt replaced: the last segment
 * is exactly the base64url HMAC-SHA256 of what comes before its dot.
 */
static int
old_signature_ok(const char *tok)
{
	const char	*dot;
	uint8_t		 mac[SHA256_DIGEST_LENGTH];
	unsigned int	 maclen;
	char		 want[(SHA256_DIGEST_LENGTH / 3 + 2) * 4];
	size_t		 n;

	if ((dot = strrchr(tok, '.')) == NULL)
		return (0);
	if (HMAC(EVP_sha256(), FUZZ_KEY, (int)strlen(FUZZ_KEY),
	    (const uint8_t *)tok, (size_t)(dot - tok), mac, &maclen) == NULL)
		abort();
	n = b64url(mac, maclen, want);
	return (strlen(dot + 1) == n && memcmp(dot + 1, want, n) == 0);
}

/* libjwt's own reading of an accepted token: HS256, the same claims. */
static void
libjwt_agrees(const char *tok, const char *sub, time_t exp)
{
	jwt_t		*jwt;
	const char	*s;

	if (jwt_decode(&jwt, tok, (const unsigned char *)FUZZ_KEY,
	    (int)strlen(FUZZ_KEY)) != 0)
		abort();
	if (jwt_get_alg(jwt) != JWT_ALG_HS256)
		abort();
	if ((s = jwt_get_grant(jwt, "sub")) == NULL || strcmp(s, sub) != 0)
		abort();
	if (jwt_get_grant_int(jwt, "exp") != (long)exp)
		abort();
	jwt_free(jwt);
}

static int
plain_subject(const char *sub)
{
	size_t	i;

	for (i = 0; sub[i] != '\0'; i++)
		if ((unsigned char)sub[i] < 0x20 || (unsigned char)sub[i] > 0x7e)
			return (0);
	return (i > 0 && i < PLAIN_SUB_MAX);
}

static void
issue_check(const uint8_t *data, size_t size)
{
	uint64_t	 iat;
	uint32_t	 life;
	time_t		 exp;
	char		*sub, *tok;

	if (size < ISSUE_HEADER)
		return;
	iat = fuzz_be(data, sizeof(iat));
	life = (uint32_t)fuzz_be(data + sizeof(iat),
	    ISSUE_HEADER - sizeof(iat));
	/* Mostly sensible times, sometimes any. */
	if (!(data[0] & 0x80))
		iat %= (uint64_t)FUZZ_NOW * 2;
	sub = fuzz_strdup(data + ISSUE_HEADER, size - ISSUE_HEADER);

	if (token_issue(FUZZ_KEY, strlen(FUZZ_KEY), sub, (time_t)iat,
	    (long)life, &tok) == 0) {
		if (strlen(tok) > TOKEN_MAX_LEN)
			abort();
		exp = 0;
		if (token_verify(FUZZ_KEY, strlen(FUZZ_KEY), tok, sub,
		    (time_t)iat, &exp) != TOKEN_OK ||
		    exp != (time_t)iat + (time_t)life)
			abort();
		libjwt_agrees(tok, sub, exp);
		free(tok);
	} else if (life > 0 && iat < (uint64_t)FUZZ_NOW * 2 &&
	    plain_subject(sub)) {
		/* A short printable ASCII subject at a sane time always works. */
		abort();
	}
	free(sub);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char	*t;
	char		*s;
	size_t		 len;
	int		 mode;

	if ((mode = fuzz_mode_byte(&data, &size, MODE_COUNT)) == -1)
		return (0);

	switch (mode) {
	case MODE_RAW:
		s = fuzz_strdup(data, size);
		verify_check(s);
		free(s);
		break;
	case MODE_SIGNED:
		if ((s = sign(data, size)) == NULL)
			break;
		verify_check(s);
		free(s);
		break;
	case MODE_AUTHORIZATION:
		s = fuzz_strdup(data, size);
		len = strlen(s);
		if ((t = token_from_authorization(s)) != NULL) {
			if (t <= s || t >= s + len || *t == '\0' ||
			    strpbrk(t, " \t") != NULL)
				abort();
			verify_check(t);
		}
		free(s);
		break;
	case MODE_ISSUE:
		issue_check(data, size);
		break;
	}

	return (0);
}

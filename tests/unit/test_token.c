/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for token.c: issuing and verifying HS256 bearer tokens.
 *
 * Tokens for the attack cases are built here by hand (OpenSSL's base64 and
 * HMAC), not with token_issue, so that a bug shared by issuer and verifier
 * cannot hide itself.
 */

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <yajl/yajl_tree.h>

#include "testutil.h"
#include "token.h"

#define KEY		"test-secret-key-0123456789abcdef"
#define KEYLEN		(sizeof(KEY) - 1)
#define SUB		"owner"
#define NOW		1700000000LL
#define LIFE		86400L
#define EXP		(NOW + LIFE)

#define HDR		"{\"alg\":\"HS256\",\"typ\":\"JWT\"}"
#define MAX_JSON	16384

#define VERIFY(tok)	token_verify(KEY, KEYLEN, (tok), SUB, (time_t)NOW, NULL)

static char	*b64u(const void *, size_t);
static char	*b64u_str(const char *);
static char	*dot_join(const char *, const char *, size_t *);
static char	*unb64u(const char *, size_t, size_t *);
static char	*join3(const char *, const char *, const char *);
static char	*sign_md(const EVP_MD *, const void *, size_t, const char *,
		    size_t, size_t);
static char	*seal(const char *, const char *, const void *, size_t);
static char	*mk_raw(const void *, size_t, const void *, size_t,
		    const void *, size_t);
static char	*mk_key(const char *, const char *, const void *, size_t);
static char	*mk(const char *, const char *);
static char	*claims(const char *, long long, long long);
static void	 expect(const char *, const char *, enum token_status);
static void	 expect_not_ok(const char *, const char *);
static void	 expect_member(const char *, enum token_status);
static int	 b64u_index(char);
static char	*padded_claims(size_t);

static const char	alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Unpadded base64url of len bytes, via OpenSSL's standard base64. */
static char *
b64u(const void *data, size_t len)
{
	char	*out, *p;
	int	 n;

	out = malloc(((len + 2) / 3) * 4 + 1);
	assert_non_null(out);
	n = EVP_EncodeBlock((unsigned char *)out, data, (int)len);
	assert_true(n >= 0);
	out[n] = '\0';
	for (p = out; *p != '\0'; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
	return (out);
}

static char *
b64u_str(const char *s)
{
	return (b64u(s, strlen(s)));
}

/* Decode a base64url segment of a token (for inspecting issued tokens). */
static char *
unb64u(const char *seg, size_t len, size_t *outlen)
{
	char	*std, *out;
	size_t	 i, padded;
	int	 n;

	padded = (len + 3) / 4 * 4;
	std = calloc(1, padded + 1);
	assert_non_null(std);
	for (i = 0; i < padded; i++) {
		if (i >= len)
			std[i] = '=';
		else if (seg[i] == '-')
			std[i] = '+';
		else if (seg[i] == '_')
			std[i] = '/';
		else
			std[i] = seg[i];
	}
	out = calloc(1, padded + 1);
	assert_non_null(out);
	n = EVP_DecodeBlock((unsigned char *)out, (unsigned char *)std,
	    (int)padded);
	assert_true(n >= 0);
	/* EVP_DecodeBlock counts the zero bytes the padding stands for. */
	*outlen = (size_t)n - (padded - len == 2 ? 2 : padded - len == 1 ?
	    1 : 0);
	out[*outlen] = '\0';
	free(std);
	return (out);
}

static char *
join3(const char *a, const char *b, const char *c)
{
	char	*out;
	size_t	 len;

	len = strlen(a) + strlen(b) + strlen(c) + 3;
	out = malloc(len);
	assert_non_null(out);
	snprintf(out, len, "%s.%s.%s", a, b, c);
	return (out);
}

/* base64url(MAC over data[0..len)), keeping only siglen bytes of the MAC. */
static char *
sign_md(const EVP_MD *md, const void *key, size_t keylen, const char *data,
    size_t len, size_t siglen)
{
	unsigned char	mac[EVP_MAX_MD_SIZE + 1];
	unsigned int	maclen;

	assert_non_null(HMAC(md, key, (int)keylen, (const unsigned char *)data,
	    len, mac, &maclen));
	mac[maclen] = 0;
	assert_true(siglen <= maclen + 1);
	return (b64u(mac, siglen));
}

/* "hs.ps", what a token's MAC covers, and its length. */
static char *
dot_join(const char *hs, const char *ps, size_t *len)
{
	char	*s;

	*len = strlen(hs) + 1 + strlen(ps);
	s = malloc(*len + 1);
	assert_non_null(s);
	snprintf(s, *len + 1, "%s.%s", hs, ps);
	return (s);
}

/* "hs.ps.sig" with sig the HS256 MAC of "hs.ps" under key. */
static char *
seal(const char *hs, const char *ps, const void *key, size_t keylen)
{
	char	*signing, *sig, *tok;
	size_t	 len;

	signing = dot_join(hs, ps, &len);
	sig = sign_md(EVP_sha256(), key, keylen, signing, len, 32);
	tok = join3(hs, ps, sig);
	free(signing);
	free(sig);
	return (tok);
}

/* A token from raw header and payload bytes, HS256-signed with key. */
static char *
mk_raw(const void *h, size_t hlen, const void *p, size_t plen,
    const void *key, size_t keylen)
{
	char	*hs, *ps, *tok;

	hs = b64u(h, hlen);
	ps = b64u(p, plen);
	tok = seal(hs, ps, key, keylen);
	free(hs);
	free(ps);
	return (tok);
}

static char *
mk_key(const char *h, const char *p, const void *key, size_t keylen)
{
	return (mk_raw(h, strlen(h), p, strlen(p), key, keylen));
}

static char *
mk(const char *h, const char *p)
{
	return (mk_key(h, p, KEY, KEYLEN));
}

/* Claims text; a static buffer is enough for one use at a time. */
static char *
claims(const char *sub, long long iat, long long exp)
{
	static char	buf[MAX_JSON];

	snprintf(buf, sizeof(buf), "{\"sub\":\"%s\",\"iat\":%lld,\"exp\":%lld}",
	    sub, iat, exp);
	return (buf);
}

static void
expect(const char *h, const char *p, enum token_status want)
{
	char	*tok;

	tok = mk(h, p);
	assert_int_equal(VERIFY(tok), want);
	free(tok);
}

static void
expect_not_ok(const char *h, const char *p)
{
	char	*tok;

	tok = mk(h, p);
	assert_int_not_equal(VERIFY(tok), TOKEN_OK);
	free(tok);
}

static int
b64u_index(char c)
{
	const char	*p;

	p = strchr(alphabet, c);
	assert_non_null(p);
	return ((int)(p - alphabet));
}

static void
test_round_trip(void **state)
{
	char		*tok, *hdr, *pay, *sig, *signing;
	const char	*d1, *d2;
	const char	*path_alg[] = { "alg", NULL };
	const char	*path_sub[] = { "sub", NULL };
	const char	*path_iat[] = { "iat", NULL };
	const char	*path_exp[] = { "exp", NULL };
	yajl_val	 root, v;
	time_t		 exp;
	size_t		 len;

	(void)state;

	assert_int_equal(token_issue(KEY, KEYLEN, SUB, (time_t)NOW, LIFE,
	    &tok), 0);
	assert_non_null(tok);
	assert_true(strlen(tok) <= TOKEN_MAX_LEN);

	exp = 0;
	assert_int_equal(token_verify(KEY, KEYLEN, tok, SUB, (time_t)NOW,
	    &exp), TOKEN_OK);
	assert_int_equal((long long)exp, EXP);
	assert_int_equal(token_verify(KEY, KEYLEN, tok, SUB,
	    (time_t)(EXP - 1), NULL), TOKEN_OK);
	assert_int_equal(token_verify(KEY, KEYLEN, tok, SUB, (time_t)EXP,
	    NULL), TOKEN_EXPIRED);

	/* Standard shape: three segments, HMAC-SHA256 over the first two. */
	d1 = strchr(tok, '.');
	assert_non_null(d1);
	d2 = strchr(d1 + 1, '.');
	assert_non_null(d2);
	assert_null(strchr(d2 + 1, '.'));
	assert_null(strchr(tok, '='));
	sig = sign_md(EVP_sha256(), KEY, KEYLEN, tok, (size_t)(d2 - tok), 32);
	assert_string_equal(sig, d2 + 1);
	free(sig);

	hdr = unb64u(tok, (size_t)(d1 - tok), &len);
	root = yajl_tree_parse(hdr, NULL, 0);
	assert_non_null(root);
	v = yajl_tree_get(root, path_alg, yajl_t_string);
	assert_non_null(v);
	assert_string_equal(YAJL_GET_STRING(v), "HS256");
	yajl_tree_free(root);
	free(hdr);

	pay = unb64u(d1 + 1, (size_t)(d2 - (d1 + 1)), &len);
	root = yajl_tree_parse(pay, NULL, 0);
	assert_non_null(root);
	v = yajl_tree_get(root, path_sub, yajl_t_string);
	assert_non_null(v);
	assert_string_equal(YAJL_GET_STRING(v), SUB);
	v = yajl_tree_get(root, path_iat, yajl_t_number);
	assert_true(YAJL_IS_INTEGER(v));
	assert_int_equal(YAJL_GET_INTEGER(v), NOW);
	v = yajl_tree_get(root, path_exp, yajl_t_number);
	assert_true(YAJL_IS_INTEGER(v));
	assert_int_equal(YAJL_GET_INTEGER(v), EXP);
	yajl_tree_free(root);
	free(pay);

	/* The issued token is accepted only for its own subject and key. */
	assert_int_equal(token_verify(KEY, KEYLEN, tok, "other", (time_t)NOW,
	    NULL), TOKEN_BAD_SUBJECT);
	assert_int_equal(token_verify("other-key", 9, tok, SUB, (time_t)NOW,
	    NULL), TOKEN_BAD_SIGNATURE);

	/* A hand-built token with the same claims verifies the same way. */
	signing = mk(HDR, claims(SUB, NOW, EXP));
	assert_int_equal(VERIFY(signing), TOKEN_OK);
	free(signing);
	free(tok);
}

static void
test_issue_awkward_subject(void **state)
{
	const char	*subs[] = {
		"o\"w\\n/er", "\xc3\xa9l\xc3\xa8ve", "tab\there", "a b",
		"</script>", "\x01\x1f",
		/* The text \u0000 (escaped as \\u0000), not a NUL. */
		"a\\u0000b", "\\\\u0000",
	};
	char		*tok;
	size_t		 i;

	(void)state;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		assert_int_equal(token_issue(KEY, KEYLEN, subs[i], (time_t)NOW,
		    LIFE, &tok), 0);
		assert_int_equal(token_verify(KEY, KEYLEN, tok, subs[i],
		    (time_t)NOW, NULL), TOKEN_OK);
		assert_int_equal(token_verify(KEY, KEYLEN, tok, SUB,
		    (time_t)NOW, NULL), TOKEN_BAD_SUBJECT);
		free(tok);
	}
}

static void
test_issue_bad_args(void **state)
{
	char	*tok, *big;

	(void)state;

	tok = (char *)1;
	assert_int_equal(token_issue(NULL, KEYLEN, SUB, (time_t)NOW, LIFE,
	    &tok), -1);
	assert_null(tok);
	assert_int_equal(token_issue(KEY, 0, SUB, (time_t)NOW, LIFE, &tok),
	    -1);
	assert_int_equal(token_issue(KEY, KEYLEN, NULL, (time_t)NOW, LIFE,
	    &tok), -1);
	assert_int_equal(token_issue(KEY, KEYLEN, SUB, (time_t)NOW, 0, &tok),
	    -1);
	assert_int_equal(token_issue(KEY, KEYLEN, SUB, (time_t)NOW, -1, &tok),
	    -1);
	assert_int_equal(token_issue(KEY, KEYLEN, SUB, (time_t)-1, LIFE,
	    &tok), -1);
	assert_int_equal(token_issue(KEY, KEYLEN, SUB, (time_t)LLONG_MAX,
	    LIFE, &tok), -1);
	assert_int_equal(token_issue(KEY, KEYLEN, SUB, (time_t)NOW, LIFE,
	    NULL), -1);

	/* Not UTF-8: cannot be put in a JSON string. */
	assert_int_equal(token_issue(KEY, KEYLEN, "\xff\xfe", (time_t)NOW,
	    LIFE, &tok), -1);
	assert_null(tok);

	/* A token too long for the verifier is not issued. */
	big = malloc(TOKEN_MAX_LEN + 1);
	assert_non_null(big);
	memset(big, 'a', TOKEN_MAX_LEN);
	big[TOKEN_MAX_LEN] = '\0';
	assert_int_equal(token_issue(KEY, KEYLEN, big, (time_t)NOW, LIFE,
	    &tok), -1);
	assert_null(tok);
	free(big);
}

static void
test_member_order_and_spacing(void **state)
{
	char	p[MAX_JSON];

	(void)state;

	snprintf(p, sizeof(p), "{\"exp\":%lld,\"iat\":%lld,\"sub\":\"owner\"}",
	    EXP, NOW);
	expect("{\"typ\":\"JWT\",\"alg\":\"HS256\"}", p, TOKEN_OK);
	expect("{\"alg\":\"HS256\"}", p, TOKEN_OK);
	expect("{\"kid\":\"1\",\"alg\":\"HS256\",\"typ\":\"JWT\"}", p,
	    TOKEN_OK);

	snprintf(p, sizeof(p), " {\n \"iat\" : %lld ,\n \"jti\": \"x\", "
	    "\"sub\": \"owner\", \"exp\": %lld }\n", NOW, EXP);
	expect("{ \"alg\" : \"HS256\" }", p, TOKEN_OK);

	/* JSON escapes mean the same string (Python's json escapes é). */
	snprintf(p, sizeof(p), "{\"sub\":\"\\u006fwner\",\"iat\":%lld,"
	    "\"exp\":%lld}", NOW, EXP);
	expect(HDR, p, TOKEN_OK);
}

static void
test_json_escaped_subject(void **state)
{
	char	p[MAX_JSON], *tok;

	(void)state;

	snprintf(p, sizeof(p), "{\"sub\":\"\\u00e9l\\u00e8ve\",\"iat\":%lld,"
	    "\"exp\":%lld}", NOW, EXP);
	tok = mk(HDR, p);
	assert_int_equal(token_verify(KEY, KEYLEN, tok, "\xc3\xa9l\xc3\xa8ve",
	    (time_t)NOW, NULL), TOKEN_OK);
	free(tok);
}

/* value as an extra member of the claims, then of the header. */
static void
expect_member(const char *value, enum token_status want)
{
	char	p[MAX_JSON], h[MAX_JSON];

	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,"
	    "\"exp\":%lld,\"x\":%s}", NOW, EXP, value);
	expect(HDR, p, want);
	snprintf(h, sizeof(h), "{\"alg\":\"HS256\",\"kid\":%s}", value);
	expect(h, claims(SUB, NOW, EXP), want);
}

/*
 * Correctly signed tokens whose JSON yajl reads but jansson (libjwt's
 * parser) refuses: the rules in front of libjwt call them malformed, not
 * "bad signature", and what jansson does read passes.
 */
static void
test_jansson_readable(void **state)
{
	static const char *const refused[] = {
		"\"\\ud800\"",			/* high half alone */
		"\"\\udc00\"",			/* low half alone */
		"\"\\ud800\\u0041\"",		/* high half, then no low */
		"\"\\udc00\\ud800\"",		/* halves the wrong way round */
		"\"\\\\\\ud800\"",		/* an escaped \ does not hide it */
		"\"\xc0\xaf\"",			/* overlong '/' */
		"\"\xed\xa0\x80\"",		/* U+D800 written in UTF-8 */
		"\"\xf4\x90\x80\x80\"",		/* past U+10FFFF */
		"\"\xff\"",
		"99999999999999999999",		/* past 64 bits */
		"-9223372036854775809",
		"1e999",			/* overflows a double */
		"[1, {\"y\": -1E400}]",
		"\v1",				/* yajl's whitespace only */
		"\f1",
	};
	static const char *const read[] = {
		"\"\\ud83d\\ude00\"",		/* a pair */
		"\"\xf0\x9f\x98\x80 \xc3\xa9\"",
		"\"\\\\ud800\"",		/* an escaped \, then text */
		"9223372036854775807",
		"-9223372036854775808",
		"1e-999",			/* underflows to 0: fine */
		"-0",
		"1.5e300",
		" \t\r\n1",			/* RFC 8259's whitespace */
	};
	char	p[MAX_JSON];
	size_t	i;

	(void)state;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		expect_member(refused[i], TOKEN_MALFORMED);
	/* yajl ends a text with an unterminated string after it quietly. */
	expect(HDR "\"", claims(SUB, NOW, EXP), TOKEN_MALFORMED);
	snprintf(p, sizeof(p), "%s\"}", claims(SUB, NOW, EXP));
	expect(HDR, p, TOKEN_MALFORMED);

	for (i = 0; i < sizeof(read) / sizeof(read[0]); i++)
		expect_member(read[i], TOKEN_OK);
}

static void
test_expired(void **state)
{
	char	*tok;
	time_t	 exp;

	(void)state;

	tok = mk(HDR, claims(SUB, NOW - LIFE, NOW));
	assert_int_equal(VERIFY(tok), TOKEN_EXPIRED);
	assert_int_equal(token_verify(KEY, KEYLEN, tok, SUB,
	    (time_t)(NOW + 1000), NULL), TOKEN_EXPIRED);
	exp = 0;
	assert_int_equal(token_verify(KEY, KEYLEN, tok, SUB,
	    (time_t)(NOW - 1), &exp), TOKEN_OK);
	assert_int_equal((long long)exp, NOW);
	free(tok);

	expect(HDR, claims(SUB, 0, 1), TOKEN_EXPIRED);
	expect(HDR, claims(SUB, 0, 0), TOKEN_EXPIRED);
}

static void
test_not_yet_valid(void **state)
{
	char	p[MAX_JSON];

	(void)state;

	expect(HDR, claims(SUB, NOW + TOKEN_CLOCK_SKEW + 1,
	    EXP + TOKEN_CLOCK_SKEW + 1), TOKEN_NOT_YET_VALID);
	expect(HDR, claims(SUB, NOW + 3600, EXP + 3600), TOKEN_NOT_YET_VALID);
	expect(HDR, claims(SUB, NOW + TOKEN_CLOCK_SKEW,
	    EXP + TOKEN_CLOCK_SKEW), TOKEN_OK);

	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld,"
	    "\"nbf\":%lld}", NOW, EXP, NOW + TOKEN_CLOCK_SKEW + 1);
	expect(HDR, p, TOKEN_NOT_YET_VALID);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld,"
	    "\"nbf\":%lld}", NOW, EXP, NOW + TOKEN_CLOCK_SKEW);
	expect(HDR, p, TOKEN_OK);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld,"
	    "\"nbf\":%lld}", NOW, EXP, NOW - 10);
	expect(HDR, p, TOKEN_OK);
}

static void
test_wrong_subject(void **state)
{
	char	p[MAX_JSON], *tok;

	(void)state;

	expect(HDR, claims("owner2", NOW, EXP), TOKEN_BAD_SUBJECT);
	expect(HDR, claims("owne", NOW, EXP), TOKEN_BAD_SUBJECT);
	expect(HDR, claims("Owner", NOW, EXP), TOKEN_BAD_SUBJECT);
	expect(HDR, claims(" owner", NOW, EXP), TOKEN_BAD_SUBJECT);
	expect(HDR, claims("", NOW, EXP), TOKEN_BAD_SUBJECT);

	snprintf(p, sizeof(p), "{\"iat\":%lld,\"exp\":%lld}", NOW, EXP);
	expect(HDR, p, TOKEN_BAD_SUBJECT);
	snprintf(p, sizeof(p), "{\"sub\":42,\"iat\":%lld,\"exp\":%lld}",
	    NOW, EXP);
	expect(HDR, p, TOKEN_BAD_SUBJECT);
	snprintf(p, sizeof(p), "{\"sub\":null,\"iat\":%lld,\"exp\":%lld}",
	    NOW, EXP);
	expect(HDR, p, TOKEN_BAD_SUBJECT);
	snprintf(p, sizeof(p), "{\"sub\":[\"owner\"],\"iat\":%lld,"
	    "\"exp\":%lld}", NOW, EXP);
	expect(HDR, p, TOKEN_BAD_SUBJECT);

	/* "owner" followed by a NUL must not pass as "owner". */
	snprintf(p, sizeof(p), "{\"sub\":\"owner\\u0000x\",\"iat\":%lld,"
	    "\"exp\":%lld}", NOW, EXP);
	expect_not_ok(HDR, p);

	/* Two subjects: another parser could read the other one. */
	snprintf(p, sizeof(p), "{\"sub\":\"mallory\",\"sub\":\"owner\","
	    "\"iat\":%lld,\"exp\":%lld}", NOW, EXP);
	expect_not_ok(HDR, p);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"sub\":\"mallory\","
	    "\"iat\":%lld,\"exp\":%lld}", NOW, EXP);
	expect_not_ok(HDR, p);

	/* The expected subject is compared in full, too. */
	tok = mk(HDR, claims(SUB, NOW, EXP));
	assert_int_equal(token_verify(KEY, KEYLEN, tok, "", (time_t)NOW,
	    NULL), TOKEN_BAD_SUBJECT);
	assert_int_equal(token_verify(KEY, KEYLEN, tok, "owner2",
	    (time_t)NOW, NULL), TOKEN_BAD_SUBJECT);
	assert_int_equal(token_verify(KEY, KEYLEN, tok, NULL, (time_t)NOW,
	    NULL), TOKEN_MALFORMED);
	free(tok);
}

static void
test_tampered_every_character(void **state)
{
	char	*good, *bad;
	size_t	 i, len;
	int	 v;

	(void)state;

	good = mk(HDR, claims(SUB, NOW, EXP));
	assert_int_equal(VERIFY(good), TOKEN_OK);
	len = strlen(good);
	bad = strdup(good);
	assert_non_null(bad);

	/* Any one changed character in any segment must be noticed. */
	for (i = 0; i < len; i++) {
		if (good[i] == '.')
			continue;
		for (v = 1; v < 64; v += 21) {
			bad[i] = alphabet[(b64u_index(good[i]) + v) % 64];
			assert_int_not_equal(VERIFY(bad), TOKEN_OK);
		}
		bad[i] = good[i];
	}

	/* In the signature it is always reported as a bad signature. */
	for (i = (size_t)(strrchr(good, '.') - good) + 1; i < len; i++) {
		bad[i] = alphabet[(b64u_index(good[i]) + 1) % 64];
		assert_int_equal(VERIFY(bad), TOKEN_BAD_SIGNATURE);
		bad[i] = good[i];
	}
	free(bad);
	free(good);
}

static void
test_swapped_segments(void **state)
{
	char	*good, *other, *tok, *h, *p;
	char	*d1, *d2, *o1, *o2;

	(void)state;

	good = mk(HDR, claims(SUB, NOW, EXP));
	other = mk("{\"typ\":\"JWT\",\"alg\":\"HS256\"}",
	    claims(SUB, NOW, EXP + 365 * LIFE));
	d1 = strchr(good, '.');
	d2 = strchr(d1 + 1, '.');
	o1 = strchr(other, '.');
	o2 = strchr(o1 + 1, '.');

	/* A longer-lived payload under the good token's signature. */
	h = strndup(good, (size_t)(d1 - good));
	p = strndup(o1 + 1, (size_t)(o2 - (o1 + 1)));
	tok = join3(h, p, d2 + 1);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);
	free(h);
	free(p);

	/* An equivalent header under the good token's signature. */
	h = strndup(other, (size_t)(o1 - other));
	p = strndup(d1 + 1, (size_t)(d2 - (d1 + 1)));
	tok = join3(h, p, d2 + 1);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);
	free(h);
	free(p);

	free(good);
	free(other);
}

static void
test_signature_encoding(void **state)
{
	char	*hs, *ps, *signing, *sig, *tok;
	size_t	 len;

	(void)state;

	hs = b64u_str(HDR);
	ps = b64u_str(claims(SUB, NOW, EXP));
	signing = dot_join(hs, ps, &len);

	/* Truncated, extended and missing MACs. */
	sig = sign_md(EVP_sha256(), KEY, KEYLEN, signing, len, 31);
	tok = join3(hs, ps, sig);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);
	free(sig);
	sig = sign_md(EVP_sha256(), KEY, KEYLEN, signing, len, 33);
	tok = join3(hs, ps, sig);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);
	free(sig);
	tok = join3(hs, ps, "");
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);

	/* HMAC-SHA512 under an HS256 header is still the wrong MAC. */
	sig = sign_md(EVP_sha512(), KEY, KEYLEN, signing, len, 64);
	tok = join3(hs, ps, sig);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);
	free(sig);

	/*
	 * 43 characters carry 258 bits for 256: setting an unused low bit
	 * leaves the decoded bytes alone, and must still be refused.
	 */
	sig = sign_md(EVP_sha256(), KEY, KEYLEN, signing, len, 32);
	assert_int_equal(strlen(sig), 43);
	tok = join3(hs, ps, sig);
	assert_int_equal(VERIFY(tok), TOKEN_OK);
	tok[strlen(tok) - 1] = alphabet[b64u_index(sig[42]) | 1];
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	tok[strlen(tok) - 1] = alphabet[b64u_index(sig[42]) | 2];
	assert_int_equal(VERIFY(tok), TOKEN_BAD_SIGNATURE);
	free(tok);

	/* Standard base64 and padding are not base64url. */
	tok = malloc(len + 1 + 44 + 1);
	assert_non_null(tok);
	snprintf(tok, len + 1 + 44 + 1, "%s.%s=", signing, sig);
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);
	free(sig);

	free(signing);
	free(hs);
	free(ps);
}

static void
test_alg_none(void **state)
{
	const char	*hdrs[] = {
		"{\"alg\":\"none\",\"typ\":\"JWT\"}",
		"{\"alg\":\"none\"}",
		"{\"alg\":\"None\"}",
		"{\"alg\":\"NONE\"}",
		"{\"alg\":\"nOnE\"}",
		"{\"alg\":\"\"}",
	};
	char		*hs, *ps, *tok;
	size_t		 i;

	(void)state;

	ps = b64u_str(claims(SUB, NOW, EXP));
	for (i = 0; i < sizeof(hdrs) / sizeof(hdrs[0]); i++) {
		/* Unsigned, as "none" tokens come. */
		hs = b64u_str(hdrs[i]);
		tok = join3(hs, ps, "");
		assert_int_equal(VERIFY(tok), TOKEN_BAD_ALGORITHM);
		free(tok);

		/* And with a MAC that would verify: the header still lies. */
		expect(hdrs[i], claims(SUB, NOW, EXP), TOKEN_BAD_ALGORITHM);

		/* And with any signature at all. */
		tok = join3(hs, ps, "c2lnbmF0dXJl");
		assert_int_equal(VERIFY(tok), TOKEN_BAD_ALGORITHM);
		free(tok);
		free(hs);
	}
	free(ps);
}

static void
test_alg_other(void **state)
{
	const char	*bad_alg[] = {
		"{\"alg\":\"HS512\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS384\",\"typ\":\"JWT\"}",
		"{\"alg\":\"RS256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"ES256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"hs256\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS256 \",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS2560\",\"typ\":\"JWT\"}",
		"{\"alg\":\"HS25\",\"typ\":\"JWT\"}",
		"{\"typ\":\"JWT\"}",
		"{}",
		"{\"alg\":256}",
		"{\"alg\":null}",
		"{\"alg\":true}",
		"{\"alg\":[\"HS256\"]}",
		"{\"alg\":{\"name\":\"HS256\"}}",
		"{\"ALG\":\"HS256\"}",
	};
	char		*hs, *ps, *signing, *sig, *tok;
	size_t		 i, len;

	(void)state;

	for (i = 0; i < sizeof(bad_alg) / sizeof(bad_alg[0]); i++)
		expect(bad_alg[i], claims(SUB, NOW, EXP), TOKEN_BAD_ALGORITHM);

	/* Properly signed with the algorithms they name. */
	hs = b64u_str(bad_alg[0]);
	ps = b64u_str(claims(SUB, NOW, EXP));
	signing = dot_join(hs, ps, &len);
	sig = sign_md(EVP_sha512(), KEY, KEYLEN, signing, len, 64);
	tok = join3(hs, ps, sig);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_ALGORITHM);
	free(tok);
	free(sig);
	free(signing);
	free(hs);

	hs = b64u_str(bad_alg[1]);
	signing = dot_join(hs, ps, &len);
	sig = sign_md(EVP_sha384(), KEY, KEYLEN, signing, len, 48);
	tok = join3(hs, ps, sig);
	assert_int_equal(VERIFY(tok), TOKEN_BAD_ALGORITHM);
	free(tok);
	free(sig);
	free(signing);
	free(hs);
	free(ps);

	/* Two algorithms: whichever a parser picks, refuse. */
	expect_not_ok("{\"alg\":\"HS256\",\"alg\":\"none\"}",
	    claims(SUB, NOW, EXP));
	expect_not_ok("{\"alg\":\"none\",\"alg\":\"HS256\"}",
	    claims(SUB, NOW, EXP));
	expect_not_ok("{\"alg\":\"HS256\",\"alg\":\"HS256\"}",
	    claims(SUB, NOW, EXP));
}

static void
test_header_fields(void **state)
{
	const char	*p;

	(void)state;

	p = claims(SUB, NOW, EXP);
	expect("{\"alg\":\"HS256\",\"typ\":\"JWS\"}", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\",\"typ\":\"jwt \"}", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\",\"typ\":1}", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\",\"typ\":null}", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\",\"crit\":[]}", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"typ\":\"JWT\"}", p,
	    TOKEN_MALFORMED);
}

static void
test_header_not_json(void **state)
{
	const char	*p;
	char		*tok;
	static const char nul_hdr[] = "{\"alg\":\"HS256\"}\0{\"alg\":\"none\"}";

	(void)state;

	p = claims(SUB, NOW, EXP);
	expect("alg=HS256", p, TOKEN_MALFORMED);
	expect("", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\"", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\"}x", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS256\"}{}", p, TOKEN_MALFORMED);
	expect("[\"HS256\"]", p, TOKEN_MALFORMED);
	expect("\"HS256\"", p, TOKEN_MALFORMED);
	expect("null", p, TOKEN_MALFORMED);
	expect("{\"alg\":\"HS\xff\"}", p, TOKEN_MALFORMED);

	/* A NUL would end the text early for a C string parser. */
	tok = mk_raw(nul_hdr, sizeof(nul_hdr) - 1, p, strlen(p), KEY, KEYLEN);
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);
}

static void
test_payload_not_json(void **state)
{
	char		 p[MAX_JSON], *tok;
	static const char nul_pay[] = "{\"sub\":\"owner\",\"iat\":1700000000,"
	    "\"exp\":1700086400}\0garbage";

	(void)state;

	expect(HDR, "not json", TOKEN_MALFORMED);
	expect(HDR, "", TOKEN_MALFORMED);
	expect(HDR, "[1,2]", TOKEN_MALFORMED);
	expect(HDR, "\"owner\"", TOKEN_MALFORMED);
	expect(HDR, "null", TOKEN_MALFORMED);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld",
	    NOW, EXP);
	expect(HDR, p, TOKEN_MALFORMED);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld}"
	    "{}", NOW, EXP);
	expect(HDR, p, TOKEN_MALFORMED);

	tok = mk_raw(HDR, strlen(HDR), nul_pay, sizeof(nul_pay) - 1, KEY,
	    KEYLEN);
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);

	/* A NUL escaped inside a string would cut "owner\0x" to "owner". */
	snprintf(p, sizeof(p), "{\"sub\":\"owner\\u0000x\",\"iat\":%lld,"
	    "\"exp\":%lld}", NOW, EXP);
	expect(HDR, p, TOKEN_MALFORMED);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,"
	    "\"exp\":%lld,\"x\\u0000\":1}", NOW, EXP);
	expect(HDR, p, TOKEN_MALFORMED);
}

static void
test_structure(void **state)
{
	char	*good, *tok, *big, *hs, *ps, *padded;
	char	*d2;
	size_t	 len, n;

	(void)state;

	good = mk(HDR, claims(SUB, NOW, EXP));
	len = strlen(good);
	d2 = strrchr(good, '.');

	assert_int_equal(VERIFY(NULL), TOKEN_MALFORMED);
	assert_int_equal(VERIFY(""), TOKEN_MALFORMED);
	assert_int_equal(VERIFY("abc"), TOKEN_MALFORMED);
	assert_int_equal(VERIFY(".."), TOKEN_MALFORMED);
	assert_int_equal(VERIFY("..."), TOKEN_MALFORMED);

	/* Two segments: the signature dropped, with and without its dot. */
	tok = strndup(good, (size_t)(d2 - good));
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);

	/* Four segments. */
	big = malloc(len + 8);
	assert_non_null(big);
	snprintf(big, len + 8, "%s.", good);
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	snprintf(big, len + 8, "%s.abcd", good);
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	snprintf(big, len + 8, ".%s", good);
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);

	/* Blanks and foreign characters anywhere. */
	snprintf(big, len + 8, "%s ", good);
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	snprintf(big, len + 8, "%s\n", good);
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	snprintf(big, len + 8, " %s", good);
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	memcpy(big, good, len + 1);
	big[1] = '+';
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	memcpy(big, good, len + 1);
	big[len - 3] = '/';
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	memcpy(big, good, len + 1);
	big[2] = '\x80';
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	free(big);
	free(good);

	/*
	 * Padding, signed as sent so that only the padding is wrong: a
	 * 29-byte header encodes to 39 characters + "=".
	 */
	hs = b64u_str("{\"alg\":\"HS256\",\"typ\":\"JWT\"}  ");
	assert_int_equal(strlen(hs) % 4, 3);
	ps = b64u_str(claims(SUB, NOW, EXP));
	n = strlen(hs) + 2;
	padded = malloc(n);
	assert_non_null(padded);
	snprintf(padded, n, "%s=", hs);
	tok = seal(padded, ps, KEY, KEYLEN);
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);
	free(padded);

	/* A segment of 4n+1 characters cannot be base64. */
	n = strlen(ps) + 4;
	padded = malloc(n);
	assert_non_null(padded);
	snprintf(padded, n, "%s", ps);
	while (strlen(padded) % 4 != 1)
		strcat(padded, "A");
	tok = seal(hs, padded, KEY, KEYLEN);
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);
	free(padded);

	/* The unpadded forms of the same segments are fine. */
	tok = seal(hs, ps, KEY, KEYLEN);
	assert_int_equal(VERIFY(tok), TOKEN_OK);
	free(tok);
	free(hs);
	free(ps);
}

/* Valid claims with a "pad" member of padlen bytes; caller frees. */
static char *
padded_claims(size_t padlen)
{
	char	*p;
	size_t	 cap;
	int	 n;

	cap = padlen + 128;
	p = malloc(cap);
	assert_non_null(p);
	n = snprintf(p, cap, "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld,"
	    "\"pad\":\"", NOW, EXP);
	assert_true(n > 0 && (size_t)n < cap);
	memset(p + n, 'x', padlen);
	memcpy(p + n + padlen, "\"}", 3);
	return (p);
}

static void
test_huge_token(void **state)
{
	char	*p, *tok, *big;
	size_t	 padlen, len;
	int	 seen_ok, seen_long;

	(void)state;

	/*
	 * Correctly signed, valid claims: accepted up to TOKEN_MAX_LEN
	 * characters, refused beyond.
	 */
	seen_ok = seen_long = 0;
	for (padlen = TOKEN_MAX_LEN * 3 / 4 - 120;
	    padlen < TOKEN_MAX_LEN * 3 / 4 - 60; padlen++) {
		p = padded_claims(padlen);
		tok = mk(HDR, p);
		if (strlen(tok) <= TOKEN_MAX_LEN) {
			assert_int_equal(VERIFY(tok), TOKEN_OK);
			seen_ok = 1;
		} else {
			assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
			seen_long = 1;
		}
		free(tok);
		free(p);
	}
	assert_true(seen_ok && seen_long);

	p = padded_claims(TOKEN_MAX_LEN);
	tok = mk(HDR, p);
	assert_int_equal(VERIFY(tok), TOKEN_MALFORMED);
	free(tok);
	free(p);

	/* A megabyte of base64url characters. */
	len = 1024 * 1024;
	big = malloc(len + 1);
	assert_non_null(big);
	memset(big, 'A', len);
	big[100] = '.';
	big[200] = '.';
	big[len] = '\0';
	assert_int_equal(VERIFY(big), TOKEN_MALFORMED);
	free(big);
}

static void
test_time_claim_types(void **state)
{
	const char	*bad[] = {
		"\"1700086400\"", "1700086400.0", "1.7000864e9", "1e10",
		"-1", "-0", "null", "true", "[1700086400]",
		"99999999999999999999999",
	};
	char		 p[MAX_JSON];
	size_t		 i;

	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,"
		    "\"exp\":%s}", NOW, bad[i]);
		expect(HDR, p, TOKEN_MALFORMED);
		snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%s,"
		    "\"exp\":%lld}", bad[i], EXP);
		expect(HDR, p, TOKEN_MALFORMED);
		snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,"
		    "\"exp\":%lld,\"nbf\":%s}", NOW, EXP, bad[i]);
		expect(HDR, p, TOKEN_MALFORMED);
	}

	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld}", NOW);
	expect(HDR, p, TOKEN_MALFORMED);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"exp\":%lld}", EXP);
	expect(HDR, p, TOKEN_MALFORMED);

	/* Two exp claims: the later one must not win anywhere. */
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld,"
	    "\"exp\":%lld}", NOW, NOW - 1, EXP);
	expect_not_ok(HDR, p);
	snprintf(p, sizeof(p), "{\"sub\":\"owner\",\"iat\":%lld,\"exp\":%lld,"
	    "\"exp\":%lld}", NOW, EXP, NOW - 1);
	expect_not_ok(HDR, p);
}

static void
test_key_one_byte_off(void **state)
{
	char	 key[KEYLEN + 1], *tok;

	(void)state;

	tok = mk(HDR, claims(SUB, NOW, EXP));
	assert_int_equal(VERIFY(tok), TOKEN_OK);

	memcpy(key, KEY, KEYLEN);
	key[KEYLEN - 1] ^= 1;
	assert_int_equal(token_verify(key, KEYLEN, tok, SUB, (time_t)NOW,
	    NULL), TOKEN_BAD_SIGNATURE);
	memcpy(key, KEY, KEYLEN);
	key[0] ^= 0x20;
	assert_int_equal(token_verify(key, KEYLEN, tok, SUB, (time_t)NOW,
	    NULL), TOKEN_BAD_SIGNATURE);

	/* A prefix of the key, and the key with one more byte. */
	assert_int_equal(token_verify(KEY, KEYLEN - 1, tok, SUB, (time_t)NOW,
	    NULL), TOKEN_BAD_SIGNATURE);
	memcpy(key, KEY, KEYLEN);
	key[KEYLEN] = 'x';
	assert_int_equal(token_verify(key, KEYLEN + 1, tok, SUB, (time_t)NOW,
	    NULL), TOKEN_BAD_SIGNATURE);

	/* No key is never a key. */
	assert_int_equal(token_verify(KEY, 0, tok, SUB, (time_t)NOW, NULL),
	    TOKEN_BAD_SIGNATURE);
	assert_int_equal(token_verify(NULL, KEYLEN, tok, SUB, (time_t)NOW,
	    NULL), TOKEN_BAD_SIGNATURE);
	free(tok);

	/* A token made with the empty key is refused as well. */
	tok = mk_key(HDR, claims(SUB, NOW, EXP), "", 0);
	assert_int_equal(token_verify("", 0, tok, SUB, (time_t)NOW, NULL),
	    TOKEN_BAD_SIGNATURE);
	free(tok);
}

static void
test_from_authorization(void **state)
{
	const char	*v;

	(void)state;

	v = "Bearer abc.def.ghi";
	assert_ptr_equal(token_from_authorization(v), v + 7);
	v = "bearer x";
	assert_ptr_equal(token_from_authorization(v), v + 7);
	v = "BEARER x";
	assert_ptr_equal(token_from_authorization(v), v + 7);
	v = "Bearer  x";
	assert_ptr_equal(token_from_authorization(v), v + 8);
	v = "bEaReR    tok";
	assert_string_equal(token_from_authorization(v), "tok");

	assert_null(token_from_authorization("Basic x"));
	assert_null(token_from_authorization("Basic dXNlcjpwYXNz"));
	assert_null(token_from_authorization("Bearer"));
	assert_null(token_from_authorization("Bearer "));
	assert_null(token_from_authorization("Bearer    "));
	assert_null(token_from_authorization(""));
	assert_null(token_from_authorization(NULL));
	assert_null(token_from_authorization("Bearerx"));
	assert_null(token_from_authorization("Bearer\tx"));
	assert_null(token_from_authorization(" Bearer x"));
	assert_null(token_from_authorization("Bearer x y"));
	assert_null(token_from_authorization("Bearer x "));
	assert_null(token_from_authorization("Bear x"));
	assert_null(token_from_authorization("x"));
}

static void
test_status_text(void **state)
{
	enum token_status	 st, other;
	const char		*a, *b;

	(void)state;

	for (st = TOKEN_OK; st <= TOKEN_BAD_SUBJECT; st++) {
		a = token_status_text(st);
		assert_non_null(a);
		assert_true(strlen(a) > 0);
		for (other = TOKEN_OK; other < st; other++) {
			b = token_status_text(other);
			assert_string_not_equal(a, b);
		}
	}
	assert_non_null(token_status_text((enum token_status)99));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_issue_awkward_subject),
		cmocka_unit_test(test_issue_bad_args),
		cmocka_unit_test(test_member_order_and_spacing),
		cmocka_unit_test(test_json_escaped_subject),
		cmocka_unit_test(test_jansson_readable),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_not_yet_valid),
		cmocka_unit_test(test_wrong_subject),
		cmocka_unit_test(test_tampered_every_character),
		cmocka_unit_test(test_swapped_segments),
		cmocka_unit_test(test_signature_encoding),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_alg_other),
		cmocka_unit_test(test_header_fields),
		cmocka_unit_test(test_header_not_json),
		cmocka_unit_test(test_payload_not_json),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_huge_token),
		cmocka_unit_test(test_time_claim_types),
		cmocka_unit_test(test_key_one_byte_off),
		cmocka_unit_test(test_from_authorization),
		cmocka_unit_test(test_status_text),
	};

	return (cmocka_run_group_tests_name("token", tests, NULL, NULL));
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * HS256 bearer tokens, see token.h. libjwt issues them and checks their
 * signature; it sees a token only after the rules below, which it does
 * not keep itself (libjwt 1.10), have passed, so that a token can be read
 * in one way only:
 *  - exactly three segments of unpadded base64url, canonical (unused
 *    trailing bits zero, so no two strings carry the same signature):
 *    libjwt's decoder takes padding and stray bits;
 *  - the header names HS256 and nothing we do not understand (no "crit"),
 *    checked here before libjwt, which would pick the algorithm from it;
 *    after libjwt, the algorithm it used must be HS256;
 *  - header and payload are JSON objects without NUL bytes (neither raw
 *    nor as \u0000 inside a string) and without repeated members that
 *    matter: libjwt's JSON parser (jansson, without JSON_REJECT_DUPLICATES)
 *    keeps the last of two "sub"s, another reader might take the first;
 *  - iat, exp and nbf are non-negative JSON integers, not floats or
 *    strings, and exp and nbf are enforced here: libjwt 1.10 checks no
 *    claim;
 *  - header and payload are JSON that jansson reads too: strict UTF-8
 *    (yajl lets overlongs, encoded surrogates and code points past
 *    U+10FFFF through), whitespace only of RFC 8259's four (yajl also
 *    skips \v and \f), no unpaired surrogate escape (yajl turns "\ud800"
 *    into "?"), no integer outside 64 bits and no number that overflows a
 *    double (yajl keeps both, flagged). A correctly signed token with any
 *    of these was valid before libjwt and is refused by it ("bad
 *    signature"); refusing it here as malformed keeps one verdict.
 * libjwt compares the signature in constant time (Debian's fix of
 * CVE-2024-25189 in 1.10.2-1+deb12u1 replaced its strcmp()).
 */

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jwt.h>
#include <yajl/yajl_tree.h>

#include "encoding.h"
#include "json.h"
#include "tags.h"
#include "token.h"

/* An HMAC-SHA256 is 32 bytes. */
#define TOKEN_SIG_LEN		32
#define TOKEN_ALG		"HS256"
#define TOKEN_TYP		"JWT"
#define TOKEN_SCHEME		"Bearer"
#define TOKEN_SEPARATOR		'.'


/* A JSON \u escape: the backslash, the u and four hex digits. */
#define TOKEN_ESCAPE_LEN	6
#define TOKEN_HEX_DIGITS	4
/* UTF-16 surrogate halves (RFC 8259 section 7). */
#define TOKEN_SURROGATE_MASK	0xfc00
#define TOKEN_SURROGATE_HIGH	0xd800
#define TOKEN_SURROGATE_LOW	0xdc00

/* Room for the parser's error text; a token is only valid or not. */
#define TOKEN_JSON_ERRLEN	128

static int		token_json_member(yajl_val, const char *, yajl_val *);
static int		token_json_uint(yajl_val, long long *);
static int		token_key_ok(const void *, size_t);
static int		token_signature_canonical(const char *, size_t);
static enum token_status	token_check_jwt(const void *, size_t,
			    const char *);
static yajl_val		token_json_segment(const char *, size_t);
static int		token_json_text_ok(const char *, size_t);
static int		token_json_hex4(const char *, size_t, unsigned int *);
static int		token_json_numbers_ok(yajl_val);
static enum token_status	token_check_header(const char *, size_t);
static enum token_status	token_check_claims(const char *, size_t,
				    const char *, time_t, time_t *);

int
token_issue(const void *key, size_t keylen, const char *sub, time_t iat,
    long lifetime, char **out)
{
	jwt_t	*jwt;
	char	*encoded;
	int	 ok;

	if (out == NULL)
		return (-1);
	*out = NULL;

	if (!token_key_ok(key, keylen) || sub == NULL)
		return (-1);
	if (iat < 0 || lifetime <= 0 || (long long)iat > LONG_MAX - lifetime)
		return (-1);

	if (jwt_new(&jwt) != 0)
		return (-1);

	encoded = NULL;
	ok = jwt_set_alg(jwt, JWT_ALG_HS256, key, (int)keylen) == 0 &&
	    jwt_add_grant(jwt, "sub", sub) == 0 &&
	    jwt_add_grant_int(jwt, "iat", (long)iat) == 0 &&
	    jwt_add_grant_int(jwt, "exp", (long)iat + lifetime) == 0 &&
	    (encoded = jwt_encode_str(jwt)) != NULL;
	jwt_free(jwt);
	if (!ok)
		return (-1);

	/* A token the verifier would refuse is no use to anyone. */
	if (strlen(encoded) > TOKEN_MAX_LEN) {
		free(encoded);
		return (-1);
	}

	*out = encoded;
	return (0);
}

enum token_status
token_verify(const void *key, size_t keylen, const char *token,
    const char *sub, time_t now, time_t *exp_out)
{
	const char		*dot1, *dot2, *p, *end;
	size_t			 len;
	enum token_status	 st, claims;
	time_t			 exp;

	if (token == NULL || sub == NULL)
		return (TOKEN_MALFORMED);
	exp = 0;

	len = strnlen(token, TOKEN_MAX_LEN + 1);
	if (len == 0 || len > TOKEN_MAX_LEN)
		return (TOKEN_MALFORMED);

	end = token + len;
	dot1 = dot2 = NULL;
	for (p = token; p < end; p++) {
		if (*p == TOKEN_SEPARATOR) {
			if (dot1 == NULL)
				dot1 = p;
			else if (dot2 == NULL)
				dot2 = p;
			else
				return (TOKEN_MALFORMED);
			continue;
		}
		if (!enc_b64url_char(*p))
			return (TOKEN_MALFORMED);
	}
	if (dot1 == NULL || dot2 == NULL)
		return (TOKEN_MALFORMED);

	st = token_check_header(token, (size_t)(dot1 - token));
	if (st != TOKEN_OK)
		return (st);

	if (token_signature_canonical(dot2 + 1,
	    (size_t)(end - (dot2 + 1))) == -1)
		return (TOKEN_BAD_SIGNATURE);

	/*
	 * The claims' form is judged before libjwt reads them (it parses
	 * them before it checks the signature); what they say counts only
	 * once the signature is right.
	 */
	claims = token_check_claims(dot1 + 1, (size_t)(dot2 - (dot1 + 1)),
	    sub, now, &exp);
	if (claims == TOKEN_MALFORMED)
		return (claims);

	st = token_check_jwt(key, keylen, token);
	if (st != TOKEN_OK)
		return (st);

	if (claims == TOKEN_OK && exp_out != NULL)
		*exp_out = exp;
	return (claims);
}

const char *
token_status_text(enum token_status st)
{
	switch (st) {
	case TOKEN_OK:
		return ("valid");
	case TOKEN_MALFORMED:
		return ("malformed token");
	case TOKEN_BAD_ALGORITHM:
		return ("algorithm is not HS256");
	case TOKEN_BAD_SIGNATURE:
		return ("bad signature");
	case TOKEN_EXPIRED:
		return ("expired");
	case TOKEN_NOT_YET_VALID:
		return ("not yet valid");
	case TOKEN_BAD_SUBJECT:
		return ("wrong subject");
	}

	return ("unknown token status");
}

const char *
token_from_authorization(const char *value)
{
	const char	*p;
	size_t		 slen;

	if (value == NULL)
		return (NULL);

	slen = sizeof(TOKEN_SCHEME) - 1;
	if (strncasecmp(value, TOKEN_SCHEME, slen) != 0 || value[slen] != ' ')
		return (NULL);

	for (p = value + slen; *p == ' '; p++)
		;
	if (*p == '\0')
		return (NULL);

	/* One credential only: "Bearer a b" is not a token with a blank. */
	if (strpbrk(p, " \t\r\n") != NULL)
		return (NULL);

	return (p);
}

/* A base64url segment holding a JSON object, decoded and parsed; or NULL. */
static yajl_val
token_json_segment(const char *seg, size_t seglen)
{
	uint8_t		*json;
	size_t		 len;
	yajl_val	 root;
	char		 err[TOKEN_JSON_ERRLEN];

	/* Decoding never makes text longer. */
	if ((json = malloc(seglen + 1)) == NULL)
		return (NULL);
	if (enc_b64url_decode(seg, seglen, json, seglen, &len) == -1) {
		free(json);
		return (NULL);
	}

	/* What jansson, behind libjwt, would refuse: see the top. */
	if (!tag_utf8_valid((const char *)json, len) ||
	    !token_json_text_ok((const char *)json, len)) {
		free(json);
		return (NULL);
	}

	root = json_parse_object(json, len, err, sizeof(err));
	free(json);
	if (root != NULL && !token_json_numbers_ok(root)) {
		yajl_tree_free(root);
		return (NULL);
	}
	return (root);
}

/*
 * The JSON text s (valid UTF-8, parsed later) has no vertical tab or form
 * feed (not even in a string, where yajl refuses every control byte),
 * and every \u escape that is half of a surrogate pair is the high half
 * immediately followed by the low half. Outside strings there is no
 * backslash.
 */
static int
token_json_text_ok(const char *s, size_t len)
{
	size_t		i;
	unsigned int	cp, lo;

	for (i = 0; i < len; i++) {
		if (s[i] == '\v' || s[i] == '\f')
			return (0);
		if (s[i] != '\\')
			continue;
		if (i + 1 >= len)
			return (0);
		if (s[i + 1] != 'u') {
			/* A two-character escape, \\ included: skip both. */
			i++;
			continue;
		}
		if (token_json_hex4(s + i + 2, len - (i + 2), &cp) == -1)
			return (0);
		i += TOKEN_ESCAPE_LEN - 1;
		if ((cp & TOKEN_SURROGATE_MASK) == TOKEN_SURROGATE_LOW)
			return (0);
		if ((cp & TOKEN_SURROGATE_MASK) != TOKEN_SURROGATE_HIGH)
			continue;
		if (i + TOKEN_ESCAPE_LEN >= len || s[i + 1] != '\\' ||
		    s[i + 2] != 'u' ||
		    token_json_hex4(s + i + 3, len - (i + 3), &lo) == -1 ||
		    (lo & TOKEN_SURROGATE_MASK) != TOKEN_SURROGATE_LOW)
			return (0);
		i += TOKEN_ESCAPE_LEN;
	}

	return (1);
}

/* Four hex digits at s (len bytes left) into *out, or -1. */
static int
token_json_hex4(const char *s, size_t len, unsigned int *out)
{
	size_t	i;
	int	v;

	if (len < TOKEN_HEX_DIGITS)
		return (-1);
	*out = 0;
	for (i = 0; i < TOKEN_HEX_DIGITS; i++) {
		if ((v = enc_hex_digit((unsigned char)s[i])) == -1)
			return (-1);
		*out = *out << 4 | (unsigned int)v;
	}

	return (0);
}

/*
 * Every number in the tree is one jansson reads: written as an integer
 * (no fraction, no exponent), strtoll() takes it; otherwise strtod() does
 * not overflow (an underflow to zero jansson takes). yajl bounds the
 * depth.
 */
static int
token_json_numbers_ok(yajl_val v)
{
	const char	*r;
	size_t		 i;
	double		 d;

	if (YAJL_IS_OBJECT(v)) {
		for (i = 0; i < v->u.object.len; i++)
			if (!token_json_numbers_ok(v->u.object.values[i]))
				return (0);
		return (1);
	}
	if (YAJL_IS_ARRAY(v)) {
		for (i = 0; i < v->u.array.len; i++)
			if (!token_json_numbers_ok(v->u.array.values[i]))
				return (0);
		return (1);
	}
	if (!YAJL_IS_NUMBER(v))
		return (1);

	if ((r = v->u.number.r) == NULL)
		return (0);

	/* jansson's own tests; yajl calls -2^63 out of range, strtoll not. */
	errno = 0;
	if (strpbrk(r, ".eE") == NULL) {
		(void)strtoll(r, NULL, 10);
		return (errno != ERANGE);
	}
	d = strtod(r, NULL);
	return (!(errno == ERANGE && isinf(d)));
}

static enum token_status
token_check_header(const char *seg, size_t seglen)
{
	yajl_val	 root, alg, typ, crit;
	const char	*s;
	enum token_status st;

	if ((root = token_json_segment(seg, seglen)) == NULL)
		return (TOKEN_MALFORMED);

	st = TOKEN_MALFORMED;
	if (token_json_member(root, "alg", &alg) == -1 ||
	    token_json_member(root, "typ", &typ) == -1 ||
	    token_json_member(root, "crit", &crit) == -1)
		goto out;

	st = TOKEN_BAD_ALGORITHM;
	if ((s = YAJL_GET_STRING(alg)) == NULL || strcmp(s, TOKEN_ALG) != 0)
		goto out;

	/* Extensions we were told we must understand: we understand none. */
	st = TOKEN_MALFORMED;
	if (crit != NULL)
		goto out;
	if (typ != NULL &&
	    ((s = YAJL_GET_STRING(typ)) == NULL || strcmp(s, TOKEN_TYP) != 0))
		goto out;

	st = TOKEN_OK;
out:
	yajl_tree_free(root);
	return (st);
}

/* Exactly the 32 bytes of an HMAC-SHA256, in canonical base64url. */
static int
token_signature_canonical(const char *seg, size_t seglen)
{
	unsigned char	sig[TOKEN_SIG_LEN];
	size_t		len;

	if (seglen != enc_b64url_len(sizeof(sig)) ||
	    enc_b64url_decode(seg, seglen, sig, sizeof(sig), &len) == -1 ||
	    len != sizeof(sig))
		return (-1);

	return (0);
}

/*
 * libjwt's verdict on a token that passed the checks above: the signature
 * is right for the key, and the algorithm it used is HS256 (the header
 * check already refused any other name, so this is belt and braces).
 */
static enum token_status
token_check_jwt(const void *key, size_t keylen, const char *token)
{
	jwt_t			*jwt;
	enum token_status	 st;

	if (!token_key_ok(key, keylen))
		return (TOKEN_BAD_SIGNATURE);

	if (jwt_decode(&jwt, token, key, (int)keylen) != 0)
		return (TOKEN_BAD_SIGNATURE);

	st = jwt_get_alg(jwt) == JWT_ALG_HS256 ? TOKEN_OK :
	    TOKEN_BAD_ALGORITHM;
	jwt_free(jwt);
	return (st);
}

static enum token_status
token_check_claims(const char *seg, size_t seglen, const char *want_sub,
    time_t now, time_t *exp_out)
{
	yajl_val	 root, sub, iat, exp, nbf;
	long long	 iat_v, exp_v, nbf_v;
	const char	*s;
	enum token_status st;

	if ((root = token_json_segment(seg, seglen)) == NULL)
		return (TOKEN_MALFORMED);

	st = TOKEN_MALFORMED;
	if (token_json_member(root, "sub", &sub) == -1 ||
	    token_json_member(root, "iat", &iat) == -1 ||
	    token_json_member(root, "exp", &exp) == -1 ||
	    token_json_member(root, "nbf", &nbf) == -1)
		goto out;

	if (token_json_uint(iat, &iat_v) == -1 ||
	    token_json_uint(exp, &exp_v) == -1)
		goto out;
	if ((long long)(time_t)exp_v != exp_v)
		goto out;
	if (nbf != NULL && token_json_uint(nbf, &nbf_v) == -1)
		goto out;

	/* Strings come back NUL-terminated; NUL escapes were refused. */
	st = TOKEN_BAD_SUBJECT;
	if ((s = YAJL_GET_STRING(sub)) == NULL || strcmp(s, want_sub) != 0)
		goto out;

	st = TOKEN_EXPIRED;
	if ((long long)now >= exp_v)
		goto out;

	/* Both values are >= 0, so subtracting the skew cannot overflow. */
	st = TOKEN_NOT_YET_VALID;
	if (iat_v - TOKEN_CLOCK_SKEW > (long long)now)
		goto out;
	if (nbf != NULL && nbf_v - TOKEN_CLOCK_SKEW > (long long)now)
		goto out;

	if (exp_out != NULL)
		*exp_out = (time_t)exp_v;
	st = TOKEN_OK;
out:
	yajl_tree_free(root);
	return (st);
}

/*
 * Look name up in obj: 0 with *out set (NULL when absent), or -1 when the
 * name occurs more than once.
 */
static int
token_json_member(yajl_val obj, const char *name, yajl_val *out)
{
	size_t	i;

	*out = NULL;
	for (i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], name) != 0)
			continue;
		if (*out != NULL)
			return (-1);
		*out = obj->u.object.values[i];
	}

	return (0);
}

/* A NumericDate: a JSON integer written with digits only, no sign. */
static int
token_json_uint(yajl_val v, long long *out)
{
	const char	*r;

	if (!YAJL_IS_INTEGER(v))
		return (-1);

	r = v->u.number.r;
	if (r == NULL || *r == '\0')
		return (-1);
	/* Digits only: no sign, fraction or exponent, so never negative. */
	for (; *r != '\0'; r++) {
		if (*r < '0' || *r > '9')
			return (-1);
	}

	*out = YAJL_GET_INTEGER(v);
	return (0);
}

/* HMAC() takes the key length as an int; an empty key is no secret. */
static int
token_key_ok(const void *key, size_t keylen)
{
	return (key != NULL && keylen > 0 && keylen <= INT_MAX);
}

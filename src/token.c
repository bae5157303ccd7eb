/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * HS256 bearer tokens, see token.h.
 *
 * Verification does not hand the token to a JWT library: older libjwt
 * releases took the algorithm from the token's own header (alg "none",
 * HMAC keyed with a public key). Here the algorithm is fixed, the header
 * is only checked to name it, and every step is strict so that a token can
 * be read in one way only:
 *  - exactly three segments of unpadded base64url, canonical (unused
 *    trailing bits zero, so no two strings carry the same signature);
 *  - header and payload are JSON objects without NUL bytes (neither raw
 *    nor as \u0000 inside a string, since yajl's tree hands strings back
 *    NUL-terminated: json_parse_object() sees to that) and without
 *    repeated members that matter (another parser might take the other
 *    copy);
 *  - the signature is exactly the 32 bytes of HMAC-SHA256, compared in
 *    constant time, before the payload is looked at;
 *  - iat, exp and nbf are non-negative JSON integers, not floats or strings.
 *
 * Issuing is done here too (yajl_gen for the claims, OpenSSL for the MAC),
 * so issued and accepted tokens come from the same rules.
 */

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "encoding.h"
#include "json.h"
#include "token.h"

#define TOKEN_SIG_LEN		SHA256_DIGEST_LENGTH
#define TOKEN_ALG		"HS256"
#define TOKEN_TYP		"JWT"
#define TOKEN_SCHEME		"Bearer"
#define TOKEN_SEPARATOR		'.'

/* The fixed header of issued tokens. */
#define TOKEN_HEADER		"{\"alg\":\"" TOKEN_ALG "\",\"typ\":\"" \
				    TOKEN_TYP "\"}"

/* base64: 3 bytes in 4 characters, 6 bits a character. */

/* Room for the parser's error text; a token is only valid or not. */
#define TOKEN_JSON_ERRLEN	128

static int		token_json_member(yajl_val, const char *, yajl_val *);
static int		token_json_uint(yajl_val, long long *);
static int		token_key_ok(const void *, size_t);
static int		token_hmac(const void *, size_t, const char *, size_t,
			    unsigned char [TOKEN_SIG_LEN]);
static char		*token_claims(const char *, long long, long long,
			    size_t *);
static yajl_val		token_json_segment(const char *, size_t);
static enum token_status	token_check_header(const char *, size_t);
static enum token_status	token_check_signature(const void *, size_t,
				    const char *, size_t, const char *, size_t);
static enum token_status	token_check_claims(const char *, size_t,
				    const char *, time_t, time_t *);

int
token_issue(const void *key, size_t keylen, const char *sub, time_t iat,
    long lifetime, char **out)
{
	unsigned char	 mac[TOKEN_SIG_LEN];
	char		*claims, *buf;
	size_t		 claims_len, hlen, plen, slen, total, off;

	if (out == NULL)
		return (-1);
	*out = NULL;

	if (!token_key_ok(key, keylen) || sub == NULL)
		return (-1);
	if (iat < 0 || lifetime <= 0 || (long long)iat > LLONG_MAX - lifetime)
		return (-1);

	claims = token_claims(sub, (long long)iat,
	    (long long)iat + lifetime, &claims_len);
	if (claims == NULL)
		return (-1);

	hlen = enc_b64url_len(sizeof(TOKEN_HEADER) - 1);
	plen = enc_b64url_len(claims_len);
	slen = enc_b64url_len(TOKEN_SIG_LEN);
	total = hlen + 1 + plen + 1 + slen;

	/* A token the verifier would refuse is no use to anyone. */
	if (claims_len > TOKEN_MAX_LEN || total > TOKEN_MAX_LEN) {
		free(claims);
		return (-1);
	}

	if ((buf = malloc(total + 1)) == NULL) {
		free(claims);
		return (-1);
	}

	off = enc_b64url_encode((const unsigned char *)TOKEN_HEADER,
	    sizeof(TOKEN_HEADER) - 1, buf);
	buf[off++] = TOKEN_SEPARATOR;
	off += enc_b64url_encode((const unsigned char *)claims, claims_len,
	    buf + off);
	free(claims);

	if (token_hmac(key, keylen, buf, off, mac) == -1) {
		free(buf);
		return (-1);
	}
	buf[off++] = TOKEN_SEPARATOR;
	off += enc_b64url_encode(mac, sizeof(mac), buf + off);
	buf[off] = '\0';

	*out = buf;
	return (0);
}

enum token_status
token_verify(const void *key, size_t keylen, const char *token,
    const char *sub, time_t now, time_t *exp_out)
{
	const char		*dot1, *dot2, *p, *end;
	size_t			 len;
	enum token_status	 st;

	if (token == NULL || sub == NULL)
		return (TOKEN_MALFORMED);

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

	st = token_check_signature(key, keylen, token,
	    (size_t)(dot2 - token), dot2 + 1, (size_t)(end - (dot2 + 1)));
	if (st != TOKEN_OK)
		return (st);

	return (token_check_claims(dot1 + 1, (size_t)(dot2 - (dot1 + 1)),
	    sub, now, exp_out));
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

	root = json_parse_object(json, len, err, sizeof(err));
	free(json);
	return (root);
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

static enum token_status
token_check_signature(const void *key, size_t keylen, const char *signed_part,
    size_t signed_len, const char *seg, size_t seglen)
{
	unsigned char	mac[TOKEN_SIG_LEN], sig[TOKEN_SIG_LEN];
	size_t		len;
	int		diff;

	if (!token_key_ok(key, keylen))
		return (TOKEN_BAD_SIGNATURE);

	/* Length is public: only the right size is worth decoding. */
	if (seglen != enc_b64url_len(sizeof(sig)) ||
	    enc_b64url_decode(seg, seglen, sig, sizeof(sig), &len) == -1 ||
	    len != sizeof(sig))
		return (TOKEN_BAD_SIGNATURE);

	if (token_hmac(key, keylen, signed_part, signed_len, mac) == -1)
		return (TOKEN_BAD_SIGNATURE);

	diff = CRYPTO_memcmp(mac, sig, sizeof(mac));
	OPENSSL_cleanse(mac, sizeof(mac));

	return (diff == 0 ? TOKEN_OK : TOKEN_BAD_SIGNATURE);
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

static int
token_hmac(const void *key, size_t keylen, const char *data, size_t len,
    unsigned char mac[TOKEN_SIG_LEN])
{
	unsigned int	maclen;

	maclen = 0;
	if (HMAC(EVP_sha256(), key, (int)keylen, (const unsigned char *)data,
	    len, mac, &maclen) == NULL)
		return (-1);
	if (maclen != TOKEN_SIG_LEN)
		return (-1);

	return (0);
}

/* The claims as JSON text (malloc'd, not NUL-terminated), or NULL. */
static char *
token_claims(const char *sub, long long iat, long long exp, size_t *lenp)
{
	yajl_gen		 g;
	const unsigned char	*buf;
	size_t			 len;
	char			*out;

	if ((g = yajl_gen_alloc(NULL)) == NULL)
		return (NULL);

	out = NULL;
	if (yajl_gen_config(g, yajl_gen_validate_utf8, 1) == 0)
		goto out;

	if (yajl_gen_map_open(g) != yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"sub", 3) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)sub, strlen(sub)) !=
	    yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"iat", 3) !=
	    yajl_gen_status_ok ||
	    yajl_gen_integer(g, iat) != yajl_gen_status_ok ||
	    yajl_gen_string(g, (const unsigned char *)"exp", 3) !=
	    yajl_gen_status_ok ||
	    yajl_gen_integer(g, exp) != yajl_gen_status_ok ||
	    yajl_gen_map_close(g) != yajl_gen_status_ok)
		goto out;

	if (yajl_gen_get_buf(g, &buf, &len) != yajl_gen_status_ok)
		goto out;
	if ((out = malloc(len)) == NULL)
		goto out;
	memcpy(out, buf, len);
	*lenp = len;
out:
	yajl_gen_free(g);
	return (out);
}


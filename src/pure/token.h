/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Bearer tokens: HS256 JSON Web Tokens signed with JWT_SECRET_KEY and
 * carrying the claims sub, iat and exp. Pure: no Kore, no network.
 */

#ifndef REACTBIN_TOKEN_H
#define REACTBIN_TOKEN_H

#include <stddef.h>
#include <time.h>

/* Longest token accepted (and issued), in bytes, without the NUL. */
#define TOKEN_MAX_LEN		8192

/* Seconds an iat or nbf may lie in the future (clocks of replicas drift). */
#define TOKEN_CLOCK_SKEW	60

enum token_status {
	TOKEN_OK = 0,
	TOKEN_MALFORMED,
	TOKEN_BAD_ALGORITHM,
	TOKEN_BAD_SIGNATURE,
	TOKEN_EXPIRED,
	TOKEN_NOT_YET_VALID,
	TOKEN_BAD_SUBJECT
};

/*
 * Issue a token for sub (UTF-8) with iat and exp = iat + lifetime; *out is
 * malloc'd (caller frees with free()). Returns 0, or -1 on bad arguments
 * (empty key, lifetime <= 0, negative iat, overflow) or allocation failure.
 */
int		 token_issue(const void *key, size_t keylen, const char *sub,
		    time_t iat, long lifetime, char **out);

/*
 * Verify a bearer token against key, the expected subject and the current
 * time; on TOKEN_OK *exp_out (if not NULL) gets the token's exp.
 * Only the algorithm HS256 is accepted, whatever the header says.
 */
enum token_status token_verify(const void *key, size_t keylen,
		    const char *token, const char *sub, time_t now,
		    time_t *exp_out);

/* A short description for debug logs; never contains token material. */
const char	*token_status_text(enum token_status);

/*
 * Extract the token from an Authorization header value "Bearer <token>"
 * (scheme case-insensitive, one or more spaces). Returns a pointer into
 * value, or NULL when the scheme differs or the token is empty or has
 * blanks in it.
 */
const char	*token_from_authorization(const char *value);

#endif

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * API keys for tools (issue 12): their form, how one is made, and the
 * hash that is all the database keeps of it. Pure: no Kore.
 *
 * A key is "rb_" APIKEY_PREFIX_LEN lowercase hex digits (its prefix: it
 * names the key, and is shown in lists), "_", then APIKEY_SECRET_LEN
 * lowercase hex digits of secret:
 *
 *	rb_3f9a1c2b7d4e_<64 hex digits>
 *
 * A JWT is three base64url parts joined by dots and starts with "eyJ"
 * (a JSON header): a bearer that starts with "rb_" is a key, anything
 * else is a login. Hex only, so a double click selects the whole key.
 */

#ifndef REACTBIN_APIKEY_H
#define REACTBIN_APIKEY_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "tags.h"

#define APIKEY_MARK		"rb_"
#define APIKEY_PREFIX_LEN	12	/* 48 random bits, unique per key */
#define APIKEY_SECRET_LEN	64	/* 256 random bits */
#define APIKEY_LEN		(sizeof(APIKEY_MARK) - 1 + \
				    APIKEY_PREFIX_LEN + 1 + APIKEY_SECRET_LEN)
#define APIKEY_HASH_LEN		64	/* SHA-256, lowercase hex */

/* Is this bearer a key by its form (then it is checked as one)? 1 or 0. */
int	apikey_is_key(const char *bearer);

/*
 * A key of exactly the form above: 0 with its prefix in prefix, or -1.
 */
int	apikey_parse(const char *key, char prefix[APIKEY_PREFIX_LEN + 1]);

/* A fresh key and its prefix, from the system's CSPRNG: 0, or -1. */
int	apikey_generate(char key[APIKEY_LEN + 1],
	    char prefix[APIKEY_PREFIX_LEN + 1]);

/* SHA-256 of the key's text, lowercase hex: 0, or -1. */
int	apikey_hash(const char *key, char hash[APIKEY_HASH_LEN + 1]);

/*
 * Do two hashes (APIKEY_HASH_LEN characters each) match? In constant
 * time: how much of a guess was right never shows. 1 or 0.
 */
int	apikey_hash_equal(const char *a, const char *b);

/* The body of POST /api/v1/keys: {"name": ..., "scope": ...}. */
#define APIKEY_SCOPE_UPLOAD	"upload"
#define APIKEY_SCOPE_FULL	"full"
#define APIKEY_NAME_MAX_BYTES	(TITLE_MAX_CHARS * 4)

struct apikey_request {
	char		name[APIKEY_NAME_MAX_BYTES + 1];
	const char	*scope;		/* one of the APIKEY_SCOPE_* */
};

/*
 * Check a key request: name is a non-empty title (at most 200
 * characters of UTF-8 without control characters), scope "upload" or
 * "full", nothing else. 0, or -1 with the field and a message set.
 */
int	apikey_request_parse(yajl_val body, struct apikey_request *,
	    const char **field, const char **message);

#endif

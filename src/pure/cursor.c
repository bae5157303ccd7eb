/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Keyset pagination cursors: pack, MAC, base64url; and the reverse with
 * strict checks, because a cursor comes back from the client and is
 * hostile input until its MAC says otherwise.
 */

#include <limits.h>
#include <stdint.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "cursor.h"
#include "encoding.h"

#define CURSOR_VERSION		1
#define CURSOR_MAC_BYTES	16	/* truncated HMAC-SHA256 */

/* Offsets of the fields in the packed cursor. */
#define OFF_VERSION		0
#define OFF_CREATED		1
#define OFF_ID			(OFF_CREATED + sizeof(uint64_t))
#define OFF_SORT		(OFF_ID + CURSOR_ID_BYTES)
#define OFF_FILTER		(OFF_SORT + 1)
#define OFF_MAC			(OFF_FILTER + CURSOR_FILTER_BYTES)
#define CURSOR_RAW_LEN		(OFF_MAC + CURSOR_MAC_BYTES)

/* base64url packs 3 bytes into 4 characters (for the check below). */
#define B64_GROUP_BYTES		3
#define B64_GROUP_CHARS		4
#define B64_LEN(n)	(((n) / B64_GROUP_BYTES) * B64_GROUP_CHARS + \
			    (((n) % B64_GROUP_BYTES) ? \
			    (n) % B64_GROUP_BYTES + 1 : 0))

_Static_assert(B64_LEN(CURSOR_RAW_LEN) == CURSOR_TEXT_LEN,
    "CURSOR_TEXT_LEN does not match the packed layout");
_Static_assert(CURSOR_TEXT_LEN < CURSOR_TEXT_MAX,
    "CURSOR_TEXT_MAX is too small");

/* Domain label for the key, so no other use of the secret can collide. */
static const char	key_label[] = "reactbin cursor key v1";


static int	mac(const void *, size_t, const uint8_t *, size_t,
		    uint8_t [CURSOR_MAC_BYTES]);

int
cursor_key_derive(const void *secret, size_t len,
    uint8_t out[CURSOR_KEY_BYTES])
{
	unsigned int	outlen;

	if (secret == NULL || len == 0 || len > INT_MAX)
		return (-1);

	if (HMAC(EVP_sha256(), secret, (int)len,
	    (const unsigned char *)key_label, sizeof(key_label) - 1,
	    out, &outlen) == NULL || outlen != CURSOR_KEY_BYTES)
		return (-1);

	return (0);
}

int
cursor_encode(const void *key, size_t keylen, const struct cursor *c,
    char *out, size_t outlen)
{
	uint8_t		raw[CURSOR_RAW_LEN];
	uint64_t	t;
	size_t		i;

	if (outlen < CURSOR_TEXT_LEN + 1)
		return (-1);
	if (c->sort != CURSOR_SORT_NEWEST && c->sort != CURSOR_SORT_OLDEST)
		return (-1);

	raw[OFF_VERSION] = CURSOR_VERSION;
	t = (uint64_t)c->created_us;
	for (i = 0; i < sizeof(t); i++) {
		raw[OFF_CREATED + i] =
		    (uint8_t)(t >> (CHAR_BIT * (sizeof(t) - 1 - i)));
	}
	memcpy(raw + OFF_ID, c->id, CURSOR_ID_BYTES);
	raw[OFF_SORT] = (uint8_t)c->sort;
	memcpy(raw + OFF_FILTER, c->filter_hash, CURSOR_FILTER_BYTES);

	if (mac(key, keylen, raw, OFF_MAC, raw + OFF_MAC) == -1)
		return (-1);

	out[enc_b64url_encode(raw, sizeof(raw), out)] = '\0';
	return (0);
}

int
cursor_decode(const void *key, size_t keylen, const char *text, size_t len,
    struct cursor *out)
{
	uint8_t		raw[CURSOR_RAW_LEN], expect[CURSOR_MAC_BYTES];
	uint64_t	t;
	size_t		i, got;

	if (text == NULL || len != CURSOR_TEXT_LEN)
		return (-1);
	if (enc_b64url_decode(text, len, raw, sizeof(raw), &got) == -1 ||
	    got != sizeof(raw))
		return (-1);

	if (mac(key, keylen, raw, OFF_MAC, expect) == -1)
		return (-1);
	if (CRYPTO_memcmp(expect, raw + OFF_MAC, CURSOR_MAC_BYTES) != 0)
		return (-1);

	/* Authentic, but possibly from a future layout. */
	if (raw[OFF_VERSION] != CURSOR_VERSION)
		return (-1);
	if (raw[OFF_SORT] != CURSOR_SORT_NEWEST &&
	    raw[OFF_SORT] != CURSOR_SORT_OLDEST)
		return (-1);

	t = 0;
	for (i = 0; i < sizeof(t); i++)
		t = (t << CHAR_BIT) | raw[OFF_CREATED + i];
	out->created_us = (int64_t)t;
	memcpy(out->id, raw + OFF_ID, CURSOR_ID_BYTES);
	out->sort = raw[OFF_SORT];
	memcpy(out->filter_hash, raw + OFF_FILTER, CURSOR_FILTER_BYTES);

	return (0);
}

void
cursor_filter_hash(const char *canonical, size_t len,
    uint8_t out[CURSOR_FILTER_BYTES])
{
	uint8_t		md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	/*
	 * SHA-256 does not fail on valid input; should OpenSSL fail anyway,
	 * an all-zero digest still binds (weakly) and the MAC still holds.
	 */
	memset(md, 0, sizeof(md));
	if (canonical == NULL)
		len = 0;
	(void)EVP_Digest(len > 0 ? canonical : "", len, md, &mdlen,
	    EVP_sha256(), NULL);
	memcpy(out, md, CURSOR_FILTER_BYTES);
}

static int
mac(const void *key, size_t keylen, const uint8_t *data, size_t len,
    uint8_t out[CURSOR_MAC_BYTES])
{
	uint8_t		md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	/* An empty key would make every cursor forgeable. */
	if (key == NULL || keylen == 0 || keylen > INT_MAX)
		return (-1);

	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, md,
	    &mdlen) == NULL || mdlen < CURSOR_MAC_BYTES)
		return (-1);

	memcpy(out, md, CURSOR_MAC_BYTES);
	return (0);
}


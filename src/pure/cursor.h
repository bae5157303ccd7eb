/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Opaque, tamper-evident cursors for keyset pagination of reactions over
 * (created_at, id), newest or oldest first. The text is base64url without
 * padding of
 *
 *	version (1) | created_us (8, big-endian) | id (16) | sort (1) |
 *	filter_hash (8) | HMAC-SHA256 of all before, first 16 bytes
 *
 * so a cursor cannot be forged, altered, or replayed against a different
 * filter or sort without detection. Pure: no Kore.
 */

#ifndef REACTBIN_CURSOR_H
#define REACTBIN_CURSOR_H

#include <stddef.h>
#include <stdint.h>

#define CURSOR_SORT_NEWEST	0	/* created_at, id descending */
#define CURSOR_SORT_OLDEST	1	/* created_at, id ascending */

#define CURSOR_ID_BYTES		16	/* a UUID */
#define CURSOR_FILTER_BYTES	8
#define CURSOR_KEY_BYTES	32	/* from cursor_key_derive */
#define CURSOR_TEXT_LEN		67	/* every valid cursor is this long */
#define CURSOR_TEXT_MAX		128	/* an output buffer this big suffices */

struct cursor {
	int64_t		created_us;	/* microseconds since the epoch */
	uint8_t		id[CURSOR_ID_BYTES];
	int		sort;		/* CURSOR_SORT_* */
	uint8_t		filter_hash[CURSOR_FILTER_BYTES];
};

/*
 * Derive the cursor MAC key from the service secret (JWT_SECRET_KEY), so
 * the JWT key itself is never used for anything but JWTs. Returns 0, or -1
 * for an empty secret or a crypto failure.
 */
int	cursor_key_derive(const void *secret, size_t len,
	    uint8_t out[CURSOR_KEY_BYTES]);

/*
 * Encode c as NUL-terminated text into out (outlen >= CURSOR_TEXT_LEN + 1).
 * Returns 0, or -1 for a bad sort, an empty key, or a short buffer.
 */
int	cursor_encode(const void *key, size_t keylen, const struct cursor *c,
	    char *out, size_t outlen);

/*
 * Decode and verify text of len bytes (any bytes). Returns 0 with *out
 * filled, or -1 for anything malformed, altered, of another version or made
 * with another key (the MAC is compared in constant time). The caller must
 * still compare out->filter_hash and out->sort with the current query.
 */
int	cursor_decode(const void *key, size_t keylen, const char *text,
	    size_t len, struct cursor *out);

/*
 * The CURSOR_FILTER_BYTES digest (truncated SHA-256) of the caller's
 * canonical description of a query's filters: equal filters must give the
 * same string, e.g. sorted tags, q, media_type and sha256.
 */
void	cursor_filter_hash(const char *canonical, size_t len,
	    uint8_t out[CURSOR_FILTER_BYTES]);

#endif

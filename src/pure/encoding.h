/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The text encodings several parsers share: hex digits (the one hex
 * encoder of the code base, and the digit decoder), strict decimal
 * numbers, percent-decoding (form style) and unpadded base64url. Every
 * decoder is strict: one spelling per value, nothing passed through.
 * Also the bounded append the canonical texts (a list's filter, a tag
 * query) are written with.
 * Pure: no Kore.
 */

#ifndef REACTBIN_ENCODING_H
#define REACTBIN_ENCODING_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* enc_url_decode() results besides a length. */
#define ENC_MALFORMED		(-1)
#define ENC_TOO_LONG		(-2)

/* The value of a hex digit (either case), or -1. */
int	enc_hex_digit(int);

/* Lowercase hex of n bytes into out (2n chars, then a NUL); returns 2n. */
size_t	enc_hex_encode(const uint8_t *, size_t, char *);

/*
 * Read len bytes of plain decimal digits (no sign, no blanks, at least
 * one digit) whose value is at most max. Returns 0, or -1 on anything else
 * (overflow included).
 */
int	enc_decimal(const char *, size_t, uint64_t, uint64_t *);

/*
 * Percent-decode len bytes of a form or query component ('+' is a space,
 * "%XX" a byte; a '%' without two hex digits is malformed) into out, which
 * may be in itself. A NUL follows the bytes when outlen has room for it.
 * *control is set when a decoded byte is a control character. Returns the
 * decoded length, ENC_MALFORMED or ENC_TOO_LONG.
 */
ssize_t	enc_url_decode(const char *, size_t, char *, size_t, int *);

/* Is c a character of the base64url alphabet? 1 or 0. */
int	enc_b64url_char(int);

/* Length of n bytes in unpadded base64url. */
size_t	enc_b64url_len(size_t);

/* Encode n bytes into out (enc_b64url_len(n) chars, no NUL); the length. */
size_t	enc_b64url_encode(const uint8_t *, size_t, char *);

/*
 * Decode n chars of unpadded base64url into out (cap bytes). Only the
 * canonical spelling is accepted: a length of 4k+1 or unused low bits set
 * is refused. Returns 0 with the length in *outlen, or -1.
 */
int	enc_b64url_decode(const char *, size_t, uint8_t *, size_t, size_t *);

/*
 * Append len bytes of s at out + *used, advance *used and keep out
 * NUL-terminated. Returns 1, or 0 (out untouched) when the bytes and the
 * NUL do not fit in outlen.
 */
int	enc_append(char *, size_t, size_t *, const char *, size_t);

#endif

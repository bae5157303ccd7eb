/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Reaction ids: random (version 4) UUIDs, their canonical text form and
 * back. Pure: no Kore. The names avoid libuuid's uuid_parse and friends so
 * that the module can never interpose on that library's symbols.
 */

#ifndef REACTBIN_UUID_H
#define REACTBIN_UUID_H

#include <stddef.h>
#include <stdint.h>

#define UUID_BYTES		16
#define UUID_TEXT_LEN		36	/* 8-4-4-4-12 hex digits, no NUL */

/*
 * Parse the canonical form "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" of exactly
 * UUID_TEXT_LEN bytes; hex digits may be either case (RFC 9562 input is
 * case-insensitive). Braces, "urn:uuid:", missing dashes or any other byte
 * are refused. Any version is accepted. Returns 0 or -1.
 */
int	uuid_from_text(const char *text, size_t len, uint8_t out[UUID_BYTES]);

/* Format as lowercase canonical text, NUL-terminated. */
void	uuid_to_text(const uint8_t id[UUID_BYTES], char out[UUID_TEXT_LEN + 1]);

/*
 * Fill out with a fresh random UUID (version 4, RFC 9562 variant) from the
 * OpenSSL CSPRNG. Returns 0, or -1 when the generator fails.
 */
int	uuid_v4_generate(uint8_t out[UUID_BYTES]);

#endif

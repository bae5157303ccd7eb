/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * UUID text <-> bytes and version 4 generation for reaction ids, which are
 * the capability behind the public file links: they must be unguessable,
 * hence the CSPRNG.
 */

#include <stdint.h>
#include <string.h>

#include <openssl/rand.h>

#include "encoding.h"
#include "uuid.h"

/* Byte and bit layout of RFC 9562. */
#define UUID_VERSION_BYTE	6
#define UUID_VERSION_MASK	0x0f
#define UUID_VERSION_4		0x40
#define UUID_VARIANT_BYTE	8
#define UUID_VARIANT_MASK	0x3f
#define UUID_VARIANT_RFC	0x80

static int	is_dash_at(size_t);

int
uuid_from_text(const char *text, size_t len, uint8_t out[UUID_BYTES])
{
	uint8_t		id[UUID_BYTES];
	size_t		i, nib;
	int		v;

	if (text == NULL || len != UUID_TEXT_LEN)
		return (-1);

	nib = 0;
	for (i = 0; i < UUID_TEXT_LEN; i++) {
		if (is_dash_at(i)) {
			if (text[i] != '-')
				return (-1);
			continue;
		}
		if ((v = enc_hex_digit(text[i])) == -1)
			return (-1);
		if (nib % 2 == 0)
			id[nib / 2] = (uint8_t)(v << 4);
		else
			id[nib / 2] |= (uint8_t)v;
		nib++;
	}

	memcpy(out, id, UUID_BYTES);
	return (0);
}

void
uuid_to_text(const uint8_t id[UUID_BYTES], char out[UUID_TEXT_LEN + 1])
{
	/* Bytes of the groups of 8-4-4-4-12 digits (RFC 9562 4). */
	static const size_t	groups[] = { 4, 2, 2, 2, 6 };
	size_t			i, in, o;

	/* Each group's NUL is overwritten by the dash that follows it. */
	in = 0;
	o = 0;
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
		if (i > 0)
			out[o++] = '-';
		o += enc_hex_encode(id + in, groups[i], out + o);
		in += groups[i];
	}
}

int
uuid_v4_generate(uint8_t out[UUID_BYTES])
{
	if (RAND_bytes(out, UUID_BYTES) != 1)
		return (-1);

	out[UUID_VERSION_BYTE] =
	    (out[UUID_VERSION_BYTE] & UUID_VERSION_MASK) | UUID_VERSION_4;
	out[UUID_VARIANT_BYTE] =
	    (out[UUID_VARIANT_BYTE] & UUID_VARIANT_MASK) | UUID_VARIANT_RFC;

	return (0);
}

/* The dashes of the canonical form sit after 8, 12, 16 and 20 digits. */
static int
is_dash_at(size_t pos)
{
	return (pos == 8 || pos == 13 || pos == 18 || pos == 23);
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Shared text encodings, written once so that every parser reads numbers,
 * escapes and base64url by the same strict rules.
 */

#include <string.h>

#include "encoding.h"

#define DECIMAL_BASE		10
#define HEX_LETTER_BASE		10
#define HEX_DIGIT_BITS		4
#define HEX_DIGIT_MASK		0x0f
#define PERCENT_ESCAPE_LEN	3

#define ASCII_CONTROL_LAST	0x1f
#define ASCII_DEL		0x7f

#define B64_GROUP_BYTES		3
#define B64_GROUP_CHARS		4
#define B64_BITS		6
#define B64_MASK		0x3f
#define BYTE_BITS		8
#define BYTE_MASK		0xff

/* Where each run of the base64url alphabet starts (RFC 4648 5). */
#define B64_LOWER_BASE		26
#define B64_DIGIT_BASE		52
#define B64_DASH		62
#define B64_UNDERSCORE		63

static int	b64url_value(char);

static const char hex_alphabet[] = "0123456789abcdef";

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int
enc_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + HEX_LETTER_BASE);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + HEX_LETTER_BASE);

	return (-1);
}

size_t
enc_hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t	i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex_alphabet[in[i] >> HEX_DIGIT_BITS];
		out[2 * i + 1] = hex_alphabet[in[i] & HEX_DIGIT_MASK];
	}
	out[2 * n] = '\0';

	return (2 * n);
}

int
enc_decimal(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t	v, d;
	size_t		i;

	if (len == 0)
		return (-1);

	v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		d = (uint64_t)(s[i] - '0');
		/* v * 10 + d <= max, without overflow (nor max - d below 0). */
		if (d > max || v > (max - d) / DECIMAL_BASE)
			return (-1);
		v = v * DECIMAL_BASE + d;
	}

	*out = v;
	return (0);
}

ssize_t
enc_url_decode(const char *in, size_t len, char *out, size_t outlen,
    int *control)
{
	size_t		i, o;
	int		hi, lo;
	unsigned char	c;

	*control = 0;

	for (i = 0, o = 0; i < len; o++) {
		if (o >= outlen)
			return (ENC_TOO_LONG);

		c = (unsigned char)in[i];
		if (c == '+') {
			c = ' ';
			i++;
		} else if (c == '%') {
			if (len - i < PERCENT_ESCAPE_LEN ||
			    (hi = enc_hex_digit(in[i + 1])) == -1 ||
			    (lo = enc_hex_digit(in[i + 2])) == -1)
				return (ENC_MALFORMED);
			c = (unsigned char)((hi << HEX_DIGIT_BITS) | lo);
			i += PERCENT_ESCAPE_LEN;
		} else {
			i++;
		}

		if (c <= ASCII_CONTROL_LAST || c == ASCII_DEL)
			*control = 1;
		out[o] = (char)c;
	}

	if (o < outlen)
		out[o] = '\0';

	return ((ssize_t)o);
}

int
enc_b64url_char(int c)
{
	return (b64url_value((char)c) != -1);
}

size_t
enc_b64url_len(size_t n)
{
	size_t	rem;

	rem = n % B64_GROUP_BYTES;
	return ((n / B64_GROUP_BYTES) * B64_GROUP_CHARS +
	    (rem == 0 ? 0 : rem + 1));
}

size_t
enc_b64url_encode(const uint8_t *in, size_t n, char *out)
{
	uint32_t	acc;
	size_t		i, o;
	int		bits;

	acc = 0;
	bits = 0;
	o = 0;
	for (i = 0; i < n; i++) {
		acc = (acc << BYTE_BITS) | in[i];
		bits += BYTE_BITS;
		while (bits >= B64_BITS) {
			bits -= B64_BITS;
			out[o++] = b64url_alphabet[(acc >> bits) & B64_MASK];
		}
	}
	if (bits > 0) {
		out[o++] = b64url_alphabet[(acc << (B64_BITS - bits)) &
		    B64_MASK];
	}

	return (o);
}

int
enc_b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap,
    size_t *outlen)
{
	uint32_t	acc;
	size_t		i, o, rem, need;
	int		bits, v;

	rem = n % B64_GROUP_CHARS;
	if (rem == 1)
		return (-1);
	need = (n / B64_GROUP_CHARS) * B64_GROUP_BYTES +
	    (rem == 0 ? 0 : rem - 1);
	if (need > cap)
		return (-1);

	acc = 0;
	bits = 0;
	o = 0;
	for (i = 0; i < n; i++) {
		if ((v = b64url_value(in[i])) == -1)
			return (-1);
		/* Only the low bits matter; older ones may shift out. */
		acc = (acc << B64_BITS) | (uint32_t)v;
		bits += B64_BITS;
		if (bits >= BYTE_BITS) {
			bits -= BYTE_BITS;
			out[o++] = (acc >> bits) & BYTE_MASK;
		}
	}

	/* Unused low bits must be zero: one spelling per value. */
	if (bits > 0 && (acc & ((1U << bits) - 1)) != 0)
		return (-1);

	*outlen = o;
	return (0);
}

/* The alphabet in ranges: a search of it was a tenth of a token check. */
static int
b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + B64_LOWER_BASE);
	if (c >= '0' && c <= '9')
		return (c - '0' + B64_DIGIT_BASE);
	if (c == '-')
		return (B64_DASH);
	if (c == '_')
		return (B64_UNDERSCORE);

	return (-1);
}

int
enc_append(char *out, size_t outlen, size_t *used, const char *s, size_t len)
{
	if (outlen == 0 || *used + len + 1 > outlen)
		return (0);

	memcpy(out + *used, s, len);
	*used += len;
	out[*used] = '\0';
	return (1);
}

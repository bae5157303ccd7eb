/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the small decoders every parser shares
 * (encoding.h), and the id formats (uuid.h, request_id.h). The first byte
 * chooses the function; the rest is its input, as (pointer, length) in
 * libFuzzer's exact-size buffer or as an exact-size heap string. Each
 * answer is compared with a plain reference implementation, and base64url
 * and UUID text must round-trip exactly.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "request_id.h"
#include "uuid.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 8 bytes of max, then the digits. */
#define MAX_BYTES	8

enum fuzz_op {
	OP_DECIMAL,
	OP_URL_DECODE,
	OP_B64_DECODE,
	OP_B64_ENCODE,
	OP_UUID,
	OP_REQUEST_ID,
	OP_COUNT
};

static int	ref_hex(int);
static void	decimal_check(const uint8_t *, size_t);
static void	url_decode_check(const uint8_t *, size_t);
static void	b64_decode_check(const char *, size_t);
static void	b64_encode_check(const uint8_t *, size_t);
static void	uuid_check(const char *, size_t);
static void	request_id_check(const uint8_t *, size_t);

static int
ref_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Compared with arithmetic in 128 bits: no overflow to reason about. */
static void
decimal_check(const uint8_t *data, size_t size)
{
	unsigned __int128	 v;
	uint64_t		 max, got;
	size_t			 i, len;
	const char		*s;
	int			 want;

	if (size < MAX_BYTES)
		return;
	max = fuzz_be(data, MAX_BYTES);
	/* Small limits half of the time: the edge cases live there. */
	if (!(data[0] & 0x80))
		max %= 1000;
	s = (const char *)data + MAX_BYTES;
	len = size - MAX_BYTES;

	want = (len > 0);
	v = 0;
	for (i = 0; i < len && want; i++) {
		if (s[i] < '0' || s[i] > '9')
			want = 0;
		else if ((v = v * 10 + (unsigned)(s[i] - '0')) > max)
			want = 0;
	}

	got = 0;
	if (enc_decimal(s, len, max, &got) == 0) {
		if (!want || got != (uint64_t)v)
			abort();
	} else if (want)
		abort();
}

static void
url_decode_check(const uint8_t *data, size_t size)
{
	const char	*in;
	char		*out, *inplace, *ref;
	size_t		 len, outlen, i, o;
	ssize_t		 n, m;
	int		 control, ctl2, rctl, hi, lo, bad;
	unsigned char	 c;

	if (size < 1)
		return;
	outlen = data[0];	/* 0..255: sometimes too small */
	in = (const char *)data + 1;
	len = size - 1;

	/* The reference: decode without limits. */
	if ((ref = malloc(len + 1)) == NULL)
		abort();
	bad = rctl = 0;
	for (i = 0, o = 0; i < len && !bad; o++) {
		c = (unsigned char)in[i];
		if (c == '+') {
			c = ' ';
			i++;
		} else if (c == '%') {
			if (len - i < 3 || (hi = ref_hex(in[i + 1])) == -1 ||
			    (lo = ref_hex(in[i + 2])) == -1) {
				bad = 1;
				break;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 3;
		} else
			i++;
		if (c < 0x20 || c == 0x7f)
			rctl = 1;
		ref[o] = (char)c;
	}

	if ((out = malloc(outlen > 0 ? outlen : 1)) == NULL)
		abort();
	n = enc_url_decode(in, len, out, outlen, &control);
	if (n >= 0) {
		if (bad || (size_t)n != o || (size_t)n > outlen ||
		    memcmp(out, ref, o) != 0 || control != rctl)
			abort();
		if ((size_t)n < outlen && out[n] != '\0')
			abort();
	} else if (n == ENC_TOO_LONG) {
		/* Too long only when the decoded text would not fit. */
		if (!bad && o <= outlen)
			abort();
	} else if (n != ENC_MALFORMED || !bad)
		abort();

	/* Decoding in place gives the same. */
	if ((inplace = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	memcpy(inplace, in, len);
	m = enc_url_decode(inplace, len, inplace, len, &ctl2);
	if (bad ? m != ENC_MALFORMED :
	    (m != (ssize_t)o || memcmp(inplace, ref, o) != 0 || ctl2 != rctl))
		abort();

	free(inplace);
	free(out);
	free(ref);
}

/* A decode that succeeds must be the one canonical spelling. */
static void
b64_decode_check(const char *in, size_t len)
{
	uint8_t	*buf;
	char	*again;
	size_t	 cap, n;

	cap = len;	/* decoding never grows */
	if ((buf = malloc(cap > 0 ? cap : 1)) == NULL)
		abort();
	if (enc_b64url_decode(in, len, buf, cap, &n) == 0) {
		if (n > cap || enc_b64url_len(n) != len)
			abort();
		if ((again = malloc(len > 0 ? len : 1)) == NULL)
			abort();
		if (enc_b64url_encode(buf, n, again) != len ||
		    memcmp(again, in, len) != 0)
			abort();
		free(again);
		/* And it needs no more than its own length of room. */
		if (n > 0 && enc_b64url_decode(in, len, buf, n - 1, &n) == 0)
			abort();
	}
	free(buf);
}

static void
b64_encode_check(const uint8_t *in, size_t len)
{
	uint8_t	*back;
	char	*text;
	size_t	 tlen, n, i;

	tlen = enc_b64url_len(len);
	if ((text = malloc(tlen > 0 ? tlen : 1)) == NULL ||
	    (back = malloc(len > 0 ? len : 1)) == NULL)
		abort();
	if (enc_b64url_encode(in, len, text) != tlen)
		abort();
	for (i = 0; i < tlen; i++)
		if (!enc_b64url_char((unsigned char)text[i]))
			abort();
	if (enc_b64url_decode(text, tlen, back, len, &n) != 0 || n != len ||
	    memcmp(back, in, len) != 0)
		abort();
	free(back);
	free(text);
}

static void
uuid_check(const char *in, size_t len)
{
	uint8_t	id[UUID_BYTES];
	char	text[UUID_TEXT_LEN + 1];
	size_t	i;
	int	want;

	want = (len == UUID_TEXT_LEN);
	for (i = 0; i < len && want; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			want = (in[i] == '-');
		else
			want = (ref_hex((unsigned char)in[i]) != -1);
	}

	if (uuid_from_text(in, len, id) == 0) {
		if (!want)
			abort();
		uuid_to_text(id, text);
		if (text[UUID_TEXT_LEN] != '\0')
			abort();
		for (i = 0; i < UUID_TEXT_LEN; i++) {
			if (in[i] >= 'A' && in[i] <= 'F' ?
			    text[i] != in[i] - 'A' + 'a' : text[i] != in[i])
				abort();
		}
	} else if (want)
		abort();

	/* Any sixteen bytes round-trip through text. */
	if (len >= UUID_BYTES) {
		memcpy(id, in, UUID_BYTES);
		uuid_to_text((const uint8_t *)in, text);
		if (uuid_from_text(text, UUID_TEXT_LEN, id) != 0 ||
		    memcmp(id, in, UUID_BYTES) != 0)
			abort();
	}
}

static void
request_id_check(const uint8_t *data, size_t size)
{
	char	*s;
	size_t	 i, n;
	int	 want;

	s = fuzz_strdup(data, size);
	n = strlen(s);
	want = (n >= 1 && n <= REQUEST_ID_MAX);
	for (i = 0; i < n && want; i++)
		want = ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-');
	if (request_id_valid(s) != want)
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	hex_done;
	int		c, op;

	/* Every int a char or an unsigned char can give, once. */
	if (!hex_done) {
		for (c = -128; c < 256; c++)
			if (enc_hex_digit(c) != ref_hex(c))
				abort();
		hex_done = 1;
	}

	if ((op = fuzz_mode_byte(&data, &size, OP_COUNT)) == -1)
		return (0);

	switch (op) {
	case OP_DECIMAL:
		decimal_check(data, size);
		break;
	case OP_URL_DECODE:
		url_decode_check(data, size);
		break;
	case OP_B64_DECODE:
		b64_decode_check((const char *)data, size);
		break;
	case OP_B64_ENCODE:
		b64_encode_check(data, size);
		break;
	case OP_UUID:
		uuid_check((const char *)data, size);
		break;
	case OP_REQUEST_ID:
		request_id_check(data, size);
		break;
	}

	return (0);
}

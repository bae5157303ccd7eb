/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for cursor.c: cursors survive a round trip, and any cursor a
 * client did not get from us (altered, cut, padded, foreign) is refused.
 */

#include <stdlib.h>

#include <openssl/hmac.h>

#include "testutil.h"

#include "cursor.h"

#define RAW_LEN		50	/* 1 + 8 + 16 + 1 + 8 + 16, per cursor.h */
#define MAC_OFF		34
#define MAC_LEN		16

static const char	key[] = "0123456789abcdef0123456789abcdef";
static const char	other_key[] = "0123456789abcdef0123456789abcdeg";
static const char	alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* An independent base64url (no padding) encoder, bit by bit. */
static void
b64(const uint8_t *in, size_t n, char *out)
{
	uint32_t	acc = 0;
	int		bits = 0;
	size_t		i;

	for (i = 0; i < n; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*out++ = alphabet[(acc >> bits) & 0x3f];
		}
	}
	if (bits > 0)
		*out++ = alphabet[(acc << (6 - bits)) & 0x3f];
	*out = '\0';
}

/* Pack raw[0..MAC_OFF) per the documented layout and append its MAC. */
static void
seal(const char *k, uint8_t raw[RAW_LEN], char *text)
{
	uint8_t		md[EVP_MAX_MD_SIZE];
	unsigned int	mdlen;

	assert_non_null(HMAC(EVP_sha256(), k, (int)strlen(k), raw, MAC_OFF,
	    md, &mdlen));
	memcpy(raw + MAC_OFF, md, MAC_LEN);
	b64(raw, RAW_LEN, text);
}

static struct cursor
sample(int sort)
{
	struct cursor	c;
	size_t		i;

	memset(&c, 0, sizeof(c));
	c.created_us = 1795877519123456LL;	/* 2026-11-28T14:51:59Z */
	for (i = 0; i < CURSOR_ID_BYTES; i++)
		c.id[i] = (uint8_t)(0xa0 + i);
	c.sort = sort;
	cursor_filter_hash("tags=akari", 10, c.filter_hash);
	return (c);
}

static void
assert_same(const struct cursor *a, const struct cursor *b)
{
	assert_true(a->created_us == b->created_us);
	assert_memory_equal(a->id, b->id, CURSOR_ID_BYTES);
	assert_int_equal(a->sort, b->sort);
	assert_memory_equal(a->filter_hash, b->filter_hash,
	    CURSOR_FILTER_BYTES);
}

static void
test_round_trip(void **state)
{
	static const int64_t	times[] = {
		0, 1, -1, 1795877519123456LL, INT64_MAX, INT64_MIN,
	};
	static const int	sorts[] = {
		CURSOR_SORT_NEWEST, CURSOR_SORT_OLDEST,
	};
	struct cursor		c, d;
	char			text[CURSOR_TEXT_MAX];
	size_t			i, j, k;

	(void)state;
	for (i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++) {
		for (j = 0; j < sizeof(times) / sizeof(times[0]); j++) {
			c = sample(sorts[i]);
			c.created_us = times[j];
			c.id[0] = (uint8_t)j;
			assert_int_equal(cursor_encode(key, sizeof(key) - 1,
			    &c, text, sizeof(text)), 0);
			assert_int_equal(strlen(text), CURSOR_TEXT_LEN);
			for (k = 0; k < CURSOR_TEXT_LEN; k++)
				assert_non_null(strchr(alphabet, text[k]));
			memset(&d, 0x55, sizeof(d));
			assert_int_equal(cursor_decode(key, sizeof(key) - 1,
			    text, strlen(text), &d), 0);
			assert_same(&c, &d);
		}
	}
}

static void
test_layout_matches_header(void **state)
{
	struct cursor	c, d;
	uint8_t		raw[RAW_LEN];
	char		want[CURSOR_TEXT_MAX], got[CURSOR_TEXT_MAX];

	(void)state;

	/* Build the documented layout by hand; encode must agree. */
	c = sample(CURSOR_SORT_OLDEST);
	c.created_us = 0x0102030405060708LL;
	raw[0] = 1;
	for (int i = 0; i < 8; i++)
		raw[1 + i] = (uint8_t)(i + 1);
	memcpy(raw + 9, c.id, 16);
	raw[25] = CURSOR_SORT_OLDEST;
	memcpy(raw + 26, c.filter_hash, 8);
	seal(key, raw, want);

	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, got,
	    sizeof(got)), 0);
	assert_string_equal(got, want);

	/* A hand-made cursor with a valid MAC decodes. */
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, want,
	    strlen(want), &d), 0);
	assert_same(&c, &d);
}

static void
test_tamper_every_character(void **state)
{
	struct cursor	c, d;
	char		text[CURSOR_TEXT_MAX], bad[CURSOR_TEXT_MAX];
	size_t		i, a;

	(void)state;
	c = sample(CURSOR_SORT_NEWEST);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    sizeof(text)), 0);

	/*
	 * Every single-character substitution is refused, including those
	 * in the last character's spare bits, which decode to the same bytes
	 * unless the decoder insists on the canonical form.
	 */
	for (i = 0; i < CURSOR_TEXT_LEN; i++) {
		for (a = 0; a < sizeof(alphabet) - 1; a++) {
			if (alphabet[a] == text[i])
				continue;
			memcpy(bad, text, sizeof(bad));
			bad[i] = alphabet[a];
			assert_int_equal(cursor_decode(key, sizeof(key) - 1,
			    bad, CURSOR_TEXT_LEN, &d), -1);
		}
	}
}

static void
test_tamper_every_byte(void **state)
{
	struct cursor	c, d;
	uint8_t		raw[RAW_LEN], bad[RAW_LEN];
	char		text[CURSOR_TEXT_MAX];
	size_t		i;
	int		bit;

	(void)state;
	c = sample(CURSOR_SORT_OLDEST);
	raw[0] = 1;
	memset(raw + 1, 0, 8);
	memcpy(raw + 9, c.id, 16);
	raw[25] = CURSOR_SORT_OLDEST;
	memcpy(raw + 26, c.filter_hash, 8);
	seal(key, raw, text);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    strlen(text), &d), 0);

	/* Flip each bit of each byte, MAC included, without resealing. */
	for (i = 0; i < RAW_LEN; i++) {
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, raw, RAW_LEN);
			bad[i] ^= (uint8_t)(1u << bit);
			b64(bad, RAW_LEN, text);
			assert_int_equal(cursor_decode(key, sizeof(key) - 1,
			    text, strlen(text), &d), -1);
		}
	}
}

static void
test_authentic_but_unknown(void **state)
{
	struct cursor	c, d;
	uint8_t		raw[RAW_LEN];
	char		text[CURSOR_TEXT_MAX];

	(void)state;
	c = sample(CURSOR_SORT_NEWEST);
	raw[0] = 1;
	memset(raw + 1, 0, 8);
	memcpy(raw + 9, c.id, 16);
	raw[25] = CURSOR_SORT_NEWEST;
	memcpy(raw + 26, c.filter_hash, 8);

	/* Correctly signed, but a version this code does not know. */
	raw[0] = 2;
	seal(key, raw, text);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    strlen(text), &d), -1);
	raw[0] = 0;
	seal(key, raw, text);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    strlen(text), &d), -1);

	/* Correctly signed, but no such sort order. */
	raw[0] = 1;
	raw[25] = 2;
	seal(key, raw, text);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    strlen(text), &d), -1);
	raw[25] = 0xff;
	seal(key, raw, text);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    strlen(text), &d), -1);
}

static void
test_wrong_key(void **state)
{
	struct cursor	c, d;
	char		text[CURSOR_TEXT_MAX];

	(void)state;
	c = sample(CURSOR_SORT_NEWEST);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    sizeof(text)), 0);
	assert_int_equal(cursor_decode(other_key, sizeof(other_key) - 1,
	    text, strlen(text), &d), -1);
	/* A key that is a prefix of the right one is a different key. */
	assert_int_equal(cursor_decode(key, sizeof(key) - 2, text,
	    strlen(text), &d), -1);
	/* No key at all is refused both ways. */
	assert_int_equal(cursor_decode(key, 0, text, strlen(text), &d), -1);
	assert_int_equal(cursor_decode(NULL, 32, text, strlen(text), &d), -1);
	assert_int_equal(cursor_encode(key, 0, &c, text, sizeof(text)), -1);
	assert_int_equal(cursor_encode(NULL, 32, &c, text, sizeof(text)), -1);
}

static void
test_lengths(void **state)
{
	struct cursor	c, d;
	char		text[CURSOR_TEXT_MAX], *big;
	size_t		n, bigsz = 100000;

	(void)state;
	c = sample(CURSOR_SORT_NEWEST);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    sizeof(text)), 0);

	/* Every truncation, including the empty cursor. */
	for (n = 0; n < CURSOR_TEXT_LEN; n++)
		assert_int_equal(cursor_decode(key, sizeof(key) - 1, text, n,
		    &d), -1);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, NULL, 0, &d),
	    -1);

	/* Appended characters, padding, and a huge input. */
	memcpy(text + CURSOR_TEXT_LEN, "A", 2);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    CURSOR_TEXT_LEN + 1, &d), -1);
	memcpy(text + CURSOR_TEXT_LEN, "=", 2);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    CURSOR_TEXT_LEN + 1, &d), -1);
	text[CURSOR_TEXT_LEN] = '\0';
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    CURSOR_TEXT_LEN + 1, &d), -1);

	big = malloc(bigsz);
	assert_non_null(big);
	for (n = 0; n < bigsz; n++)
		big[n] = text[n % CURSOR_TEXT_LEN];
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, big, bigsz, &d),
	    -1);
	free(big);

	/* The output buffer must hold the text and its NUL. */
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    CURSOR_TEXT_LEN), -1);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    CURSOR_TEXT_LEN + 1), 0);
	assert_int_equal(strlen(text), CURSOR_TEXT_LEN);
}

static void
test_bad_base64(void **state)
{
	static const char	bad_chars[] = "+/=.~ \t\n\0\x80\xff";
	struct cursor		c, d;
	char			text[CURSOR_TEXT_MAX], bad[CURSOR_TEXT_MAX];
	size_t			i, pos;
	static const size_t	positions[] = { 0, 33, CURSOR_TEXT_LEN - 1 };

	(void)state;
	c = sample(CURSOR_SORT_OLDEST);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    sizeof(text)), 0);

	for (i = 0; i < sizeof(bad_chars) - 1; i++) {
		for (pos = 0; pos < 3; pos++) {
			memcpy(bad, text, sizeof(bad));
			bad[positions[pos]] = bad_chars[i];
			assert_int_equal(cursor_decode(key, sizeof(key) - 1,
			    bad, CURSOR_TEXT_LEN, &d), -1);
		}
	}

	/* Standard base64 of the same bytes is not base64url. */
	memcpy(bad, text, sizeof(bad));
	for (i = 0; i < CURSOR_TEXT_LEN; i++) {
		if (bad[i] == '-')
			bad[i] = '+';
		else if (bad[i] == '_')
			bad[i] = '/';
	}
	if (memcmp(bad, text, CURSOR_TEXT_LEN) != 0)
		assert_int_equal(cursor_decode(key, sizeof(key) - 1, bad,
		    CURSOR_TEXT_LEN, &d), -1);
}

static void
test_encode_refuses_bad_sort(void **state)
{
	struct cursor	c;
	char		text[CURSOR_TEXT_MAX];

	(void)state;
	c = sample(CURSOR_SORT_NEWEST);
	c.sort = 2;
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    sizeof(text)), -1);
	c.sort = -1;
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &c, text,
	    sizeof(text)), -1);
}

static void
test_sort_and_filter_are_bound(void **state)
{
	struct cursor	a, b;
	char		ta[CURSOR_TEXT_MAX], tb[CURSOR_TEXT_MAX];

	(void)state;
	a = sample(CURSOR_SORT_NEWEST);
	b = a;
	b.sort = CURSOR_SORT_OLDEST;
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &a, ta,
	    sizeof(ta)), 0);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &b, tb,
	    sizeof(tb)), 0);
	assert_string_not_equal(ta, tb);

	b = a;
	cursor_filter_hash("tags=other", 10, b.filter_hash);
	assert_int_equal(cursor_encode(key, sizeof(key) - 1, &b, tb,
	    sizeof(tb)), 0);
	assert_string_not_equal(ta, tb);
}

static void
test_filter_hash(void **state)
{
	/* SHA-256("abc") = ba7816bf 8f01cfea ... (FIPS 180-2). */
	static const uint8_t	abc[8] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
	};
	/* SHA-256("") = e3b0c442 98fc1c14 ... */
	static const uint8_t	empty[8] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14,
	};
	uint8_t			h1[8], h2[8];

	(void)state;
	cursor_filter_hash("abc", 3, h1);
	assert_memory_equal(h1, abc, 8);
	cursor_filter_hash("", 0, h1);
	assert_memory_equal(h1, empty, 8);
	cursor_filter_hash(NULL, 0, h2);
	assert_memory_equal(h2, empty, 8);

	/* Length-bounded: bytes past len do not count, NULs do. */
	cursor_filter_hash("abcdef", 3, h2);
	assert_memory_equal(h2, abc, 8);
	cursor_filter_hash("a\0b", 3, h1);
	cursor_filter_hash("a\0c", 3, h2);
	assert_memory_not_equal(h1, h2, 8);
}

static void
test_key_derive(void **state)
{
	uint8_t		k1[CURSOR_KEY_BYTES], k2[CURSOR_KEY_BYTES];
	uint8_t		k3[CURSOR_KEY_BYTES];
	struct cursor	c, d;
	char		text[CURSOR_TEXT_MAX];

	(void)state;
	assert_int_equal(cursor_key_derive(key, sizeof(key) - 1, k1), 0);
	assert_int_equal(cursor_key_derive(key, sizeof(key) - 1, k2), 0);
	assert_memory_equal(k1, k2, sizeof(k1));
	assert_int_equal(cursor_key_derive(other_key, sizeof(other_key) - 1,
	    k3), 0);
	assert_memory_not_equal(k1, k3, sizeof(k1));
	/* The derived key is not the secret itself. */
	assert_memory_not_equal(k1, key, sizeof(k1));

	assert_int_equal(cursor_key_derive(key, 0, k3), -1);
	assert_int_equal(cursor_key_derive(NULL, 5, k3), -1);

	/* Cursors made under the derived key verify only under it. */
	c = sample(CURSOR_SORT_NEWEST);
	assert_int_equal(cursor_encode(k1, sizeof(k1), &c, text,
	    sizeof(text)), 0);
	assert_int_equal(cursor_decode(k2, sizeof(k2), text, strlen(text),
	    &d), 0);
	assert_int_equal(cursor_decode(key, sizeof(key) - 1, text,
	    strlen(text), &d), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_layout_matches_header),
		cmocka_unit_test(test_tamper_every_character),
		cmocka_unit_test(test_tamper_every_byte),
		cmocka_unit_test(test_authentic_but_unknown),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_bad_base64),
		cmocka_unit_test(test_encode_refuses_bad_sort),
		cmocka_unit_test(test_sort_and_filter_are_bound),
		cmocka_unit_test(test_filter_hash),
		cmocka_unit_test(test_key_derive),
	};

	return (cmocka_run_group_tests_name("cursor", tests, NULL, NULL));
}

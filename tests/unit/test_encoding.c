/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The shared encodings: hex, decimals, percent-decoding, base64url, and
 * the bounded append.
 */

#include "testutil.h"

#include "encoding.h"

static void
test_hex_digit(void **state)
{
	(void)state;

	assert_int_equal(enc_hex_digit('0'), 0);
	assert_int_equal(enc_hex_digit('9'), 9);
	assert_int_equal(enc_hex_digit('a'), 10);
	assert_int_equal(enc_hex_digit('F'), 15);
	assert_int_equal(enc_hex_digit('g'), -1);
	assert_int_equal(enc_hex_digit('/'), -1);
	assert_int_equal(enc_hex_digit('\0'), -1);
}

static void
test_hex_encode(void **state)
{
	static const uint8_t	bytes[] = { 0x00, 0x0f, 0xa5, 0xff, 0x10 };
	char			out[2 * sizeof(bytes) + 2];

	(void)state;

	memset(out, 'x', sizeof(out));
	assert_int_equal(enc_hex_encode(bytes, sizeof(bytes), out), 10);
	assert_string_equal(out, "000fa5ff10");
	/* Nothing is written past the NUL. */
	assert_int_equal(out[11], 'x');

	assert_int_equal(enc_hex_encode(bytes, 0, out), 0);
	assert_string_equal(out, "");
}

static void
test_decimal(void **state)
{
	uint64_t	v;

	(void)state;

	assert_int_equal(enc_decimal("0", 1, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(enc_decimal("65535", 5, 65535, &v), 0);
	assert_int_equal(v, 65535);
	assert_int_equal(enc_decimal("65536", 5, 65535, &v), -1);
	assert_int_equal(enc_decimal("18446744073709551615", 20, UINT64_MAX,
	    &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(enc_decimal("18446744073709551616", 20, UINT64_MAX,
	    &v), -1);
	/* A limit below the digit itself. */
	assert_int_equal(enc_decimal("7", 1, 5, &v), -1);
	assert_int_equal(enc_decimal("5", 1, 5, &v), 0);
	assert_int_equal(enc_decimal("0", 1, 0, &v), 0);
	assert_int_equal(enc_decimal("1", 1, 0, &v), -1);
	assert_int_equal(enc_decimal("", 0, 10, &v), -1);
	assert_int_equal(enc_decimal("+1", 2, 10, &v), -1);
	assert_int_equal(enc_decimal("1 ", 2, 10, &v), -1);
	assert_int_equal(enc_decimal("5x", 2, 100, &v), -1);
	/* Only len bytes are read. */
	assert_int_equal(enc_decimal("12abc", 2, 100, &v), 0);
	assert_int_equal(v, 12);
}

static void
test_url_decode(void **state)
{
	char	out[16], inplace[] = "a%20b+c";
	int	control;
	ssize_t	n;

	(void)state;

	n = enc_url_decode("a%2Fb+c%7e", 10, out, sizeof(out), &control);
	assert_int_equal(n, 6);
	assert_string_equal(out, "a/b c~");
	assert_int_equal(control, 0);

	n = enc_url_decode(inplace, 7, inplace, 7, &control);
	assert_int_equal(n, 5);
	assert_memory_equal(inplace, "a b c", 5);

	assert_int_equal(enc_url_decode("%0a", 3, out, sizeof(out), &control),
	    1);
	assert_int_equal(control, 1);
	assert_int_equal(enc_url_decode("%7F", 3, out, sizeof(out), &control),
	    1);
	assert_int_equal(control, 1);

	assert_int_equal(enc_url_decode("%", 1, out, sizeof(out), &control),
	    ENC_MALFORMED);
	assert_int_equal(enc_url_decode("%2", 2, out, sizeof(out), &control),
	    ENC_MALFORMED);
	assert_int_equal(enc_url_decode("%zz", 3, out, sizeof(out), &control),
	    ENC_MALFORMED);
	assert_int_equal(enc_url_decode("abcd", 4, out, 3, &control),
	    ENC_TOO_LONG);
	/* Exactly full: no room for the NUL, which is then not written. */
	out[3] = 'X';
	assert_int_equal(enc_url_decode("abc", 3, out, 3, &control), 3);
	assert_int_equal(out[3], 'X');
}

static void
test_b64url(void **state)
{
	const uint8_t	 bytes[] = { 0xfb, 0xff, 0x00, 0x10, 0x83 };
	uint8_t		 back[8];
	char		 text[16];
	size_t		 n, len;

	(void)state;

	for (n = 0; n <= sizeof(bytes); n++) {
		len = enc_b64url_encode(bytes, n, text);
		assert_int_equal(len, enc_b64url_len(n));
		assert_int_equal(enc_b64url_decode(text, len, back,
		    sizeof(back), &len), 0);
		assert_int_equal(len, n);
		assert_memory_equal(back, bytes, n);
	}

	len = enc_b64url_encode(bytes, 2, text);
	text[len] = '\0';
	assert_string_equal(text, "-_8");
	assert_true(enc_b64url_char('-'));
	assert_true(enc_b64url_char('_'));
	assert_false(enc_b64url_char('+'));
	assert_false(enc_b64url_char('='));

	/* Non-canonical: unused low bits set, a 4k+1 length, padding. */
	assert_int_equal(enc_b64url_decode("-_9", 3, back, sizeof(back), &len),
	    -1);
	assert_int_equal(enc_b64url_decode("AAAAA", 5, back, sizeof(back),
	    &len), -1);
	assert_int_equal(enc_b64url_decode("AA==", 4, back, sizeof(back), &len),
	    -1);
	/* Too small an output. */
	assert_int_equal(enc_b64url_decode("AAAA", 4, back, 2, &len), -1);
}

static void
test_append(void **state)
{
	char	out[6];
	size_t	used = 0;

	(void)state;

	assert_int_equal(enc_append(out, sizeof(out), &used, "ab", 2), 1);
	assert_int_equal(used, 2);
	assert_string_equal(out, "ab");
	/* Exactly full: three more bytes and the NUL. */
	assert_int_equal(enc_append(out, sizeof(out), &used, "cde", 3), 1);
	assert_int_equal(used, 5);
	assert_string_equal(out, "abcde");
	/* One byte more does not fit: nothing changes. */
	assert_int_equal(enc_append(out, sizeof(out), &used, "f", 1), 0);
	assert_int_equal(used, 5);
	assert_string_equal(out, "abcde");
	/* An empty append still needs room for the NUL. */
	used = 0;
	assert_int_equal(enc_append(out, 0, &used, "", 0), 0);
	assert_int_equal(enc_append(out, 1, &used, "", 0), 1);
	assert_string_equal(out, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex_digit),
		cmocka_unit_test(test_hex_encode),
		cmocka_unit_test(test_decimal),
		cmocka_unit_test(test_url_decode),
		cmocka_unit_test(test_b64url),
		cmocka_unit_test(test_append),
	};

	return (cmocka_run_group_tests_name("encoding", tests, NULL, NULL));
}

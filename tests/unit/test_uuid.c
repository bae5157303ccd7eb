/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for uuid.c: reaction ids parse only in canonical form, format
 * as lowercase, and fresh ids are random version 4 UUIDs.
 */

#include "testutil.h"

#include "uuid.h"

#define LIT(s)		(s), (sizeof(s) - 1)

static const char	canon[] = "6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11";
static const uint8_t	canon_bytes[UUID_BYTES] = {
	0x6f, 0x1c, 0x0d, 0x3e, 0x0d, 0x0f, 0x4a, 0x57,
	0x9a, 0x53, 0x0b, 0x1f, 0x3f, 0x0d, 0x8a, 0x11,
};

static void
test_parse_and_format(void **state)
{
	uint8_t	id[UUID_BYTES];
	char	text[UUID_TEXT_LEN + 1];

	(void)state;
	assert_int_equal(uuid_from_text(LIT(canon), id), 0);
	assert_memory_equal(id, canon_bytes, UUID_BYTES);

	memset(text, 'x', sizeof(text));
	uuid_to_text(id, text);
	assert_string_equal(text, canon);

	/* Input is case-insensitive, output always lowercase. */
	assert_int_equal(uuid_from_text(
	    LIT("6F1C0D3E-0D0F-4A57-9A53-0B1F3F0D8A11"), id), 0);
	assert_memory_equal(id, canon_bytes, UUID_BYTES);
	assert_int_equal(uuid_from_text(
	    LIT("6f1C0d3E-0d0F-4a57-9A53-0b1f3F0D8a11"), id), 0);
	uuid_to_text(id, text);
	assert_string_equal(text, canon);

	/* Extremes. */
	assert_int_equal(uuid_from_text(
	    LIT("00000000-0000-0000-0000-000000000000"), id), 0);
	uuid_to_text(id, text);
	assert_string_equal(text, "00000000-0000-0000-0000-000000000000");
	assert_int_equal(uuid_from_text(
	    LIT("ffffffff-ffff-ffff-ffff-ffffffffffff"), id), 0);
	for (size_t i = 0; i < UUID_BYTES; i++)
		assert_int_equal(id[i], 0xff);
}

static void
test_parse_rejects(void **state)
{
	static const char	*const bad[] = {
		"",
		"6f1c0d3e0d0f4a579a530b1f3f0d8a11",
		"{6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11}",
		"urn:uuid:6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11",
		"6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a1",
		"6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a111",
		"6f1c0d3e-0d0f-4a57-9a530b1f3f0d8a11-",
		"6f1c0d3-e0d0f-4a57-9a53-0b1f3f0d8a11",
		"6f1c0d3e_0d0f_4a57_9a53_0b1f3f0d8a11",
		"6f1c0d3g-0d0f-4a57-9a53-0b1f3f0d8a11",
		"6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a1 ",
		" 6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a1",
		"+f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11",
		"6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a1\xff",
		"../../../../../../../../etc/passwd00",
	};
	uint8_t			id[UUID_BYTES];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(id, canon_bytes, UUID_BYTES);
		assert_int_equal(uuid_from_text(bad[i], strlen(bad[i]), id),
		    -1);
		/* A refused parse leaves out alone. */
		assert_memory_equal(id, canon_bytes, UUID_BYTES);
	}

	/* Embedded NUL and a length that disagrees with the text. */
	assert_int_equal(uuid_from_text(
	    LIT("6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a1\0"), id), -1);
	assert_int_equal(uuid_from_text(canon, UUID_TEXT_LEN - 1, id), -1);
	assert_int_equal(uuid_from_text(NULL, UUID_TEXT_LEN, id), -1);
}

static void
test_v4_generate(void **state)
{
	uint8_t	a[UUID_BYTES], b[UUID_BYTES], back[UUID_BYTES];
	char	text[UUID_TEXT_LEN + 1];
	size_t	i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		memset(a, i & 1 ? 0xff : 0x00, sizeof(a));
		assert_int_equal(uuid_v4_generate(a), 0);
		/* Version nibble 4, variant bits 10. */
		assert_int_equal(a[6] >> 4, 4);
		assert_int_equal(a[8] >> 6, 2);

		uuid_to_text(a, text);
		assert_int_equal(strlen(text), UUID_TEXT_LEN);
		assert_int_equal(text[14], '4');
		assert_non_null(strchr("89ab", text[19]));
		assert_int_equal(uuid_from_text(text, UUID_TEXT_LEN, back), 0);
		assert_memory_equal(a, back, UUID_BYTES);
	}

	/* Two fresh ids differ (122 random bits). */
	assert_int_equal(uuid_v4_generate(a), 0);
	assert_int_equal(uuid_v4_generate(b), 0);
	assert_memory_not_equal(a, b, UUID_BYTES);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_format),
		cmocka_unit_test(test_parse_rejects),
		cmocka_unit_test(test_v4_generate),
	};

	return (cmocka_run_group_tests_name("uuid", tests, NULL, NULL));
}

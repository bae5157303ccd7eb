/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for tar.c: the ustar header's fields and checksum as POSIX
 * lays them out, the limits, and the lengths the export's Content-Length
 * is summed from. (The integration test reads whole archives with
 * Python's tarfile.)
 */

#include <stdio.h>

#include "testutil.h"

#include "tar.h"

/* The header's checksum as a reader computes it. */
static unsigned long
checksum(const uint8_t *b)
{
	unsigned long	sum;
	size_t		i;

	for (sum = 0, i = 0; i < TAR_BLOCK; i++)
		sum += (i >= 148 && i < 156) ? ' ' : b[i];
	return (sum);
}

static void
test_header(void **state)
{
	uint8_t		b[TAR_BLOCK];
	char		text[16];
	size_t		i;

	(void)state;

	assert_int_equal(tar_header(b, "files/x.gif", 482113, 1764342719), 0);
	assert_string_equal((char *)b, "files/x.gif");
	assert_memory_equal(b + 100, "0000644", 8);
	assert_memory_equal(b + 108, "0000000", 8);
	assert_memory_equal(b + 116, "0000000", 8);
	(void)snprintf(text, sizeof(text), "%011o", 482113);
	assert_memory_equal(b + 124, text, 12);
	(void)snprintf(text, sizeof(text), "%011lo", 1764342719UL);
	assert_memory_equal(b + 136, text, 12);
	assert_int_equal(b[156], '0');
	assert_memory_equal(b + 257, "ustar", 6);
	assert_memory_equal(b + 263, "00", 2);
	assert_string_equal((char *)b + 265, "reactbin");
	assert_string_equal((char *)b + 297, "reactbin");

	/* Six octal digits, a NUL, a space. */
	(void)snprintf(text, sizeof(text), "%06lo", checksum(b));
	assert_memory_equal(b + 148, text, 6);
	assert_int_equal(b[154], '\0');
	assert_int_equal(b[155], ' ');

	/* Everything else is zero. */
	for (i = 157; i < 257; i++)
		assert_int_equal(b[i], 0);
	for (i = 329; i < TAR_BLOCK; i++)
		assert_int_equal(b[i], 0);
}

static void
test_limits(void **state)
{
	uint8_t	b[TAR_BLOCK];
	char	name[TAR_NAME_MAX + 2];

	(void)state;

	memset(name, 'n', sizeof(name));
	name[TAR_NAME_MAX] = '\0';
	assert_int_equal(tar_header(b, name, 1, 0), 0);
	assert_memory_equal(b, name, TAR_NAME_MAX);
	assert_int_equal(b[100], '0');		/* the mode, no NUL between */
	name[TAR_NAME_MAX] = 'n';
	name[TAR_NAME_MAX + 1] = '\0';
	assert_int_equal(tar_header(b, name, 1, 0), -1);
	assert_int_equal(tar_header(b, "", 1, 0), -1);

	assert_int_equal(tar_header(b, "big", TAR_SIZE_MAX, 0), 0);
	assert_memory_equal(b + 124, "77777777777", 12);
	assert_int_equal(tar_header(b, "big", TAR_SIZE_MAX + 1, 0), -1);

	/* Before the epoch is the epoch. */
	assert_int_equal(tar_header(b, "old", 1, -5), 0);
	assert_memory_equal(b + 136, "00000000000", 12);
}

static void
test_lengths(void **state)
{
	(void)state;

	assert_int_equal(tar_padding(0), 0);
	assert_int_equal(tar_padding(1), 511);
	assert_int_equal(tar_padding(512), 0);
	assert_int_equal(tar_padding(513), 511);
	assert_int_equal(tar_member_bytes(0), 512);
	assert_int_equal(tar_member_bytes(1), 1024);
	assert_int_equal(tar_member_bytes(512), 1024);
	assert_int_equal(tar_member_bytes(482113), 512 + 482304);
	assert_int_equal(TAR_END_BYTES, 1024);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_lengths),
	};

	return (cmocka_run_group_tests_name("tar", tests, NULL, NULL));
}

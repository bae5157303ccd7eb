/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for buf.c: appends build a NUL-terminated string across
 * several growths, the first failure sticks, a limit is exact, and a
 * secret buffer hands over the same bytes.
 */

#include <stdlib.h>

#include "testutil.h"

#include "buf.h"

/* More than the first block, so that the buffer grows several times. */
#define MANY		5000
#define LIMIT		10

static void
test_append_and_finish(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 len, i;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (i = 0; i < MANY; i++)
		buf_append(&b, i % 2 ? "b" : "a", 1);
	buf_appends(&b, "!");
	assert_int_equal(b.failed, BUF_OK);
	assert_int_equal(buf_finish(&b, &s, &len), 0);
	assert_int_equal(len, MANY + 1);
	assert_int_equal(strlen(s), MANY + 1);
	assert_memory_equal(s, "abab", 4);
	assert_int_equal(s[MANY], '!');
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
}

static void
test_empty_is_a_string(void **state)
{
	struct buf	 b;
	char		*s;

	(void)state;
	buf_init(&b, 0, 0);
	buf_append(&b, "ignored", 0);
	assert_int_equal(buf_finish(&b, &s, NULL), 0);
	assert_string_equal(s, "");
	free(s);
}

static void
test_limit(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 len;

	(void)state;
	buf_init(&b, LIMIT, 0);
	buf_append(&b, "0123456789", LIMIT);
	assert_int_equal(b.failed, BUF_OK);
	assert_true(b.cap <= LIMIT + 1);
	assert_int_equal(buf_finish(&b, &s, &len), 0);
	assert_int_equal(len, LIMIT);
	free(s);

	/* One byte past the limit fails, and the failure sticks. */
	buf_init(&b, LIMIT, 0);
	buf_append(&b, "01234", 5);
	buf_append(&b, "567890", 6);
	assert_int_equal(b.failed, BUF_FULL);
	assert_int_equal(b.len, 5);
	buf_append(&b, "x", 1);
	assert_int_equal(b.len, 5);
	assert_int_equal(buf_finish(&b, &s, &len), -1);
	assert_null(s);
	assert_int_equal(len, 0);
	assert_null(b.data);
}

static void
test_overflow(void **state)
{
	struct buf	b;

	(void)state;
	buf_init(&b, 0, 0);
	buf_append(&b, "a", 1);
	buf_append(&b, "b", SIZE_MAX);
	assert_int_equal(b.failed, BUF_FULL);
	buf_free(&b);
	assert_int_equal(b.failed, BUF_OK);
	assert_null(b.data);
}

static void
test_secret(void **state)
{
	struct buf	 b;
	char		*s;
	size_t		 i;

	(void)state;
	buf_init(&b, 0, 1);
	for (i = 0; i < MANY; i++)
		buf_appends(&b, "pw");
	assert_int_equal(buf_finish(&b, &s, NULL), 0);
	assert_int_equal(strlen(s), 2 * MANY);
	assert_memory_equal(s + 2 * MANY - 4, "pwpw", 4);
	free(s);

	buf_init(&b, 0, 1);
	buf_appends(&b, "secret");
	buf_free(&b);
	assert_null(b.data);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_append_and_finish),
		cmocka_unit_test(test_empty_is_a_string),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_secret),
	};

	return (cmocka_run_group_tests_name("buf", tests, NULL, NULL));
}

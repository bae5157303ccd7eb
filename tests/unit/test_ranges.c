/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/* Range and If-None-Match rules for the public file endpoint. */

#include "testutil.h"

#include "ranges.h"

#define SIZE	1000

struct range_case {
	const char		*header;
	uint64_t		 size;
	enum range_result	 want;
	uint64_t		 first, last;
};

static const struct range_case cases[] = {
	{ NULL,			SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=0-9",		SIZE, RANGE_OK, 0, 9 },
	{ "bytes=0-0",		SIZE, RANGE_OK, 0, 0 },
	{ "bytes=990-",		SIZE, RANGE_OK, 990, 999 },
	{ "bytes=-10",		SIZE, RANGE_OK, 990, 999 },
	{ "bytes=-5000",	SIZE, RANGE_OK, 0, 999 },
	{ "bytes=500-5000",	SIZE, RANGE_OK, 500, 999 },
	{ "bytes=999-999",	SIZE, RANGE_OK, 999, 999 },
	{ "bytes= 1-2 ",	SIZE, RANGE_OK, 1, 2 },
	{ "bytes=1000-",	SIZE, RANGE_UNSATISFIABLE, 0, 0 },
	{ "bytes=1000-2000",	SIZE, RANGE_UNSATISFIABLE, 0, 0 },
	{ "bytes=-0",		SIZE, RANGE_UNSATISFIABLE, 0, 0 },
	{ "bytes=9-5",		SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=0-1,5-6",	SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=-",		SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=a-b",		SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=1-2x",		SIZE, RANGE_NONE, 0, 0 },
	{ "items=0-9",		SIZE, RANGE_NONE, 0, 0 },
	{ "Bytes=0-9",		SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=+1-2",		SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=99999999999999999999-",	SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=0-99999999999999999999",	SIZE, RANGE_NONE, 0, 0 },
	{ "bytes=18446744073709551615-",	SIZE, RANGE_UNSATISFIABLE, 0, 0 },
	{ "",			SIZE, RANGE_NONE, 0, 0 },
};

static void
test_range_table(void **state)
{
	size_t		 i;
	uint64_t	 first, last;

	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		first = last = UINT64_MAX;
		if (range_parse(cases[i].header, cases[i].size, &first,
		    &last) != cases[i].want) {
			fail_msg("case %zu (%s): wrong result", i,
			    cases[i].header ? cases[i].header : "NULL");
		}
		if (cases[i].want == RANGE_OK) {
			assert_int_equal(first, cases[i].first);
			assert_int_equal(last, cases[i].last);
		}
	}
}

static void
test_etag(void **state)
{
	const char	*tag = "\"abc\"";

	(void)state;

	assert_true(etag_match("\"abc\"", tag));
	assert_true(etag_match("W/\"abc\"", tag));
	assert_true(etag_match("\"x\", \"abc\"", tag));
	assert_true(etag_match(" \"x\" ,W/\"abc\" ", tag));
	assert_true(etag_match("*", tag));
	assert_true(etag_match(" * ", tag));
	assert_false(etag_match("\"abcd\"", tag));
	assert_false(etag_match("\"ab\"", tag));
	assert_false(etag_match("abc", tag));
	assert_false(etag_match("\"abc", tag));
	assert_false(etag_match("\"x\" \"abc\"", tag));
	assert_false(etag_match("", tag));
	assert_false(etag_match(NULL, tag));
	assert_false(etag_match("*, \"x\"", tag));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_table),
		cmocka_unit_test(test_etag),
	};

	return (cmocka_run_group_tests_name("ranges", tests, NULL, NULL));
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/* The near-duplicate search's query: max_distance and limit. */

#include "testutil.h"

#include "derive_plan.h"
#include "similar_query.h"

struct query_case {
	const char		*qs;
	enum listing_status	 want;
	int			 distance, limit;
	const char		*field;
};

static const struct query_case cases[] = {
	{ NULL, LISTING_OK, DERIVE_SIMILAR_DEFAULT, SIMILAR_LIMIT_DEFAULT,
	    NULL },
	{ "", LISTING_OK, DERIVE_SIMILAR_DEFAULT, SIMILAR_LIMIT_DEFAULT, NULL },
	{ "max_distance=0", LISTING_OK, 0, SIMILAR_LIMIT_DEFAULT, NULL },
	{ "max_distance=64", LISTING_OK, 64, SIMILAR_LIMIT_DEFAULT, NULL },
	{ "max_distance=05", LISTING_OK, 5, SIMILAR_LIMIT_DEFAULT, NULL },
	{ "max_distance=12&limit=3", LISTING_OK, 12, 3, NULL },
	{ "limit=100", LISTING_OK, DERIVE_SIMILAR_DEFAULT, 100, NULL },
	{ "other=x&limit=1", LISTING_OK, DERIVE_SIMILAR_DEFAULT, 1, NULL },
	{ "max_distance=65", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=-1", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=100", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=1e1", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=%20", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=8%00", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=%zz", LISTING_BAD_REQUEST, 0, 0, "max_distance" },
	{ "max_distance=1&max_distance=2", LISTING_BAD_REQUEST, 0, 0,
	    "max_distance" },
	{ "limit=0", LISTING_BAD_REQUEST, 0, 0, "limit" },
	{ "limit=101", LISTING_BAD_REQUEST, 0, 0, "limit" },
	{ "limit=x", LISTING_BAD_REQUEST, 0, 0, "limit" },
	{ "max_distance=3&limit=1&limit=2", LISTING_BAD_REQUEST, 0, 0,
	    "limit" },
};

static void
test_query_table(void **state)
{
	struct similar_query	q;
	struct listing_error	err;
	size_t			i;

	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (similar_query_parse(cases[i].qs, &q, &err) !=
		    cases[i].want)
			fail_msg("%s: wrong status", cases[i].qs);
		if (cases[i].want == LISTING_OK) {
			assert_int_equal(q.max_distance, cases[i].distance);
			assert_int_equal(q.limit, cases[i].limit);
		} else {
			assert_string_equal(err.field, cases[i].field);
			assert_non_null(err.message);
		}
	}
}

static void
test_distance_parse(void **state)
{
	int	v;

	(void)state;

	assert_int_equal(similar_distance_parse("8", 1, &v), 0);
	assert_int_equal(v, 8);
	/* Only len bytes count. */
	assert_int_equal(similar_distance_parse("649", 2, &v), 0);
	assert_int_equal(v, 64);
	assert_int_equal(similar_distance_parse("649", 3, &v), -1);
	assert_int_equal(similar_distance_parse("", 0, &v), -1);
	assert_int_equal(similar_distance_parse("+1", 2, &v), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_table),
		cmocka_unit_test(test_distance_parse),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

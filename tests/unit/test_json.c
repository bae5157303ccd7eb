/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for json.c's parser: a body is one JSON object and nothing
 * after it but whitespace, whatever yajl lets through.
 */

#include "testutil.h"

#include "json.h"

#define ERRLEN	128

static int
parses(const char *text)
{
	yajl_val	 v;
	char		 err[ERRLEN];

	if ((v = json_parse_object(text, strlen(text), err, sizeof(err))) ==
	    NULL)
		return (0);
	yajl_tree_free(v);
	return (1);
}

static void
test_trailing(void **state)
{
	static const char *const refused[] = {
		"{}\"",			/* yajl waits for the string's end */
		"{\"a\":1}\"}",
		"{\"a\":\"}\"} \"",
		"{\"a\":{}}\"x",
		"{} x",
		"{}{}",
		"{}]",
	};
	static const char *const taken[] = {
		"{}",
		" {\"a\":\"\\\"}\"}\n",	/* a brace and a quote in a string */
		"{\"a\":[{}, \"]\"]}\r\n\t ",
		"{\"a\\\\\":\"}\"}",	/* an escaped backslash ends before " */
	};
	size_t	i;

	(void)state;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		assert_false(parses(refused[i]));
	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++)
		assert_true(parses(taken[i]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trailing),
	};

	return (cmocka_run_group_tests_name("json", tests, NULL, NULL));
}

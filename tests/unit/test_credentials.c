/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for credentials.c: the owner login check. Timing is not
 * measured here; these check that exactly the right pair is accepted.
 */

#include "testutil.h"
#include "credentials.h"

#define USER		"owner"
#define PASS		"change-me"

static int	try(const char *, const char *);

/* Present (user, pass) as NUL-terminated strings. */
static int
try(const char *user, const char *pass)
{
	return (credentials_match(USER, PASS, user, strlen(user), pass,
	    strlen(pass)));
}

static void
test_match(void **state)
{
	(void)state;

	assert_int_equal(try(USER, PASS), 1);
	assert_int_equal(credentials_match("o", "p", "o", 1, "p", 1), 1);

	/* Lengths are taken from the arguments, not from a NUL. */
	assert_int_equal(credentials_match(USER, PASS, "ownerXYZ", 5,
	    "change-me!!", 9), 1);
}

static void
test_wrong_either(void **state)
{
	(void)state;

	assert_int_equal(try(USER, "change-mE"), 0);
	assert_int_equal(try("Owner", PASS), 0);
	assert_int_equal(try("other", "wrong"), 0);
	assert_int_equal(try(PASS, USER), 0);
	assert_int_equal(try(USER, USER), 0);
	assert_int_equal(try(PASS, PASS), 0);
}

static void
test_prefix_and_extension(void **state)
{
	(void)state;

	assert_int_equal(try(USER, "change-m"), 0);
	assert_int_equal(try(USER, "c"), 0);
	assert_int_equal(try(USER, "change-me "), 0);
	assert_int_equal(try(USER, "change-mechange-me"), 0);
	assert_int_equal(try("owne", PASS), 0);
	assert_int_equal(try("owner2", PASS), 0);
	assert_int_equal(try(" owner", PASS), 0);
}

static void
test_empty(void **state)
{
	(void)state;

	assert_int_equal(try("", ""), 0);
	assert_int_equal(try(USER, ""), 0);
	assert_int_equal(try("", PASS), 0);
	assert_int_equal(credentials_match(USER, PASS, NULL, 0, NULL, 0), 0);
	assert_int_equal(credentials_match(USER, PASS, USER, 5, NULL, 0), 0);

	/* Empty owner fields only match empty input (config refuses them). */
	assert_int_equal(credentials_match("", "", "", 0, "", 0), 1);
	assert_int_equal(credentials_match("", "", NULL, 0, NULL, 0), 1);
	assert_int_equal(credentials_match("", "", "x", 1, "", 0), 0);
	assert_int_equal(credentials_match(USER, "", USER, 5, "x", 1), 0);
}

static void
test_embedded_nul(void **state)
{
	(void)state;

	/* "change-me\0x" is not "change-me", nor is "owner\0". */
	assert_int_equal(credentials_match(USER, PASS, USER, 5,
	    "change-me\0x", 11), 0);
	assert_int_equal(credentials_match(USER, PASS, USER, 5,
	    "change-me\0", 10), 0);
	assert_int_equal(credentials_match(USER, PASS, "owner\0", 6, PASS, 9),
	    0);
	assert_int_equal(credentials_match(USER, PASS, "\0owner", 6, PASS, 9),
	    0);
	assert_int_equal(credentials_match(USER, PASS, "", 1, PASS, 9), 0);
}

static void
test_bad_arguments(void **state)
{
	(void)state;

	assert_int_equal(credentials_match(NULL, PASS, USER, 5, PASS, 9), 0);
	assert_int_equal(credentials_match(USER, NULL, USER, 5, PASS, 9), 0);
	assert_int_equal(credentials_match(USER, PASS, NULL, 5, PASS, 9), 0);
	assert_int_equal(credentials_match(USER, PASS, USER, 5, NULL, 9), 0);
}

static void
test_long_and_binary(void **state)
{
	char	user[4096], pass[4096], guess[4096];

	(void)state;

	memset(user, 'u', sizeof(user) - 1);
	user[sizeof(user) - 1] = '\0';
	memset(pass, 'p', sizeof(pass) - 1);
	pass[sizeof(pass) - 1] = '\0';

	assert_int_equal(credentials_match(user, pass, user, strlen(user),
	    pass, strlen(pass)), 1);
	assert_int_equal(credentials_match(user, pass, user, strlen(user),
	    pass, strlen(pass) - 1), 0);
	/* One byte off deep inside a long password. */
	memcpy(guess, pass, sizeof(pass));
	guess[100] = 'q';
	assert_int_equal(credentials_match(user, pass, user, strlen(user),
	    guess, strlen(guess)), 0);
	assert_int_equal(credentials_match(user, "p", user, strlen(user),
	    pass, strlen(pass)), 0);

	assert_int_equal(credentials_match("\xc3\xa9", "\xff\xfe",
	    "\xc3\xa9", 2, "\xff\xfe", 2), 1);
	assert_int_equal(credentials_match("\xc3\xa9", "\xff\xfe",
	    "\xc3\xa9", 2, "\xff\xff", 2), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_wrong_either),
		cmocka_unit_test(test_prefix_and_extension),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_long_and_binary),
	};

	return (cmocka_run_group_tests_name("credentials", tests, NULL,
	    NULL));
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for apikey.c: the form of a key and how it is told from a
 * JWT, fresh keys, the stored hash and its comparison, and the body of
 * POST /api/v1/keys.
 */

#include <stdio.h>

#include "testutil.h"

#include "apikey.h"
#include "json.h"

#define GOOD_KEY							\
	"rb_0123456789ab_"						\
	"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
test_form(void **state)
{
	char	prefix[APIKEY_PREFIX_LEN + 1], bad[APIKEY_LEN + 2];

	(void)state;

	assert_int_equal(strlen(GOOD_KEY), APIKEY_LEN);
	assert_true(apikey_is_key(GOOD_KEY));
	assert_int_equal(apikey_parse(GOOD_KEY, prefix), 0);
	assert_string_equal(prefix, "0123456789ab");

	/* A JWT, or anything else, is a login to check. */
	assert_false(apikey_is_key("eyJhbGciOiJIUzI1NiJ9.e30.sig"));
	assert_false(apikey_is_key(""));
	assert_false(apikey_is_key("RB_0123"));
	/* ... while "rb_" of any other shape is a key, and a bad one. */
	assert_true(apikey_is_key("rb_short"));
	assert_int_equal(apikey_parse("rb_short", prefix), -1);
	assert_string_equal(prefix, "");

	/* One character off anywhere is refused. */
	(void)snprintf(bad, sizeof(bad), "%s0", GOOD_KEY);
	assert_int_equal(apikey_parse(bad, prefix), -1);
	memcpy(bad, GOOD_KEY, sizeof(GOOD_KEY));
	bad[APIKEY_LEN - 1] = 'A';
	assert_int_equal(apikey_parse(bad, prefix), -1);
	memcpy(bad, GOOD_KEY, sizeof(GOOD_KEY));
	bad[3 + APIKEY_PREFIX_LEN] = '-';
	assert_int_equal(apikey_parse(bad, prefix), -1);
	memcpy(bad, GOOD_KEY, sizeof(GOOD_KEY));
	bad[5] = 'g';
	assert_int_equal(apikey_parse(bad, prefix), -1);
	memcpy(bad, GOOD_KEY, sizeof(GOOD_KEY));
	bad[2] = '-';
	assert_int_equal(apikey_parse(bad, prefix), -1);
}

static void
test_generate(void **state)
{
	char	a[APIKEY_LEN + 1], b[APIKEY_LEN + 1];
	char	pa[APIKEY_PREFIX_LEN + 1], pb[APIKEY_PREFIX_LEN + 1];
	char	parsed[APIKEY_PREFIX_LEN + 1];

	(void)state;

	assert_int_equal(apikey_generate(a, pa), 0);
	assert_int_equal(apikey_generate(b, pb), 0);
	assert_int_equal(strlen(a), APIKEY_LEN);
	assert_int_equal(apikey_parse(a, parsed), 0);
	assert_string_equal(parsed, pa);
	assert_memory_equal(a + 3, pa, APIKEY_PREFIX_LEN);
	assert_string_not_equal(a, b);
	assert_string_not_equal(pa, pb);
}

static void
test_hash(void **state)
{
	char	h[APIKEY_HASH_LEN + 1];

	(void)state;

	/* SHA-256 of the key's text, as sha256sum gives it. */
	assert_int_equal(apikey_hash(GOOD_KEY, h), 0);
	assert_string_equal(h,
	    "354c521c79713030fd047cc49884c1efe0565611d6823901dab52c19832eb2a9");
}

static void
test_hash_equal(void **state)
{
	char	a[APIKEY_HASH_LEN + 1], b[APIKEY_HASH_LEN + 1];

	(void)state;

	assert_int_equal(apikey_hash(GOOD_KEY, a), 0);
	memcpy(b, a, sizeof(a));
	assert_true(apikey_hash_equal(a, b));
	b[APIKEY_HASH_LEN - 1] = b[APIKEY_HASH_LEN - 1] == '0' ? '1' : '0';
	assert_false(apikey_hash_equal(a, b));
	b[0] = '\0';
	assert_false(apikey_hash_equal(a, b));
	assert_false(apikey_hash_equal(a, ""));
}

/* Parse body; 0 or -1, the field in *field. */
static int
request(const char *body, struct apikey_request *r, char *field,
    size_t flen)
{
	yajl_val	 tree;
	const char	*f, *m;
	char		 err[128];
	int		 ret;

	tree = json_parse_object(body, strlen(body), err, sizeof(err));
	assert_non_null(tree);
	f = m = NULL;
	ret = apikey_request_parse(tree, r, &f, &m);
	field[0] = '\0';
	if (ret == -1) {
		assert_non_null(f);
		assert_non_null(m);
		(void)snprintf(field, flen, "%s", f);
	}
	yajl_tree_free(tree);
	return (ret);
}

static void
test_request(void **state)
{
	struct apikey_request	r;
	char			field[32];

	(void)state;

	assert_int_equal(request("{\"name\":\"ShareX on the laptop\","
	    "\"scope\":\"upload\"}", &r, field, sizeof(field)), 0);
	assert_string_equal(r.name, "ShareX on the laptop");
	assert_string_equal(r.scope, APIKEY_SCOPE_UPLOAD);
	assert_int_equal(request("{\"scope\":\"full\",\"name\":\"é\"}", &r,
	    field, sizeof(field)), 0);
	assert_string_equal(r.scope, APIKEY_SCOPE_FULL);

	assert_int_equal(request("{}", &r, field, sizeof(field)), -1);
	assert_string_equal(field, "name");
	assert_int_equal(request("{\"name\":\"x\"}", &r, field,
	    sizeof(field)), -1);
	assert_string_equal(field, "scope");
	assert_int_equal(request("{\"name\":\"\",\"scope\":\"full\"}", &r,
	    field, sizeof(field)), -1);
	assert_string_equal(field, "name");
	assert_int_equal(request("{\"name\":\"a\\u0001\",\"scope\":\"full\"}",
	    &r, field, sizeof(field)), -1);
	assert_string_equal(field, "name");
	assert_int_equal(request("{\"name\":7,\"scope\":\"full\"}", &r, field,
	    sizeof(field)), -1);
	assert_string_equal(field, "name");
	assert_int_equal(request("{\"name\":\"x\",\"scope\":\"admin\"}", &r,
	    field, sizeof(field)), -1);
	assert_string_equal(field, "scope");
	assert_int_equal(request("{\"name\":\"x\",\"scope\":\"Full\"}", &r,
	    field, sizeof(field)), -1);
	assert_string_equal(field, "scope");
	assert_int_equal(request("{\"name\":\"x\",\"scope\":\"full\","
	    "\"expires\":1}", &r, field, sizeof(field)), -1);
	assert_string_equal(field, "expires");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_hash_equal),
		cmocka_unit_test(test_request),
	};

	return (cmocka_run_group_tests_name("apikey", tests, NULL, NULL));
}

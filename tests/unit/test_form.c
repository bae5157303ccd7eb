/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for form.c: which bodies are multipart and with what
 * boundary, the parts of a multipart body (zero-copy spans, truncation
 * and broken syntax refused), and query-string pairs decoded in place.
 */

#include <stdlib.h>

#include "testutil.h"

#include "form.h"

#define LIT(s)		(s), (sizeof(s) - 1)

/* What one multipart body reads as, part by part. */
struct expect_part {
	const char	*name;
	int		 has_filename;
	const char	*data;
	size_t		 len;
};

static enum form_body
classify(const char *ct, char boundary[FORM_BOUNDARY_MAX + 1])
{
	return (form_content_type(ct, strlen(ct), boundary));
}

/* Read body to its end and compare with want; returns the last status. */
static enum form_status
read_parts(const char *body, size_t len, const char *boundary,
    const struct expect_part *want, size_t nwant)
{
	struct form_reader	r;
	struct form_part	p;
	enum form_status	st;
	size_t			n;

	form_reader_init(&r, body, len, boundary);
	for (n = 0; (st = form_next_part(&r, &p)) == FORM_ITEM; n++) {
		assert_true(n < nwant);
		assert_string_equal(p.name, want[n].name);
		assert_int_equal(p.has_filename, want[n].has_filename);
		assert_int_equal(p.len, want[n].len);
		assert_memory_equal(p.data, want[n].data, p.len);
		/* Zero copy: the part's bytes are inside the body. */
		assert_true((const char *)p.data >= body &&
		    (const char *)p.data + p.len <= body + len);
	}

	if (st == FORM_END)
		assert_int_equal(n, nwant);

	/* Sticky: the end stays the end, broken stays broken. */
	assert_int_equal(form_next_part(&r, &p), st);
	return (st);
}

static void
test_content_type(void **state)
{
	char	b[FORM_BOUNDARY_MAX + 1];

	(void)state;

	assert_int_equal(form_content_type(NULL, 0, b), FORM_RAW);
	assert_string_equal(b, "");
	assert_int_equal(classify("image/gif", b), FORM_RAW);
	assert_int_equal(classify("", b), FORM_RAW);
	assert_int_equal(classify("multipart/mixed; boundary=x", b), FORM_RAW);
	assert_int_equal(classify("multipart/form-datax; boundary=x", b),
	    FORM_RAW);
	assert_int_equal(classify("application/x-www-form-urlencoded", b),
	    FORM_RAW);

	assert_int_equal(classify("multipart/form-data; boundary=abc", b),
	    FORM_MULTIPART);
	assert_string_equal(b, "abc");

	/* curl's form. */
	assert_int_equal(classify("multipart/form-data; "
	    "boundary=------------------------d74496d66958873e", b),
	    FORM_MULTIPART);
	assert_string_equal(b, "------------------------d74496d66958873e");

	/* Case, spacing, quoting, other parameters, a trailing ';'. */
	assert_int_equal(classify("Multipart/Form-Data;BOUNDARY=\"a b:c\"", b),
	    FORM_MULTIPART);
	assert_string_equal(b, "a b:c");
	assert_int_equal(classify("  multipart/form-data ; charset=utf-8 ;"
	    "\tboundary = xyz ;", b), FORM_MULTIPART);
	assert_string_equal(b, "xyz");
	assert_int_equal(classify("multipart/form-data; boundary=\"q\\\"\"",
	    b), FORM_BAD_MULTIPART);	/* '"' is not a bchar */

	/* The longest boundary, and one too long. */
	assert_int_equal(classify("multipart/form-data; boundary="
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "456789", b), FORM_MULTIPART);
	assert_int_equal(strlen(b), FORM_BOUNDARY_MAX);
	assert_int_equal(classify("multipart/form-data; boundary="
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890", b), FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=\""
	    "0123456789012345678901234567890123456789012345678901234567890123"
	    "4567890123456789012345678901234567890\"", b), FORM_BAD_MULTIPART);

	/* Multipart without a usable boundary: the client's mistake. */
	assert_int_equal(classify("multipart/form-data", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data;", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; charset=utf-8", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=\"\"", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=\"ab ", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=\"ab \"", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=a;"
	    " boundary=b", b), FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data boundary=x", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(classify("multipart/form-data; boundary=a\x01", b),
	    FORM_BAD_MULTIPART);
	assert_int_equal(form_content_type(
	    LIT("multipart/form-data; boundary=a\0b"), b),
	    FORM_BAD_MULTIPART);
}

static int
is_json(const char *value)
{
	return (form_content_is_json(value, strlen(value)));
}

static void
test_content_is_json(void **state)
{
	(void)state;

	assert_true(is_json("application/json"));
	assert_true(is_json("Application/JSON"));
	assert_true(is_json("application/json; charset=utf-8"));
	assert_true(is_json(" application/json ;charset=\"UTF-8\" ; x=y"));
	assert_true(is_json("application/json;"));

	assert_false(is_json(""));
	assert_false(is_json("text/plain"));
	assert_false(is_json("application/x-www-form-urlencoded"));
	assert_false(is_json("multipart/form-data; boundary=x"));
	assert_false(is_json("application/jsonx"));
	assert_false(is_json("application/json-seq"));
	assert_false(is_json("application/json; charset=latin1"));
	assert_false(is_json("application/json; charset"));
	assert_false(is_json("application/json; charset=\"utf-8"));
	assert_false(is_json("text/json"));
}

static void
test_parts(void **state)
{
	static const char body[] =
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"title\"\r\n"
	    "\r\n"
	    "annoyed akari\r\n"
	    "--XyZ\r\n"
	    "content-disposition: form-data; name=tags\r\n"
	    "Content-Type: text/plain; charset=utf-8\r\n"
	    "\r\n"
	    "a, b c\r\n"
	    "--XyZ\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename=\"x.gif\"\r\n"
	    "Content-Type: image/gif\r\n"
	    "\r\n"
	    "GIF89a\r\n--XyY-\0"
	    "\r\n--XyZ--\r\n";
	static const struct expect_part want[] = {
		{ "title", 0, "annoyed akari", 13 },
		{ "tags", 0, "a, b c", 6 },
		/* Binary content: CRLF, NUL, a near-delimiter all kept. */
		{ "file", 1, "GIF89a\r\n--XyY-\0", 15 },
	};

	(void)state;
	assert_int_equal(read_parts(LIT(body), "XyZ", want, 3), FORM_END);
}

static void
test_parts_lenient(void **state)
{
	/* A preamble, transport padding, no CRLF after the close, epilogue. */
	static const char body[] =
	    "This is the preamble.\r\n--b \t\r\n"
	    "Content-Disposition: form-data; name=\"a\"\r\n"
	    "\r\n"
	    "1\r\n"
	    "--b\r\n"
	    "\r\n"
	    "no headers at all\r\n"
	    "--b\r\n"
	    "X-Other: y\r\n"
	    "Content-Disposition: attachment; name=\"file\"\r\n"
	    "\r\n"
	    "not form-data\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"file\"; "
	    "filename*=UTF-8''%e2%82%ac.gif\r\n"
	    "\r\n"
	    "\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\""
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\"\r\n"
	    "\r\n"
	    "long name\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; filename=\"x\"; name=\"q\\\"x\"\r\n"
	    "\r\n"
	    "escaped\r\n"
	    "--b--epilogue --b\r\n--b\r\n garbage";
	static const struct expect_part want[] = {
		{ "a", 0, "1", 1 },
		{ "", 0, "no headers at all", 17 },
		{ "", 0, "not form-data", 13 },
		{ "file", 1, "", 0 },
		{ "", 0, "long name", 9 },
		{ "q\"x", 1, "escaped", 7 },
	};

	(void)state;
	assert_int_equal(read_parts(LIT(body), "b", want, 6), FORM_END);

	/* An empty form: the opening delimiter is the close delimiter. */
	assert_int_equal(read_parts(LIT("--b--"), "b", NULL, 0), FORM_END);
}

static void
test_parts_malformed(void **state)
{
	static const struct {
		const char	*body;
		size_t		 len;
		size_t		 good;	/* parts read before the failure */
	} bad[] = {
		{ LIT(""), 0 },
		{ LIT("no delimiter at all"), 0 },
		{ LIT("--bb\r\n\r\nx\r\n--bb--"), 0 },	/* another boundary */
		{ LIT("--b"), 0 },
		{ LIT("--b\r\n"), 0 },
		{ LIT("--bX\r\n\r\nx\r\n--b--"), 0 },
		/* Truncated inside headers, content, and the close. */
		{ LIT("--b\r\nContent-Disposition: form-data; na"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "GIF89a..."), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b"), 1 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b\r\n"), 1 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b-"), 1 },
		/* Bare LF line ends. */
		{ LIT("--b\nContent-Disposition: form-data; name=a\n\nx\n--b--"),
		    0 },
		/* Broken headers. */
		{ LIT("--b\r\nno colon here\r\n\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\n: empty name\r\n\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\n folded: x\r\n\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=\"a\r\n"
		    "\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=\r\n"
		    "\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data name=a\r\n"
		    "\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\nContent-Disposition: ; name=a\r\n"
		    "\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a; "
		    "name=b\r\n\r\nx\r\n--b--"), 0 },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n"
		    "Content-Disposition: form-data; name=b\r\n\r\nx\r\n--b--"),
		    0 },
	};
	static const struct expect_part one[] = { { "a", 0, "x", 1 } };
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(read_parts(bad[i].body, bad[i].len, "b", one,
		    bad[i].good), FORM_MALFORMED);
	}
}

static void
test_parts_names(void **state)
{
	/* Control characters (NUL too) make a name that matches nothing. */
	static const char body[] =
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"fi\0le\"\r\n"
	    "\r\n"
	    "x\r\n"
	    "--b\r\n"
	    "Content-Disposition: form-data; name=\"file\x01\"\r\n"
	    "\r\n"
	    "y\r\n"
	    "--b\r\n"
	    "CONTENT-DISPOSITION:form-data;name=\"file\";filename=\"\"\r\n"
	    "\r\n"
	    "z\r\n"
	    "--b--";
	static const struct expect_part want[] = {
		{ "", 0, "x", 1 },
		{ "", 0, "y", 1 },
		{ "file", 1, "z", 1 },
	};
	/* The longest name is kept whole. */
	static const char longest[] =
	    "--b\r\n"
	    "Content-Disposition: form-data; name="
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "\r\n\r\nv\r\n--b--";
	static const struct expect_part want_longest[] = {
		{ "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		    0, "v", 1 },
	};

	(void)state;
	assert_int_equal(read_parts(LIT(body), "b", want, 3), FORM_END);
	assert_int_equal(strlen(want_longest[0].name), FORM_NAME_MAX);
	assert_int_equal(read_parts(LIT(longest), "b", want_longest, 1),
	    FORM_END);
}

static void
test_reader_bad_boundary(void **state)
{
	struct form_reader	r;
	struct form_part	p;

	(void)state;
	form_reader_init(&r, LIT("----\r\n\r\nx\r\n------"), "");
	assert_int_equal(form_next_part(&r, &p), FORM_MALFORMED);

	form_reader_init(&r, NULL, 10, "b");
	assert_int_equal(form_next_part(&r, &p), FORM_MALFORMED);
}

/* A large binary part: found whole, at its place, with no copy. */
static void
test_parts_large(void **state)
{
	static const char	head[] = "--bnd\r\n"
	    "Content-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
	    "\r\n";
	static const char	tail[] = "\r\n--bnd--\r\n";
	const size_t		 size = 8 * 1024 * 1024;
	struct form_reader	 r;
	struct form_part	 p;
	char			*body;
	size_t			 len, i;

	(void)state;
	len = sizeof(head) - 1 + size + sizeof(tail) - 1;
	body = malloc(len);
	assert_non_null(body);

	memcpy(body, head, sizeof(head) - 1);
	for (i = 0; i < size; i++)
		body[sizeof(head) - 1 + i] = (char)"\r\n-bnd"[i % 6];
	memcpy(body + sizeof(head) - 1 + size, tail, sizeof(tail) - 1);

	form_reader_init(&r, body, len, "bnd");
	assert_int_equal(form_next_part(&r, &p), FORM_ITEM);
	assert_string_equal(p.name, "file");
	assert_ptr_equal(p.data, (const uint8_t *)body + sizeof(head) - 1);
	assert_int_equal(p.len, size);
	assert_int_equal(form_next_part(&r, &p), FORM_END);

	free(body);
}

/* Decode a copy of qs and compare the pairs with want (name, value...). */
static void
query_expect(const char *qs, const char *const *want, size_t npairs,
    enum form_status last)
{
	struct form_pair	 pair;
	enum form_status	 st;
	char			*copy;
	size_t			 pos, n;

	copy = strdup(qs);
	assert_non_null(copy);

	pos = 0;
	for (n = 0; (st = form_query_next(copy, strlen(qs), &pos, &pair)) ==
	    FORM_ITEM; n++) {
		assert_true(n < npairs);
		assert_string_equal(pair.name, want[2 * n]);
		assert_int_equal(pair.value_len, strlen(want[2 * n + 1]));
		assert_string_equal(pair.value, want[2 * n + 1]);
	}
	assert_int_equal(st, last);
	assert_int_equal(n, npairs);

	free(copy);
}

static void
test_query(void **state)
{
	static const char *const simple[] = { "tags", "a,b", "title", "hi" };
	static const char *const decoded[] = {
		"title", "annoyed akari & co",
		"tags", "a b,c",
		"flag", "",
		"e", "",
		"x y", "=z",
		"uni", "\xc3\xa9t\xc3\xa9",
	};
	static const char *const upper[] = { "t", "\xff\xfe" };
	static const char *const first[] = { "tags", "a" };

	(void)state;
	query_expect("tags=a,b&title=hi", simple, 2, FORM_END);
	query_expect("&&tags=a%2Cb&&title=hi&", simple, 2, FORM_END);
	query_expect("title=annoyed+akari+%26+co&tags=a%20b%2cc&flag&e=&"
	    "x+y==z&uni=%C3%A9t%c3%a9", decoded, 6, FORM_END);
	query_expect("t=%FF%fe", upper, 1, FORM_END);
	query_expect("", NULL, 0, FORM_END);
	query_expect("&&&", NULL, 0, FORM_END);

	/* Bad escapes, controls in a name. */
	query_expect("title=%", NULL, 0, FORM_MALFORMED);
	query_expect("title=%4", NULL, 0, FORM_MALFORMED);
	query_expect("title=%zz", NULL, 0, FORM_MALFORMED);
	query_expect("ti%tle=x", NULL, 0, FORM_MALFORMED);
	query_expect("title%00=x", NULL, 0, FORM_MALFORMED);
	query_expect("ti%0atle", NULL, 0, FORM_MALFORMED);
	query_expect("tags=a&title=%G1", first, 1, FORM_MALFORMED);
}

/* Values may hold controls and NUL: value_len tells their length. */
static void
test_query_binary_value(void **state)
{
	struct form_pair	pair;
	char			qs[] = "title=a%00b%01&tags=x";
	size_t			pos, len;

	(void)state;
	/* The query is decoded in place: its strlen() changes. */
	len = strlen(qs);
	pos = 0;
	assert_int_equal(form_query_next(qs, len, &pos, &pair),
	    FORM_ITEM);
	assert_string_equal(pair.name, "title");
	assert_int_equal(pair.value_len, 4);
	assert_memory_equal(pair.value, "a\0b\x01", 4);
	assert_int_equal(pair.value[4], '\0');

	assert_int_equal(form_query_next(qs, len, &pos, &pair), FORM_ITEM);
	assert_string_equal(pair.name, "tags");
	assert_string_equal(pair.value, "x");
	assert_int_equal(form_query_next(qs, len, &pos, &pair), FORM_END);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_content_is_json),
		cmocka_unit_test(test_parts),
		cmocka_unit_test(test_parts_lenient),
		cmocka_unit_test(test_parts_malformed),
		cmocka_unit_test(test_parts_names),
		cmocka_unit_test(test_reader_bad_boundary),
		cmocka_unit_test(test_parts_large),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_binary_value),
	};

	return (cmocka_run_group_tests_name("form", tests, NULL, NULL));
}

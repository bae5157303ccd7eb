/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for patch.c: which PATCH bodies are taken, which are 422 and
 * on which field, and the tag lists they carry.
 */

#include <stdio.h>

#include "testutil.h"

#include "json.h"
#include "patch.h"

/* Parse body (JSON text) into p; returns the status, field in *field. */
static enum patch_status
parse(const char *body, struct reaction_patch *p, char *field, size_t flen)
{
	yajl_val		 tree;
	enum patch_status	 st;
	const char		*f, *m;
	char			 err[128];

	tree = json_parse_object(body, strlen(body), err, sizeof(err));
	assert_non_null(tree);

	f = m = NULL;
	st = patch_parse(tree, p, &f, &m);
	field[0] = '\0';
	if (st != PATCH_OK) {
		assert_non_null(f);
		assert_non_null(m);
		(void)snprintf(field, flen, "%s", f);
	}
	yajl_tree_free(tree);
	return (st);
}

static void
test_empty_and_title(void **state)
{
	struct reaction_patch	p;
	char			field[32];

	(void)state;
	assert_int_equal(parse("{}", &p, field, sizeof(field)), PATCH_OK);
	assert_int_equal(p.has_title, 0);
	assert_int_equal(patch_has_tag_ops(&p), 0);

	assert_int_equal(parse("{\"title\":\"annoyed \\u00e0kari\"}", &p,
	    field, sizeof(field)), PATCH_OK);
	assert_int_equal(p.has_title, 1);
	assert_string_equal(p.title, "annoyed \xc3\xa0kari");
	assert_int_equal(patch_has_tag_ops(&p), 0);

	assert_int_equal(parse("{\"title\":\"\"}", &p, field, sizeof(field)),
	    PATCH_OK);
	assert_int_equal(p.has_title, 1);
	assert_string_equal(p.title, "");
}

static void
test_refusals(void **state)
{
	static const struct {
		const char	*body;
		const char	*field;
	} bad[] = {
		{ "{\"title\":null}", "title" },
		{ "{\"title\":5}", "title" },
		{ "{\"title\":[\"a\"]}", "title" },
		{ "{\"title\":\"a\\nb\"}", "title" },
		{ "{\"tags\":\"a,b\"}", "tags" },
		{ "{\"tags\":null}", "tags" },
		{ "{\"tags\":[1]}", "tags" },
		{ "{\"tags\":[\"a b\"]}", "tags" },
		{ "{\"tags\":[\"-a\"]}", "tags" },
		{ "{\"tags\":[\"\"]}", "tags" },
		{ "{\"add_tags\":{}}", "add_tags" },
		{ "{\"add_tags\":[\"ok\",null]}", "add_tags" },
		{ "{\"add_tags\":[\"a*\"]}", "tags" },
		{ "{\"remove_tags\":true}", "remove_tags" },
		{ "{\"remove_tags\":[\"a,b\"]}", "tags" },
		{ "{\"tag\":[\"a\"]}", "tag" },
		{ "{\"title\":\"ok\",\"id\":\"x\"}", "id" },
	};
	struct reaction_patch	p;
	char			field[32];
	size_t			i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i].body, &p, field, sizeof(field)) !=
		    PATCH_INVALID)
			fail_msg("%s was accepted", bad[i].body);
		if (strcmp(field, bad[i].field))
			fail_msg("%s: field %s, not %s", bad[i].body, field,
			    bad[i].field);
	}
}

static void
test_title_length(void **state)
{
	struct reaction_patch	p;
	char			body[2048], field[32];
	size_t			i, n;

	(void)state;
	/* 200 three-byte characters are fine; 201 are not. */
	n = (size_t)snprintf(body, sizeof(body), "{\"title\":\"");
	for (i = 0; i < 200; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "\xe2\x82\xac");
	(void)snprintf(body + n, sizeof(body) - n, "\"}");
	assert_int_equal(parse(body, &p, field, sizeof(field)), PATCH_OK);
	assert_int_equal(strlen(p.title), 600);

	(void)snprintf(body + n, sizeof(body) - n, "x\"}");
	assert_int_equal(parse(body, &p, field, sizeof(field)),
	    PATCH_INVALID);
	assert_string_equal(field, "title");
}

static void
test_tag_lists(void **state)
{
	struct reaction_patch	p;
	char			field[32];

	(void)state;
	/* Each list is normalised, deduplicated and in byte order. */
	assert_int_equal(parse("{\"tags\":[\"Z\",\"y\",\" z \"],"
	    "\"add_tags\":[\"D\",\"b\"],\"remove_tags\":[\"a\"]}", &p,
	    field, sizeof(field)), PATCH_OK);
	assert_int_equal(patch_has_tag_ops(&p), 1);
	assert_int_equal(p.has_tags, 1);
	assert_int_equal(p.tags.count, 2);
	assert_string_equal(p.tags.tags[0], "y");
	assert_string_equal(p.tags.tags[1], "z");
	assert_int_equal(p.has_add, 1);
	assert_string_equal(p.add.tags[0], "b");
	assert_string_equal(p.add.tags[1], "d");
	assert_int_equal(p.has_remove, 1);
	assert_string_equal(p.remove.tags[0], "a");

	/* An empty list is present (tags: [] empties the set). */
	assert_int_equal(parse("{\"tags\":[]}", &p, field, sizeof(field)),
	    PATCH_OK);
	assert_int_equal(p.has_tags, 1);
	assert_int_equal(p.tags.count, 0);
	assert_int_equal(patch_has_tag_ops(&p), 1);

	/* A repeated member: the last one counts. */
	assert_int_equal(parse("{\"title\":\"a\",\"title\":\"b\","
	    "\"add_tags\":[\"x\"],\"add_tags\":[\"y\"]}", &p, field,
	    sizeof(field)), PATCH_OK);
	assert_string_equal(p.title, "b");
	assert_int_equal(p.add.count, 1);
	assert_string_equal(p.add.tags[0], "y");
}

static void
test_too_many(void **state)
{
	struct reaction_patch	p;
	char			body[4096], field[32];
	size_t			i, n;

	(void)state;
	/* 33 distinct in one list is refused while parsing. */
	n = (size_t)snprintf(body, sizeof(body), "{\"add_tags\":[");
	for (i = 0; i < 33; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    "%s\"n%02zu\"", i > 0 ? "," : "", i);
	(void)snprintf(body + n, sizeof(body) - n, "]}");
	assert_int_equal(parse(body, &p, field, sizeof(field)),
	    PATCH_INVALID);
	assert_string_equal(field, "tags");

	/* Duplicates after normalising collapse, so these are 32. */
	n = (size_t)snprintf(body, sizeof(body), "{\"tags\":[\"N00\"");
	for (i = 0; i < 32; i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
		    ",\"n%02zu\"", i);
	(void)snprintf(body + n, sizeof(body) - n, "]}");
	assert_int_equal(parse(body, &p, field, sizeof(field)), PATCH_OK);
	assert_int_equal(p.tags.count, 32);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_title),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_title_length),
		cmocka_unit_test(test_tag_lists),
		cmocka_unit_test(test_too_many),
	};

	return (cmocka_run_group_tests_name("patch", tests, NULL, NULL));
}

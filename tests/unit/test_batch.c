/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for batch.c: which bulk edit bodies are taken, which are
 * 422 and on which field, the ids (canonical, once each, at most 500)
 * and their joined form.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "batch.h"
#include "json.h"

#define ID_A	"6f1c0d3e-0d0f-4a57-9a53-0b1f3f0d8a11"
#define ID_B	"0b1f3f0d-8a11-4a57-9a53-6f1c0d3e0d0f"

static struct batch_request	r;

/* Parse body; 0, or -1 with the field in *field. */
static int
parse(const char *body, char *field, size_t flen)
{
	yajl_val	 tree;
	const char	*f, *m;
	char		 err[128];
	int		 ret;

	tree = json_parse_object(body, strlen(body), err, sizeof(err));
	assert_non_null(tree);
	f = m = NULL;
	ret = batch_parse(tree, &r, &f, &m);
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
refused(const char *body, const char *field)
{
	char	got[32];

	if (parse(body, got, sizeof(got)) != -1)
		fail_msg("'%s' was taken", body);
	if (strcmp(got, field) != 0)
		fail_msg("'%s': field %s, expected %s", body, got, field);
}

static void
test_taken(void **state)
{
	char	field[32], joined[BATCH_IDS_JOINED_MAX];

	(void)state;

	assert_int_equal(parse("{\"ids\":[\"" ID_A "\",\"" ID_B "\"],"
	    "\"add_tags\":[\"B\",\"a\"],\"remove_tags\":[\"c\"]}", field,
	    sizeof(field)), 0);
	assert_int_equal(r.nids, 2);
	assert_string_equal(r.ids[0], ID_A);
	assert_string_equal(r.ids[1], ID_B);
	assert_int_equal(r.add.count, 2);
	assert_string_equal(r.add.tags[0], "a");
	assert_int_equal(r.remove.count, 1);
	assert_false(r.delete);
	assert_int_equal(batch_ids_join(&r, joined, sizeof(joined)), 0);
	assert_string_equal(joined, ID_A "\n" ID_B);
	assert_int_equal(batch_ids_join(&r, joined, UUID_TEXT_LEN + 2), -1);
	assert_string_equal(joined, "");

	/* Upper case ids are the same ids; one given twice counts once. */
	assert_int_equal(parse("{\"ids\":[\"6F1C0D3E-0D0F-4A57-9A53-"
	    "0B1F3F0D8A11\",\"" ID_A "\"],\"delete\":true}", field,
	    sizeof(field)), 0);
	assert_int_equal(r.nids, 1);
	assert_string_equal(r.ids[0], ID_A);
	assert_true(r.delete);

	/* Only removals, and delete: false beside them. */
	assert_int_equal(parse("{\"ids\":[\"" ID_A "\"],\"remove_tags\":"
	    "[\"x\"],\"delete\":false}", field, sizeof(field)), 0);
	assert_false(r.delete);
}

static void
test_refused(void **state)
{
	(void)state;

	refused("{}", "ids");
	refused("{\"add_tags\":[\"a\"]}", "ids");
	refused("{\"ids\":[],\"add_tags\":[\"a\"]}", "ids");
	refused("{\"ids\":\"" ID_A "\",\"add_tags\":[\"a\"]}", "ids");
	refused("{\"ids\":[7],\"add_tags\":[\"a\"]}", "ids");
	refused("{\"ids\":[\"nope\"],\"add_tags\":[\"a\"]}", "ids");
	refused("{\"ids\":[\"" ID_A "\"]}", "body");
	refused("{\"ids\":[\"" ID_A "\"],\"add_tags\":[]}", "body");
	refused("{\"ids\":[\"" ID_A "\"],\"delete\":false}", "body");
	refused("{\"ids\":[\"" ID_A "\"],\"delete\":1}", "delete");
	refused("{\"ids\":[\"" ID_A "\"],\"delete\":true,"
	    "\"add_tags\":[\"a\"]}", "delete");
	refused("{\"ids\":[\"" ID_A "\"],\"add_tags\":\"a\"}", "add_tags");
	refused("{\"ids\":[\"" ID_A "\"],\"add_tags\":[\"a b\"]}",
	    "add_tags");
	refused("{\"ids\":[\"" ID_A "\"],\"remove_tags\":[1]}",
	    "remove_tags");
	refused("{\"ids\":[\"" ID_A "\"],\"tags\":[\"a\"]}", "tags");
}

/* 500 ids are taken, 501 are not. */
static void
test_many(void **state)
{
	char	*body, field[32];
	size_t	 i, n, cap;

	(void)state;

	cap = 32 + 501 * (UUID_TEXT_LEN + 3) + 64;
	body = malloc(cap);
	assert_non_null(body);

	n = (size_t)snprintf(body, cap, "{\"ids\":[");
	for (i = 0; i < BATCH_IDS_MAX; i++)
		n += (size_t)snprintf(body + n, cap - n,
		    "%s\"00000000-0000-4000-8000-%012zx\"", i > 0 ? "," : "",
		    i);
	(void)snprintf(body + n, cap - n, "],\"delete\":true}");
	assert_int_equal(parse(body, field, sizeof(field)), 0);
	assert_int_equal(r.nids, BATCH_IDS_MAX);

	(void)snprintf(body + n, cap - n, ",\"00000000-0000-4000-8000-"
	    "ffffffffffff\"],\"delete\":true}");
	assert_int_equal(parse(body, field, sizeof(field)), -1);
	assert_string_equal(field, "ids");
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_taken),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_many),
	};

	return (cmocka_run_group_tests_name("batch", tests, NULL, NULL));
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for upload_form.c: the title and tags rules of an upload
 * (form fields, the query, both), and which fault a request with several
 * gets: every pair of ranks, the first of one rank, and what stops the
 * reading of a body.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "upload_form.h"

#define MAX_FILE	1000

static void	form_start(struct upload_form *, const char *);
static void	part(struct upload_form *, const char *, const char *);
static void	file(struct upload_form *, size_t);
static void	fault_is(const struct upload_form *, int, const char *,
		    const char *);

static void
form_start(struct upload_form *f, const char *query)
{
	upload_form_init(f, MAX_FILE);
	upload_form_query(f, query);
}

/* A whole field part, its value given in two pieces. */
static void
part(struct upload_form *f, const char *name, const char *value)
{
	struct form_part	p;
	size_t			len = strlen(value);

	memset(&p, 0, sizeof(p));
	(void)strcpy(p.name, name);
	assert_int_not_equal(upload_form_part_begin(f, &p), UPLOAD_PART_FILE);
	upload_form_field_data(f, value, len / 2);
	upload_form_field_data(f, value + len / 2, len - len / 2);
	upload_form_part_end(f);
}

static void
file(struct upload_form *f, size_t len)
{
	struct form_part	p;
	enum upload_part	kind;

	memset(&p, 0, sizeof(p));
	(void)strcpy(p.name, UPLOAD_FILE_FIELD);
	kind = upload_form_part_begin(f, &p);
	if (kind == UPLOAD_PART_FILE)
		(void)upload_form_file_data(f, len);
	upload_form_part_end(f);
}

static void
fault_is(const struct upload_form *f, int status, const char *field,
    const char *message_start)
{
	struct upload_fault	out;

	assert_int_equal(upload_form_verdict(f, &out), -1);
	assert_int_equal(out.status, status);
	if (field == NULL)
		assert_null(out.field);
	else
		assert_string_equal(out.field, field);
	assert_int_equal(strncmp(out.message, message_start,
	    strlen(message_start)), 0);
}

static void
test_fields(void **state)
{
	struct upload_form	f;
	struct upload_fault	out;
	char			title200[2 * 200 + 1], title201[202];
	size_t			i;

	(void)state;

	form_start(&f, "tags=from-query&title=Q%20t");
	file(&f, 10);
	part(&f, UPLOAD_TAGS_FIELD, "Zeta alpha,beta  ");
	part(&f, UPLOAD_TAGS_FIELD, "alpha");
	part(&f, "ignored", "\x01 anything");
	upload_form_fields_done(&f);
	assert_int_equal(upload_form_verdict(&f, &out), 0);
	assert_string_equal(f.title, "Q t");
	assert_int_equal(f.tags.count, 4);
	assert_string_equal(f.tags.tags[0], "alpha");
	assert_string_equal(f.tags.tags[1], "beta");
	assert_string_equal(f.tags.tags[2], "from-query");
	assert_string_equal(f.tags.tags[3], "zeta");

	/* 200 two-byte characters are a title; 201 are not. */
	for (i = 0; i < 200; i++)
		memcpy(title200 + 2 * i, "\xc3\xa9", 2);
	title200[400] = '\0';
	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TITLE_FIELD, title200);
	upload_form_fields_done(&f);
	assert_int_equal(upload_form_verdict(&f, &out), 0);
	assert_string_equal(f.title, title200);

	memset(title201, 'a', 201);
	title201[201] = '\0';
	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TITLE_FIELD, title201);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TITLE_FIELD, "a title is at most");

	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TITLE_FIELD, "a\tb");
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TITLE_FIELD, "a title is at most");

	/* Twice: in the form and the query, or twice in the form. */
	form_start(&f, "title=one");
	file(&f, 10);
	part(&f, UPLOAD_TITLE_FIELD, "two");
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TITLE_FIELD, "give the title once");

	/* The form's own fault is the one kept: it was read first. */
	form_start(&f, "title=fine");
	file(&f, 10);
	part(&f, UPLOAD_TITLE_FIELD, "bad\x01");
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TITLE_FIELD, "a title is at most");

	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TAGS_FIELD, "fine a*b");
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TAGS_FIELD, "a tag is 1-64 bytes");
}

static void
test_tags_bounds(void **state)
{
	struct upload_form	f;
	struct upload_fault	out;
	char			*many;
	size_t			i, len;

	(void)state;

	/* 33 distinct tags. */
	many = malloc(UPLOAD_TAGS_FIELD_MAX + 2);
	assert_non_null(many);
	len = 0;
	for (i = 0; i < 33; i++)
		len += (size_t)sprintf(many + len, "t%zu ", i);
	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TAGS_FIELD, many);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TAGS_FIELD, "a reaction has at most 32 tags");

	/* Repeats collapse: a long field of one tag is fine up to the bound. */
	for (len = 0; len + 2 <= UPLOAD_TAGS_FIELD_MAX; len += 2)
		memcpy(many + len, "a ", 2);
	many[len] = '\0';
	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TAGS_FIELD, many);
	upload_form_fields_done(&f);
	assert_int_equal(upload_form_verdict(&f, &out), 0);
	assert_int_equal(f.tags.count, 1);

	/* One byte more is refused unread. */
	many[len++] = 'a';
	many[len] = '\0';
	form_start(&f, NULL);
	file(&f, 10);
	part(&f, UPLOAD_TAGS_FIELD, many);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TAGS_FIELD, "the tags field is too long");
	free(many);
}

/* Every rank outranks the ones after it. */
static void
test_fault_order(void **state)
{
	struct upload_form	f;
	struct media_info	bomb;

	(void)state;
	memset(&bomb, 0, sizeof(bomb));
	bomb.type = MEDIA_PNG;
	bomb.has_dimensions = 1;
	bomb.width = 100000;
	bomb.height = 100000;

	/* 7: the media alone; a bomb's dimensions are a 422 on file. */
	form_start(&f, NULL);
	file(&f, 10);
	upload_form_media(&f, MEDIA_OK, &bomb);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_FILE_FIELD, "the image's width");
	assert_int_equal(upload_form_stopped(&f), 0);

	/* 6 over 7. */
	form_start(&f, "tags=-x");
	file(&f, 10);
	upload_form_media(&f, MEDIA_UNSUPPORTED, NULL);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TAGS_FIELD, "a tag is");

	/* 5 over 6. */
	form_start(&f, "tags=-x");
	file(&f, 0);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_FILE_FIELD, "the file is empty");

	/* 4 over 5: the file grew past the limit. */
	form_start(&f, "tags=-x");
	file(&f, MAX_FILE + 1);
	assert_int_equal(upload_form_stopped(&f), 1);
	upload_form_fields_done(&f);
	fault_is(&f, 413, NULL, "the file is larger");

	/* 3 over 4 (and no file at all). */
	form_start(&f, "tags=-x");
	part(&f, UPLOAD_TITLE_FIELD, "no file");
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_FILE_FIELD, "a part named \"file\"");

	/* 2 over 3. */
	form_start(&f, "title=%zz");
	upload_form_fields_done(&f);
	fault_is(&f, 400, NULL, "the query string is malformed");

	/* 1 over 2: a second file, once it has ended; or a broken body. */
	form_start(&f, "title=%zz");
	file(&f, 10);
	assert_int_equal(upload_form_stopped(&f), 0);
	file(&f, 10);
	assert_int_equal(upload_form_stopped(&f), 1);
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_FILE_FIELD, "send one file per upload");

	form_start(&f, "title=%zz");
	file(&f, 10);
	upload_form_malformed(&f);
	assert_int_equal(upload_form_stopped(&f), 1);
	upload_form_fields_done(&f);
	fault_is(&f, 400, NULL, "the multipart body is malformed");

	form_start(&f, NULL);
	upload_form_bad_boundary(&f);
	assert_int_equal(upload_form_stopped(&f), 1);
	fault_is(&f, 400, NULL, "a multipart/form-data body needs");

	/* Within a rank the first is kept. */
	form_start(&f, "tags=-y");
	file(&f, 10);
	part(&f, UPLOAD_TITLE_FIELD, "\x01");
	part(&f, UPLOAD_TAGS_FIELD, "-x");
	upload_form_fields_done(&f);
	fault_is(&f, 422, UPLOAD_TITLE_FIELD, "a title is at most");
}

static void
test_raw_and_refusals(void **state)
{
	struct upload_form	f;
	struct upload_fault	out;

	(void)state;

	form_start(&f, "title=raw");
	upload_form_raw(&f, MAX_FILE);
	upload_form_fields_done(&f);
	assert_int_equal(upload_form_verdict(&f, &out), 0);
	assert_int_equal(upload_form_stopped(&f), 0);
	assert_string_equal(f.title, "raw");

	form_start(&f, NULL);
	upload_form_raw(&f, MAX_FILE + 1);
	assert_int_equal(upload_form_stopped(&f), 1);
	fault_is(&f, 413, NULL, "the file is larger");

	/* A refused type stops the reading, whatever the kind of refusal. */
	form_start(&f, NULL);
	upload_form_raw(&f, 10);
	upload_form_media(&f, MEDIA_MALFORMED, NULL);
	assert_int_equal(upload_form_stopped(&f), 1);
	fault_is(&f, 415, NULL, "the file is truncated or malformed");

	form_start(&f, NULL);
	upload_form_raw(&f, 10);
	upload_form_media(&f, MEDIA_UNSUPPORTED, NULL);
	fault_is(&f, 415, NULL, "the file is not a GIF");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_tags_bounds),
		cmocka_unit_test(test_fault_order),
		cmocka_unit_test(test_raw_and_refusals),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for form_stream.c: a multipart body read in pieces gives,
 * for every way of cutting it, what form.c's reader gives for the whole
 * body: the same parts with the same bytes and the same end. The bodies
 * are form.c's own test bodies and the cases a stream adds: a delimiter,
 * or its first bytes, across the cut; a CR in a header line; a header
 * line too long to hold.
 */

#include <stdlib.h>

#include "testutil.h"

#include "form.h"
#include "form_stream.h"

#define LIT(s)		(s), (sizeof(s) - 1)

/* Every part of a body and how it ended, as one reader saw it. */
struct reading {
	size_t	count;
	char	names[16][FORM_NAME_MAX + 1];
	int	filenames[16];
	char	*data[16];
	size_t	lens[16];
	int	end;		/* 1: the close delimiter, 0: malformed */
};

static void	read_whole(const char *, size_t, const char *,
		    struct reading *);
static void	read_pieces(const char *, size_t, const char *,
		    const size_t *, size_t, struct reading *);
static void	reading_same(const struct reading *, const struct reading *);
static void	reading_free(struct reading *);
static void	every_cut(const char *, size_t, const char *);

static void
read_whole(const char *body, size_t len, const char *boundary,
    struct reading *out)
{
	struct form_reader	r;
	struct form_part	p;
	enum form_status	st;

	memset(out, 0, sizeof(*out));
	form_reader_init(&r, body, len, boundary);
	while ((st = form_next_part(&r, &p)) == FORM_ITEM) {
		assert_true(out->count < 16);
		memcpy(out->names[out->count], p.name, sizeof(p.name));
		out->filenames[out->count] = p.has_filename;
		out->data[out->count] = malloc(p.len + 1);
		assert_non_null(out->data[out->count]);
		memcpy(out->data[out->count], p.data, p.len);
		out->lens[out->count] = p.len;
		out->count++;
	}
	out->end = (st == FORM_END);
}

/* The body in pieces of the sizes given, cycled; the last one short. */
static void
read_pieces(const char *body, size_t len, const char *boundary,
    const size_t *sizes, size_t nsizes, struct reading *out)
{
	struct form_stream	 fs;
	struct form_stream_item	 it;
	enum form_event		 ev;
	size_t			 pos, n, i, open_len;
	char			*open;
	int			 in_part, over;

	memset(out, 0, sizeof(*out));
	form_stream_init(&fs, boundary);
	open = NULL;
	open_len = 0;
	in_part = 0;
	over = 0;

	for (pos = 0, i = 0; !over; i++) {
		n = sizes[i % nsizes];
		if (n > len - pos)
			n = len - pos;
		form_stream_feed(&fs, body + pos, n);
		pos += n;

		while ((ev = form_stream_next(&fs, &it)) != FORM_EV_NEED) {
			switch (ev) {
			case FORM_EV_PART:
				assert_false(in_part);
				assert_true(out->count < 16);
				in_part = 1;
				memcpy(out->names[out->count], it.part.name,
				    sizeof(it.part.name));
				out->filenames[out->count] =
				    it.part.has_filename;
				open = malloc(1);
				assert_non_null(open);
				open_len = 0;
				break;
			case FORM_EV_DATA:
				assert_true(in_part);
				assert_true(it.len > 0);
				open = realloc(open, open_len + it.len + 1);
				assert_non_null(open);
				memcpy(open + open_len, it.data, it.len);
				open_len += it.len;
				break;
			case FORM_EV_PART_END:
				assert_true(in_part);
				in_part = 0;
				out->data[out->count] = open;
				out->lens[out->count] = open_len;
				out->count++;
				open = NULL;
				break;
			case FORM_EV_END:
				out->end = 1;
				over = 1;
				break;
			case FORM_EV_MALFORMED:
			default:
				over = 1;
				break;
			}
			if (over)
				break;
		}
		if (!over && pos == len) {
			out->end = (form_stream_finish(&fs) == FORM_EV_END);
			over = 1;
		}
	}

	/* Sticky, like form.c. */
	if (out->end)
		assert_int_equal(form_stream_finish(&fs), FORM_EV_END);
	free(open);
}

static void
reading_same(const struct reading *a, const struct reading *b)
{
	size_t	i;

	assert_int_equal(a->end, b->end);
	assert_int_equal(a->count, b->count);
	for (i = 0; i < a->count; i++) {
		assert_string_equal(a->names[i], b->names[i]);
		assert_int_equal(a->filenames[i], b->filenames[i]);
		assert_int_equal(a->lens[i], b->lens[i]);
		assert_memory_equal(a->data[i], b->data[i], a->lens[i]);
	}
}

static void
reading_free(struct reading *r)
{
	size_t	i;

	for (i = 0; i < r->count; i++)
		free(r->data[i]);
}

/* In one piece, byte by byte, and cut in two at every place. */
static void
every_cut(const char *body, size_t len, const char *boundary)
{
	struct reading	whole, piece;
	size_t		one = 1, all, cut, two[2], three[] = { 3, 7, 2 };

	read_whole(body, len, boundary, &whole);

	all = len > 0 ? len : 1;
	read_pieces(body, len, boundary, &all, 1, &piece);
	reading_same(&whole, &piece);
	reading_free(&piece);

	read_pieces(body, len, boundary, &one, 1, &piece);
	reading_same(&whole, &piece);
	reading_free(&piece);

	read_pieces(body, len, boundary, three, 3, &piece);
	reading_same(&whole, &piece);
	reading_free(&piece);

	for (cut = 1; cut < len; cut++) {
		two[0] = cut;
		two[1] = len - cut;
		read_pieces(body, len, boundary, two, 2, &piece);
		reading_same(&whole, &piece);
		reading_free(&piece);
	}

	reading_free(&whole);
}

static void
test_same_parts(void **state)
{
	static const char lenient[] =
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
	    "Content-Disposition: form-data; filename=\"x\"; name=\"q\\\"x\"\r\n"
	    "\r\n"
	    "escaped\r\n"
	    "--b--epilogue --b\r\n--b\r\n garbage";
	/* The content holds the delimiter's start, and CRs, everywhere. */
	static const char near[] =
	    "\r\n\r--b\r\n"
	    "Content-Disposition: form-data; name=\"file\"\r\n"
	    "\r\n"
	    "\r\r\n\r\n-\r\n--\r\n--c\r\n--\r--bb\r\r\n--b"
	    "\r\n--b--\r\n";

	(void)state;
	every_cut(LIT(lenient), "b");
	every_cut(LIT(near), "bb");
	every_cut(LIT("--b--"), "b");
	every_cut(LIT("x--b--"), "b");
	every_cut(LIT("\r\n--b--"), "b");
	every_cut(LIT("-\r\n--b--"), "b");
	every_cut(LIT("--b\r\n\r\n\r\n--b--"), "b");
}

static void
test_same_malformed(void **state)
{
	static const struct {
		const char	*body;
		size_t		 len;
	} bad[] = {
		{ LIT("") },
		{ LIT("no delimiter at all") },
		{ LIT("--bb\r\n\r\nx\r\n--bb--") },
		{ LIT("--b") },
		{ LIT("--b\r\n") },
		{ LIT("--bX\r\n\r\nx\r\n--b--") },
		{ LIT("--b\r\nContent-Disposition: form-data; na") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "GIF89a...") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b\r\n") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b-") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n\r\n"
		    "x\r\n--b -- \r\n") },
		{ LIT("--b\nContent-Disposition: form-data; name=a\n\nx\n--b--") },
		{ LIT("--b\r\nno colon here\r\n\r\nx\r\n--b--") },
		{ LIT("--b\r\n: empty name\r\n\r\nx\r\n--b--") },
		{ LIT("--b\r\n folded: x\r\n\r\nx\r\n--b--") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=\"a\r\n"
		    "\r\nx\r\n--b--") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a; "
		    "name=b\r\n\r\nx\r\n--b--") },
		{ LIT("--b\r\nContent-Disposition: form-data; name=a\r\n"
		    "Content-Disposition: form-data; name=b\r\n\r\nx\r\n--b--") },
		/* A CR alone in a header line is the line's byte. */
		{ LIT("--b\r\nX-A: 1\r2\r\nContent-Disposition: form-data; "
		    "name=a\r\r\n\r\nx\r\n--b--") },
	};
	size_t	i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		every_cut(bad[i].body, bad[i].len, "b");
}

/* The longest header line both readers take, and one byte more. */
static void
test_long_header_line(void **state)
{
	static const char	head[] = "--b\r\nX-Long: ";
	static const char	tail[] = "\r\nContent-Disposition: form-data; "
	    "name=\"a\"\r\n\r\nbody\r\n--b--";
	struct reading		whole, piece;
	char			*body;
	size_t			value, len, sizes[] = { 1000, 1 };
	int			extra;

	(void)state;
	for (extra = 0; extra <= 1; extra++) {
		value = FORM_HEADER_LINE_MAX - strlen("X-Long: ") + extra;
		len = strlen(head) + value + strlen(tail);
		body = malloc(len);
		assert_non_null(body);
		memcpy(body, head, strlen(head));
		memset(body + strlen(head), 'v', value);
		memcpy(body + strlen(head) + value, tail, strlen(tail));

		read_whole(body, len, "b", &whole);
		assert_int_equal(whole.end, !extra);
		assert_int_equal(whole.count, !extra);
		read_pieces(body, len, "b", sizes, 2, &piece);
		reading_same(&whole, &piece);
		reading_free(&piece);
		reading_free(&whole);
		free(body);
	}
}

/* The content comes out as spans of the piece, without copies. */
static void
test_zero_copy(void **state)
{
	static const char	body[] = "--b\r\n\r\n0123456789\r\n--b--";
	struct form_stream	fs;
	struct form_stream_item	it;

	(void)state;
	form_stream_init(&fs, "b");
	form_stream_feed(&fs, body, sizeof(body) - 1);
	assert_int_equal(form_stream_next(&fs, &it), FORM_EV_PART);
	assert_int_equal(form_stream_next(&fs, &it), FORM_EV_DATA);
	assert_ptr_equal(it.data, (const uint8_t *)body + 7);
	assert_int_equal(it.len, 10);
	assert_int_equal(form_stream_next(&fs, &it), FORM_EV_PART_END);
	assert_int_equal(form_stream_next(&fs, &it), FORM_EV_END);
	assert_int_equal(form_stream_next(&fs, &it), FORM_EV_END);
	assert_int_equal(form_stream_finish(&fs), FORM_EV_END);
}

static void
test_bad_boundary(void **state)
{
	struct form_stream	fs;
	struct form_stream_item	it;
	char			long_b[FORM_BOUNDARY_MAX + 2];

	(void)state;
	memset(long_b, 'b', sizeof(long_b) - 1);
	long_b[sizeof(long_b) - 1] = '\0';

	form_stream_init(&fs, "");
	form_stream_feed(&fs, LIT("----"));
	assert_int_equal(form_stream_next(&fs, &it), FORM_EV_MALFORMED);
	form_stream_init(&fs, long_b);
	assert_int_equal(form_stream_finish(&fs), FORM_EV_MALFORMED);
	form_stream_init(&fs, "a\rb");
	assert_int_equal(form_stream_finish(&fs), FORM_EV_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_parts),
		cmocka_unit_test(test_same_malformed),
		cmocka_unit_test(test_long_header_line),
		cmocka_unit_test(test_zero_copy),
		cmocka_unit_test(test_bad_boundary),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}

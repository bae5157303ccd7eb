/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for listing.c: query-string decoding, every list, random and
 * tag parameter's accepted and refused values with the status and field
 * the API answers, cursors bound to their sort and filters, and the
 * canonical filter text.
 */

#include <stdio.h>

#include "testutil.h"

#include "cursor.h"
#include "listing.h"

static uint8_t	key[CURSOR_KEY_BYTES];
static uint8_t	other_key[CURSOR_KEY_BYTES];

static int
setup(void **state)
{
	(void)state;
	assert_int_equal(cursor_key_derive("secret-one", 10, key), 0);
	assert_int_equal(cursor_key_derive("secret-two", 10, other_key), 0);
	return (0);
}

/* A cursor for the query qs with k, as the list handler would make it. */
static void
make_cursor(const char *qs, const uint8_t *k, char *out, size_t outlen)
{
	struct listing_query	lq;
	struct listing_error	err;
	struct cursor		c;

	assert_int_equal(listing_parse(qs, key, sizeof(key), &lq, &err),
	    LISTING_OK);
	memset(&c, 0, sizeof(c));
	c.created_us = 1764341519123456LL;
	memset(c.id, 0xab, sizeof(c.id));
	c.sort = lq.sort;
	listing_filter_hash(&lq.filter, c.filter_hash);
	assert_int_equal(cursor_encode(k, CURSOR_KEY_BYTES, &c, out, outlen),
	    0);
}

static void
test_param_decoding(void **state)
{
	char	out[64];
	size_t	len;

	(void)state;
	assert_int_equal(listing_param(NULL, "q", out, sizeof(out), &len),
	    LISTING_PARAM_ABSENT);
	assert_int_equal(listing_param("", "q", out, sizeof(out), &len),
	    LISTING_PARAM_ABSENT);
	assert_int_equal(listing_param("qq=1&xq=2", "q", out, sizeof(out),
	    &len), LISTING_PARAM_ABSENT);

	assert_int_equal(listing_param("a=1&q=hello+w%6Frld&b=2", "q", out,
	    sizeof(out), &len), LISTING_PARAM_OK);
	assert_string_equal(out, "hello world");
	assert_int_equal(len, 11);

	/* A second '=' is part of the value; Kore would cut it off. */
	assert_int_equal(listing_param("q=a=b", "q", out, sizeof(out), &len),
	    LISTING_PARAM_OK);
	assert_string_equal(out, "a=b");

	/* Present but empty, with or without '='. */
	assert_int_equal(listing_param("q=", "q", out, sizeof(out), &len),
	    LISTING_PARAM_OK);
	assert_int_equal(len, 0);
	assert_int_equal(listing_param("x&q", "q", out, sizeof(out), &len),
	    LISTING_PARAM_OK);
	assert_int_equal(len, 0);

	/* An encoded name matches; an encoded NUL is kept, with its length. */
	assert_int_equal(listing_param("%71=a%00b", "q", out, sizeof(out),
	    &len), LISTING_PARAM_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(out, "a\0b", 3);

	/* Empty pieces between separators are harmless. */
	assert_int_equal(listing_param("&&q=1&&", "q", out, sizeof(out),
	    &len), LISTING_PARAM_OK);
	assert_string_equal(out, "1");

	assert_int_equal(listing_param("q=1&q=2", "q", out, sizeof(out),
	    &len), LISTING_PARAM_DUPLICATE);
	assert_int_equal(listing_param("q=%zz&q=2", "q", out, sizeof(out),
	    &len), LISTING_PARAM_DUPLICATE);
	assert_int_equal(listing_param("q=%zz", "q", out, sizeof(out), &len),
	    LISTING_PARAM_MALFORMED);
	assert_int_equal(listing_param("q=%4", "q", out, sizeof(out), &len),
	    LISTING_PARAM_MALFORMED);
	assert_int_equal(listing_param("q=%", "q", out, sizeof(out), &len),
	    LISTING_PARAM_MALFORMED);
	assert_int_equal(listing_param("q=12345", "q", out, 5, &len),
	    LISTING_PARAM_TOO_LONG);
	assert_int_equal(listing_param("q=1234", "q", out, 5, &len),
	    LISTING_PARAM_OK);
}

static void
test_limit(void **state)
{
	static const char	*const bad[] = {
		"", "0", "101", "abc", "5x", "-1", "+5", " 5", "5 ", "1000",
		"00001", "1e2", "0x10",
	};
	int			v;
	size_t			i;

	(void)state;
	assert_int_equal(listing_limit_parse("1", 1, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(listing_limit_parse("100", 3, &v), 0);
	assert_int_equal(v, 100);
	assert_int_equal(listing_limit_parse("030", 3, &v), 0);
	assert_int_equal(v, 30);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(listing_limit_parse(bad[i], strlen(bad[i]),
		    &v), -1);
}

static void
test_defaults(void **state)
{
	struct listing_query	lq;
	struct listing_error	err;

	(void)state;
	assert_int_equal(listing_parse(NULL, key, sizeof(key), &lq, &err),
	    LISTING_OK);
	assert_int_equal(lq.limit, LISTING_LIMIT_DEFAULT);
	assert_int_equal(lq.sort, CURSOR_SORT_NEWEST);
	assert_int_equal(lq.has_cursor, 0);
	assert_int_equal(lq.count, 0);
	assert_int_equal(lq.filter.tags.include.count, 0);
	assert_int_equal(lq.filter.tags.exclude.count, 0);
	assert_int_equal(lq.filter.has_q, 0);
	assert_int_equal(lq.filter.has_media_type, 0);
	assert_int_equal(lq.filter.has_sha256, 0);

	/* Empty filter values and an empty cursor mean "none". */
	assert_int_equal(listing_parse("tags=&q=&media_type=&sha256=&cursor=",
	    key, sizeof(key), &lq, &err), LISTING_OK);
	assert_int_equal(lq.filter.has_q, 0);
	assert_int_equal(lq.has_cursor, 0);

	/* Unknown parameters are ignored. */
	assert_int_equal(listing_parse("page=3&foo", key, sizeof(key), &lq,
	    &err), LISTING_OK);
}

static void
test_filters(void **state)
{
	struct listing_query	lq;
	struct listing_error	err;

	(void)state;
	assert_int_equal(listing_parse("tags=Cat,+-dog+,%20akari&q=100%25+"
	    "_off%5C&media_type=IMAGE/GIF&sha256="
	    "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"
	    "&sort=oldest&limit=7", key, sizeof(key), &lq, &err), LISTING_OK);
	assert_int_equal(lq.filter.tags.include.count, 2);
	assert_string_equal(lq.filter.tags.include.tags[0], "akari");
	assert_string_equal(lq.filter.tags.include.tags[1], "cat");
	assert_int_equal(lq.filter.tags.exclude.count, 1);
	assert_string_equal(lq.filter.tags.exclude.tags[0], "dog");
	assert_int_equal(lq.filter.has_q, 1);
	assert_string_equal(lq.filter.q, "100% _off\\");
	assert_string_equal(lq.filter.q_like, "100\\% \\_off\\\\");
	assert_int_equal(lq.filter.has_media_type, 1);
	assert_string_equal(lq.filter.media_type, "image/gif");
	assert_int_equal(lq.filter.has_sha256, 1);
	assert_string_equal(lq.filter.sha256,
	    "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
	assert_int_equal(lq.sort, CURSOR_SORT_OLDEST);
	assert_int_equal(lq.limit, 7);

	/* q keeps its spaces: it is a substring, not a word. */
	assert_int_equal(listing_parse("q=+a+", key, sizeof(key), &lq, &err),
	    LISTING_OK);
	assert_string_equal(lq.filter.q, " a ");
}

/* Expect qs to fail with st on field. */
static void
refused(const char *qs, enum listing_status st, const char *field)
{
	struct listing_query	lq;
	struct listing_error	err;

	memset(&err, 0, sizeof(err));
	if (listing_parse(qs, key, sizeof(key), &lq, &err) != st)
		fail_msg("'%s' was not refused as expected", qs);
	assert_non_null(err.field);
	assert_string_equal(err.field, field);
	assert_non_null(err.message);
}

/* A bad query says where, and the field is tags. */
static void
test_query_errors(void **state)
{
	struct listing_query	lq;
	struct listing_error	err;

	(void)state;
	assert_int_equal(listing_parse("tags=cat%7C%7Cdog", key, sizeof(key),
	    &lq, &err), LISTING_INVALID);
	assert_string_equal(err.field, "tags");
	assert_string_equal(err.message, "tags, at character 5: an empty "
	    "alternative: a '|' needs a tag or pattern on each side");

	assert_int_equal(listing_parse("tags=yuru*,cat%7Cdog,-sad", key,
	    sizeof(key), &lq, &err), LISTING_OK);
	assert_int_equal(lq.filter.tags.nany, 2);
	assert_int_equal(lq.filter.tags.npatterns, 1);
	assert_int_equal(lq.filter.tags.exclude.count, 1);
}

static void
test_refusals(void **state)
{
	char	q[1024];
	size_t	i;

	(void)state;
	refused("limit=0", LISTING_BAD_REQUEST, "limit");
	refused("limit=101", LISTING_BAD_REQUEST, "limit");
	refused("limit=abc", LISTING_BAD_REQUEST, "limit");
	refused("limit=5x", LISTING_BAD_REQUEST, "limit");
	refused("limit=", LISTING_BAD_REQUEST, "limit");
	refused("limit=1&limit=2", LISTING_BAD_REQUEST, "limit");
	refused("sort=random", LISTING_BAD_REQUEST, "sort");
	refused("sort=Newest", LISTING_BAD_REQUEST, "sort");
	refused("sort=", LISTING_BAD_REQUEST, "sort");

	refused("tags=a,,b", LISTING_INVALID, "tags");
	refused("tags=a,", LISTING_INVALID, "tags");
	refused("tags=-", LISTING_INVALID, "tags");
	refused("tags=--a", LISTING_INVALID, "tags");
	refused("tags=*", LISTING_INVALID, "tags");
	refused("tags=a||b", LISTING_INVALID, "tags");
	refused("tags=a%0Ab", LISTING_INVALID, "tags");
	refused("tags=%FF", LISTING_INVALID, "tags");
	refused("tags=a&tags=b", LISTING_BAD_REQUEST, "tags");
	refused("tags=%G0", LISTING_BAD_REQUEST, "tags");

	refused("q=%01", LISTING_INVALID, "q");
	refused("q=a%00b", LISTING_INVALID, "q");
	refused("q=%C3%28", LISTING_INVALID, "q");
	memset(q, 0, sizeof(q));
	memcpy(q, "q=", 2);
	for (i = 0; i < 201; i++)
		q[2 + i] = 'x';
	refused(q, LISTING_INVALID, "q");
	q[2 + 200] = '\0';
	{
		struct listing_query	lq;
		struct listing_error	err;

		assert_int_equal(listing_parse(q, key, sizeof(key), &lq, &err),
		    LISTING_OK);
		assert_int_equal(strlen(lq.filter.q), 200);
	}

	refused("media_type=image/svg%2Bxml", LISTING_INVALID, "media_type");
	refused("media_type=image", LISTING_INVALID, "media_type");
	refused("media_type=image/gif%00", LISTING_INVALID, "media_type");
	refused("media_type=video/webm-and-then-some", LISTING_INVALID,
	    "media_type");

	refused("sha256=abc", LISTING_INVALID, "sha256");
	refused("sha256="
	    "g000000000000000000000000000000000000000000000000000000000000000",
	    LISTING_INVALID, "sha256");
	refused("sha256="
	    "00000000000000000000000000000000000000000000000000000000000000000",
	    LISTING_INVALID, "sha256");
}

/* count=true asks for a total; false is the default; nothing else. */
static void
test_count(void **state)
{
	struct listing_query	lq;
	struct listing_error	err;
	char			c[CURSOR_TEXT_MAX], qs[512];

	(void)state;
	assert_int_equal(listing_parse("count=true", key, sizeof(key), &lq,
	    &err), LISTING_OK);
	assert_int_equal(lq.count, 1);
	assert_int_equal(listing_parse("count=false", key, sizeof(key), &lq,
	    &err), LISTING_OK);
	assert_int_equal(lq.count, 0);
	assert_int_equal(listing_parse("tags=a,-b&count=%74rue&limit=5", key,
	    sizeof(key), &lq, &err), LISTING_OK);
	assert_int_equal(lq.count, 1);
	assert_int_equal(lq.limit, 5);
	assert_int_equal(lq.filter.tags.include.count, 1);

	/* Not part of the filter: a cursor made without it still walks. */
	make_cursor("tags=a", key, c, sizeof(c));
	(void)snprintf(qs, sizeof(qs), "tags=a&count=true&cursor=%s", c);
	assert_int_equal(listing_parse(qs, key, sizeof(key), &lq, &err),
	    LISTING_OK);
	assert_int_equal(lq.count, 1);
	assert_int_equal(lq.has_cursor, 1);

	refused("count=", LISTING_INVALID, "count");
	refused("count", LISTING_INVALID, "count");
	refused("count=1", LISTING_INVALID, "count");
	refused("count=yes", LISTING_INVALID, "count");
	refused("count=True", LISTING_INVALID, "count");
	refused("count=true%00", LISTING_INVALID, "count");
	refused("count=truest", LISTING_INVALID, "count");
	refused("count=true&count=true", LISTING_BAD_REQUEST, "count");
	refused("count=%ZZ", LISTING_BAD_REQUEST, "count");

	/* The message names the values. */
	assert_int_equal(listing_parse("count=no", key, sizeof(key), &lq,
	    &err), LISTING_INVALID);
	assert_string_equal(err.message, "count must be true or false");
	assert_int_equal(lq.count, 0);
}

static void
test_cursor(void **state)
{
	struct listing_query	lq;
	struct listing_error	err;
	char			c[CURSOR_TEXT_MAX], qs[512];

	(void)state;
	make_cursor("tags=b,a&q=x", key, c, sizeof(c));

	/* Same filters, written differently (order, case, %-escapes). */
	(void)snprintf(qs, sizeof(qs), "q=x&tags=A,b&limit=5&cursor=%s", c);
	assert_int_equal(listing_parse(qs, key, sizeof(key), &lq, &err),
	    LISTING_OK);
	assert_int_equal(lq.has_cursor, 1);
	assert_true(lq.cursor.created_us == 1764341519123456LL);
	assert_int_equal(lq.cursor.id[0], 0xab);
	assert_int_equal(lq.limit, 5);

	/* Other filters, other sort: refused. */
	(void)snprintf(qs, sizeof(qs), "q=y&tags=a,b&cursor=%s", c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");
	(void)snprintf(qs, sizeof(qs), "q=x&tags=a&cursor=%s", c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");
	(void)snprintf(qs, sizeof(qs), "q=x&tags=a,b,-c&cursor=%s", c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");
	(void)snprintf(qs, sizeof(qs), "q=x&tags=a,b&media_type=image/png&"
	    "cursor=%s", c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");
	(void)snprintf(qs, sizeof(qs), "q=x&tags=a,b&sort=oldest&cursor=%s",
	    c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");

	/* Tampered, truncated, foreign. */
	c[10] = c[10] == 'A' ? 'B' : 'A';
	(void)snprintf(qs, sizeof(qs), "q=x&tags=a,b&cursor=%s", c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");
	refused("cursor=abc", LISTING_BAD_REQUEST, "cursor");
	refused("cursor=%zz", LISTING_BAD_REQUEST, "cursor");

	make_cursor("", other_key, c, sizeof(c));
	(void)snprintf(qs, sizeof(qs), "cursor=%s", c);
	refused(qs, LISTING_BAD_REQUEST, "cursor");

	/* An oldest-first cursor continues an oldest-first walk. */
	make_cursor("sort=oldest", key, c, sizeof(c));
	(void)snprintf(qs, sizeof(qs), "sort=oldest&cursor=%s", c);
	assert_int_equal(listing_parse(qs, key, sizeof(key), &lq, &err),
	    LISTING_OK);
	assert_int_equal(lq.cursor.sort, CURSOR_SORT_OLDEST);
}

static void
test_canonical(void **state)
{
	struct listing_query	a, b;
	struct listing_error	err;
	char			ta[LISTING_CANONICAL_MAX];
	char			tb[LISTING_CANONICAL_MAX];
	size_t			la, lb;

	(void)state;
	assert_int_equal(listing_parse("", key, sizeof(key), &a, &err),
	    LISTING_OK);
	la = listing_canonical(&a.filter, ta, sizeof(ta));
	assert_string_equal(ta, "v1\ni=\ne=\nm=\ns=\nq=");
	assert_int_equal(la, strlen(ta));

	assert_int_equal(listing_parse("tags=b,-d,a,-c&q=x&media_type="
	    "image/png", key, sizeof(key), &a, &err), LISTING_OK);
	la = listing_canonical(&a.filter, ta, sizeof(ta));
	assert_string_equal(ta, "v1\ni=a,b\ne=c,d\nm=image/png\ns=\nq=x");

	/* A tag moved from include to exclude changes the text. */
	assert_int_equal(listing_parse("tags=a,-b,-c,-d&q=x&media_type="
	    "image/png", key, sizeof(key), &b, &err), LISTING_OK);
	lb = listing_canonical(&b.filter, tb, sizeof(tb));
	assert_true(la != lb || memcmp(ta, tb, la) != 0);

	/* Groups and patterns come after the tags, old text otherwise. */
	assert_int_equal(listing_parse("tags=cat%7Cdog*,-sad*,x&q=y", key,
	    sizeof(key), &b, &err), LISTING_OK);
	lb = listing_canonical(&b.filter, tb, sizeof(tb));
	assert_string_equal(tb,
	    "v1\ni=x\ne=\na=cat|dog*\nx=sad*\nm=\ns=\nq=y");

	/* q is last, so text that looks like a field stays inside it. */
	assert_int_equal(listing_parse("q=x%0Am=image/png", key, sizeof(key),
	    &b, &err), LISTING_INVALID);

	/* Too small a buffer is 0, never a cut text. */
	assert_int_equal(listing_canonical(&a.filter, tb, 10), 0);
	assert_string_equal(tb, "");
}

static void
test_tag_query(void **state)
{
	struct listing_tag_query	tq;
	struct listing_error		err;

	(void)state;
	assert_int_equal(listing_tag_query_parse(NULL, &tq, &err), LISTING_OK);
	assert_int_equal(tq.has_prefix, 0);
	assert_int_equal(tq.limit, LISTING_LIMIT_DEFAULT);

	assert_int_equal(listing_tag_query_parse("prefix=+AnN&limit=3", &tq,
	    &err), LISTING_OK);
	assert_int_equal(tq.has_prefix, 1);
	assert_string_equal(tq.prefix, "ann");
	assert_int_equal(tq.limit, 3);

	assert_int_equal(listing_tag_query_parse("prefix=", &tq, &err),
	    LISTING_OK);
	assert_int_equal(tq.has_prefix, 0);

	assert_int_equal(listing_tag_query_parse("prefix=a,b", &tq, &err),
	    LISTING_INVALID);
	assert_string_equal(err.field, "prefix");
	assert_int_equal(listing_tag_query_parse("prefix=-a", &tq, &err),
	    LISTING_INVALID);
	assert_int_equal(listing_tag_query_parse("prefix=a*", &tq, &err),
	    LISTING_INVALID);
	assert_int_equal(listing_tag_query_parse("prefix=+", &tq, &err),
	    LISTING_INVALID);
	assert_int_equal(listing_tag_query_parse("limit=0", &tq, &err),
	    LISTING_BAD_REQUEST);
	assert_string_equal(err.field, "limit");

	/* The LIKE texts: a prefix, and q both at the start and anywhere. */
	assert_int_equal(listing_tag_query_parse("prefix=5%25_", &tq, &err),
	    LISTING_OK);
	assert_string_equal(tq.starts, "5\\%\\_%");
	assert_int_equal(tq.has_q, 0);
	assert_int_equal(listing_tag_query_parse("q=YURU", &tq, &err),
	    LISTING_OK);
	assert_int_equal(tq.has_q, 1);
	assert_string_equal(tq.q, "yuru");
	assert_string_equal(tq.starts, "yuru%");
	assert_string_equal(tq.contains, "%yuru%");

	/* A piece may start with '-': "-yuri" is in "yuru-yuri". */
	assert_int_equal(listing_tag_query_parse("q=-yuri", &tq, &err),
	    LISTING_OK);
	assert_string_equal(tq.contains, "%-yuri%");
	assert_int_equal(listing_tag_query_parse("q=a+b", &tq, &err),
	    LISTING_INVALID);
	assert_string_equal(err.field, "q");
	assert_int_equal(listing_tag_query_parse("q=a*", &tq, &err),
	    LISTING_INVALID);
	assert_int_equal(listing_tag_query_parse("q=", &tq, &err),
	    LISTING_OK);
	assert_int_equal(tq.has_q, 0);
	assert_int_equal(listing_tag_query_parse("q=a&prefix=b", &tq, &err),
	    LISTING_BAD_REQUEST);
	assert_string_equal(err.field, "q");
	assert_int_equal(listing_tag_query_parse("q=a&q=b", &tq, &err),
	    LISTING_BAD_REQUEST);

	/* The longest piece, all escaped, fits. */
	{
		char	qs[8 + 3 * TAG_MAX_BYTES];
		size_t	i, n;

		n = (size_t)snprintf(qs, sizeof(qs), "q=");
		for (i = 0; i < TAG_MAX_BYTES; i++)
			n += (size_t)snprintf(qs + n, sizeof(qs) - n, "%%25");
		assert_int_equal(listing_tag_query_parse(qs, &tq, &err),
		    LISTING_OK);
		assert_int_equal(strlen(tq.contains), 2 * TAG_MAX_BYTES + 2);
	}
}

static void
test_export(void **state)
{
	struct listing_export	ex;
	struct listing_error	err;
	struct cursor		c;
	char			text[CURSOR_TEXT_MAX], qs[CURSOR_TEXT_MAX + 16];

	(void)state;

	assert_int_equal(listing_export_parse(NULL, key, sizeof(key), &ex,
	    &err), LISTING_OK);
	assert_int_equal(ex.limit, LISTING_EXPORT_LIMIT_MAX);
	assert_int_equal(ex.has_since, 0);
	assert_int_equal(listing_export_parse("limit=1&since=", key,
	    sizeof(key), &ex, &err), LISTING_OK);
	assert_int_equal(ex.limit, 1);
	assert_int_equal(listing_export_parse("limit=10000", key, sizeof(key),
	    &ex, &err), LISTING_OK);

	assert_int_equal(listing_export_parse("limit=0", key, sizeof(key),
	    &ex, &err), LISTING_BAD_REQUEST);
	assert_string_equal(err.field, "limit");
	assert_int_equal(listing_export_parse("limit=10001", key, sizeof(key),
	    &ex, &err), LISTING_BAD_REQUEST);
	assert_int_equal(listing_export_parse("limit=010", key, sizeof(key),
	    &ex, &err), LISTING_OK);
	assert_int_equal(listing_export_parse("limit=1e3", key, sizeof(key),
	    &ex, &err), LISTING_BAD_REQUEST);

	/* An export's cursor is taken; a list's is not. */
	memset(&c, 0, sizeof(c));
	c.created_us = 1764341519123456LL;
	memset(c.id, 0xcd, sizeof(c.id));
	c.sort = CURSOR_SORT_OLDEST;
	cursor_filter_hash(LISTING_EXPORT_CANONICAL,
	    strlen(LISTING_EXPORT_CANONICAL), c.filter_hash);
	assert_int_equal(cursor_encode(key, sizeof(key), &c, text,
	    sizeof(text)), 0);
	(void)snprintf(qs, sizeof(qs), "since=%s", text);
	assert_int_equal(listing_export_parse(qs, key, sizeof(key), &ex,
	    &err), LISTING_OK);
	assert_int_equal(ex.has_since, 1);
	assert_int_equal(ex.since.created_us, c.created_us);

	make_cursor("sort=oldest", key, text, sizeof(text));
	(void)snprintf(qs, sizeof(qs), "since=%s", text);
	assert_int_equal(listing_export_parse(qs, key, sizeof(key), &ex,
	    &err), LISTING_BAD_REQUEST);
	assert_string_equal(err.field, "since");
	assert_int_equal(listing_export_parse("since=abc", key, sizeof(key),
	    &ex, &err), LISTING_BAD_REQUEST);
}

static void
test_tags_join(void **state)
{
	struct tag_set	set;
	char		joined[LISTING_TAGS_JOINED_MAX];
	char		long_tag[TAG_MAX_BYTES + 1];
	size_t		i;

	(void)state;
	tag_set_init(&set);
	assert_int_equal(listing_tags_join(&set, joined, sizeof(joined)), 0);
	assert_string_equal(joined, "");

	assert_int_equal(tag_set_parse_list(&set, "b a c", 5), TAG_OK);
	assert_int_equal(listing_tags_join(&set, joined, sizeof(joined)), 0);
	assert_string_equal(joined, "a\nb\nc");

	/* A full set of the longest tags fits the buffer exactly. */
	tag_set_init(&set);
	for (i = 0; i < TAGS_MAX; i++) {
		memset(long_tag, 'a', TAG_MAX_BYTES);
		long_tag[0] = (char)('0' + i / 10);
		long_tag[1] = (char)('0' + i % 10);
		assert_int_equal(tag_set_add(&set, long_tag, TAG_MAX_BYTES),
		    TAG_OK);
	}
	assert_int_equal(listing_tags_join(&set, joined, sizeof(joined)), 0);
	assert_int_equal(strlen(joined), sizeof(joined) - 1);

	/* A short buffer is an error and "", never a partial list. */
	assert_int_equal(listing_tags_join(&set, joined, sizeof(joined) - 1),
	    -1);
	assert_string_equal(joined, "");
	assert_int_equal(listing_tags_join(&set, joined, TAG_MAX_BYTES + 2),
	    -1);
	assert_string_equal(joined, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_param_decoding),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_query_errors),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_cursor),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_tag_query),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_tags_join),
	};

	return (cmocka_run_group_tests_name("listing", tests, setup, NULL));
}

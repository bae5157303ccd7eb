/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for query.c: every form of the tag query language, every
 * error with where it is reported, the LIKE text of patterns, the
 * canonical text the cursor is bound to, and the parameters the SQL
 * binds once the patterns have been looked up.
 */

#include <stdio.h>
#include <stdlib.h>

#include "testutil.h"

#include "query.h"

static struct tag_query	q;

/* Parse s; the status, with the error in *err. */
static enum query_status
parse(const char *s, struct query_error *err)
{
	return (query_parse(s, strlen(s), &q, err));
}

static void
parses(const char *s)
{
	struct query_error	err;

	if (parse(s, &err) != QUERY_OK)
		fail_msg("'%s' refused at %zu: %s", s, err.position,
		    err.reason);
}

/* s is refused at character position, for a reason containing why. */
static void
refused(const char *s, size_t position, const char *why)
{
	struct query_error	err;

	memset(&err, 0, sizeof(err));
	if (parse(s, &err) != QUERY_INVALID)
		fail_msg("'%s' was taken", s);
	assert_non_null(err.reason);
	if (err.position != position || strstr(err.reason, why) == NULL)
		fail_msg("'%s': at %zu (\"%s\"), expected at %zu (\"%s\")", s,
		    err.position, err.reason, position, why);
}

static void
test_plain_terms(void **state)
{
	(void)state;

	/* Nothing at all is no filter. */
	parses("");
	assert_true(query_is_empty(&q));
	parses("  \t ");
	assert_true(query_is_empty(&q));
	assert_int_equal(query_parse(NULL, 0, &q, &(struct query_error){0}),
	    QUERY_OK);

	/* Today's form: include and exclude, normalised, sorted, unique. */
	parses("Cat, -dog ,akari,cat");
	assert_false(query_is_empty(&q));
	assert_int_equal(q.include.count, 2);
	assert_string_equal(q.include.tags[0], "akari");
	assert_string_equal(q.include.tags[1], "cat");
	assert_int_equal(q.exclude.count, 1);
	assert_string_equal(q.exclude.tags[0], "dog");
	assert_int_equal(q.nany, 0);
	assert_int_equal(q.npatterns, 0);

	/* Space after the '-' is allowed, as around terms. */
	parses("- dog");
	assert_string_equal(q.exclude.tags[0], "dog");

	/* Included and excluded at once: accepted, matches nothing. */
	parses("a,-a");
	assert_int_equal(q.include.count, 1);
	assert_int_equal(q.exclude.count, 1);

	/* Non-ASCII tags are kept as they are. */
	parses("ゆるゆり,-Ä");
	assert_string_equal(q.include.tags[0], "ゆるゆり");
	assert_string_equal(q.exclude.tags[0], "Ä");
}

/* What tag_filter_parse() took and refused before the language came. */
static void
test_compatible(void **state)
{
	char	buf[2 * TAGS_MAX * 8 + 16];
	size_t	i, len;

	(void)state;

	parses("a,-b, C ,- d");
	assert_int_equal(q.include.count, 2);
	assert_string_equal(q.include.tags[1], "c");
	assert_int_equal(q.exclude.count, 2);
	assert_string_equal(q.exclude.tags[1], "d");
	parses("-X");
	assert_int_equal(q.include.count, 0);
	assert_string_equal(q.exclude.tags[0], "x");
	parses("a,A,-a,-A");
	assert_int_equal(q.include.count, 1);
	assert_int_equal(q.exclude.count, 1);

	/* Unicode whitespace is trimmed as tags trim it. */
	parses("\xc2\xa0-dog\xe3\x80\x80,\xe2\x80\x83" "cat");
	assert_string_equal(q.exclude.tags[0], "dog");
	assert_string_equal(q.include.tags[0], "cat");

	refused("a\xc2\xa0,\xc2\xa0,b", 5, "empty term");
	refused("-\xed\xa0\x80", 2, "not a valid tag");
	assert_int_equal(query_parse("a\0", 2, &q, &(struct query_error){0}),
	    QUERY_INVALID);

	/* 32 included and 32 excluded at once is within limits. */
	len = 0;
	for (i = 0; i < TAGS_MAX; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "i%zu,-e%zu,", i, i);
	assert_int_equal(query_parse(buf, len - 1, &q,
	    &(struct query_error){0}), QUERY_OK);
	assert_int_equal(q.include.count, TAGS_MAX);
	assert_int_equal(q.exclude.count, TAGS_MAX);
	memcpy(buf + len, "-e99", 4);
	assert_int_equal(query_parse(buf, len + 4, &q,
	    &(struct query_error){0}), QUERY_INVALID);
	memcpy(buf + len, "i99", 3);
	assert_int_equal(query_parse(buf, len + 3, &q,
	    &(struct query_error){0}), QUERY_INVALID);
}

static void
test_alternatives(void **state)
{
	(void)state;

	parses("cat|dog,-sad");
	assert_int_equal(q.include.count, 0);
	assert_int_equal(q.nany, 1);
	assert_int_equal(q.any[0].count, 2);
	assert_string_equal(q.any[0].tags[0], "cat");
	assert_string_equal(q.any[0].tags[1], "dog");
	assert_int_equal(q.exclude.count, 1);
	assert_string_equal(q.exclude.tags[0], "sad");

	/* Blanks around alternatives; duplicates collapse. */
	parses(" Cat | dog | CAT ");
	assert_int_equal(q.nany, 1);
	assert_int_equal(q.any[0].count, 2);

	/* One alternative twice is one plain tag. */
	parses("cat|CAT");
	assert_int_equal(q.nany, 0);
	assert_int_equal(q.include.count, 1);
	assert_string_equal(q.include.tags[0], "cat");

	/* Excluding a group excludes each of its tags. */
	parses("-cat|dog,fox");
	assert_int_equal(q.nany, 0);
	assert_int_equal(q.exclude.count, 2);
	assert_string_equal(q.exclude.tags[0], "cat");
	assert_string_equal(q.exclude.tags[1], "dog");
	assert_int_equal(q.include.count, 1);

	/* Two groups, and plain tags beside them. */
	parses("a|b,c,d|e|f");
	assert_int_equal(q.nany, 2);
	assert_int_equal(q.any[0].count, 2);
	assert_int_equal(q.any[1].count, 3);
	assert_int_equal(q.include.count, 1);
}

static void
test_patterns(void **state)
{
	(void)state;

	parses("yuru*");
	assert_int_equal(q.nany, 1);
	assert_int_equal(q.any[0].count, 0);
	assert_int_equal(q.npatterns, 1);
	assert_string_equal(q.patterns[0].text, "yuru*");
	assert_int_equal(q.patterns[0].group, 0);

	/* Lower-cased, runs of '*' folded, anywhere in the tag. */
	parses("**Cat**");
	assert_string_equal(q.patterns[0].text, "*cat*");
	parses("a*b*c");
	assert_string_equal(q.patterns[0].text, "a*b*c");
	parses("*-x");
	assert_string_equal(q.patterns[0].text, "*-x");

	/* A pattern and tags in one group. */
	parses("cat|dog*,-sad*,-x");
	assert_int_equal(q.nany, 1);
	assert_int_equal(q.any[0].count, 1);
	assert_string_equal(q.any[0].tags[0], "cat");
	assert_int_equal(q.npatterns, 2);
	assert_string_equal(q.patterns[0].text, "dog*");
	assert_int_equal(q.patterns[0].group, 0);
	assert_string_equal(q.patterns[1].text, "sad*");
	assert_int_equal(q.patterns[1].group, QUERY_GROUP_EXCLUDE);
	assert_int_equal(q.exclude.count, 1);

	/* The same pattern twice in a group is there once. */
	parses("a*|A*");
	assert_int_equal(q.npatterns, 1);
	/* ... but in two groups it is in each. */
	parses("a*,a*|b");
	assert_int_equal(q.npatterns, 2);
	assert_int_equal(q.nany, 2);

	/* The longest pattern: 64 bytes, stars included. */
	parses("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa*");
}

static void
test_escapes(void **state)
{
	(void)state;

	/* A tag stored with '|' before the language reserved it. */
	parses("a\\|b");
	assert_int_equal(q.nany, 0);
	assert_string_equal(q.include.tags[0], "a|b");
	parses("a\\|b|c");
	assert_int_equal(q.nany, 1);
	assert_string_equal(q.any[0].tags[0], "a|b");
	assert_string_equal(q.any[0].tags[1], "c");

	/* "\\" is one backslash, and then a '|' splits. */
	parses("a\\\\|b");
	assert_int_equal(q.nany, 1);
	assert_string_equal(q.any[0].tags[0], "a\\");
	assert_string_equal(q.any[0].tags[1], "b");

	/* Before anything else a backslash is itself. */
	parses("a\\b");
	assert_string_equal(q.include.tags[0], "a\\b");
	parses("a\\*");
	assert_string_equal(q.patterns[0].text, "a\\*");

	/* An escaped '|' in a pattern. */
	parses("a\\|*");
	assert_string_equal(q.patterns[0].text, "a|*");
}

static void
test_errors(void **state)
{
	char	buf[512];
	size_t	i, n;

	(void)state;

	refused(",", 1, "empty term");
	refused("a,,b", 3, "empty term");
	refused("a,", 3, "empty term");
	refused(",a", 1, "empty term");
	refused("a, ,b", 4, "empty term");
	refused("-", 1, "'-' needs");
	refused("a,- ", 3, "'-' needs");
	refused("--a", 2, "'-' excludes only");
	refused("a|-b", 3, "'-' excludes only");
	refused("a||b", 3, "empty alternative");
	refused("|a", 1, "empty alternative");
	refused("a|", 3, "empty alternative");
	refused("a| |b", 4, "empty alternative");
	refused("-|a", 2, "empty alternative");
	refused("a b", 1, "not a valid tag");
	refused("cat|a\x01", 5, "not a valid tag");
	refused("\xff", 1, "not a valid tag");
	refused("*", 1, "besides '*'");
	refused("a,***", 3, "besides '*'");
	refused("-*", 2, "besides '*'");
	refused("a *", 1, "not a valid pattern");
	refused("x,\xc3*", 3, "not a valid pattern");

	/* Positions count characters, not bytes. */
	refused("ゆる,,x", 4, "empty term");
	refused("é|x||y", 5, "empty alternative");

	/* 65 bytes: one too many for a tag and for a pattern. */
	memset(buf, 'a', 65);
	buf[65] = '\0';
	refused(buf, 1, "not a valid tag");
	buf[64] = '*';
	refused(buf, 1, "not a valid pattern");
	buf[0] = '*';
	buf[64] = 'a';
	refused(buf, 1, "not a valid pattern");

	/* 33 tags on one side, 33 alternatives in a term. */
	for (n = 0, i = 0; i < 33; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%st%02zu",
		    i > 0 ? "," : "", i);
	refused(buf, 129, "more than 32 tags to include");
	for (n = 0, i = 0; i < 33; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s-t%02zu",
		    i > 0 ? "," : "", i);
	refused(buf, 161, "more than 32 tags to exclude");
	for (n = 0, i = 0; i < 33; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%st%02zu",
		    i > 0 ? "|" : "", i);
	refused(buf, 129, "more than 32 alternatives");
	/* ... and 32 of each are fine. */
	buf[strlen(buf) - 4] = '\0';
	parses(buf);
	assert_int_equal(q.any[0].count, 32);

	/* Nine groups; nine patterns. */
	for (n = 0, i = 0; i < 9; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sa%zu|b%zu",
		    i > 0 ? "," : "", i, i);
	refused(buf, 49, "more than 8 terms");
	for (n = 0, i = 0; i < 9; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s-a%zu*",
		    i > 0 ? "," : "", i);
	refused(buf, 42, "more than 8 patterns");
	buf[strlen(buf) - 5] = '\0';
	parses(buf);
	assert_int_equal(q.npatterns, 8);

	/* Far beyond any query string. */
	{
		char	*big;
		size_t	 len = 70000;

		big = malloc(len);
		assert_non_null(big);
		memset(big, 'a', len);
		assert_int_equal(query_parse(big, len, &q,
		    &(struct query_error){0}), QUERY_INVALID);
		free(big);
	}
}

static void
test_like(void **state)
{
	char	out[QUERY_LIKE_MAX + 1];

	(void)state;

	assert_int_equal(query_pattern_like("yuru*", out, sizeof(out)), 0);
	assert_string_equal(out, "yuru%");
	assert_int_equal(query_pattern_like("*50%_off\\*", out, sizeof(out)),
	    0);
	assert_string_equal(out, "%50\\%\\_off\\\\%");

	/* The worst case fits QUERY_LIKE_MAX exactly. */
	{
		char	pat[QUERY_PATTERN_MAX + 1];

		memset(pat, '%', QUERY_PATTERN_MAX);
		pat[QUERY_PATTERN_MAX] = '\0';
		assert_int_equal(query_pattern_like(pat, out, sizeof(out)), 0);
		assert_int_equal(strlen(out), QUERY_LIKE_MAX);
		assert_int_equal(query_pattern_like(pat, out, sizeof(out) - 1),
		    -1);
	}
	assert_int_equal(query_pattern_like("ab", out, 2), -1);
	assert_int_equal(query_pattern_like("", out, 1), 0);
}

/* The canonical text of s, in one of two buffers used in turn. */
static const char *
canonical(const char *s)
{
	static char	out[2][QUERY_CANONICAL_MAX];
	static int	turn;

	turn = !turn;
	parses(s);
	assert_int_not_equal(query_canonical(&q, out[turn],
	    sizeof(out[turn])), 0);
	return (out[turn]);
}

static void
test_canonical(void **state)
{
	char	small[8];

	(void)state;

	/* What cursors of filters without '|' or '*' were made with. */
	assert_string_equal(canonical(""), "i=\ne=");
	assert_string_equal(canonical("b,A,-d,-c"), "i=a,b\ne=c,d");

	assert_string_equal(canonical("cat|dog*,-sad*,x"),
	    "i=x\ne=\na=cat|dog*\nx=sad*");
	assert_string_equal(canonical("a\\|b|c"), "i=\ne=\na=a\\|b|c\nx=");
	assert_string_equal(canonical("a\\\\|c"), "i=\ne=\na=a\\\\|c\nx=");

	/* Different queries, different text. */
	assert_string_not_equal(canonical("a|b,c"), canonical("a,b|c"));
	assert_string_not_equal(canonical("a|b"), canonical("a\\|b"));
	assert_string_not_equal(canonical("-a*"), canonical("a*"));

	parses("cat|dog");
	assert_int_equal(query_canonical(&q, small, sizeof(small)), 0);
	assert_string_equal(small, "");
}

static void
test_params(void **state)
{
	struct query_params	 p;
	const char		*matches[QUERY_PATTERNS_MAX];

	(void)state;
	memset(matches, 0, sizeof(matches));

	/* Plain tags only. */
	parses("b,a,-c");
	assert_int_equal(query_params_build(&q, matches, &p), 0);
	assert_string_equal(p.include, "a\nb");
	assert_string_equal(p.exclude, "c");
	assert_null(p.any[0]);
	assert_int_equal(p.none, 0);
	query_params_free(&p);

	/* Nothing: no parameters. */
	parses("");
	assert_int_equal(query_params_build(&q, matches, &p), 0);
	assert_null(p.include);
	assert_null(p.exclude);
	query_params_free(&p);

	/* Groups with what their patterns matched, and the exclusions. */
	parses("cat|dog*,-sad*,-x,yuru*");
	matches[0] = "dog\ndoggo";
	matches[1] = "sad\nsadder";
	matches[2] = "yuru-yuri";
	assert_int_equal(query_params_build(&q, matches, &p), 0);
	assert_null(p.include);
	assert_string_equal(p.any[0], "cat\ndog\ndoggo");
	assert_string_equal(p.any[1], "yuru-yuri");
	assert_null(p.any[2]);
	assert_string_equal(p.exclude, "x\nsad\nsadder");
	assert_int_equal(p.none, 0);
	query_params_free(&p);

	/* A group nothing can satisfy: the query matches nothing. */
	matches[2] = NULL;
	assert_int_equal(query_params_build(&q, matches, &p), 0);
	assert_string_equal(p.any[1], "");
	assert_int_equal(p.none, 1);
	query_params_free(&p);

	/* An excluding pattern that matched nothing excludes nothing. */
	parses("-sad*");
	matches[0] = "";
	assert_int_equal(query_params_build(&q, matches, &p), 0);
	assert_null(p.exclude);
	assert_int_equal(p.none, 0);
	query_params_free(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_terms),
		cmocka_unit_test(test_compatible),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_patterns),
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_like),
		cmocka_unit_test(test_canonical),
		cmocka_unit_test(test_params),
	};

	return (cmocka_run_group_tests_name("query", tests, NULL, NULL));
}

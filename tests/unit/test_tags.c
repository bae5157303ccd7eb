/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Unit tests for tags.c: what a tag or title may be, how upload lists and
 * search filters are read, and that tag sets stay sorted and unique.
 */

#include <stdio.h>

#include "testutil.h"

#include "encoding.h"
#include "tags.h"

/* Length of a string literal without its NUL; literals may embed NULs. */
#define LIT(s)		(s), (sizeof(s) - 1)

static void
assert_tag_invalid(const char *in, size_t len)
{
	char	out[TAG_MAX_BYTES + 1];

	memset(out, 'x', sizeof(out));
	assert_int_equal(tag_normalise(in, len, out), TAG_INVALID);
	assert_string_equal(out, "");
}

static void
assert_tag_is(const char *in, size_t len, const char *want)
{
	char	out[TAG_MAX_BYTES + 1];

	assert_int_equal(tag_normalise(in, len, out), TAG_OK);
	assert_string_equal(out, want);
}

/* The set holds exactly want[0..n), in that order. */
static void
assert_set_is(const struct tag_set *set, const char *const *want, size_t n)
{
	size_t	i;

	assert_int_equal(set->count, n);
	for (i = 0; i < n; i++)
		assert_string_equal(set->tags[i], want[i]);
}

static void
test_normalise_trims_and_lowercases(void **state)
{
	(void)state;
	assert_tag_is(LIT(" Foo "), "foo");
	assert_tag_is(LIT("\t\r\nYURU-Yuri\v\f"), "yuru-yuri");
	/* Non-ASCII bytes are kept: U+00C4 is not lower-cased. */
	assert_tag_is(LIT("\xc3\x84" "BC"), "\xc3\x84" "bc");
	/* Unicode blanks at the ends are trimmed too. */
	assert_tag_is(LIT("\xc2\xa0" "nbsp" "\xe3\x80\x80"), "nbsp");
	assert_tag_is(LIT("\xef\xbb\xbf" "bom"), "bom");
	/* Inner hyphens, digits, punctuation other than , and * are fine. */
	assert_tag_is(LIT("a-b_c.d:e!9"), "a-b_c.d:e!9");
	/* Emoji with a zero width joiner is not whitespace. */
	assert_tag_is(LIT("\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb"),
	    "\xf0\x9f\x91\xa9\xe2\x80\x8d\xf0\x9f\x92\xbb");
}

static void
test_normalise_rejects_rule_breakers(void **state)
{
	(void)state;
	assert_tag_invalid(LIT(""));
	assert_tag_invalid(LIT("   "));
	assert_tag_invalid(LIT("\t\n\xc2\xa0"));
	assert_tag_invalid(NULL, 0);
	assert_tag_invalid(LIT("two words"));
	assert_tag_invalid(LIT("tab\there"));
	assert_tag_invalid(LIT("a,b"));
	assert_tag_invalid(LIT("wild*"));
	assert_tag_invalid(LIT("*"));
	assert_tag_invalid(LIT("-leading"));
	assert_tag_invalid(LIT(" -leading"));
	assert_tag_invalid(LIT("-"));
	/* Controls: C0, DEL, C1 and an embedded NUL. */
	assert_tag_invalid(LIT("bell\x07"));
	assert_tag_invalid(LIT("del\x7f" "x"));
	assert_tag_invalid(LIT("c1\xc2\x85" "x"));
	assert_tag_invalid(LIT("c1\xc2\x9f"));
	assert_tag_invalid(LIT("nul\0byte"));
	assert_tag_invalid(LIT("\0"));
	/* Unicode whitespace inside a tag. */
	assert_tag_invalid(LIT("a\xc2\xa0" "b"));		/* U+00A0 */
	assert_tag_invalid(LIT("a\xe1\x9a\x80" "b"));		/* U+1680 */
	assert_tag_invalid(LIT("a\xe2\x80\x80" "b"));		/* U+2000 */
	assert_tag_invalid(LIT("a\xe2\x80\x8a" "b"));		/* U+200A */
	assert_tag_invalid(LIT("a\xe2\x80\x8b" "b"));		/* U+200B */
	assert_tag_invalid(LIT("a\xe2\x80\xa8" "b"));		/* U+2028 */
	assert_tag_invalid(LIT("a\xe2\x80\xa9" "b"));		/* U+2029 */
	assert_tag_invalid(LIT("a\xe2\x80\xaf" "b"));		/* U+202F */
	assert_tag_invalid(LIT("a\xe2\x81\x9f" "b"));		/* U+205F */
	assert_tag_invalid(LIT("a\xe3\x80\x80" "b"));		/* U+3000 */
	assert_tag_invalid(LIT("a\xef\xbb\xbf" "b"));		/* U+FEFF */
	/* Just outside the ranges stays valid. */
	assert_tag_is(LIT("a\xe2\x80\x8c" "b"), "a\xe2\x80\x8c" "b");
	assert_tag_is(LIT("a\xc2\xa1" "b"), "a\xc2\xa1" "b");
}

static void
test_normalise_length_limits(void **state)
{
	char	buf[TAG_MAX_BYTES + 8], want[TAG_MAX_BYTES + 1];

	(void)state;

	memset(buf, 'a', TAG_MAX_BYTES);
	memcpy(want, buf, TAG_MAX_BYTES);
	want[TAG_MAX_BYTES] = '\0';
	assert_tag_is(buf, TAG_MAX_BYTES, want);
	buf[TAG_MAX_BYTES] = 'a';
	assert_tag_invalid(buf, TAG_MAX_BYTES + 1);

	/* Trimmed blanks do not count toward the limit. */
	buf[0] = ' ';
	memset(buf + 1, 'b', TAG_MAX_BYTES);
	buf[TAG_MAX_BYTES + 1] = '\n';
	memset(want, 'b', TAG_MAX_BYTES);
	assert_tag_is(buf, TAG_MAX_BYTES + 2, want);

	assert_tag_is(LIT("x"), "x");

	/* 21 three-byte characters = 63 bytes, plus 'z' = 64: fits. */
	memset(buf, 0, sizeof(buf));
	for (size_t i = 0; i < 21; i++)
		memcpy(buf + 3 * i, "\xe2\x82\xac", 3);	/* U+20AC */
	buf[63] = 'z';
	memcpy(want, buf, TAG_MAX_BYTES);
	want[TAG_MAX_BYTES] = '\0';
	assert_tag_is(buf, TAG_MAX_BYTES, want);
	/* One more whole character (66 bytes) does not. */
	memcpy(buf + 63, "\xe2\x82\xac", 3);
	assert_tag_invalid(buf, 66);
	/* Cutting the character at byte 64 leaves invalid UTF-8. */
	assert_tag_invalid(buf, TAG_MAX_BYTES);
}

static void
test_utf8_strict(void **state)
{
	(void)state;
	assert_true(tag_utf8_valid(LIT("")));
	assert_true(tag_utf8_valid(LIT("plain ascii")));
	assert_true(tag_utf8_valid(LIT("\xc2\x80")));		/* U+0080 */
	assert_true(tag_utf8_valid(LIT("\xdf\xbf")));		/* U+07FF */
	assert_true(tag_utf8_valid(LIT("\xe0\xa0\x80")));	/* U+0800 */
	assert_true(tag_utf8_valid(LIT("\xed\x9f\xbf")));	/* U+D7FF */
	assert_true(tag_utf8_valid(LIT("\xee\x80\x80")));	/* U+E000 */
	assert_true(tag_utf8_valid(LIT("\xef\xbf\xbf")));	/* U+FFFF */
	assert_true(tag_utf8_valid(LIT("\xf0\x90\x80\x80")));	/* U+10000 */
	assert_true(tag_utf8_valid(LIT("\xf4\x8f\xbf\xbf")));	/* U+10FFFF */
	assert_true(tag_utf8_valid(LIT("nul\0inside")));

	/* Overlong forms. */
	assert_false(tag_utf8_valid(LIT("\xc0\xaf")));
	assert_false(tag_utf8_valid(LIT("\xc1\xbf")));
	assert_false(tag_utf8_valid(LIT("\xe0\x80\xaf")));
	assert_false(tag_utf8_valid(LIT("\xe0\x9f\xbf")));
	assert_false(tag_utf8_valid(LIT("\xf0\x80\x80\xaf")));
	assert_false(tag_utf8_valid(LIT("\xf0\x8f\xbf\xbf")));
	/* Surrogates. */
	assert_false(tag_utf8_valid(LIT("\xed\xa0\x80")));
	assert_false(tag_utf8_valid(LIT("\xed\xbf\xbf")));
	/* Beyond U+10FFFF and impossible lead bytes. */
	assert_false(tag_utf8_valid(LIT("\xf4\x90\x80\x80")));
	assert_false(tag_utf8_valid(LIT("\xf5\x80\x80\x80")));
	assert_false(tag_utf8_valid(LIT("\xff")));
	assert_false(tag_utf8_valid(LIT("\xfe")));
	/* Stray continuation and truncated sequences. */
	assert_false(tag_utf8_valid(LIT("\x80")));
	assert_false(tag_utf8_valid(LIT("a\xbf")));
	assert_false(tag_utf8_valid(LIT("\xc3")));
	assert_false(tag_utf8_valid(LIT("\xe2\x82")));
	assert_false(tag_utf8_valid(LIT("\xf0\x9f\x98")));
	assert_false(tag_utf8_valid(LIT("\xe2\x82" "a")));
	assert_false(tag_utf8_valid(LIT("\xc3\xc3\xa4")));

	/* The length bounds the scan: a valid prefix of an invalid buffer. */
	assert_true(tag_utf8_valid("ok\xff", 2));
	assert_false(tag_utf8_valid("\xe2\x82\xac", 2));

	/* And tags reject the same inputs. */
	assert_tag_invalid(LIT("bad\xc0\xaf"));
	assert_tag_invalid(LIT("bad\xed\xa0\x80"));
	assert_tag_invalid(LIT("bad\xe2\x82"));
	assert_tag_invalid(LIT("\xff"));
}

static void
test_set_sorted_unique(void **state)
{
	struct tag_set		set;
	static const char	*const sorted[] = {
		"a", "ab", "b", "yuru-yuri", "\xc3\x84" "bc", "\xe2\x82\xac",
	};

	(void)state;

	tag_set_init(&set);
	assert_int_equal(set.count, 0);

	/* Insert out of order; byte order puts ASCII before UTF-8 leads. */
	assert_int_equal(tag_set_add(&set, LIT("\xe2\x82\xac")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("B")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("\xc3\x84" "BC")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("ab")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("Yuru-Yuri")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("a")), TAG_OK);
	/* Duplicates after normalising collapse. */
	assert_int_equal(tag_set_add(&set, LIT(" A ")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("b")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("YURU-YURI")), TAG_OK);
	assert_set_is(&set, sorted, sizeof(sorted) / sizeof(sorted[0]));

	assert_true(tag_set_contains(&set, "ab"));
	assert_false(tag_set_contains(&set, "AB"));
	assert_false(tag_set_contains(&set, "abc"));

	/* Invalid input leaves the set as it was. */
	assert_int_equal(tag_set_add(&set, LIT("no good")), TAG_INVALID);
	assert_set_is(&set, sorted, sizeof(sorted) / sizeof(sorted[0]));
}

static void
test_set_limit(void **state)
{
	struct tag_set	set;
	char		name[16];
	size_t		i;
	int		n;

	(void)state;
	tag_set_init(&set);
	for (i = 0; i < TAGS_MAX; i++) {
		n = snprintf(name, sizeof(name), "t%02zu", TAGS_MAX - i);
		assert_int_equal(tag_set_add(&set, name, (size_t)n), TAG_OK);
	}
	assert_int_equal(set.count, TAGS_MAX);

	/* A 33rd distinct tag is refused, the set is untouched. */
	assert_int_equal(tag_set_add(&set, LIT("t00")), TAG_TOO_MANY);
	assert_int_equal(set.count, TAGS_MAX);
	assert_false(tag_set_contains(&set, "t00"));

	/* A duplicate of one already there is still fine when full. */
	assert_int_equal(tag_set_add(&set, LIT("T07")), TAG_OK);
	assert_int_equal(set.count, TAGS_MAX);

	/* Invalid beats too-many: the caller's error names the rule. */
	assert_int_equal(tag_set_add(&set, LIT("a b")), TAG_INVALID);

	for (i = 1; i < set.count; i++)
		assert_true(strcmp(set.tags[i - 1], set.tags[i]) < 0);
	assert_string_equal(set.tags[0], "t01");
	assert_string_equal(set.tags[TAGS_MAX - 1], "t32");
}

static void
test_set_remove(void **state)
{
	struct tag_set		set;
	static const char	*const after[] = { "a", "c" };

	(void)state;
	tag_set_init(&set);
	assert_int_equal(tag_set_parse_list(&set, LIT("c b a")), TAG_OK);

	assert_int_equal(tag_set_remove(&set, LIT(" B ")), TAG_OK);
	assert_set_is(&set, after, 2);
	/* Removing an absent tag is a no-op. */
	assert_int_equal(tag_set_remove(&set, LIT("zzz")), TAG_OK);
	assert_set_is(&set, after, 2);
	assert_int_equal(tag_set_remove(&set, LIT("bad,tag")), TAG_INVALID);
	assert_set_is(&set, after, 2);

	assert_int_equal(tag_set_remove(&set, LIT("c")), TAG_OK);
	assert_int_equal(tag_set_remove(&set, LIT("A")), TAG_OK);
	assert_int_equal(set.count, 0);

	/* A freed slot can be reused at the limit. */
	assert_int_equal(tag_set_add(&set, LIT("again")), TAG_OK);
	assert_string_equal(set.tags[0], "again");
}

static void
test_parse_list(void **state)
{
	struct tag_set		set;
	static const char	*const abc[] = { "a", "b", "c" };
	static const char	*const more[] = { "a", "b", "c", "d", "e" };

	(void)state;

	tag_set_init(&set);
	assert_int_equal(tag_set_parse_list(&set, LIT("")), TAG_OK);
	assert_int_equal(set.count, 0);
	assert_int_equal(tag_set_parse_list(&set, LIT(" ,, \t ,")), TAG_OK);
	assert_int_equal(set.count, 0);
	assert_int_equal(tag_set_parse_list(&set, NULL, 0), TAG_OK);
	assert_int_equal(set.count, 0);

	assert_int_equal(tag_set_parse_list(&set, LIT("c,b,a")), TAG_OK);
	assert_set_is(&set, abc, 3);

	tag_set_init(&set);
	assert_int_equal(tag_set_parse_list(&set,
	    LIT(",, C\t b\n,a ,,A  ")), TAG_OK);
	assert_set_is(&set, abc, 3);

	/* Unicode blanks separate too (a pasted NBSP). */
	tag_set_init(&set);
	assert_int_equal(tag_set_parse_list(&set,
	    LIT("a\xc2\xa0" "b\xe3\x80\x80" "c")), TAG_OK);
	assert_set_is(&set, abc, 3);

	/* Adds to what is there; a bad list changes nothing. */
	assert_int_equal(tag_set_parse_list(&set, LIT("e d")), TAG_OK);
	assert_set_is(&set, more, 5);
	assert_int_equal(tag_set_parse_list(&set, LIT("f g -h")), TAG_INVALID);
	assert_set_is(&set, more, 5);
	assert_int_equal(tag_set_parse_list(&set, LIT("f*")), TAG_INVALID);
	assert_int_equal(tag_set_parse_list(&set, LIT("f\0g")), TAG_INVALID);
	assert_int_equal(tag_set_parse_list(&set, LIT("f \xff")), TAG_INVALID);
	assert_set_is(&set, more, 5);

	/* Multibyte tags split correctly next to separators. */
	tag_set_init(&set);
	assert_int_equal(tag_set_parse_list(&set,
	    LIT("\xc3\xa4,\xe2\x82\xac \xf0\x9f\x98\x80")), TAG_OK);
	assert_int_equal(set.count, 3);
	assert_string_equal(set.tags[0], "\xc3\xa4");
	assert_string_equal(set.tags[1], "\xe2\x82\xac");
	assert_string_equal(set.tags[2], "\xf0\x9f\x98\x80");
}

static void
test_parse_list_limit(void **state)
{
	struct tag_set	set;
	char		buf[TAGS_MAX * 8 + 16];
	size_t		i, len;

	(void)state;
	len = 0;
	for (i = 0; i < TAGS_MAX; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len,
		    "t%zu,", i);

	tag_set_init(&set);
	assert_int_equal(tag_set_parse_list(&set, buf, len), TAG_OK);
	assert_int_equal(set.count, TAGS_MAX);

	/* Repeats of the same 32 are fine; a 33rd distinct one is not. */
	tag_set_init(&set);
	memcpy(buf + len, "T0 t1", 5);
	assert_int_equal(tag_set_parse_list(&set, buf, len + 5), TAG_OK);
	assert_int_equal(set.count, TAGS_MAX);

	tag_set_init(&set);
	memcpy(buf + len, "t99", 3);
	assert_int_equal(tag_set_parse_list(&set, buf, len + 3),
	    TAG_TOO_MANY);
	assert_int_equal(set.count, 0);
}

static void
test_piece_and_trim(void **state)
{
	char		 out[TAG_MAX_BYTES + 1];
	const char	*s;
	size_t		 len;

	(void)state;

	/* A piece is a tag that may start with '-'. */
	assert_int_equal(tag_piece_normalise(LIT(" -Yuri "), out), TAG_OK);
	assert_string_equal(out, "-yuri");
	assert_int_equal(tag_normalise(LIT("-yuri"), out), TAG_INVALID);
	assert_int_equal(tag_piece_normalise(LIT("a b"), out), TAG_INVALID);
	assert_int_equal(tag_piece_normalise(LIT("a*"), out), TAG_INVALID);
	assert_int_equal(tag_piece_normalise(LIT(""), out), TAG_INVALID);

	s = "\xc2\xa0 a b\t";
	len = strlen(s);
	tag_trim(&s, &len);
	assert_int_equal(len, 3);
	assert_memory_equal(s, "a b", 3);
	s = NULL;
	len = 0;
	tag_trim(&s, &len);
	assert_null(s);
}

static void
test_title(void **state)
{
	char	buf[TITLE_MAX_CHARS * 4 + 8];
	size_t	i;

	(void)state;
	assert_true(tag_title_valid(LIT("")));
	assert_true(tag_title_valid(NULL, 0));
	assert_true(tag_title_valid(LIT("annoyed akari")));
	assert_true(tag_title_valid(LIT("  spaces kept, commas * too ")));
	assert_true(tag_title_valid(LIT("\xe3\x82\x86\xe3\x82\x8b"
	    "\xe3\x82\x86\xe3\x82\x8a")));
	assert_true(tag_title_valid(LIT("nbsp\xc2\xa0" "ok")));

	/* 200 four-byte characters (800 bytes) fit; 201 do not. */
	for (i = 0; i < TITLE_MAX_CHARS + 1; i++)
		memcpy(buf + 4 * i, "\xf0\x9f\x98\x80", 4);
	assert_true(tag_title_valid(buf, 4 * TITLE_MAX_CHARS));
	assert_false(tag_title_valid(buf, 4 * (TITLE_MAX_CHARS + 1)));
	/* Cut mid-character: invalid UTF-8. */
	assert_false(tag_title_valid(buf, 4 * TITLE_MAX_CHARS - 1));

	/* 200 ASCII vs 201 ASCII. */
	memset(buf, 'a', TITLE_MAX_CHARS + 1);
	assert_true(tag_title_valid(buf, TITLE_MAX_CHARS));
	assert_false(tag_title_valid(buf, TITLE_MAX_CHARS + 1));

	/* Two-byte characters: 200 of them (400 bytes) are within limit. */
	for (i = 0; i < TITLE_MAX_CHARS + 1; i++)
		memcpy(buf + 2 * i, "\xc3\xa4", 2);
	assert_true(tag_title_valid(buf, 2 * TITLE_MAX_CHARS));
	assert_false(tag_title_valid(buf, 2 * (TITLE_MAX_CHARS + 1)));

	/* Controls. */
	assert_false(tag_title_valid(LIT("nul\0inside")));
	assert_false(tag_title_valid(LIT("\0")));
	assert_false(tag_title_valid(LIT("tab\there")));
	assert_false(tag_title_valid(LIT("line\nbreak")));
	assert_false(tag_title_valid(LIT("esc\x1b[31m")));
	assert_false(tag_title_valid(LIT("del\x7f")));
	assert_false(tag_title_valid(LIT("c1\xc2\x80")));
	assert_false(tag_title_valid(LIT("c1\xc2\x9b" "31m")));
	assert_true(tag_title_valid(LIT("after c1\xc2\xa0")));

	/* Invalid UTF-8. */
	assert_false(tag_title_valid(LIT("\xc0\x80")));
	assert_false(tag_title_valid(LIT("\xed\xb0\x80")));
	assert_false(tag_title_valid(LIT("latin1 \xe9t\xe9")));
}

static void
test_set_append(void **state)
{
	struct tag_set	set;
	char		out[16];
	size_t		used;

	(void)state;

	tag_set_init(&set);
	used = 0;
	out[0] = '\0';
	assert_int_equal(tag_set_append(out, sizeof(out), &used, &set, ','), 1);
	assert_string_equal(out, "");

	assert_int_equal(tag_set_add(&set, LIT("dog")), TAG_OK);
	assert_int_equal(tag_set_add(&set, LIT("cat")), TAG_OK);
	/* Appended after what is there, in the set's (sorted) order. */
	used = 0;
	assert_int_equal(enc_append(out, sizeof(out), &used, "i=", 2), 1);
	assert_int_equal(tag_set_append(out, sizeof(out), &used, &set, ','), 1);
	assert_string_equal(out, "i=cat,dog");
	assert_int_equal(used, strlen("i=cat,dog"));

	/* "cat\ndog" and its NUL need 8 bytes: 7 is too few. */
	used = 0;
	assert_int_equal(tag_set_append(out, 8, &used, &set, '\n'), 1);
	assert_string_equal(out, "cat\ndog");
	used = 0;
	assert_int_equal(tag_set_append(out, 7, &used, &set, '\n'), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalise_trims_and_lowercases),
		cmocka_unit_test(test_normalise_rejects_rule_breakers),
		cmocka_unit_test(test_normalise_length_limits),
		cmocka_unit_test(test_utf8_strict),
		cmocka_unit_test(test_set_sorted_unique),
		cmocka_unit_test(test_set_limit),
		cmocka_unit_test(test_set_remove),
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test(test_parse_list_limit),
		cmocka_unit_test(test_piece_and_trim),
		cmocka_unit_test(test_title),
		cmocka_unit_test(test_set_append),
	};

	return (cmocka_run_group_tests_name("tags", tests, NULL, NULL));
}

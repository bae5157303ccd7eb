/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the tag and title rules (tags.h). The first byte
 * chooses the function, the rest is its (pointer, length) input. Besides
 * memory errors it checks what tags.h promises: normalised tags are valid
 * and normalise to themselves, sets stay sorted and unique, a failed
 * parse leaves the set as it was, trimming only narrows, and
 * tag_utf8_valid() agrees with a straightforward reference decoder.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tags.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

enum fuzz_op {
	OP_NORMALISE,
	OP_PARSE_LIST,
	OP_TRIM,
	OP_TITLE,
	OP_UTF8,
	OP_ADD_REMOVE,
	OP_COUNT
};

static int	ref_utf8_valid(const unsigned char *, size_t);
static void	check_tag(const char *);
static void	check_set(const struct tag_set *);
static void	seed_set(struct tag_set *);
static int	set_equal(const struct tag_set *, const struct tag_set *);

/* Strict UTF-8 by the table of Unicode 15 section 3.9, D92. */
static int
ref_utf8_valid(const unsigned char *s, size_t len)
{
	size_t		i, n, k;
	unsigned char	lo, hi;

	for (i = 0; i < len; i += n) {
		lo = 0x80;
		hi = 0xbf;
		if (s[i] < 0x80) {
			n = 1;
			continue;
		} else if (s[i] >= 0xc2 && s[i] <= 0xdf) {
			n = 2;
		} else if (s[i] >= 0xe0 && s[i] <= 0xef) {
			n = 3;
			if (s[i] == 0xe0)
				lo = 0xa0;
			else if (s[i] == 0xed)
				hi = 0x9f;
		} else if (s[i] >= 0xf0 && s[i] <= 0xf4) {
			n = 4;
			if (s[i] == 0xf0)
				lo = 0x90;
			else if (s[i] == 0xf4)
				hi = 0x8f;
		} else
			return (0);
		if (len - i < n)
			return (0);
		if (s[i + 1] < lo || s[i + 1] > hi)
			return (0);
		for (k = 2; k < n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return (0);
	}
	return (1);
}

/* A tag that came out of the module: valid, and normalised already. */
static void
check_tag(const char *tag)
{
	char	again[TAG_MAX_BYTES + 1];
	size_t	len;

	len = strnlen(tag, TAG_MAX_BYTES + 1);
	if (len == 0 || len > TAG_MAX_BYTES)
		abort();
	if (!tag_utf8_valid(tag, len))
		abort();
	if (tag_normalise(tag, len, again) != TAG_OK)
		abort();
	if (strcmp(again, tag) != 0)
		abort();
}

/* Besides what every set promises: each tag valid, and found. */
static void
check_set(const struct tag_set *set)
{
	size_t	i;

	fuzz_tag_set_check(set);
	for (i = 0; i < set->count; i++) {
		check_tag(set->tags[i]);
		if (!tag_set_contains(set, set->tags[i]))
			abort();
	}
}

static void
seed_set(struct tag_set *set)
{
	memset(set, 0, sizeof(*set));
	tag_set_init(set);
	if (tag_set_add(set, "cat", 3) != TAG_OK ||
	    tag_set_add(set, "dog", 3) != TAG_OK)
		abort();
}

/* Same tags; bytes past a tag's NUL are scratch, not part of the set. */
static int
set_equal(const struct tag_set *a, const struct tag_set *b)
{
	size_t	i;

	if (a->count != b->count)
		return (0);
	for (i = 0; i < a->count; i++)
		if (strcmp(a->tags[i], b->tags[i]) != 0)
			return (0);
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tag_set	 set, before;
	char		 out[TAG_MAX_BYTES + 1];
	const char	*in;
	size_t		 len;
	enum tag_status	 st;
	int		 op, valid;

	if ((op = fuzz_mode_byte(&data, &size, OP_COUNT)) == -1)
		return (0);
	/* The tail of libFuzzer's exact-size buffer: overreads are seen. */
	in = (const char *)data;
	len = size;

	switch (op) {
	case OP_NORMALISE:
		memset(out, 'x', sizeof(out));
		st = tag_normalise(in, len, out);
		if (st == TAG_OK)
			check_tag(out);
		else if (st != TAG_INVALID || out[0] != '\0')
			abort();
		break;
	case OP_PARSE_LIST:
		seed_set(&set);
		before = set;
		st = tag_set_parse_list(&set, in, len);
		if (st != TAG_OK && !set_equal(&set, &before))
			abort();
		if (st == TAG_OK && (!tag_set_contains(&set, "cat") ||
		    !tag_set_contains(&set, "dog")))
			abort();
		check_set(&set);
		break;
	case OP_TRIM:
		/* Inside the input, and trimming again changes nothing. */
		{
			const char	*s = in, *s2;
			size_t		 n = len, n2;

			tag_trim(&s, &n);
			if (s < in || s + n > in + len)
				abort();
			s2 = s;
			n2 = n;
			tag_trim(&s2, &n2);
			if (s2 != s || n2 != n)
				abort();
		}
		break;
	case OP_TITLE:
		valid = tag_title_valid(in, len);
		if (valid != 0 && valid != 1)
			abort();
		if (valid && (!ref_utf8_valid((const unsigned char *)in, len) ||
		    memchr(in, '\0', len) != NULL))
			abort();
		break;
	case OP_UTF8:
		if (tag_utf8_valid(in, len) !=
		    ref_utf8_valid((const unsigned char *)in, len))
			abort();
		break;
	case OP_ADD_REMOVE:
		seed_set(&set);
		before = set;
		st = tag_set_add(&set, in, len);
		if (st != TAG_OK && !set_equal(&set, &before))
			abort();
		check_set(&set);
		if (st == TAG_OK) {
			if (tag_normalise(in, len, out) != TAG_OK ||
			    !tag_set_contains(&set, out))
				abort();
			if (tag_set_remove(&set, in, len) != TAG_OK ||
			    tag_set_contains(&set, out))
				abort();
			check_set(&set);
		}
		break;
	}

	return (0);
}

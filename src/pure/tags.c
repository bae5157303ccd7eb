/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Tag and title rules: strict UTF-8 decoding, the whitespace and control
 * character classes the rules are written in, and the sorted tag sets that
 * uploads, edits and the list filter are built from.
 */

#include <stdint.h>
#include <string.h>

#include "encoding.h"
#include "tags.h"

/* Characters a tag may never contain besides whitespace and controls. */
#define TAG_SEPARATOR		','	/* splits tag lists */
#define TAG_WILDCARD		'*'	/* reserved for search wildcards */
#define TAG_EXCLUDE		'-'	/* "-tag" excludes in a query */

/* Code point ranges of the control characters (C0, DEL, C1). */
#define CP_C0_LAST		0x1f
#define CP_DEL			0x7f
#define CP_C1_FIRST		0x80
#define CP_C1_LAST		0x9f

#define CP_ASCII_LAST		0x7f
#define CP_MAX			0x10ffff

static size_t	utf8_decode(const unsigned char *, size_t, uint32_t *);
static int	cp_is_space(uint32_t);
static int	cp_is_control(uint32_t);
static size_t	space_len(const char *, size_t);
static size_t	char_len(const char *, size_t);
static void	trim(const char **, size_t *);
static size_t	set_find(const struct tag_set *, const char *, int *);
static enum tag_status	set_add_normalised(struct tag_set *, const char *);
static enum tag_status	normalise(const char *, size_t, char *, int);

int
tag_utf8_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n;
	uint32_t		 cp;

	while (len > 0) {
		if ((n = utf8_decode(p, len, &cp)) == 0)
			return (0);
		p += n;
		len -= n;
	}

	return (1);
}

enum tag_status
tag_normalise(const char *in, size_t len, char out[TAG_MAX_BYTES + 1])
{
	return (normalise(in, len, out, 0));
}

enum tag_status
tag_piece_normalise(const char *in, size_t len, char out[TAG_MAX_BYTES + 1])
{
	return (normalise(in, len, out, 1));
}

/* Both of the above: a piece may start with the '-' a tag may not. */
static enum tag_status
normalise(const char *in, size_t len, char *out, int piece)
{
	char		 buf[TAG_MAX_BYTES + 1];
	const char	*p;
	size_t		 i, n;
	uint32_t	 cp;

	out[0] = '\0';
	if (in == NULL)
		return (TAG_INVALID);

	trim(&in, &len);
	if (len == 0 || len > TAG_MAX_BYTES)
		return (TAG_INVALID);

	/* Only ASCII is case-folded: non-ASCII bytes are never 'A'-'Z'. */
	for (i = 0; i < len; i++) {
		if (in[i] >= 'A' && in[i] <= 'Z')
			buf[i] = (char)(in[i] - 'A' + 'a');
		else
			buf[i] = in[i];
	}
	buf[len] = '\0';

	if (buf[0] == TAG_EXCLUDE && !piece)
		return (TAG_INVALID);

	for (p = buf, i = len; i > 0; p += n, i -= n) {
		n = utf8_decode((const unsigned char *)p, i, &cp);
		if (n == 0)
			return (TAG_INVALID);
		if (cp_is_control(cp) || cp_is_space(cp) ||
		    cp == TAG_SEPARATOR || cp == TAG_WILDCARD)
			return (TAG_INVALID);
	}

	memcpy(out, buf, len + 1);
	return (TAG_OK);
}

void
tag_set_init(struct tag_set *set)
{
	/* Clear it all: a set is copied whole, never with stale stack bytes. */
	memset(set, 0, sizeof(*set));
}

int
tag_set_contains(const struct tag_set *set, const char *tag)
{
	int	found;

	(void)set_find(set, tag, &found);
	return (found);
}

int
tag_set_append(char *out, size_t outlen, size_t *used,
    const struct tag_set *set, char sep)
{
	size_t	i;

	for (i = 0; i < set->count; i++) {
		if (i > 0 && !enc_append(out, outlen, used, &sep, 1))
			return (0);
		if (!enc_append(out, outlen, used, set->tags[i],
		    strlen(set->tags[i])))
			return (0);
	}

	return (1);
}

enum tag_status
tag_set_add(struct tag_set *set, const char *in, size_t len)
{
	char		tag[TAG_MAX_BYTES + 1];
	enum tag_status	st;

	if ((st = tag_normalise(in, len, tag)) != TAG_OK)
		return (st);

	return (set_add_normalised(set, tag));
}

enum tag_status
tag_set_remove(struct tag_set *set, const char *in, size_t len)
{
	char		tag[TAG_MAX_BYTES + 1];
	enum tag_status	st;
	size_t		pos;
	int		found;

	if ((st = tag_normalise(in, len, tag)) != TAG_OK)
		return (st);

	pos = set_find(set, tag, &found);
	if (!found)
		return (TAG_OK);

	memmove(set->tags[pos], set->tags[pos + 1],
	    (set->count - pos - 1) * sizeof(set->tags[0]));
	set->count--;

	return (TAG_OK);
}

enum tag_status
tag_set_parse_list(struct tag_set *set, const char *in, size_t len)
{
	struct tag_set	work;
	enum tag_status	st;
	size_t		i, start, sep;

	if (in == NULL && len > 0)
		return (TAG_INVALID);

	/* Work on a copy so that a bad list leaves the caller's set alone. */
	work = *set;

	i = 0;
	while (i < len) {
		if (in[i] == TAG_SEPARATOR) {
			i++;
			continue;
		}
		if ((sep = space_len(in + i, len - i)) > 0) {
			i += sep;
			continue;
		}

		start = i;
		while (i < len && in[i] != TAG_SEPARATOR &&
		    space_len(in + i, len - i) == 0)
			i += char_len(in + i, len - i);

		st = tag_set_add(&work, in + start, i - start);
		if (st != TAG_OK)
			return (st);
	}

	*set = work;
	return (TAG_OK);
}

void
tag_trim(const char **s, size_t *len)
{
	if (*s == NULL)
		return;

	trim(s, len);
}

int
tag_title_valid(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 n, chars;
	uint32_t		 cp;

	if (s == NULL)
		return (len == 0);

	for (chars = 0; len > 0; p += n, len -= n) {
		if ((n = utf8_decode(p, len, &cp)) == 0)
			return (0);
		if (cp_is_control(cp))
			return (0);
		if (++chars > TITLE_MAX_CHARS)
			return (0);
	}

	return (1);
}

/*
 * Decode the UTF-8 sequence at s. Returns its length in bytes with the
 * code point in *cp, or 0 when the bytes are not strict UTF-8 (overlong
 * forms, surrogates, beyond U+10FFFF, truncated, stray continuation).
 */
static size_t
utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char	lo, hi;
	size_t		need, i;
	uint32_t	v;

	if (len == 0)
		return (0);

	if (s[0] <= CP_ASCII_LAST) {
		*cp = s[0];
		return (1);
	}

	/*
	 * The allowed range of the second byte is what excludes overlongs
	 * (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
	 */
	lo = 0x80;
	hi = 0xbf;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		need = 1;
		v = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		need = 2;
		v = s[0] & 0x0f;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		need = 3;
		v = s[0] & 0x07;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return (0);
	}

	if (len < need + 1)
		return (0);
	if (s[1] < lo || s[1] > hi)
		return (0);

	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return (0);
		v = (v << 6) | (s[i] & 0x3f);
	}

	if (v > CP_MAX)
		return (0);

	*cp = v;
	return (need + 1);
}

static int
cp_is_space(uint32_t cp)
{
	switch (cp) {
	case ' ':
	case '\t':
	case '\n':
	case '\v':
	case '\f':
	case '\r':
	case 0x0085:	/* NEXT LINE */
	case 0x00a0:	/* NO-BREAK SPACE */
	case 0x1680:	/* OGHAM SPACE MARK */
	case 0x180e:	/* MONGOLIAN VOWEL SEPARATOR (was a space) */
	case 0x200b:	/* ZERO WIDTH SPACE */
	case 0x2028:	/* LINE SEPARATOR */
	case 0x2029:	/* PARAGRAPH SEPARATOR */
	case 0x202f:	/* NARROW NO-BREAK SPACE */
	case 0x205f:	/* MEDIUM MATHEMATICAL SPACE */
	case 0x3000:	/* IDEOGRAPHIC SPACE */
	case 0xfeff:	/* ZERO WIDTH NO-BREAK SPACE, BOM */
		return (1);
	default:
		/* EN QUAD to HAIR SPACE. */
		return (cp >= 0x2000 && cp <= 0x200a);
	}
}

static int
cp_is_control(uint32_t cp)
{
	return (cp <= CP_C0_LAST || cp == CP_DEL ||
	    (cp >= CP_C1_FIRST && cp <= CP_C1_LAST));
}

/* Length of the whitespace character at s, or 0 if there is none. */
static size_t
space_len(const char *s, size_t len)
{
	size_t		n;
	uint32_t	cp;

	n = utf8_decode((const unsigned char *)s, len, &cp);
	if (n == 0 || !cp_is_space(cp))
		return (0);

	return (n);
}

/*
 * Length of the character at s; a byte that starts no valid sequence
 * counts as one character so that scanning always moves forward.
 */
static size_t
char_len(const char *s, size_t len)
{
	size_t		n;
	uint32_t	cp;

	if ((n = utf8_decode((const unsigned char *)s, len, &cp)) == 0)
		return (1);

	return (n);
}

/* Narrow [*s, *s + *len) to exclude whitespace at both ends. */
static void
trim(const char **s, size_t *len)
{
	const char	*p = *s;
	size_t		 n = *len, i, keep, step;

	while (n > 0 && (step = space_len(p, n)) > 0) {
		p += step;
		n -= step;
	}

	/* Scan forward: UTF-8 cannot be decoded reliably from the end. */
	keep = 0;
	for (i = 0; i < n; i += step) {
		if ((step = space_len(p + i, n - i)) == 0) {
			step = char_len(p + i, n - i);
			keep = i + step;
		}
	}

	*s = p;
	*len = keep;
}

/*
 * Binary search for tag. Returns its index with *found set, or the index
 * where it would go. strcmp compares as unsigned char: byte value order.
 */
static size_t
set_find(const struct tag_set *set, const char *tag, int *found)
{
	size_t	lo, hi, mid;
	int	c;

	*found = 0;
	lo = 0;
	hi = set->count;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(tag, set->tags[mid]);
		if (c == 0) {
			*found = 1;
			return (mid);
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}

	return (lo);
}

static enum tag_status
set_add_normalised(struct tag_set *set, const char *tag)
{
	size_t	pos;
	int	found;

	pos = set_find(set, tag, &found);
	if (found)
		return (TAG_OK);
	if (set->count >= TAGS_MAX)
		return (TAG_TOO_MANY);

	memmove(set->tags[pos + 1], set->tags[pos],
	    (set->count - pos) * sizeof(set->tags[0]));
	memcpy(set->tags[pos], tag, strlen(tag) + 1);
	set->count++;

	return (TAG_OK);
}

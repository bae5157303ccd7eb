/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The rules for tags and titles (api.md "Tags"): normalising and validating
 * one tag, sets of tags as stored on a reaction, the upload tag list, and
 * titles (the list endpoint's filter is query.h's). Pure: no Kore.
 *
 * Every function takes (pointer, length) input that may hold any bytes,
 * NUL included.
 *
 * "Whitespace" is ASCII whitespace (space, \t, \n, \v, \f, \r) and the
 * Unicode White_Space characters U+0085, U+00A0, U+1680, U+2000-U+200A,
 * U+2028, U+2029, U+202F, U+205F and U+3000, plus the invisible blanks
 * U+180E, U+200B and U+FEFF. A "control character" is C0 (U+0000-U+001F),
 * DEL (U+007F) or C1 (U+0080-U+009F).
 */

#ifndef REACTBIN_TAGS_H
#define REACTBIN_TAGS_H

#include <stddef.h>

#define TAG_MAX_BYTES		64	/* longest tag after normalising */
#define TAGS_MAX		32	/* distinct tags on one reaction */
#define TITLE_MAX_CHARS		200	/* code points, not bytes */

/* Normalised, unique tags sorted by byte value: the order of the output. */
struct tag_set {
	size_t		count;
	char		tags[TAGS_MAX][TAG_MAX_BYTES + 1];
};

enum tag_status {
	TAG_OK = 0,
	TAG_INVALID,		/* a tag breaks a rule, or a malformed list */
	TAG_TOO_MANY		/* more than TAGS_MAX distinct tags */
};

/* Is s strict UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF)? */
int	tag_utf8_valid(const char *s, size_t len);

/*
 * Normalise one tag: trim whitespace at both ends and lower-case ASCII
 * letters (other bytes are kept as they are), then check every rule.
 * On TAG_OK out holds the NUL-terminated tag; otherwise out is "".
 */
enum tag_status	tag_normalise(const char *in, size_t len,
		    char out[TAG_MAX_BYTES + 1]);

/*
 * The same for a piece of a tag (a search for the tags containing it):
 * every rule of a tag but one, for a piece may start with '-'.
 */
enum tag_status	tag_piece_normalise(const char *in, size_t len,
		    char out[TAG_MAX_BYTES + 1]);

/* Make an empty set. */
void	tag_set_init(struct tag_set *);

/* Is the already-normalised tag in the set? 1 or 0. */
int	tag_set_contains(const struct tag_set *, const char *tag);

/*
 * Append the set's tags, in its order and separated by sep, at
 * out + *used as enc_append() does (encoding.h): 1, or 0 when they do
 * not fit (out then holds what fitted: the caller discards it).
 */
int	tag_set_append(char *out, size_t outlen, size_t *used,
	    const struct tag_set *, char sep);

/*
 * Normalise and add one tag, keeping the set sorted and unique. Adding a
 * tag already present is TAG_OK; a new tag into a full set is TAG_TOO_MANY.
 * On error the set is unchanged.
 */
enum tag_status	tag_set_add(struct tag_set *, const char *in, size_t len);

/*
 * Normalise and remove one tag. Removing an absent tag is TAG_OK (PATCH
 * remove_tags is idempotent); an invalid one is TAG_INVALID.
 */
enum tag_status	tag_set_remove(struct tag_set *, const char *in, size_t len);

/*
 * Add the tags of an upload list ("a, b c"): pieces are separated by commas
 * and whitespace, and empty pieces are skipped, so "" adds nothing. Adds to
 * what the set already holds (call tag_set_init first for a fresh set);
 * on any error the set is left exactly as it was.
 */
enum tag_status	tag_set_parse_list(struct tag_set *, const char *in,
		    size_t len);

/*
 * Narrow [*s, *s + *len) to exclude whitespace (as defined above) at both
 * ends, the way tags are trimmed before they are checked.
 */
void	tag_trim(const char **s, size_t *len);

/*
 * Is s a valid title: strict UTF-8, at most TITLE_MAX_CHARS code points,
 * no control character (an embedded NUL is one)? "" is valid. 1 or 0.
 * Titles are stored as given, not trimmed.
 */
int	tag_title_valid(const char *s, size_t len);

#endif

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What the libFuzzer harnesses share: how an input is cut into the pieces
 * a harness hands over, and the checks more than one harness makes. All
 * static inline, so that a harness pays for and is warned about only
 * what it uses. Include it after the module headers: the helpers that
 * take a module's types (cursor.h, tags.h) are there only when that
 * header is, so no harness needs a module it does not link (Makefile).
 */

#ifndef REACTBIN_FUZZ_UTIL_H
#define REACTBIN_FUZZ_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * For harnesses of readers that take their input in pieces: the sizes of
 * the pieces, drawn from a seed the input gives (xorshift32), so that a
 * crash replays. The seed also picks the largest size, from 1 (byte by
 * byte) up to FUZZ_PIECE_MAX, and now and then a piece is empty.
 */
#define FUZZ_PIECE_MAX		4096
#define FUZZ_PIECE_EMPTY_ONE_IN	16

struct fuzz_pieces {
	uint32_t	state;
	size_t		max;
};

static inline char	*fuzz_strdup(const uint8_t *, size_t);
static inline char	*fuzz_line(const uint8_t **, size_t *, int);
static inline int	 fuzz_mode_byte(const uint8_t **, size_t *, int);
static inline uint64_t	 fuzz_be(const uint8_t *, size_t);
static inline void	 fuzz_pieces_init(struct fuzz_pieces *, uint32_t);
static inline size_t	 fuzz_piece(struct fuzz_pieces *, size_t);

/*
 * For C-string APIs: p[0..len) as an exact-size heap string with its
 * NUL, so that ASan sees a read one byte past the end. libFuzzer's own
 * buffer has no NUL to stop at.
 */
static inline char *
fuzz_strdup(const uint8_t *p, size_t len)
{
	char	*s;

	if ((s = malloc(len + 1)) == NULL)
		abort();
	memcpy(s, p, len);
	s[len] = '\0';
	return (s);
}

/*
 * For inputs of several strings: the bytes before the first newline (or
 * NUL too, when nul is set) as a fuzz_strdup() string, and *p and *len
 * moved past them and the separator. With no separator left the line is
 * the rest and *p becomes NULL, so that a caller can tell "a" (one line)
 * from "a\n" (then an empty one); after that every line is "".
 */
static inline char *
fuzz_line(const uint8_t **p, size_t *len, int nul)
{
	const uint8_t	*s;
	size_t		 n;

	if ((s = *p) == NULL)
		return (fuzz_strdup((const uint8_t *)"", 0));
	for (n = 0; n < *len; n++)
		if (s[n] == '\n' || (nul && s[n] == '\0'))
			break;
	if (n == *len) {
		*p = NULL;
		*len = 0;
	} else {
		*p = s + n + 1;
		*len -= n + 1;
	}
	return (fuzz_strdup(s, n));
}

/*
 * For harnesses of several functions: the first byte picks one of count
 * modes, -1 for an empty input. *p and *len move past it, so the mode's
 * input is still the exact tail of libFuzzer's buffer and ASan sees any
 * read past its end.
 */
static inline int
fuzz_mode_byte(const uint8_t **p, size_t *len, int count)
{
	int	mode;

	if (*len == 0)
		return (-1);
	mode = (*p)[0] % count;
	(*p)++;
	(*len)--;
	return (mode);
}

/*
 * For numbers taken from the input: n (at most 8) bytes, big-endian, so
 * that a corpus file means the same on every machine and the first byte,
 * which some harnesses also read as a flag, holds the top bits.
 */
static inline uint64_t
fuzz_be(const uint8_t *p, size_t n)
{
	uint64_t	v;
	size_t		i;

	v = 0;
	for (i = 0; i < n; i++)
		v = v << 8 | p[i];
	return (v);
}

static inline void
fuzz_pieces_init(struct fuzz_pieces *fp, uint32_t seed)
{
	/* xorshift never leaves 0, and 0 would never move. */
	fp->state = seed != 0 ? seed : 0x9e3779b9U;
	fp->max = (size_t)1 << (seed % 13);
	if (fp->max > FUZZ_PIECE_MAX)
		fp->max = FUZZ_PIECE_MAX;
}

/* The next piece's size, at most left. */
static inline size_t
fuzz_piece(struct fuzz_pieces *fp, size_t left)
{
	size_t	n;

	fp->state ^= fp->state << 13;
	fp->state ^= fp->state >> 17;
	fp->state ^= fp->state << 5;

	if (fp->state % FUZZ_PIECE_EMPTY_ONE_IN == 0)
		return (0);
	n = 1 + (fp->state >> 4) % fp->max;
	return (n < left ? n : left);
}

#ifdef REACTBIN_CURSOR_H
static inline const uint8_t	*fuzz_cursor_key(const char *);

/*
 * Random text never carries a valid MAC: a harness makes real cursors
 * with this key to get past the check. Derived on the first call only,
 * as the service does once at startup, so the secret of that call is
 * the one kept: a harness has one.
 */
static inline const uint8_t *
fuzz_cursor_key(const char *secret)
{
	static uint8_t	key[CURSOR_KEY_BYTES];
	static int	done;

	if (!done) {
		if (cursor_key_derive(secret, strlen(secret), key) != 0)
			abort();
		done = 1;
	}
	return (key);
}
#endif /* REACTBIN_CURSOR_H */

#ifdef REACTBIN_TAGS_H
static inline void	fuzz_tag_set_check(const struct tag_set *);

/*
 * What tags.h promises of every set a module hands back: at most
 * TAGS_MAX tags of 1 to TAG_MAX_BYTES bytes, in strictly ascending order
 * (sorted and unique). A harness checks the tags themselves further as
 * its module's rules say.
 */
static inline void
fuzz_tag_set_check(const struct tag_set *set)
{
	size_t	i, n;

	if (set->count > TAGS_MAX)
		abort();
	for (i = 0; i < set->count; i++) {
		n = strnlen(set->tags[i], TAG_MAX_BYTES + 1);
		if (n == 0 || n > TAG_MAX_BYTES)
			abort();
		if (i > 0 && strcmp(set->tags[i - 1], set->tags[i]) >= 0)
			abort();
	}
}
#endif /* REACTBIN_TAGS_H */

#endif /* REACTBIN_FUZZ_UTIL_H */

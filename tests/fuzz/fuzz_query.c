/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the tag query language (query.h). The input is
 * a decoded "tags" value, handed over as libFuzzer's own buffer (a
 * (pointer, length) API). Checked besides memory errors: a refusal has a
 * reason and a position inside the input; an accepted query has sets as
 * tags.h promises them, groups and patterns within their limits, each
 * pattern valid (lower-case, no "**", a character besides "*", a valid
 * tag with its stars read as letters) and turned into LIKE text that
 * fits; a group has two alternatives or a pattern; its canonical text
 * fits and is the same each time; and the SQL parameters build, one per
 * group, without empty entries, and say "none" exactly when a group has
 * nothing.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "query.h"
#include "tags.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* What each pattern "matched", for the parameters. */
#define FUZZ_MATCH	"m1\nm2"

static void	check_pattern(const struct query_pattern *);
static void	check_params(const struct tag_query *);
static size_t	chars(const uint8_t *, size_t);

static void
check_pattern(const struct query_pattern *p)
{
	char	probe[TAG_MAX_BYTES + 1], tag[TAG_MAX_BYTES + 1];
	char	like[QUERY_LIKE_MAX + 1];
	size_t	i, n;
	int	literal;

	n = strnlen(p->text, sizeof(p->text));
	if (n == 0 || n > QUERY_PATTERN_MAX || strchr(p->text, '*') == NULL)
		abort();
	literal = 0;
	for (i = 0; i < n; i++) {
		if (p->text[i] >= 'A' && p->text[i] <= 'Z')
			abort();
		if (p->text[i] == '*' && i > 0 && p->text[i - 1] == '*')
			abort();
		if (p->text[i] != '*')
			literal = 1;
		probe[i] = p->text[i] == '*' ? 'x' : p->text[i];
	}
	if (!literal)
		abort();
	if (tag_normalise(probe, n, tag) != TAG_OK || strlen(tag) != n)
		abort();
	if (query_pattern_like(p->text, like, sizeof(like)) != 0)
		abort();
}

static void
check_params(const struct tag_query *q)
{
	struct query_params	 p;
	const char		*matches[QUERY_PATTERNS_MAX];
	size_t			 i;
	int			 none;

	for (i = 0; i < QUERY_PATTERNS_MAX; i++)
		matches[i] = (i % 2 == 0) ? FUZZ_MATCH : NULL;
	if (query_params_build(q, matches, &p) != 0)
		abort();

	if ((p.include != NULL) != (q->include.count > 0))
		abort();
	none = 0;
	for (i = 0; i < QUERY_ANY_MAX; i++) {
		if ((p.any[i] != NULL) != (i < q->nany))
			abort();
		if (p.any[i] != NULL && p.any[i][0] == '\0')
			none = 1;
		if (p.any[i] != NULL && strstr(p.any[i], "\n\n") != NULL)
			abort();
	}
	if (none != p.none)
		abort();
	if (p.exclude != NULL && (p.exclude[0] == '\0' ||
	    strstr(p.exclude, "\n\n") != NULL))
		abort();
	query_params_free(&p);
}

/* Characters as query.c counts them: bytes that start one. */
static size_t
chars(const uint8_t *p, size_t len)
{
	size_t	i, n;

	for (i = n = 0; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			n++;
	return (n);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tag_query	 q;
	struct query_error	 err;
	char			*canon, *again;
	size_t			 i, clen;

	if (query_parse((const char *)data, size, &q, &err) != QUERY_OK) {
		if (err.reason == NULL || err.reason[0] == '\0')
			abort();
		if (err.position < 1 || err.position > chars(data, size) + 1)
			abort();
		return (0);
	}

	fuzz_tag_set_check(&q.include);
	fuzz_tag_set_check(&q.exclude);
	if (q.nany > QUERY_ANY_MAX || q.npatterns > QUERY_PATTERNS_MAX)
		abort();
	for (i = 0; i < q.nany; i++)
		fuzz_tag_set_check(&q.any[i]);
	for (i = 0; i < q.npatterns; i++) {
		check_pattern(&q.patterns[i]);
		if (q.patterns[i].group != QUERY_GROUP_EXCLUDE &&
		    (q.patterns[i].group < 0 ||
		    (size_t)q.patterns[i].group >= q.nany))
			abort();
	}
	/* A group has two alternatives, or a pattern. */
	for (i = 0; i < q.nany; i++) {
		size_t	k, n = q.any[i].count;

		for (k = 0; k < q.npatterns; k++)
			if (q.patterns[k].group == (int)i)
				n += 2;
		if (n < 2)
			abort();
	}

	if ((canon = malloc(QUERY_CANONICAL_MAX)) == NULL ||
	    (again = malloc(QUERY_CANONICAL_MAX)) == NULL)
		abort();
	if ((clen = query_canonical(&q, canon, QUERY_CANONICAL_MAX)) == 0 ||
	    clen != strlen(canon))
		abort();
	/* Deterministic: the same query gives the same text. */
	if (query_canonical(&q, again, QUERY_CANONICAL_MAX) != clen ||
	    memcmp(canon, again, clen) != 0)
		abort();
	free(canon);
	free(again);

	check_params(&q);
	return (0);
}

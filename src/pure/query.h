/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The tag query language of the list and random endpoints' "tags"
 * parameter (api.md "Additions", issue 12), and what the SQL binds for
 * it. Pure: no Kore.
 *
 *	query	= term *( "," term )		every term must hold
 *	term	= [ "-" ] alt *( "|" alt )	"-": none of them; else any
 *	alt	= a tag, or a pattern: a tag with "*" for any run of
 *		  characters ("yuru*", "*cat*")
 *
 * "cat|dog,-sad" is a reaction tagged cat or dog and not sad. Whitespace
 * around terms and alternatives is ignored, tags and patterns are
 * normalised like tags (ASCII lower-cased), and "a,-b" means what it
 * always meant. A "\" before "|" or "\" takes that character literally,
 * for a tag stored with "|" before the language reserved it; before any
 * other character a "\" is itself. Errors say where, in characters from
 * the start of the value.
 *
 * A pattern is valid when it would be a valid tag with each "*" read as
 * a letter, and has a character besides "*". Patterns are matched
 * against the tags in use (tag_counts), and what they match is bound as
 * plain tags: a wildcard never scans the reactions.
 */

#ifndef REACTBIN_QUERY_H
#define REACTBIN_QUERY_H

#include <stddef.h>

#include "tags.h"

/* Terms with "|" or "*" that must hold: each is one SQL parameter. */
#define QUERY_ANY_MAX		8
/* Patterns in a query, in all terms: each is one lookup. */
#define QUERY_PATTERNS_MAX	8
/* Alternatives of one term, like the tags of one reaction. */
#define QUERY_ALTS_MAX		TAGS_MAX
/* A pattern is no longer than a tag. */
#define QUERY_PATTERN_MAX	TAG_MAX_BYTES
/* ... and as LIKE text doubles at worst ('%', '_', '\' escaped). */
#define QUERY_LIKE_MAX		(2 * QUERY_PATTERN_MAX)

/* The group of a pattern that excludes. */
#define QUERY_GROUP_EXCLUDE	(-1)

struct query_pattern {
	char	text[QUERY_PATTERN_MAX + 1];	/* lower-cased; "**" as "*" */
	int	group;		/* index in any[], or QUERY_GROUP_EXCLUDE */
};

/*
 * A parsed query. A term of one tag goes to include or exclude; a
 * term with alternatives or a pattern that must hold is an "any" group
 * (its tags in any[i], its patterns with group i); the alternatives and
 * patterns of an excluding term all exclude.
 */
struct tag_query {
	struct tag_set		include;	/* each must be present */
	struct tag_set		exclude;	/* none may be present */
	size_t			nany;
	struct tag_set		any[QUERY_ANY_MAX];
	size_t			npatterns;
	struct query_pattern	patterns[QUERY_PATTERNS_MAX];
};

enum query_status {
	QUERY_OK = 0,
	QUERY_INVALID
};

struct query_error {
	size_t		 position;	/* 1-based, in characters */
	const char	*reason;	/* a sentence without a full stop */
};

/*
 * Parse the decoded value in[0..len) (any bytes). An empty or blank
 * value is a query without terms. On QUERY_INVALID *err says where and
 * why, and q is unspecified.
 */
enum query_status	query_parse(const char *in, size_t len,
			    struct tag_query *q, struct query_error *err);

/* Has the query anything to match, or patterns to look up? 1 or 0. */
int	query_is_empty(const struct tag_query *);

/*
 * A pattern as LIKE text (ESCAPE '\'): "*" becomes "%", and LIKE's "%",
 * "_" and "\" are escaped. Returns 0, or -1 when outlen is too small
 * (QUERY_LIKE_MAX + 1 always suffices).
 */
int	query_pattern_like(const char *pattern, char *out, size_t outlen);

/*
 * The canonical text of the tag part of a filter, for the cursor:
 * "i=<include>\ne=<exclude>" with the tags ','-joined (as filters
 * without "|" or "*" always had it), then "\na=<groups>\nx=<patterns>"
 * when there are groups or patterns. Equal queries as written give
 * equal text and different ones different text. Returns the length, or
 * 0 when outlen is too small (QUERY_CANONICAL_MAX always suffices).
 */
#define QUERY_CANONICAL_MAX						\
	(4 * TAGS_MAX * (TAG_MAX_BYTES + 1) +				\
	2 * QUERY_ANY_MAX * QUERY_ALTS_MAX * (TAG_MAX_BYTES + 1) +	\
	2 * QUERY_PATTERNS_MAX * (QUERY_PATTERN_MAX + 1) + 64)
size_t	query_canonical(const struct tag_query *, char *out, size_t outlen);

/*
 * What the SQL binds, once the patterns have been looked up: '\n'-joined
 * tags (a tag never holds whitespace), NULL where there is nothing.
 * any[i] holds group i's tags and what its patterns matched; "" for a
 * group that nothing can satisfy, and then "none" is set: the query
 * matches no reaction and need not be asked. exclude holds the excluded
 * tags and what the excluding patterns matched.
 */
struct query_params {
	char	*include;
	char	*exclude;
	char	*any[QUERY_ANY_MAX];
	int	 none;
};

/*
 * Build the parameters. matches[i] is what pattern i matched,
 * '\n'-joined, NULL or "" for nothing. Returns 0, or -1 when out of
 * memory (p is then empty). Free with query_params_free().
 */
int	query_params_build(const struct tag_query *,
	    const char *const matches[QUERY_PATTERNS_MAX],
	    struct query_params *p);
void	query_params_free(struct query_params *);

#endif

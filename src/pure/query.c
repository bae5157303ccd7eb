/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The tag query language (query.h): terms, alternatives and patterns
 * into a struct tag_query, its canonical text, and the parameters the
 * list and random SQL bind once the patterns have been looked up.
 */

#include <stdlib.h>
#include <string.h>

#include "encoding.h"
#include "query.h"
#include "tags.h"

#define TERM_SEPARATOR	','
#define ALT_SEPARATOR	'|'
#define TERM_EXCLUDE	'-'
#define WILDCARD	'*'
#define ESCAPE		'\\'

/* LIKE's own characters, and what a wildcard becomes. */
#define LIKE_ANY	'%'
#define LIKE_ONE	'_'
#define LIKE_ESCAPE	'\\'

/* A pattern is checked as the tag it would be with this for each '*'. */
#define PROBE_LETTER	'x'

#define JOIN_SEP	'\n'

/* UTF-8 continuation bytes are 10xxxxxx: they start no character. */
#define UTF8_CONT_MASK	0xc0
#define UTF8_CONT	0x80

/* An input bigger than any query string the listing takes is refused. */
#define QUERY_INPUT_MAX	65536

static const char R_EMPTY_TERM[] =
    "an empty term: two commas in a row, or one at either end";
static const char R_BARE_EXCLUDE[] = "a '-' needs a tag or pattern after it";
static const char R_EMPTY_ALT[] = "an empty alternative: a '|' needs a tag "
    "or pattern on each side";
static const char R_INNER_EXCLUDE[] = "'-' excludes only at the start of a "
    "term, and once";
static const char R_BAD_TAG[] = "not a valid tag: 1-64 bytes of UTF-8 "
    "without whitespace, control characters, ',' or '*'";
static const char R_BAD_PATTERN[] = "not a valid pattern: at most 64 bytes, "
    "a tag with '*' for any run of characters";
static const char R_ONLY_WILDCARDS[] = "a pattern needs a character "
    "besides '*'";
static const char R_TOO_MANY_INCLUDE[] = "more than 32 tags to include";
static const char R_TOO_MANY_EXCLUDE[] = "more than 32 tags to exclude";
static const char R_TOO_MANY_ALTS[] = "more than 32 alternatives in one term";
static const char R_TOO_MANY_ANY[] = "more than 8 terms with '|' or '*' "
    "that must match";
static const char R_TOO_MANY_PATTERNS[] = "more than 8 patterns";
static const char R_TOO_LONG[] = "the query is too long";

/* One alternative, unescaped: a tag, or a pattern when wild. */
struct alt {
	char	text[QUERY_PATTERN_MAX + 1];
	size_t	len;
	int	wild;
};

static enum query_status	parse_term(const char *, size_t, size_t,
				    struct tag_query *, struct query_error *);
static enum query_status	parse_alt(const char *, size_t, size_t,
				    struct alt *, struct query_error *);
static enum query_status	add_alt(struct tag_query *, int,
				    struct tag_set *, const struct alt *,
				    size_t, struct query_error *);
static enum query_status	fail(struct query_error *, const char *,
				    size_t);
static void	trim_span(const char *, size_t *, size_t *);
static int	pattern_normalise(struct alt *);
static size_t	char_position(const char *, size_t);
static int	append_escaped(char *, size_t, size_t *, const char *);
static char	*join(const struct tag_set *, const char *const *, size_t,
		    const struct tag_query *, int, int);

enum query_status
query_parse(const char *in, size_t len, struct tag_query *q,
    struct query_error *err)
{
	enum query_status	 st;
	const char		*comma;
	size_t			 start, end, plen;

	memset(q, 0, sizeof(*q));
	tag_set_init(&q->include);
	tag_set_init(&q->exclude);
	err->position = 0;
	err->reason = NULL;

	if (in == NULL)
		return (len == 0 ? QUERY_OK : fail(err, R_TOO_LONG, 0));
	if (len > QUERY_INPUT_MAX)
		return (fail(err, R_TOO_LONG, 0));

	/* A blank value is no filter, as an empty one is. */
	start = 0;
	end = len;
	trim_span(in, &start, &end);
	if (start == end)
		return (QUERY_OK);

	for (start = 0;; start += plen + 1) {
		comma = memchr(in + start, TERM_SEPARATOR, len - start);
		plen = (comma == NULL) ? len - start :
		    (size_t)(comma - (in + start));

		if ((st = parse_term(in, start, start + plen, q, err)) !=
		    QUERY_OK)
			return (st);

		if (comma == NULL)
			break;
	}

	return (QUERY_OK);
}

int
query_is_empty(const struct tag_query *q)
{
	return (q->include.count == 0 && q->exclude.count == 0 &&
	    q->nany == 0 && q->npatterns == 0);
}

int
query_pattern_like(const char *pattern, char *out, size_t outlen)
{
	size_t	n;

	for (n = 0; *pattern != '\0'; pattern++) {
		/* Room for an escaped character and the NUL. */
		if (n + 3 > outlen) {
			if (outlen > 0)
				out[0] = '\0';
			return (-1);
		}
		if (*pattern == WILDCARD) {
			out[n++] = LIKE_ANY;
			continue;
		}
		if (*pattern == LIKE_ANY || *pattern == LIKE_ONE ||
		    *pattern == LIKE_ESCAPE)
			out[n++] = LIKE_ESCAPE;
		out[n++] = *pattern;
	}

	if (n + 1 > outlen)
		return (-1);
	out[n] = '\0';
	return (0);
}

size_t
query_canonical(const struct tag_query *q, char *out, size_t outlen)
{
	size_t	len, i, k;
	int	ok, first;

	len = 0;
	ok = enc_append(out, outlen, &len, "i=", strlen("i="));
	ok = ok && tag_set_append(out, outlen, &len, &q->include, ',');
	ok = ok && enc_append(out, outlen, &len, "\ne=", strlen("\ne="));
	ok = ok && tag_set_append(out, outlen, &len, &q->exclude, ',');

	/* Filters without groups or patterns keep the text they had. */
	if (ok && (q->nany > 0 || q->npatterns > 0)) {
		ok = enc_append(out, outlen, &len, "\na=", strlen("\na="));
		for (i = 0; ok && i < q->nany; i++) {
			if (i > 0)
				ok = enc_append(out, outlen, &len, ",", 1);
			first = 1;
			for (k = 0; ok && k < q->any[i].count; k++) {
				if (!first)
					ok = enc_append(out, outlen, &len,
					    "|", 1);
				ok = ok && append_escaped(out, outlen, &len,
				    q->any[i].tags[k]);
				first = 0;
			}
			for (k = 0; ok && k < q->npatterns; k++) {
				if (q->patterns[k].group != (int)i)
					continue;
				if (!first)
					ok = enc_append(out, outlen, &len,
					    "|", 1);
				ok = ok && append_escaped(out, outlen, &len,
				    q->patterns[k].text);
				first = 0;
			}
		}
		ok = ok && enc_append(out, outlen, &len, "\nx=",
		    strlen("\nx="));
		first = 1;
		for (k = 0; ok && k < q->npatterns; k++) {
			if (q->patterns[k].group != QUERY_GROUP_EXCLUDE)
				continue;
			if (!first)
				ok = enc_append(out, outlen, &len, ",", 1);
			ok = ok && append_escaped(out, outlen, &len,
			    q->patterns[k].text);
			first = 0;
		}
	}

	if (!ok) {
		if (outlen > 0)
			out[0] = '\0';
		return (0);
	}

	return (len);
}

int
query_params_build(const struct tag_query *q,
    const char *const matches[QUERY_PATTERNS_MAX], struct query_params *p)
{
	size_t	i;

	memset(p, 0, sizeof(*p));

	if (q->include.count > 0 &&
	    (p->include = join(&q->include, NULL, 0, q, 0, 0)) == NULL)
		goto fail;

	p->exclude = join(&q->exclude, matches, q->npatterns, q,
	    QUERY_GROUP_EXCLUDE, 1);
	if (p->exclude == NULL)
		goto fail;
	if (p->exclude[0] == '\0') {
		free(p->exclude);
		p->exclude = NULL;
	}

	for (i = 0; i < q->nany; i++) {
		p->any[i] = join(&q->any[i], matches, q->npatterns, q,
		    (int)i, 1);
		if (p->any[i] == NULL)
			goto fail;
		if (p->any[i][0] == '\0')
			p->none = 1;
	}

	return (0);

fail:
	query_params_free(p);
	return (-1);
}

void
query_params_free(struct query_params *p)
{
	size_t	i;

	free(p->include);
	free(p->exclude);
	for (i = 0; i < QUERY_ANY_MAX; i++)
		free(p->any[i]);
	memset(p, 0, sizeof(*p));
}

/*
 * One term, in[start..end): its alternatives go to include or exclude
 * when it is one tag, else to a group or (excluding) to exclude and the
 * excluding patterns.
 */
static enum query_status
parse_term(const char *in, size_t start, size_t end, struct tag_query *q,
    struct query_error *err)
{
	struct tag_set	 alts;
	struct alt	 alt;
	enum query_status st;
	size_t		 i, astart, term, patterns_before, k;
	int		 negate, group, escaped, wild;

	trim_span(in, &start, &end);
	if (start == end)
		return (fail(err, R_EMPTY_TERM, char_position(in, start)));
	term = start;

	negate = 0;
	if (in[start] == TERM_EXCLUDE) {
		negate = 1;
		start++;
		trim_span(in, &start, &end);
		if (start == end)
			return (fail(err, R_BARE_EXCLUDE,
			    char_position(in, term)));
	}

	/*
	 * Alternatives go to a scratch set first: whether the term is a
	 * plain tag or a group is known only at its end.
	 */
	tag_set_init(&alts);
	group = negate ? QUERY_GROUP_EXCLUDE : (int)q->nany;
	patterns_before = q->npatterns;
	wild = 0;

	escaped = 0;
	for (astart = i = start; i <= end; i++) {
		if (i < end && escaped) {
			escaped = 0;
			continue;
		}
		if (i < end && in[i] == ESCAPE) {
			escaped = 1;
			continue;
		}
		if (i < end && in[i] != ALT_SEPARATOR)
			continue;

		st = parse_alt(in, astart, i, &alt, err);
		if (st != QUERY_OK)
			return (st);
		st = add_alt(q, group, &alts, &alt, char_position(in, astart),
		    err);
		if (st != QUERY_OK)
			return (st);
		wild |= alt.wild;
		astart = i + 1;
	}

	if (negate) {
		for (k = 0; k < alts.count; k++) {
			if (tag_set_add(&q->exclude, alts.tags[k],
			    strlen(alts.tags[k])) != TAG_OK)
				return (fail(err, R_TOO_MANY_EXCLUDE,
				    char_position(in, term)));
		}
		return (QUERY_OK);
	}

	/* One tag and nothing else: a plain term, as before the language. */
	if (!wild && alts.count == 1) {
		if (tag_set_add(&q->include, alts.tags[0],
		    strlen(alts.tags[0])) != TAG_OK)
			return (fail(err, R_TOO_MANY_INCLUDE,
			    char_position(in, term)));
		return (QUERY_OK);
	}

	if (q->nany >= QUERY_ANY_MAX) {
		q->npatterns = patterns_before;
		return (fail(err, R_TOO_MANY_ANY, char_position(in, term)));
	}
	q->any[q->nany++] = alts;
	return (QUERY_OK);
}

/* One alternative, in[start..end), unescaped into *alt. */
static enum query_status
parse_alt(const char *in, size_t start, size_t end, struct alt *alt,
    struct query_error *err)
{
	size_t	i, pos;
	char	c;

	trim_span(in, &start, &end);
	pos = char_position(in, start);
	if (start == end)
		return (fail(err, R_EMPTY_ALT, pos));
	if (in[start] == TERM_EXCLUDE)
		return (fail(err, R_INNER_EXCLUDE, pos));

	memset(alt, 0, sizeof(*alt));
	for (i = start; i < end; i++) {
		c = in[i];
		if (c == ESCAPE && i + 1 < end &&
		    (in[i + 1] == ALT_SEPARATOR || in[i + 1] == ESCAPE))
			c = in[++i];
		else if (c == WILDCARD)
			alt->wild = 1;

		if (alt->len >= QUERY_PATTERN_MAX)
			return (fail(err, alt->wild ? R_BAD_PATTERN :
			    R_BAD_TAG, pos));
		alt->text[alt->len++] = c;
	}
	alt->text[alt->len] = '\0';

	if (!alt->wild)
		return (QUERY_OK);

	switch (pattern_normalise(alt)) {
	case 0:
		return (QUERY_OK);
	case 1:
		return (fail(err, R_ONLY_WILDCARDS, pos));
	default:
		return (fail(err, R_BAD_PATTERN, pos));
	}
}

/*
 * Keep one alternative: a tag in the term's scratch set, a pattern in
 * the query's patterns with the term's group.
 */
static enum query_status
add_alt(struct tag_query *q, int group, struct tag_set *alts,
    const struct alt *alt, size_t pos, struct query_error *err)
{
	struct query_pattern	*p;
	size_t			 k;

	if (alt->wild) {
		/* The same pattern twice in a term is there once. */
		for (k = 0; k < q->npatterns; k++) {
			if (q->patterns[k].group == group &&
			    !strcmp(q->patterns[k].text, alt->text))
				return (QUERY_OK);
		}
		if (q->npatterns >= QUERY_PATTERNS_MAX)
			return (fail(err, R_TOO_MANY_PATTERNS, pos));
		p = &q->patterns[q->npatterns++];
		memcpy(p->text, alt->text, alt->len + 1);
		p->group = group;
		return (QUERY_OK);
	}

	switch (tag_set_add(alts, alt->text, alt->len)) {
	case TAG_OK:
		return (QUERY_OK);
	case TAG_TOO_MANY:
		return (fail(err, R_TOO_MANY_ALTS, pos));
	default:
		return (fail(err, R_BAD_TAG, pos));
	}
}

/*
 * Lower-case a pattern, fold runs of '*', and check it. Returns 0 when
 * it is valid, 1 when it is wildcards only, -1 when it is no pattern.
 */
static int
pattern_normalise(struct alt *alt)
{
	char	probe[TAG_MAX_BYTES + 1], tag[TAG_MAX_BYTES + 1];
	size_t	i, n;
	int	literal;

	literal = 0;
	for (i = n = 0; i < alt->len; i++) {
		if (alt->text[i] == WILDCARD && n > 0 &&
		    alt->text[n - 1] == WILDCARD)
			continue;
		if (alt->text[i] >= 'A' && alt->text[i] <= 'Z')
			alt->text[n] = (char)(alt->text[i] - 'A' + 'a');
		else
			alt->text[n] = alt->text[i];
		if (alt->text[n] != WILDCARD)
			literal = 1;
		n++;
	}
	alt->text[n] = '\0';
	alt->len = n;

	if (!literal)
		return (1);

	/* The tag it would be with a letter for each '*': all the rules. */
	for (i = 0; i < n; i++)
		probe[i] = alt->text[i] == WILDCARD ? PROBE_LETTER :
		    alt->text[i];
	if (tag_normalise(probe, n, tag) != TAG_OK || strlen(tag) != n)
		return (-1);

	return (0);
}

static enum query_status
fail(struct query_error *err, const char *reason, size_t position)
{
	err->reason = reason;
	err->position = position == 0 ? 1 : position;
	return (QUERY_INVALID);
}

/* Narrow [*start, *end) past whitespace at both ends, as tags are. */
static void
trim_span(const char *in, size_t *start, size_t *end)
{
	const char	*s;
	size_t		 len;

	s = in + *start;
	len = *end - *start;
	tag_trim(&s, &len);
	*start = (size_t)(s - in);
	*end = *start + len;
}

/* The 1-based character at byte offset off: bytes that start one. */
static size_t
char_position(const char *in, size_t off)
{
	size_t	i, n;

	for (i = n = 0; i < off; i++) {
		if (((unsigned char)in[i] & UTF8_CONT_MASK) != UTF8_CONT)
			n++;
	}

	return (n + 1);
}

/* A tag or pattern with its '|' and '\' escaped, as the query has them. */
static int
append_escaped(char *out, size_t outlen, size_t *used, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((*s == ALT_SEPARATOR || *s == ESCAPE) &&
		    !enc_append(out, outlen, used, "\\", 1))
			return (0);
		if (!enc_append(out, outlen, used, s, 1))
			return (0);
	}

	return (1);
}

/*
 * The set's tags and, when with_matches, what the patterns of group
 * matched, '\n'-joined into a fresh string ("" for none), or NULL when
 * out of memory. A tag that comes twice is harmless in SQL's &&.
 */
static char *
join(const struct tag_set *set, const char *const *matches, size_t count,
    const struct tag_query *q, int group, int with_matches)
{
	char	*out;
	size_t	 len, used, i;

	len = 1;
	for (i = 0; i < set->count; i++)
		len += strlen(set->tags[i]) + 1;
	for (i = 0; with_matches && i < count; i++) {
		if (q->patterns[i].group == group && matches[i] != NULL)
			len += strlen(matches[i]) + 1;
	}

	if ((out = malloc(len)) == NULL)
		return (NULL);
	out[0] = '\0';
	used = 0;

	/* Sized above: these appends always fit. */
	if (!tag_set_append(out, len, &used, set, JOIN_SEP)) {
		free(out);
		return (NULL);
	}
	for (i = 0; with_matches && i < count; i++) {
		if (q->patterns[i].group != group || matches[i] == NULL ||
		    matches[i][0] == '\0')
			continue;
		if ((used > 0 && !enc_append(out, len, &used, "\n", 1)) ||
		    !enc_append(out, len, &used, matches[i],
		    strlen(matches[i]))) {
			free(out);
			return (NULL);
		}
	}

	return (out);
}

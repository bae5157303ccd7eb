/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The query parameters of the reaction list, random and tag endpoints
 * (api.md "List and search", "Random", "Tags"): read from the raw query
 * string, checked, and turned into what the SQL binds. Pure: no Kore.
 *
 * The raw query string is parsed here rather than through Kore's argument
 * list because Kore silently drops what it cannot take (an empty value, a
 * control character, everything after a second '=') and the API must
 * answer a bad value with an error that names it, not ignore it.
 *
 * Rules beyond api.md, decided here:
 *  - An empty value of a filter (tags, q, media_type, sha256, prefix)
 *    means no filter, and an empty cursor means the first page; limit and
 *    sort must be valid whenever they are present.
 *  - A parameter given twice is a 400: which one was meant is a guess.
 *  - Unknown parameters are ignored.
 *  - media_type is matched after lower-casing (media types are
 *    case-insensitive); sha256 may be given in upper case.
 *  - count (list only) is true or false; it is no filter, so a cursor
 *    does not depend on it.
 */

#ifndef REACTBIN_LISTING_H
#define REACTBIN_LISTING_H

#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "query.h"
#include "tags.h"

#define LISTING_LIMIT_DEFAULT	30
#define LISTING_LIMIT_MIN	1
#define LISTING_LIMIT_MAX	100

/* A decoded parameter value longer than this is refused unread. */
#define LISTING_PARAM_MAX	4096

#define LISTING_SHA256_LEN	64
#define LISTING_MEDIA_TYPE_MAX	16	/* "video/webm" and room */

/* q is a title fragment: at most TITLE_MAX_CHARS of up to 4 bytes. */
#define LISTING_Q_MAX_BYTES	(TITLE_MAX_CHARS * 4)
/* ... and its LIKE-escaped form doubles at worst. */
#define LISTING_Q_LIKE_MAX	(LISTING_Q_MAX_BYTES * 2)

/* Tags joined by '\n' for string_to_array() in SQL. */
#define LISTING_TAGS_JOINED_MAX	(TAGS_MAX * (TAG_MAX_BYTES + 1))

enum listing_status {
	LISTING_OK = 0,
	LISTING_BAD_REQUEST,	/* 400: limit, sort, cursor, the syntax */
	LISTING_INVALID		/* 422: a filter's value */
};

/* Room for a message that says where in the value the fault is. */
#define LISTING_MESSAGE_MAX	256

/*
 * What went wrong: the parameter at fault and a message for the caller
 * (message may point into text).
 */
struct listing_error {
	const char	*field;
	const char	*message;
	char		 text[LISTING_MESSAGE_MAX];
};

/* The filters list and random share; tags is the query language's. */
struct listing_filter {
	struct tag_query tags;
	int		has_q;
	char		q[LISTING_Q_MAX_BYTES + 1];
	char		q_like[LISTING_Q_LIKE_MAX + 1];
	int		has_media_type;
	char		media_type[LISTING_MEDIA_TYPE_MAX];
	int		has_sha256;
	char		sha256[LISTING_SHA256_LEN + 1];
};

struct listing_query {
	struct listing_filter	filter;
	int			sort;		/* CURSOR_SORT_* */
	int			limit;
	int			count;		/* count=true: add "total" */
	int			has_cursor;
	struct cursor		cursor;
};

enum listing_param_status {
	LISTING_PARAM_ABSENT = 0,
	LISTING_PARAM_OK,
	LISTING_PARAM_MALFORMED,	/* a bad %-escape */
	LISTING_PARAM_DUPLICATE,	/* the name appears twice */
	LISTING_PARAM_TOO_LONG,		/* longer than outlen - 1 */
	LISTING_PARAM_INVALID		/* for callers: a bad value */
};

/*
 * Find parameter name in the raw query string qs (without '?', NULL for
 * none) and %-decode its value ('+' is a space) into out, NUL-terminated,
 * with its length (it may hold a NUL) in *len. Names are compared after
 * decoding; "name" without '=' counts as present and empty.
 */
enum listing_param_status	listing_param(const char *qs,
				    const char *name, char *out,
				    size_t outlen, size_t *len);

/*
 * A limit: decimal digits only, LISTING_LIMIT_MIN..LISTING_LIMIT_MAX.
 * Returns 0 with *out set, or -1.
 */
int	listing_limit_parse(const char *s, size_t len, int *out);

/* The filters of list and random from qs. */
enum listing_status	listing_filter_parse(const char *qs,
			    struct listing_filter *, struct listing_error *);

/*
 * The list's count parameter: "true" asks for the total of what matches,
 * "false" is the default; any other value (empty included) is a 422.
 */
#define LISTING_COUNT_TRUE	"true"
#define LISTING_COUNT_FALSE	"false"

/*
 * Everything the list takes from qs. The cursor is checked with key (from
 * cursor_key_derive) and must have been made for the same sort and
 * filters.
 */
enum listing_status	listing_parse(const char *qs, const void *key,
			    size_t keylen, struct listing_query *,
			    struct listing_error *);

/* A tag, or a piece of one, as LIKE text with a '%' at either end. */
#define LISTING_TAG_LIKE_MAX	(2 * TAG_MAX_BYTES + 2)

/*
 * The tag endpoint's parameters: prefix or q, normalised, and the LIKE
 * texts the SQL binds: starts for the tags that begin with the prefix
 * or q, contains (q only) for those that have q anywhere.
 */
struct listing_tag_query {
	int		has_prefix;
	char		prefix[TAG_MAX_BYTES + 1];	/* normalised */
	int		has_q;
	char		q[TAG_MAX_BYTES + 1];		/* normalised */
	char		starts[LISTING_TAG_LIKE_MAX + 1];
	char		contains[LISTING_TAG_LIKE_MAX + 1];
	int		limit;
};

/*
 * prefix (normalised like a tag), q (normalised like a piece of a tag:
 * it may start with '-') and limit of the tag endpoint from qs; prefix
 * and q together are a 400.
 */
enum listing_status	listing_tag_query_parse(const char *qs,
			    struct listing_tag_query *,
			    struct listing_error *);

/*
 * The export's parameters (GET /api/v1/export): limit, the reactions in
 * one part (1 to LISTING_EXPORT_LIMIT_MAX, that by default), and since,
 * the cursor a previous part gave for the next (oldest first). The
 * cursor is bound to the export as a list cursor is to its filters.
 */
#define LISTING_EXPORT_LIMIT_MAX	10000
#define LISTING_EXPORT_CANONICAL	"export v1"

struct listing_export {
	int		limit;
	int		has_since;
	struct cursor	since;
};

enum listing_status	listing_export_parse(const char *qs, const void *key,
			    size_t keylen, struct listing_export *,
			    struct listing_error *);

/*
 * The canonical text of a filter: equal filters give equal text, and
 * different filters different text. Returns its length, or 0 when outlen
 * is too small (LISTING_CANONICAL_MAX always suffices).
 */
#define LISTING_CANONICAL_MAX	\
	(QUERY_CANONICAL_MAX + LISTING_Q_MAX_BYTES + 256)
size_t	listing_canonical(const struct listing_filter *, char *out,
	    size_t outlen);

/* cursor_filter_hash() of the canonical text. */
void	listing_filter_hash(const struct listing_filter *,
	    uint8_t out[CURSOR_FILTER_BYTES]);

/*
 * Join a set's tags with '\n' (tags never contain whitespace) into out;
 * "" for an empty set. LISTING_TAGS_JOINED_MAX bytes always suffice.
 * Returns 0, or -1 with out "" when outlen is too small.
 */
int	listing_tags_join(const struct tag_set *, char *out, size_t outlen);

#endif

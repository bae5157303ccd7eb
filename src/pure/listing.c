/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * List, random and tag query parameters: raw query string to checked
 * values, and the canonical filter text a cursor is bound to.
 */

#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "encoding.h"
#include "listing.h"
#include "media.h"
#include "query.h"
#include "tags.h"

#define QS_SEPARATOR	'&'
#define QS_ASSIGN	'='

/* LIKE's escape character, as the SQL names it in ESCAPE '\'. */
#define LIKE_ESCAPE	'\\'

#define TAGS_JOIN_SEP	'\n'

/* Bumped whenever the canonical form changes: old cursors then fail. */
#define CANONICAL_VERSION	"v1"

static enum listing_param_status	qs_decode(const char *, size_t,
					    char *, size_t, size_t *);
static enum listing_status	filter_tags(const char *,
				    struct listing_filter *,
				    struct listing_error *);
static enum listing_status	filter_q(const char *,
				    struct listing_filter *,
				    struct listing_error *);
static enum listing_status	filter_media_type(const char *,
				    struct listing_filter *,
				    struct listing_error *);
static enum listing_status	filter_sha256(const char *,
				    struct listing_filter *,
				    struct listing_error *);
static enum listing_status	param_limit(const char *, int *,
				    struct listing_error *);
static enum listing_status	param_count(const char *, int *,
				    struct listing_error *);
static enum listing_status	param_error(enum listing_param_status,
				    const char *, enum listing_status,
				    const char *, struct listing_error *);
static enum listing_status	fail(struct listing_error *,
				    enum listing_status, const char *,
				    const char *);
static void	like_escape(const char *, char *, size_t);
static void	tag_like(const char *, int, char *, size_t);

enum listing_param_status
listing_param(const char *qs, const char *name, char *out, size_t outlen,
    size_t *len)
{
	enum listing_param_status	 st, found;
	const char			*p, *end, *eq, *value;
	char				 key[LISTING_PARAM_MAX];
	size_t				 klen, nlen, vlen;

	*len = 0;
	if (outlen == 0)
		return (LISTING_PARAM_TOO_LONG);
	out[0] = '\0';

	if (qs == NULL)
		return (LISTING_PARAM_ABSENT);

	nlen = strlen(name);
	found = LISTING_PARAM_ABSENT;

	for (p = qs; *p != '\0'; p = (*end == '\0') ? end : end + 1) {
		if ((end = strchr(p, QS_SEPARATOR)) == NULL)
			end = p + strlen(p);

		eq = memchr(p, QS_ASSIGN, (size_t)(end - p));
		klen = (size_t)((eq != NULL ? eq : end) - p);

		/* A name that does not decode cannot be the one we want. */
		if (qs_decode(p, klen, key, sizeof(key), &klen) !=
		    LISTING_PARAM_OK)
			continue;
		if (klen != nlen || memcmp(key, name, nlen) != 0)
			continue;

		if (found != LISTING_PARAM_ABSENT)
			return (LISTING_PARAM_DUPLICATE);

		value = (eq != NULL) ? eq + 1 : end;
		vlen = (size_t)(end - value);
		if ((st = qs_decode(value, vlen, out, outlen, len)) !=
		    LISTING_PARAM_OK) {
			/* Keep looking: a duplicate outranks a bad value. */
			found = st;
			continue;
		}
		found = LISTING_PARAM_OK;
	}

	if (found != LISTING_PARAM_OK) {
		out[0] = '\0';
		*len = 0;
	}

	return (found);
}

int
listing_limit_parse(const char *s, size_t len, int *out)
{
	uint64_t	v;

	/* Digits only: no sign, no space, no "5x", no "0005". */
	if (len > sizeof("100") - 1)
		return (-1);

	if (enc_decimal(s, len, LISTING_LIMIT_MAX, &v) == -1 ||
	    v < LISTING_LIMIT_MIN)
		return (-1);

	*out = (int)v;
	return (0);
}

enum listing_status
listing_filter_parse(const char *qs, struct listing_filter *f,
    struct listing_error *err)
{
	enum listing_status	st;

	memset(f, 0, sizeof(*f));
	tag_set_init(&f->tags.include);
	tag_set_init(&f->tags.exclude);

	if ((st = filter_tags(qs, f, err)) != LISTING_OK)
		return (st);
	if ((st = filter_q(qs, f, err)) != LISTING_OK)
		return (st);
	if ((st = filter_media_type(qs, f, err)) != LISTING_OK)
		return (st);
	return (filter_sha256(qs, f, err));
}

enum listing_status
listing_parse(const char *qs, const void *key, size_t keylen,
    struct listing_query *lq, struct listing_error *err)
{
	enum listing_param_status	 ps;
	enum listing_status		 st;
	uint8_t				 hash[CURSOR_FILTER_BYTES];
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	memset(lq, 0, sizeof(*lq));

	if ((st = listing_filter_parse(qs, &lq->filter, err)) != LISTING_OK)
		return (st);

	if ((st = param_limit(qs, &lq->limit, err)) != LISTING_OK)
		return (st);

	lq->sort = CURSOR_SORT_NEWEST;
	ps = listing_param(qs, "sort", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK) {
		if (len == strlen("oldest") && !memcmp(buf, "oldest", len))
			lq->sort = CURSOR_SORT_OLDEST;
		else if (len != strlen("newest") || memcmp(buf, "newest", len))
			ps = LISTING_PARAM_INVALID;
	}
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT) {
		return (param_error(ps, "sort", LISTING_BAD_REQUEST,
		    "sort must be newest or oldest", err));
	}

	if ((st = param_count(qs, &lq->count, err)) != LISTING_OK)
		return (st);

	ps = listing_param(qs, "cursor", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_ABSENT || (ps == LISTING_PARAM_OK && len == 0))
		return (LISTING_OK);
	if (ps == LISTING_PARAM_OK &&
	    cursor_decode(key, keylen, buf, len, &lq->cursor) == -1)
		ps = LISTING_PARAM_INVALID;
	if (ps != LISTING_PARAM_OK) {
		return (param_error(ps, "cursor", LISTING_BAD_REQUEST,
		    "cursor is not a valid cursor", err));
	}

	/* Authentic, but made for another walk: its position means nothing. */
	listing_filter_hash(&lq->filter, hash);
	if (lq->cursor.sort != lq->sort ||
	    memcmp(lq->cursor.filter_hash, hash, sizeof(hash)) != 0) {
		return (fail(err, LISTING_BAD_REQUEST, "cursor",
		    "cursor belongs to a query with other filters or sort"));
	}

	lq->has_cursor = 1;
	return (LISTING_OK);
}

enum listing_status
listing_tag_query_parse(const char *qs, struct listing_tag_query *tq,
    struct listing_error *err)
{
	enum listing_param_status	 ps;
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	memset(tq, 0, sizeof(*tq));

	ps = listing_param(qs, "prefix", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK && len > 0) {
		if (tag_normalise(buf, len, tq->prefix) != TAG_OK)
			ps = LISTING_PARAM_INVALID;
		else
			tq->has_prefix = 1;
	}
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT) {
		return (param_error(ps, "prefix", LISTING_INVALID,
		    "prefix must be the beginning of a valid tag", err));
	}

	ps = listing_param(qs, "q", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK && len > 0) {
		if (tag_piece_normalise(buf, len, tq->q) != TAG_OK)
			ps = LISTING_PARAM_INVALID;
		else
			tq->has_q = 1;
	}
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT) {
		return (param_error(ps, "q", LISTING_INVALID,
		    "q must be a piece of a valid tag", err));
	}

	if (tq->has_prefix && tq->has_q) {
		return (fail(err, LISTING_BAD_REQUEST, "q",
		    "give prefix or q, not both"));
	}
	if (tq->has_prefix)
		tag_like(tq->prefix, 0, tq->starts, sizeof(tq->starts));
	if (tq->has_q) {
		tag_like(tq->q, 0, tq->starts, sizeof(tq->starts));
		tag_like(tq->q, 1, tq->contains, sizeof(tq->contains));
	}

	return (param_limit(qs, &tq->limit, err));
}

enum listing_status
listing_export_parse(const char *qs, const void *key, size_t keylen,
    struct listing_export *ex, struct listing_error *err)
{
	enum listing_param_status	 ps;
	uint8_t				 hash[CURSOR_FILTER_BYTES];
	uint64_t			 v;
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	memset(ex, 0, sizeof(*ex));
	ex->limit = LISTING_EXPORT_LIMIT_MAX;

	ps = listing_param(qs, "limit", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK) {
		/* Digits only, as the list's limit. */
		if (len > sizeof("10000") - 1 || enc_decimal(buf, len,
		    LISTING_EXPORT_LIMIT_MAX, &v) == -1 || v < 1)
			ps = LISTING_PARAM_INVALID;
		else
			ex->limit = (int)v;
	}
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT) {
		return (param_error(ps, "limit", LISTING_BAD_REQUEST,
		    "limit must be a whole number from 1 to 10000", err));
	}

	ps = listing_param(qs, "since", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_ABSENT || (ps == LISTING_PARAM_OK && len == 0))
		return (LISTING_OK);
	cursor_filter_hash(LISTING_EXPORT_CANONICAL,
	    strlen(LISTING_EXPORT_CANONICAL), hash);
	if (ps == LISTING_PARAM_OK &&
	    (cursor_decode(key, keylen, buf, len, &ex->since) == -1 ||
	    ex->since.sort != CURSOR_SORT_OLDEST ||
	    memcmp(ex->since.filter_hash, hash, sizeof(hash)) != 0))
		ps = LISTING_PARAM_INVALID;
	if (ps != LISTING_PARAM_OK) {
		return (param_error(ps, "since", LISTING_BAD_REQUEST,
		    "since must be the next_since of an export", err));
	}

	ex->has_since = 1;
	return (LISTING_OK);
}

size_t
listing_canonical(const struct listing_filter *f, char *out, size_t outlen)
{
	size_t		len;
	int		ok;
	char		tags[QUERY_CANONICAL_MAX];
	size_t		tlen;

	/* The tag part is as version 1 had it for filters it could name. */
	len = 0;
	tlen = query_canonical(&f->tags, tags, sizeof(tags));
	ok = tlen > 0;
	ok = ok && enc_append(out, outlen, &len, CANONICAL_VERSION "\n",
	    strlen(CANONICAL_VERSION "\n"));
	ok = ok && enc_append(out, outlen, &len, tags, tlen);

	ok = ok && enc_append(out, outlen, &len, "\nm=", strlen("\nm="));
	if (f->has_media_type) {
		ok = ok && enc_append(out, outlen, &len, f->media_type,
		    strlen(f->media_type));
	}
	ok = ok && enc_append(out, outlen, &len, "\ns=", strlen("\ns="));
	if (f->has_sha256) {
		ok = ok && enc_append(out, outlen, &len, f->sha256,
		    strlen(f->sha256));
	}

	/* q last: it is free text (without control characters). */
	ok = ok && enc_append(out, outlen, &len, "\nq=", strlen("\nq="));
	if (f->has_q)
		ok = ok && enc_append(out, outlen, &len, f->q, strlen(f->q));

	if (!ok) {
		if (outlen > 0)
			out[0] = '\0';
		return (0);
	}

	return (len);
}

void
listing_filter_hash(const struct listing_filter *f,
    uint8_t out[CURSOR_FILTER_BYTES])
{
	char		text[LISTING_CANONICAL_MAX];
	size_t		len;

	len = listing_canonical(f, text, sizeof(text));
	cursor_filter_hash(text, len, out);
}

int
listing_tags_join(const struct tag_set *set, char *out, size_t outlen)
{
	size_t	len;

	len = 0;
	if (outlen == 0)
		return (-1);
	out[0] = '\0';

	if (!tag_set_append(out, outlen, &len, set, '\n')) {
		/* Never a partial list: it would filter differently. */
		out[0] = '\0';
		return (-1);
	}

	return (0);
}

static enum listing_status
filter_tags(const char *qs, struct listing_filter *f,
    struct listing_error *err)
{
	enum listing_param_status	 ps;
	struct query_error		 qerr;
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	ps = listing_param(qs, "tags", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_ABSENT)
		return (LISTING_OK);
	if (ps != LISTING_PARAM_OK) {
		return (param_error(ps, "tags", LISTING_INVALID,
		    "tags is too long", err));
	}

	if (query_parse(buf, len, &f->tags, &qerr) == QUERY_OK)
		return (LISTING_OK);

	(void)snprintf(err->text, sizeof(err->text), "tags, at character "
	    "%zu: %s", qerr.position, qerr.reason);
	return (fail(err, LISTING_INVALID, "tags", err->text));
}

static enum listing_status
filter_q(const char *qs, struct listing_filter *f, struct listing_error *err)
{
	enum listing_param_status	 ps;
	size_t				 len;

	ps = listing_param(qs, "q", f->q, sizeof(f->q), &len);
	if (ps == LISTING_PARAM_ABSENT || (ps == LISTING_PARAM_OK && len == 0))
		return (LISTING_OK);
	if (ps == LISTING_PARAM_OK && !tag_title_valid(f->q, len))
		ps = LISTING_PARAM_INVALID;
	if (ps != LISTING_PARAM_OK) {
		f->q[0] = '\0';
		return (param_error(ps, "q", LISTING_INVALID,
		    "q must be at most 200 characters of UTF-8 text without "
		    "control characters", err));
	}

	f->has_q = 1;
	like_escape(f->q, f->q_like, sizeof(f->q_like));
	return (LISTING_OK);
}

static enum listing_status
filter_media_type(const char *qs, struct listing_filter *f,
    struct listing_error *err)
{
	enum listing_param_status	 ps;
	enum media_type			 type;
	size_t				 len, i;

	ps = listing_param(qs, "media_type", f->media_type,
	    sizeof(f->media_type), &len);
	if (ps == LISTING_PARAM_ABSENT || (ps == LISTING_PARAM_OK && len == 0))
		return (LISTING_OK);

	if (ps == LISTING_PARAM_OK) {
		for (i = 0; i < len; i++) {
			if (f->media_type[i] >= 'A' && f->media_type[i] <= 'Z')
				f->media_type[i] += 'a' - 'A';
		}
		/* A NUL inside would make the C string a different value. */
		if (strlen(f->media_type) != len ||
		    media_type_from_mime(f->media_type, &type) == -1)
			ps = LISTING_PARAM_INVALID;
	}
	if (ps != LISTING_PARAM_OK) {
		f->media_type[0] = '\0';
		return (param_error(ps, "media_type", LISTING_INVALID,
		    "media_type must be one of image/gif, image/png, "
		    "image/jpeg, image/webp, video/mp4, video/webm", err));
	}

	f->has_media_type = 1;
	return (LISTING_OK);
}

static enum listing_status
filter_sha256(const char *qs, struct listing_filter *f,
    struct listing_error *err)
{
	enum listing_param_status	 ps;
	size_t				 len, i;
	char				 c;

	ps = listing_param(qs, "sha256", f->sha256, sizeof(f->sha256), &len);
	if (ps == LISTING_PARAM_ABSENT || (ps == LISTING_PARAM_OK && len == 0))
		return (LISTING_OK);

	if (ps == LISTING_PARAM_OK && len != LISTING_SHA256_LEN)
		ps = LISTING_PARAM_INVALID;
	for (i = 0; ps == LISTING_PARAM_OK && i < len; i++) {
		c = f->sha256[i];
		if (c >= 'A' && c <= 'F')
			f->sha256[i] = c + ('a' - 'A');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			ps = LISTING_PARAM_INVALID;
	}
	if (ps != LISTING_PARAM_OK) {
		f->sha256[0] = '\0';
		return (param_error(ps, "sha256", LISTING_INVALID,
		    "sha256 must be 64 hexadecimal digits", err));
	}

	f->has_sha256 = 1;
	return (LISTING_OK);
}

/* limit: absent is the default, present must be valid (400 otherwise). */
static enum listing_status
param_limit(const char *qs, int *limit, struct listing_error *err)
{
	enum listing_param_status	 ps;
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	*limit = LISTING_LIMIT_DEFAULT;
	ps = listing_param(qs, "limit", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK &&
	    listing_limit_parse(buf, len, limit) == -1)
		ps = LISTING_PARAM_INVALID;
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT) {
		return (param_error(ps, "limit", LISTING_BAD_REQUEST,
		    "limit must be a whole number from 1 to 100", err));
	}

	return (LISTING_OK);
}

/*
 * count: absent or "false" is no total, "true" a total. Not a filter, so
 * an empty value is no default but a mistake (422, as a filter's bad
 * value: the request is well formed, the value is not one we know).
 */
static enum listing_status
param_count(const char *qs, int *count, struct listing_error *err)
{
	enum listing_param_status	 ps;
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	*count = 0;
	ps = listing_param(qs, "count", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK) {
		if (len == strlen(LISTING_COUNT_TRUE) &&
		    !memcmp(buf, LISTING_COUNT_TRUE, len))
			*count = 1;
		else if (len != strlen(LISTING_COUNT_FALSE) ||
		    memcmp(buf, LISTING_COUNT_FALSE, len))
			ps = LISTING_PARAM_INVALID;
	}
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT) {
		*count = 0;
		return (param_error(ps, "count", LISTING_INVALID,
		    "count must be true or false", err));
	}

	return (LISTING_OK);
}

/*
 * Map what listing_param said to the answer: broken syntax and repeats
 * are the request's fault (400); a value that is merely wrong (too long
 * or INVALID) gets the parameter's own status.
 */
static enum listing_status
param_error(enum listing_param_status ps, const char *field,
    enum listing_status bad_value, const char *message,
    struct listing_error *err)
{
	switch (ps) {
	case LISTING_PARAM_MALFORMED:
		return (fail(err, LISTING_BAD_REQUEST, field,
		    "the query string has a malformed %-escape"));
	case LISTING_PARAM_DUPLICATE:
		return (fail(err, LISTING_BAD_REQUEST, field,
		    "a query parameter is given more than once"));
	default:
		return (fail(err, bad_value, field, message));
	}
}

static enum listing_status
fail(struct listing_error *err, enum listing_status st, const char *field,
    const char *message)
{
	err->field = field;
	err->message = message;
	return (st);
}

/*
 * Decode len bytes of a query component. A '%' must be followed by two
 * hex digits: anything else is malformed rather than passed through,
 * so that what the handler checks is what the client meant.
 */
static enum listing_param_status
qs_decode(const char *in, size_t len, char *out, size_t outlen,
    size_t *olen)
{
	ssize_t		n;
	int		control;

	/* Control characters are the individual checks' business. */
	n = enc_url_decode(in, len, out, outlen, &control);
	if (n == ENC_TOO_LONG || (n >= 0 && (size_t)n >= outlen)) {
		out[0] = '\0';
		return (LISTING_PARAM_TOO_LONG);
	}
	if (n < 0) {
		out[0] = '\0';
		return (LISTING_PARAM_MALFORMED);
	}

	*olen = (size_t)n;
	return (LISTING_PARAM_OK);
}

/* q is a literal substring: LIKE's %, _ and the escape itself are not. */
static void
like_escape(const char *in, char *out, size_t outlen)
{
	size_t		n;

	for (n = 0; *in != '\0' && n + 2 < outlen; in++) {
		if (*in == '%' || *in == '_' || *in == LIKE_ESCAPE)
			out[n++] = LIKE_ESCAPE;
		out[n++] = *in;
	}
	out[n] = '\0';
}

/*
 * A tag or piece as LIKE text: escaped, then '%' after it, and before it
 * too when anywhere is set. out holds LISTING_TAG_LIKE_MAX + 1 bytes.
 */
static void
tag_like(const char *tag, int anywhere, char *out, size_t outlen)
{
	size_t	n;

	n = 0;
	if (anywhere)
		out[n++] = '%';
	like_escape(tag, out + n, outlen - n - 1);
	n = strlen(out);
	out[n++] = '%';
	out[n] = '\0';
}


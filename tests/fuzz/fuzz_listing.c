/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the list, random and tag endpoints' query strings
 * (listing.h). The input is the raw query string (an exact-size heap copy,
 * so up to its first NUL). Checked besides memory errors: accepted values
 * are in range and well-formed, a failure names a field, the canonical
 * text of a filter is the same however it was parsed, and a cursor made
 * for an accepted query is accepted when added to it.
 */

#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "listing.h"
#include "media.h"
#include "tags.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_SECRET	"fuzz-listing-secret"
#define SMALL_OUT	8	/* a buffer too small for most values */
#define CURSOR_PARAM	"&cursor="

static const char *const fuzz_params[] = {
	"tags", "q", "media_type", "sha256", "limit", "sort", "cursor",
	"prefix", "since", "count",
};
#define FUZZ_PARAMS	(sizeof(fuzz_params) / sizeof(fuzz_params[0]))

static void	check_error(enum listing_status, const struct listing_error *);
static void	check_filter(const struct listing_filter *);
static void	check_param(const char *, const char *, size_t);
static void	cursor_check(const char *, const struct listing_query *);

static void
check_error(enum listing_status st, const struct listing_error *err)
{
	if (st != LISTING_BAD_REQUEST && st != LISTING_INVALID)
		abort();
	if (err->field == NULL || err->message == NULL ||
	    err->field[0] == '\0' || err->message[0] == '\0')
		abort();
}

static void
check_filter(const struct listing_filter *f)
{
	enum media_type	type;
	char		canon[LISTING_CANONICAL_MAX];
	char		joined[LISTING_TAGS_JOINED_MAX];
	size_t		i;

	fuzz_tag_set_check(&f->tags.include);
	fuzz_tag_set_check(&f->tags.exclude);
	if (f->has_q && (strnlen(f->q, sizeof(f->q)) == sizeof(f->q) ||
	    strnlen(f->q_like, sizeof(f->q_like)) == sizeof(f->q_like) ||
	    !tag_title_valid(f->q, strlen(f->q))))
		abort();
	if (f->has_media_type &&
	    media_type_from_mime(f->media_type, &type) != 0)
		abort();
	if (f->has_sha256) {
		if (strlen(f->sha256) != LISTING_SHA256_LEN)
			abort();
		for (i = 0; i < LISTING_SHA256_LEN; i++)
			if (strchr("0123456789abcdef", f->sha256[i]) == NULL)
				abort();
	}
	if (listing_canonical(f, canon, sizeof(canon)) == 0)
		abort();
	if (listing_tags_join(&f->tags.include, joined, sizeof(joined)) != 0 ||
	    listing_tags_join(&f->tags.exclude, joined, sizeof(joined)) != 0)
		abort();
}

/* One parameter into a buffer of exactly outlen bytes. */
static void
check_param(const char *qs, const char *name, size_t outlen)
{
	enum listing_param_status	 ps;
	char				*out;
	size_t				 len;

	if ((out = malloc(outlen)) == NULL)
		abort();
	len = (size_t)-1;
	ps = listing_param(qs, name, out, outlen, &len);
	switch (ps) {
	case LISTING_PARAM_OK:
		if (len >= outlen || out[len] != '\0')
			abort();
		break;
	case LISTING_PARAM_ABSENT:
	case LISTING_PARAM_MALFORMED:
	case LISTING_PARAM_DUPLICATE:
	case LISTING_PARAM_TOO_LONG:
		break;
	default:
		abort();
	}
	free(out);
}

/* A cursor made for lq, added to qs, must be taken back. */
static void
cursor_check(const char *qs, const struct listing_query *lq)
{
	struct listing_query	 again;
	struct listing_error	 err;
	struct cursor		 c;
	char			 text[CURSOR_TEXT_MAX];
	char			*qs2;
	size_t			 n;

	memset(&c, 0, sizeof(c));
	c.created_us = 1764341519123456LL;
	memset(c.id, 0x5a, sizeof(c.id));
	c.sort = lq->sort;
	listing_filter_hash(&lq->filter, c.filter_hash);
	if (cursor_encode(fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES, &c,
	    text, sizeof(text)) != 0)
		abort();

	n = strlen(qs) + strlen(CURSOR_PARAM) + strlen(text) + 1;
	if ((qs2 = malloc(n)) == NULL)
		abort();
	(void)snprintf(qs2, n, "%s%s%s", qs, CURSOR_PARAM, text);

	if (listing_parse(qs2, fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES,
	    &again, &err) != LISTING_OK)
		abort();
	if (!again.has_cursor || again.sort != lq->sort ||
	    again.limit != lq->limit || again.count != lq->count ||
	    again.cursor.created_us != c.created_us ||
	    memcmp(again.cursor.id, c.id, sizeof(c.id)) != 0)
		abort();
	free(qs2);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct listing_query		 lq;
	struct listing_filter		 f;
	struct listing_tag_query	 tq;
	struct listing_export		 ex;
	struct listing_error		 err;
	enum listing_status		 st;
	char				 a[LISTING_CANONICAL_MAX];
	char				 b[LISTING_CANONICAL_MAX];
	char				 dummy[1];
	char				*qs;
	size_t				 i, alen, blen, len;
	int				 list_ok;

	qs = fuzz_strdup(data, size);

	for (i = 0; i < FUZZ_PARAMS; i++) {
		check_param(qs, fuzz_params[i], SMALL_OUT);
		check_param(qs, fuzz_params[i], LISTING_PARAM_MAX + 1);
	}

	memset(&err, 0, sizeof(err));
	st = listing_parse(qs, fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES,
	    &lq, &err);
	list_ok = (st == LISTING_OK);
	if (list_ok) {
		if (lq.limit < LISTING_LIMIT_MIN ||
		    lq.limit > LISTING_LIMIT_MAX)
			abort();
		if (lq.sort != CURSOR_SORT_NEWEST &&
		    lq.sort != CURSOR_SORT_OLDEST)
			abort();
		if (lq.count != 0 && lq.count != 1)
			abort();
		check_filter(&lq.filter);
	} else
		check_error(st, &err);

	memset(&err, 0, sizeof(err));
	if ((st = listing_filter_parse(qs, &f, &err)) == LISTING_OK) {
		check_filter(&f);
		if (list_ok) {
			/* Both parses read the same filter. */
			alen = listing_canonical(&f, a, sizeof(a));
			blen = listing_canonical(&lq.filter, b, sizeof(b));
			if (alen != blen || memcmp(a, b, alen) != 0)
				abort();
		}
	} else
		check_error(st, &err);

	if (list_ok && listing_param(qs, "cursor", dummy,
	    sizeof(dummy), &len) == LISTING_PARAM_ABSENT)
		cursor_check(qs, &lq);

	memset(&err, 0, sizeof(err));
	if ((st = listing_tag_query_parse(qs, &tq, &err)) == LISTING_OK) {
		if (tq.limit < LISTING_LIMIT_MIN ||
		    tq.limit > LISTING_LIMIT_MAX)
			abort();
		if (tq.has_prefix &&
		    strnlen(tq.prefix, sizeof(tq.prefix)) == sizeof(tq.prefix))
			abort();
		if (tq.has_prefix && tq.has_q)
			abort();
		/* The LIKE texts end in '%' and fit their buffers. */
		if ((tq.has_prefix || tq.has_q) && (strnlen(tq.starts,
		    sizeof(tq.starts)) == sizeof(tq.starts) ||
		    tq.starts[strlen(tq.starts) - 1] != '%'))
			abort();
		if (tq.has_q && (tq.contains[0] != '%' ||
		    strnlen(tq.contains, sizeof(tq.contains)) ==
		    sizeof(tq.contains)))
			abort();
	} else
		check_error(st, &err);

	memset(&err, 0, sizeof(err));
	if ((st = listing_export_parse(qs, fuzz_cursor_key(FUZZ_SECRET),
	    CURSOR_KEY_BYTES, &ex, &err)) == LISTING_OK) {
		if (ex.limit < 1 || ex.limit > LISTING_EXPORT_LIMIT_MAX)
			abort();
		if (ex.has_since && ex.since.sort != CURSOR_SORT_OLDEST)
			abort();
	} else
		check_error(st, &err);

	free(qs);
	return (0);
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/* The query of the near-duplicate search (similar_query.h). */

#include <stddef.h>

#include "derive_plan.h"
#include "similar_query.h"

#define DECIMAL_BASE	10
#define DISTANCE_DIGITS	2

static enum listing_status	query_error(enum listing_param_status,
				    const char *, const char *,
				    struct listing_error *);

int
similar_distance_parse(const char *s, size_t len, int *out)
{
	size_t	i;
	int	v;

	if (len == 0 || len > DISTANCE_DIGITS)
		return (-1);

	v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return (-1);
		v = v * DECIMAL_BASE + (s[i] - '0');
	}
	if (v > SIMILAR_DISTANCE_MAX)
		return (-1);

	*out = v;
	return (0);
}

enum listing_status
similar_query_parse(const char *qs, struct similar_query *q,
    struct listing_error *err)
{
	enum listing_param_status	 ps;
	char				 buf[LISTING_PARAM_MAX];
	size_t				 len;

	q->max_distance = DERIVE_SIMILAR_DEFAULT;
	q->limit = SIMILAR_LIMIT_DEFAULT;
	if (qs == NULL)
		return (LISTING_OK);

	ps = listing_param(qs, "max_distance", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK &&
	    similar_distance_parse(buf, len, &q->max_distance) == -1)
		ps = LISTING_PARAM_INVALID;
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT)
		return (query_error(ps, "max_distance",
		    "max_distance must be a whole number from 0 to 64", err));

	ps = listing_param(qs, "limit", buf, sizeof(buf), &len);
	if (ps == LISTING_PARAM_OK &&
	    listing_limit_parse(buf, len, &q->limit) == -1)
		ps = LISTING_PARAM_INVALID;
	if (ps != LISTING_PARAM_OK && ps != LISTING_PARAM_ABSENT)
		return (query_error(ps, "limit",
		    "limit must be a whole number from 1 to 100", err));

	return (LISTING_OK);
}

static enum listing_status
query_error(enum listing_param_status ps, const char *field,
    const char *message, struct listing_error *err)
{
	err->field = field;
	switch (ps) {
	case LISTING_PARAM_MALFORMED:
		err->message = "the query string has a malformed %-escape";
		break;
	case LISTING_PARAM_DUPLICATE:
		err->message = "a query parameter is given more than once";
		break;
	default:
		err->message = message;
		break;
	}

	return (LISTING_BAD_REQUEST);
}

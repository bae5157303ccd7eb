/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The query of GET /api/v1/reactions/{id}/similar: max_distance (a
 * Hamming distance between 64-bit hashes, 0-64, default
 * DERIVE_SIMILAR_DEFAULT) and limit (as the list's). Pure.
 */

#ifndef REACTBIN_SIMILAR_QUERY_H
#define REACTBIN_SIMILAR_QUERY_H

#include "listing.h"

#define SIMILAR_DISTANCE_MAX	64
#define SIMILAR_LIMIT_DEFAULT	20

struct similar_query {
	int	max_distance;
	int	limit;
};

/* A distance: decimal digits only, 0..SIMILAR_DISTANCE_MAX. 0 or -1. */
int	similar_distance_parse(const char *, size_t, int *);

/*
 * Both parameters from qs (NULL: none). LISTING_OK, or LISTING_BAD_REQUEST
 * with the field and a message in *err.
 */
enum listing_status	similar_query_parse(const char *,
			    struct similar_query *, struct listing_error *);

#endif

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the near-duplicate search's query string
 * (similar_query.h). The input is the raw query string (an exact-size
 * heap copy, so up to its first NUL). Checked besides memory errors: an
 * accepted query is in range, a refused one names a field, and a
 * distance the parser accepts is one it would print the same way.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "similar_query.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define NUMBER_MAX	8

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct similar_query	 q;
	struct listing_error	 err;
	enum listing_status	 st;
	char			*qs, text[NUMBER_MAX];
	int			 v, w, n;

	if ((qs = malloc(size + 1)) == NULL)
		return (0);
	memcpy(qs, data, size);
	qs[size] = '\0';

	memset(&err, 0, sizeof(err));
	st = similar_query_parse(qs, &q, &err);
	if (st == LISTING_OK) {
		if (q.max_distance < 0 || q.max_distance > SIMILAR_DISTANCE_MAX ||
		    q.limit < LISTING_LIMIT_MIN || q.limit > LISTING_LIMIT_MAX)
			abort();
	} else if (st != LISTING_BAD_REQUEST || err.field == NULL ||
	    err.message == NULL) {
		abort();
	}

	/* The raw bytes as a distance: accepted ones print back alike. */
	if (similar_distance_parse((const char *)data, size, &v) == 0) {
		n = snprintf(text, sizeof(text), "%d", v);
		if (n < 1 || similar_distance_parse(text, (size_t)n, &w) != 0 ||
		    w != v)
			abort();
	}

	free(qs);
	return (0);
}

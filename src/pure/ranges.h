/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The request headers that shape a file response: Range (RFC 9110 14.2,
 * one range only) and If-None-Match (RFC 9110 13.1.2). Pure: no Kore.
 */

#ifndef REACTBIN_RANGES_H
#define REACTBIN_RANGES_H

#include <stdint.h>

enum range_result {
	RANGE_NONE,		/* no usable Range: send the whole file */
	RANGE_OK,		/* send bytes first..last (inclusive) */
	RANGE_UNSATISFIABLE,	/* 416 with "bytes * / size" */
};

/*
 * Resolve a Range header value against a file of size bytes. A header
 * that is absent (NULL), malformed, not in bytes, or asks for several
 * ranges is ignored (RANGE_NONE), as RFC 9110 allows; "a-b", "a-" and
 * "-n" are served, clipped to the file.
 */
enum range_result	range_parse(const char *, uint64_t, uint64_t *,
			    uint64_t *);

/*
 * Does an If-None-Match value match the entity tag (given with its
 * quotes, e.g. "\"abc\"")? Handles "*", lists and weak W/ tags (weak
 * comparison, as the RFC wants for If-None-Match). Returns 1 or 0.
 */
int	etag_match(const char *, const char *);

#endif

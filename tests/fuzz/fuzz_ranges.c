/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for Range and If-None-Match (ranges.h). Input: eight
 * bytes of file size (big-endian; the first byte also picks a small size
 * now and then, where the edge cases are), then "Range" newline
 * "If-None-Match" newline "ETag", each an exact-size heap string. A range
 * served must lie inside the file; "*" and an identical tag must match.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ranges.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define SIZE_BYTES	8
#define SMALL_SIZES	16	/* sizes 0..15 when the top bit is clear */

static int	plain_etag(const char *);

/* A strong tag '"' etagc* '"' without blanks or commas (RFC 9110 8.8.3). */
static int
plain_etag(const char *etag)
{
	size_t		i, n;
	unsigned char	c;

	n = strlen(etag);
	if (n < 2 || etag[0] != '"' || etag[n - 1] != '"')
		return (0);
	for (i = 1; i < n - 1; i++) {
		c = (unsigned char)etag[i];
		if (c <= 0x20 || c == 0x7f || c == '"' || c == ',')
			return (0);
	}
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t		 fsize, first, last;
	enum range_result	 r;
	char			*range, *inm, *etag;

	if (size < SIZE_BYTES)
		return (0);
	fsize = fuzz_be(data, SIZE_BYTES);
	if (!(data[0] & 0x80))
		fsize %= SMALL_SIZES;
	data += SIZE_BYTES;
	size -= SIZE_BYTES;

	/* A missing line is empty. */
	range = fuzz_line(&data, &size, 0);
	inm = fuzz_line(&data, &size, 0);
	etag = fuzz_line(&data, &size, 0);

	first = last = 0xdeadbeef;
	r = range_parse(range, fsize, &first, &last);
	switch (r) {
	case RANGE_OK:
		if (fsize == 0 || first > last || last >= fsize)
			abort();
		break;
	case RANGE_NONE:
	case RANGE_UNSATISFIABLE:
		break;
	default:
		abort();
	}

	if (etag_match(inm, etag) > 1)
		abort();
	if (plain_etag(etag)) {
		if (etag_match("*", etag) != 1 || etag_match(etag, etag) != 1)
			abort();
	}

	free(range);
	free(inm);
	free(etag);
	return (0);
}

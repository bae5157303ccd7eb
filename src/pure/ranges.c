/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Range and If-None-Match, parsed strictly and without allocation: both
 * come from the network unfiltered.
 */

#include <stddef.h>
#include <string.h>

#include "ranges.h"

#define RANGE_UNIT	"bytes="
#define WEAK_PREFIX	"W/"
#define DECIMAL_BASE	10

static int	range_number(const char **, uint64_t *);
static const char	*skip_blanks(const char *);

enum range_result
range_parse(const char *value, uint64_t size, uint64_t *first,
    uint64_t *last)
{
	const char	*p;
	uint64_t	 a, b, n;
	int		 have_a, have_b;

	a = b = 0;

	if (value == NULL || strncmp(value, RANGE_UNIT, strlen(RANGE_UNIT)))
		return (RANGE_NONE);

	p = skip_blanks(value + strlen(RANGE_UNIT));

	have_a = range_number(&p, &a);
	if (*p != '-')
		return (RANGE_NONE);
	p++;
	have_b = range_number(&p, &b);

	p = skip_blanks(p);
	/* Several ranges (or trailing junk): serve the whole file. */
	if (*p != '\0')
		return (RANGE_NONE);

	if (have_a == -1 || have_b == -1 || (!have_a && !have_b))
		return (RANGE_NONE);

	if (!have_a) {
		/* "-n": the last n bytes. */
		n = b;
		if (n == 0 || size == 0)
			return (RANGE_UNSATISFIABLE);
		if (n > size)
			n = size;
		*first = size - n;
		*last = size - 1;
		return (RANGE_OK);
	}

	if (have_b && b < a)
		return (RANGE_NONE);

	if (a >= size)
		return (RANGE_UNSATISFIABLE);

	*first = a;
	*last = (have_b && b < size) ? b : size - 1;
	return (RANGE_OK);
}

int
etag_match(const char *value, const char *etag)
{
	const char	*p, *end;
	size_t		 len, taglen;

	if (value == NULL || etag == NULL)
		return (0);

	taglen = strlen(etag);
	p = skip_blanks(value);

	if (*p == '*' && *skip_blanks(p + 1) == '\0')
		return (1);

	while (*p != '\0') {
		if (!strncmp(p, WEAK_PREFIX, strlen(WEAK_PREFIX)))
			p += strlen(WEAK_PREFIX);

		if (*p != '"')
			return (0);
		if ((end = strchr(p + 1, '"')) == NULL)
			return (0);
		len = (size_t)(end - p) + 1;

		if (len == taglen && !memcmp(p, etag, len))
			return (1);

		p = skip_blanks(end + 1);
		if (*p == '\0')
			break;
		if (*p != ',')
			return (0);
		p = skip_blanks(p + 1);
	}

	return (0);
}

/*
 * Read a decimal number at *p: 1 when one was read, 0 when there is none,
 * -1 when it overflows.
 */
static int
range_number(const char **p, uint64_t *out)
{
	const char	*s = *p;
	uint64_t	 v;
	unsigned int	 digit;

	if (*s < '0' || *s > '9')
		return (0);

	v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		digit = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - digit) / DECIMAL_BASE)
			return (-1);
		v = v * DECIMAL_BASE + digit;
	}

	*p = s;
	*out = v;
	return (1);
}

static const char *
skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;

	return (p);
}

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for upload forms (form.h). The first byte chooses:
 *  - the rest is a Content-Type value, classified as a form and as JSON;
 *  - the rest is a Content-Type value, a newline, and a multipart body
 *    (read with a fixed boundary when the value gives none);
 *  - the rest is a query string, in a writable exact-size copy.
 * Checked besides memory errors: a value taken for JSON names
 * application/json and is no multipart form; parts lie inside the body,
 * names are bounded, the reader ends in a number of steps linear in the
 * body and then stays ended; query pairs advance, lie inside the string
 * and hold no control character in the name.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "form.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FALLBACK_BOUNDARY	"fuzzBoundary"

enum fuzz_mode {
	MODE_CONTENT_TYPE,
	MODE_MULTIPART,
	MODE_QUERY,
	MODE_COUNT
};

static void	content_type_check(const char *, size_t);
static void	multipart_check(const uint8_t *, size_t);
static void	query_check(const uint8_t *, size_t);

static void
content_type_check(const char *value, size_t len)
{
	static const char	json[] = "application/json";
	char			boundary[FORM_BOUNDARY_MAX + 1];
	size_t			n, lead;
	int			is_json;

	is_json = form_content_is_json(value, len);
	if (is_json) {
		for (lead = 0; lead < len &&
		    (value[lead] == ' ' || value[lead] == '\t'); lead++)
			;
		if (len - lead < sizeof(json) - 1 ||
		    strncasecmp(value + lead, json, sizeof(json) - 1) != 0)
			abort();
	}

	memset(boundary, 'x', sizeof(boundary));
	switch (form_content_type(value, len, boundary)) {
	case FORM_MULTIPART:
		if (is_json)
			abort();
		n = strnlen(boundary, sizeof(boundary));
		if (n == 0 || n > FORM_BOUNDARY_MAX ||
		    boundary[n - 1] == ' ')
			abort();
		break;
	case FORM_RAW:
	case FORM_BAD_MULTIPART:
		break;
	default:
		abort();
	}
}

static void
multipart_check(const uint8_t *data, size_t size)
{
	struct form_reader	 r;
	struct form_part	 part;
	char			 boundary[FORM_BOUNDARY_MAX + 1];
	const uint8_t		*nl, *body;
	uint8_t			*copy;
	size_t			 hlen, blen, steps;
	enum form_status	 st;

	if ((nl = memchr(data, '\n', size)) == NULL)
		return;
	hlen = (size_t)(nl - data);
	if ((copy = malloc(hlen > 0 ? hlen : 1)) == NULL)
		abort();
	memcpy(copy, data, hlen);
	if (form_content_type((const char *)copy, hlen, boundary) !=
	    FORM_MULTIPART)
		strcpy(boundary, FALLBACK_BOUNDARY);
	free(copy);

	body = nl + 1;
	blen = size - hlen - 1;
	form_reader_init(&r, body, blen, boundary);

	for (steps = 0;; steps++) {
		/* Each part consumes at least one delimiter of the body. */
		if (steps > blen + 1)
			abort();
		memset(&part, 0xa5, sizeof(part));
		st = form_next_part(&r, &part);
		if (st != FORM_ITEM)
			break;
		if (part.data < body || part.data > body + blen ||
		    part.len > (size_t)(body + blen - part.data))
			abort();
		if (strnlen(part.name, sizeof(part.name)) > FORM_NAME_MAX)
			abort();
		if (part.has_filename != 0 && part.has_filename != 1)
			abort();
	}
	if (st != FORM_END && st != FORM_MALFORMED)
		abort();
	if (form_next_part(&r, &part) != st)
		abort();
}

static void
query_check(const uint8_t *data, size_t size)
{
	struct form_pair	 pair;
	enum form_status	 st;
	char			*qs;
	size_t			 pos, last, i, steps;

	qs = fuzz_strdup(data, size);

	pos = 0;
	for (steps = 0;; steps++) {
		if (steps > size + 1)
			abort();
		last = pos;
		st = form_query_next(qs, size, &pos, &pair);
		if (st != FORM_ITEM)
			break;
		if (pos <= last || pos > size)
			abort();
		if (pair.name < qs || pair.name > qs + size ||
		    pair.value == NULL)
			abort();
		for (i = 0; pair.name[i] != '\0'; i++)
			if ((unsigned char)pair.name[i] < 0x20 ||
			    pair.name[i] == 0x7f)
				abort();
		if (pair.value_len > 0 && (pair.value < qs ||
		    pair.value + pair.value_len > qs + size))
			abort();
		if (pair.value[pair.value_len] != '\0')
			abort();
	}
	if (st != FORM_END && st != FORM_MALFORMED)
		abort();
	if (st == FORM_END && form_query_next(qs, size, &pos,
	    &pair) != FORM_END)
		abort();
	free(qs);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int	mode;

	if ((mode = fuzz_mode_byte(&data, &size, MODE_COUNT)) == -1)
		return (0);

	switch (mode) {
	case MODE_CONTENT_TYPE:
		/* The exact tail of libFuzzer's buffer, no NUL. */
		content_type_check((const char *)data, size);
		break;
	case MODE_MULTIPART:
		multipart_check(data, size);
		break;
	case MODE_QUERY:
		query_check(data, size);
		break;
	}

	return (0);
}

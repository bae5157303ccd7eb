/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the pagination cursors (cursor.h). Random text
 * never carries a valid MAC, so besides decoding the input as it is the
 * harness also builds a genuine cursor from the input's bytes, alters one
 * character of its text as the input says, and decodes that. Whenever a
 * decode succeeds, encoding the result must give back exactly the text
 * that was decoded: two texts must never decode to one cursor.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FUZZ_SECRET	"fuzz-cursor-secret"

/* Bytes of input that describe a cursor: time, id, sort, filter hash. */
#define RAW_CURSOR_LEN	(8 + CURSOR_ID_BYTES + 1 + CURSOR_FILTER_BYTES)

enum fuzz_mode {
	MODE_DECODE,		/* the input is the text */
	MODE_ALTER,		/* a real cursor, one character changed */
	MODE_COUNT
};

static void	decode_check(const char *, size_t);
static void	alter_check(const uint8_t *, size_t);

/* Decode text[0..len) (an exact-size heap copy) and check the round trip. */
static void
decode_check(const char *text, size_t len)
{
	struct cursor	c;
	char		again[CURSOR_TEXT_MAX];

	if (cursor_decode(fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES,
	    text, len, &c) != 0)
		return;
	if (c.sort != CURSOR_SORT_NEWEST && c.sort != CURSOR_SORT_OLDEST)
		abort();
	if (cursor_encode(fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES, &c,
	    again, sizeof(again)) != 0)
		abort();
	if (strlen(again) != len || memcmp(again, text, len) != 0)
		abort();
}

static void
alter_check(const uint8_t *data, size_t size)
{
	struct cursor	 c, back;
	char		 text[CURSOR_TEXT_MAX];
	char		*copy;
	size_t		 pos, len;

	if (size < RAW_CURSOR_LEN + 2)
		return;

	memset(&c, 0, sizeof(c));
	c.created_us = (int64_t)fuzz_be(data, 8);
	memcpy(c.id, data + 8, CURSOR_ID_BYTES);
	c.sort = data[8 + CURSOR_ID_BYTES] & 1;
	memcpy(c.filter_hash, data + 8 + CURSOR_ID_BYTES + 1,
	    CURSOR_FILTER_BYTES);
	data += RAW_CURSOR_LEN;
	size -= RAW_CURSOR_LEN;

	if (cursor_encode(fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES, &c,
	    text, sizeof(text)) != 0)
		abort();
	len = strlen(text);
	if (len != CURSOR_TEXT_LEN)
		abort();

	/* The unaltered cursor decodes to what was encoded. */
	if (cursor_decode(fuzz_cursor_key(FUZZ_SECRET), CURSOR_KEY_BYTES,
	    text, len, &back) != 0)
		abort();
	if (back.created_us != c.created_us || back.sort != c.sort ||
	    memcmp(back.id, c.id, sizeof(c.id)) != 0 ||
	    memcmp(back.filter_hash, c.filter_hash,
	    sizeof(c.filter_hash)) != 0)
		abort();

	/* One character replaced, or the text cut short or extended. */
	pos = data[0] % (CURSOR_TEXT_LEN + 2);
	if (pos < CURSOR_TEXT_LEN)
		text[pos] = (char)data[1];
	else if (pos == CURSOR_TEXT_LEN)
		len = data[1] % CURSOR_TEXT_LEN;
	else
		text[len++] = (char)data[1];

	copy = fuzz_strdup((const uint8_t *)text, len);
	decode_check(copy, len);
	free(copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t	hash[CURSOR_FILTER_BYTES];
	int	mode;

	if ((mode = fuzz_mode_byte(&data, &size, MODE_COUNT)) == -1)
		return (0);

	switch (mode) {
	case MODE_DECODE:
		/* Not NUL-terminated: the tail of libFuzzer's exact buffer. */
		decode_check((const char *)data, size);
		cursor_filter_hash((const char *)data, size, hash);
		break;
	case MODE_ALTER:
		alter_check(data, size);
		break;
	}

	return (0);
}

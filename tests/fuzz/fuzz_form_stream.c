/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for the multipart reader of a stream (form_stream.h)
 * against the reader of a whole body (form.h). The input is two bytes of
 * seed for the sizes of the pieces (fuzz_util.h), a Content-Type value, a
 * newline, and the body (read with a fixed boundary when the value gives
 * none). The body is read whole by form.c and in pieces by form_stream.c,
 * and the two must agree exactly: the same parts, in order, each with the
 * same name, filename flag and bytes, and the same end (close delimiter
 * or malformed); a part form.c did not return (it was cut short) may
 * start in the stream but never end. Checked besides: every span the stream hands out lies
 * inside the piece just given or inside the reader's own delimiter; no
 * empty span; a part's bytes come only between its start and its end;
 * the end is sticky.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "form.h"
#include "form_stream.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define FALLBACK_BOUNDARY	"fuzzBoundary"
#define SEED_LEN		2

/* The parts form.c returned, in order. */
struct whole {
	struct form_part	*parts;
	size_t			 count;
	int			 end;
};

static void	whole_read(const uint8_t *, size_t, const char *,
		    struct whole *);
static void	stream_check(const uint8_t *, size_t, const char *,
		    uint32_t, const struct whole *);
static int	inside(const uint8_t *, size_t, const void *, size_t);

static void
whole_read(const uint8_t *body, size_t len, const char *boundary,
    struct whole *w)
{
	struct form_reader	r;
	struct form_part	p;
	enum form_status	st;

	memset(w, 0, sizeof(*w));
	form_reader_init(&r, body, len, boundary);
	while ((st = form_next_part(&r, &p)) == FORM_ITEM) {
		w->parts = realloc(w->parts, (w->count + 1) * sizeof(p));
		if (w->parts == NULL)
			abort();
		w->parts[w->count++] = p;
	}
	w->end = (st == FORM_END);
}

static int
inside(const uint8_t *p, size_t n, const void *base, size_t len)
{
	const uint8_t	*b = base;

	return (p >= b && n <= len && p - b <= (ptrdiff_t)(len - n));
}

static void
stream_check(const uint8_t *body, size_t len, const char *boundary,
    uint32_t seed, const struct whole *w)
{
	struct form_stream	 fs;
	struct form_stream_item	 it;
	struct fuzz_pieces	 fp;
	enum form_event		 ev;
	const struct form_part	*want;
	size_t			 pos, n, got, done;
	int			 in_part, end, over;

	fuzz_pieces_init(&fp, seed);
	form_stream_init(&fs, boundary);
	pos = 0;
	done = 0;
	got = 0;
	in_part = 0;
	want = NULL;
	over = 0;
	end = 0;

	while (!over) {
		n = fuzz_piece(&fp, len - pos);
		form_stream_feed(&fs, body + pos, n);

		while (!over && (ev = form_stream_next(&fs, &it)) !=
		    FORM_EV_NEED) {
			switch (ev) {
			case FORM_EV_PART:
				if (in_part)
					abort();
				in_part = 1;
				got = 0;
				/*
				 * One form.c did not return is one cut short:
				 * it must never end.
				 */
				want = done < w->count ? &w->parts[done] : NULL;
				if (want != NULL &&
				    (strcmp(it.part.name, want->name) != 0 ||
				    it.part.has_filename != want->has_filename))
					abort();
				break;
			case FORM_EV_DATA:
				if (!in_part || it.len == 0)
					abort();
				if (!inside(it.data, it.len, body + pos, n) &&
				    !inside(it.data, it.len, fs.delim,
				    fs.delim_len))
					abort();
				if (want != NULL && (it.len > want->len - got ||
				    memcmp(it.data, want->data + got, it.len)))
					abort();
				got += it.len;
				break;
			case FORM_EV_PART_END:
				if (!in_part || want == NULL || got != want->len)
					abort();
				in_part = 0;
				done++;
				break;
			case FORM_EV_END:
				end = 1;
				over = 1;
				break;
			case FORM_EV_MALFORMED:
				over = 1;
				break;
			default:
				abort();
			}
		}
		pos += n;
		if (!over && pos == len) {
			end = (form_stream_finish(&fs) == FORM_EV_END);
			over = 1;
		}
	}

	if (end != w->end || done != w->count)
		abort();
	if ((form_stream_finish(&fs) == FORM_EV_END) != end)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct whole	 w;
	const uint8_t	*rest;
	char		*ctype, boundary[FORM_BOUNDARY_MAX + 1];
	size_t		 rest_len;
	uint32_t	 seed;

	if (size < SEED_LEN)
		return (0);
	seed = (uint32_t)fuzz_be(data, SEED_LEN);
	rest = data + SEED_LEN;
	rest_len = size - SEED_LEN;

	ctype = fuzz_line(&rest, &rest_len, 0);
	if (form_content_type(ctype, strlen(ctype), boundary) !=
	    FORM_MULTIPART)
		(void)strcpy(boundary, FALLBACK_BOUNDARY);
	free(ctype);
	if (rest == NULL) {
		rest = (const uint8_t *)"";
		rest_len = 0;
	}

	whole_read(rest, rest_len, boundary, &w);
	stream_check(rest, rest_len, boundary, seed, &w);
	/* Byte by byte too: the seed's pieces may all be large. */
	stream_check(rest, rest_len, boundary, 0, &w);
	free(w.parts);

	return (0);
}

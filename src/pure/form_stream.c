/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The multipart/form-data reader of a body that arrives in pieces. It
 * follows form.c's reader of a whole body rule for rule, and a fuzzer
 * holds the two to the same answers (tests/fuzz/fuzz_form_stream.c):
 *
 *   - the body is read as if "\r\n" preceded it, so that the opening
 *     "--boundary" is found by the same "\r\n--boundary" search as every
 *     later delimiter, exactly where form.c finds it (at the start, or
 *     after a preamble);
 *   - after a delimiter, "--" closes; otherwise transport padding (spaces
 *     and tabs) and a CRLF must follow;
 *   - header lines, up to the empty one, go through form_header_line(),
 *     the parser the two readers share;
 *   - the content runs to the first "\r\n--boundary".
 *
 * The delimiter holds one CR, its first byte (a boundary has none), so a
 * match that fails can only start again at a CR: no search table needed,
 * and the bytes of a failed partial match are the delimiter's own.
 */

#include <string.h>

#include "form_stream.h"

#define CR		'\r'
#define LF		'\n'
#define DASH		'-'
#define SP		' '
#define HT		'\t'
#define CRLF_LEN	2
#define DASH_DASH_LEN	2

enum stream_state {
	ST_PREAMBLE,		/* looking for the first delimiter */
	ST_AFTER_DELIM,		/* right after a delimiter */
	ST_AFTER_DASH,		/* after a delimiter and one '-' */
	ST_PADDING,		/* transport padding after a delimiter */
	ST_AFTER_CR,		/* the CR that ends a delimiter's line */
	ST_HEADERS,		/* a part's header lines */
	ST_CONTENT,		/* a part's content */
	ST_DONE,		/* the close delimiter was read */
	ST_BROKEN
};

/* What the delimiter search found in the piece. */
enum scan_result {
	SCAN_BYTES,		/* bytes before any delimiter (maybe none) */
	SCAN_DELIMITER,		/* the delimiter, consumed; no bytes */
	SCAN_NEED		/* the piece is used up */
};

static enum scan_result	scan(struct form_stream *, const uint8_t **,
			    size_t *);
static enum form_event	after_delim(struct form_stream *);
static enum form_event	headers(struct form_stream *,
			    struct form_stream_item *);
static int		line_add(struct form_stream *, uint8_t);
static enum form_event	broken(struct form_stream *);

void
form_stream_init(struct form_stream *fs, const char *boundary)
{
	size_t	blen;

	memset(fs, 0, sizeof(*fs));

	/* A boundary holds no CR (RFC 2046 bchars; form_content_type). */
	blen = strlen(boundary);
	if (blen == 0 || blen > FORM_BOUNDARY_MAX ||
	    memchr(boundary, CR, blen) != NULL) {
		fs->state = ST_BROKEN;
		return;
	}

	fs->delim[0] = CR;
	fs->delim[1] = LF;
	fs->delim[2] = DASH;
	fs->delim[3] = DASH;
	memcpy(fs->delim + CRLF_LEN + DASH_DASH_LEN, boundary, blen);
	fs->delim_len = CRLF_LEN + DASH_DASH_LEN + blen;

	/* The "\r\n" the body is read as if it followed. */
	fs->state = ST_PREAMBLE;
	fs->matched = CRLF_LEN;
}

void
form_stream_feed(struct form_stream *fs, const void *piece, size_t len)
{
	fs->in = piece;
	fs->in_len = piece != NULL ? len : 0;
	fs->in_pos = 0;
}

enum form_event
form_stream_next(struct form_stream *fs, struct form_stream_item *item)
{
	const uint8_t	*bytes;
	size_t		 len;
	enum form_event	 ev;

	memset(item, 0, sizeof(*item));

	for (;;) {
		switch (fs->state) {
		case ST_PREAMBLE:
			switch (scan(fs, &bytes, &len)) {
			case SCAN_NEED:
				return (FORM_EV_NEED);
			case SCAN_DELIMITER:
				fs->state = ST_AFTER_DELIM;
				break;
			case SCAN_BYTES:
				/* The preamble is not ours to read. */
				break;
			}
			break;
		case ST_CONTENT:
			switch (scan(fs, &bytes, &len)) {
			case SCAN_NEED:
				return (FORM_EV_NEED);
			case SCAN_DELIMITER:
				fs->state = ST_AFTER_DELIM;
				return (FORM_EV_PART_END);
			case SCAN_BYTES:
				if (len == 0)
					break;
				item->data = bytes;
				item->len = len;
				return (FORM_EV_DATA);
			}
			break;
		case ST_AFTER_DELIM:
		case ST_AFTER_DASH:
		case ST_PADDING:
		case ST_AFTER_CR:
			if (fs->in_pos == fs->in_len)
				return (FORM_EV_NEED);
			if ((ev = after_delim(fs)) != FORM_EV_NEED)
				return (ev);
			break;
		case ST_HEADERS:
			if (fs->in_pos == fs->in_len)
				return (FORM_EV_NEED);
			if ((ev = headers(fs, item)) != FORM_EV_NEED)
				return (ev);
			break;
		case ST_DONE:
			/* The epilogue: ignored, as form.c does. */
			fs->in_pos = fs->in_len;
			return (FORM_EV_END);
		case ST_BROKEN:
		default:
			fs->in_pos = fs->in_len;
			return (FORM_EV_MALFORMED);
		}
	}
}

enum form_event
form_stream_finish(struct form_stream *fs)
{
	if (fs->state == ST_DONE)
		return (FORM_EV_END);

	/* Anywhere else the close delimiter is missing: truncated. */
	return (broken(fs));
}

/*
 * Look for the delimiter from the piece's position. Bytes before it come
 * back as spans, of the piece or, for a partial match that failed, of the
 * delimiter; the delimiter itself is consumed and reported alone.
 */
static enum scan_result
scan(struct form_stream *fs, const uint8_t **bytes, size_t *len)
{
	const uint8_t	*start, *end, *p;
	size_t		 avail;

	*bytes = NULL;
	*len = 0;

	if (fs->matched > 0) {
		/* A match that began before this piece (or the virtual CRLF). */
		while (fs->in_pos < fs->in_len && fs->matched < fs->delim_len &&
		    fs->in[fs->in_pos] == (uint8_t)fs->delim[fs->matched]) {
			fs->matched++;
			fs->in_pos++;
		}
		if (fs->matched == fs->delim_len) {
			fs->matched = 0;
			return (SCAN_DELIMITER);
		}
		if (fs->in_pos == fs->in_len)
			return (SCAN_NEED);

		/*
		 * It failed: what matched is content, and it is the
		 * delimiter's own first bytes. The byte that failed is looked
		 * at again (it may be the CR of a real delimiter).
		 */
		*bytes = (const uint8_t *)fs->delim;
		*len = fs->matched;
		fs->matched = 0;
		return (SCAN_BYTES);
	}

	if (fs->in_pos == fs->in_len)
		return (SCAN_NEED);

	start = fs->in + fs->in_pos;
	end = fs->in + fs->in_len;
	p = start;

	for (;;) {
		p = memchr(p, CR, (size_t)(end - p));
		if (p == NULL) {
			*bytes = start;
			*len = (size_t)(end - start);
			fs->in_pos = fs->in_len;
			return (SCAN_BYTES);
		}

		avail = (size_t)(end - p);
		if (avail > fs->delim_len)
			avail = fs->delim_len;
		if (memcmp(p, fs->delim, avail) != 0) {
			p++;
			continue;
		}

		if (p > start) {
			/* The bytes before it first; it is found again next. */
			*bytes = start;
			*len = (size_t)(p - start);
			fs->in_pos = (size_t)(p - fs->in);
			return (SCAN_BYTES);
		}

		/* At the piece's position: all of it, or the piece's end. */
		fs->in_pos += avail;
		if (avail == fs->delim_len)
			return (SCAN_DELIMITER);
		fs->matched = avail;
		return (SCAN_NEED);
	}
}

/* One byte after a delimiter: "--", or padding and CRLF. */
static enum form_event
after_delim(struct form_stream *fs)
{
	uint8_t	c;

	c = fs->in[fs->in_pos++];

	switch (fs->state) {
	case ST_AFTER_DELIM:
		if (c == DASH) {
			fs->state = ST_AFTER_DASH;
			return (FORM_EV_NEED);
		}
		if (c == SP || c == HT) {
			fs->state = ST_PADDING;
			return (FORM_EV_NEED);
		}
		if (c == CR) {
			fs->state = ST_AFTER_CR;
			return (FORM_EV_NEED);
		}
		return (broken(fs));
	case ST_AFTER_DASH:
		if (c != DASH)
			return (broken(fs));
		fs->state = ST_DONE;
		fs->in_pos = fs->in_len;
		return (FORM_EV_END);
	case ST_PADDING:
		if (c == SP || c == HT)
			return (FORM_EV_NEED);
		if (c == CR) {
			fs->state = ST_AFTER_CR;
			return (FORM_EV_NEED);
		}
		return (broken(fs));
	case ST_AFTER_CR:
	default:
		if (c != LF)
			return (broken(fs));
		memset(&fs->part, 0, sizeof(fs->part));
		fs->seen_disposition = 0;
		fs->line_len = 0;
		fs->line_cr = 0;
		fs->state = ST_HEADERS;
		return (FORM_EV_NEED);
	}
}

/*
 * Header bytes up to the end of one line (a CRLF; a lone CR is part of
 * the line, as in form.c's search for CRLF): FORM_EV_NEED when the piece
 * ran out first or the line was an ordinary one.
 */
static enum form_event
headers(struct form_stream *fs, struct form_stream_item *item)
{
	uint8_t	c;
	int	eol;

	eol = 0;
	while (!eol && fs->in_pos < fs->in_len) {
		c = fs->in[fs->in_pos++];

		if (fs->line_cr) {
			fs->line_cr = 0;
			if (c == LF) {
				eol = 1;
				continue;
			}
			/* That CR was the line's; this byte is looked at. */
			if (line_add(fs, CR) == -1)
				return (broken(fs));
		}
		if (c == CR) {
			fs->line_cr = 1;
			continue;
		}
		if (line_add(fs, c) == -1)
			return (broken(fs));
	}
	if (!eol)
		return (FORM_EV_NEED);

	if (fs->line_len == 0) {
		item->part = fs->part;
		fs->state = ST_CONTENT;
		fs->matched = 0;
		return (FORM_EV_PART);
	}

	if (form_header_line(fs->line, fs->line_len, &fs->part,
	    &fs->seen_disposition) == -1)
		return (broken(fs));
	fs->line_len = 0;
	return (FORM_EV_NEED);
}

/* A line longer than form.c takes is refused as soon as it is. */
static int
line_add(struct form_stream *fs, uint8_t c)
{
	if (fs->line_len >= FORM_HEADER_LINE_MAX)
		return (-1);

	fs->line[fs->line_len++] = (char)c;
	fs->line[fs->line_len] = '\0';
	return (0);
}

static enum form_event
broken(struct form_stream *fs)
{
	fs->state = ST_BROKEN;
	fs->in_pos = fs->in_len;
	return (FORM_EV_MALFORMED);
}

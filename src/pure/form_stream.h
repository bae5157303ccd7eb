/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * A multipart/form-data body read as it arrives, in pieces of any size,
 * with the same rules and the same answers as form.c's reader of a whole
 * body: the same parts (name, filename flag, bytes), the same end, the
 * same refusals. Pure: no Kore.
 *
 * It holds at most one part header line (FORM_HEADER_LINE_MAX) and never
 * copies content: a part's bytes are handed out as spans of the piece
 * given, and of the delimiter itself for the few bytes that looked like
 * the start of one when a piece ended and turned out not to be.
 *
 *	form_stream_init(&fs, boundary);
 *	for each piece of the body:
 *		form_stream_feed(&fs, piece, len);
 *		while ((ev = form_stream_next(&fs, &item)) != FORM_EV_NEED)
 *			... FORM_EV_PART, _DATA, _PART_END, _END, _MALFORMED
 *	ev = form_stream_finish(&fs);	FORM_EV_END or FORM_EV_MALFORMED
 *
 * After FORM_EV_END every later byte is the epilogue and is ignored; after
 * FORM_EV_MALFORMED nothing more is read. Both are returned again by every
 * further call. A part is complete (form.c would have returned it) only
 * once its FORM_EV_PART_END came: one cut short ends in FORM_EV_MALFORMED.
 */

#ifndef REACTBIN_FORM_STREAM_H
#define REACTBIN_FORM_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "form.h"

enum form_event {
	FORM_EV_NEED,		/* the piece is used up: feed the next */
	FORM_EV_PART,		/* a part's headers are in: item.part */
	FORM_EV_DATA,		/* bytes of the part's content: item.data */
	FORM_EV_PART_END,	/* the part's content ended */
	FORM_EV_END,		/* the close delimiter */
	FORM_EV_MALFORMED	/* the body breaks the syntax, or was cut */
};

/* What an event carries; data is valid until the next call. */
struct form_stream_item {
	struct form_part	 part;
	const uint8_t		*data;
	size_t			 len;
};

struct form_stream {
	int		 state;
	char		 delim[FORM_DELIMITER_MAX];
	size_t		 delim_len;
	size_t		 matched;	/* bytes of delim matched so far */

	/* The piece being read. */
	const uint8_t	*in;
	size_t		 in_len;
	size_t		 in_pos;

	/* The part whose headers are being read. */
	struct form_part part;
	int		 seen_disposition;
	char		 line[FORM_HEADER_LINE_MAX + 1];
	size_t		 line_len;
	int		 line_cr;	/* the line's last byte read is a CR */
};

/*
 * Start reading a body whose boundary form_content_type() gave; one that
 * is empty, too long or holds a CR makes every event FORM_EV_MALFORMED.
 */
void		form_stream_init(struct form_stream *, const char *boundary);

/* The next piece of the body; the previous one must be used up. */
void		form_stream_feed(struct form_stream *, const void *, size_t);

/* The next event of the piece given. */
enum form_event	form_stream_next(struct form_stream *,
		    struct form_stream_item *);

/* The body has ended: FORM_EV_END if it was whole, else MALFORMED. */
enum form_event	form_stream_finish(struct form_stream *);

#endif

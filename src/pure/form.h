/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What an upload's client sends besides the file's bytes: the Content-Type
 * (is the body multipart/form-data, and with which boundary), the parts of
 * a multipart/form-data body (RFC 7578, RFC 2046 5.1), and the pairs of a
 * query string (application/x-www-form-urlencoded). Pure: no Kore.
 *
 * Nothing is copied: a part's bytes are a span of the caller's body, so a
 * 50 MB file part costs no memory, and query pairs are decoded in place.
 * Every function takes (pointer, length) input that may hold any bytes,
 * runs in time linear in it, and reads nothing outside it.
 */

#ifndef REACTBIN_FORM_H
#define REACTBIN_FORM_H

#include <stddef.h>
#include <stdint.h>

#define FORM_BOUNDARY_MAX	70	/* RFC 2046 5.1.1 */
#define FORM_NAME_MAX		64	/* longer part names read as "" */

/* "\r\n--" then the boundary: what separates two parts. */
#define FORM_DELIMITER_MAX	(4 + FORM_BOUNDARY_MAX)

/*
 * Longest header line of a part, its CRLF aside: a longer one is
 * malformed, so that a reader of a stream holds at most one such line.
 */
#define FORM_HEADER_LINE_MAX	4096

enum form_body {
	FORM_RAW,		/* not multipart/form-data: the body is the file */
	FORM_MULTIPART,		/* multipart/form-data with a usable boundary */
	FORM_BAD_MULTIPART	/* multipart/form-data, boundary missing/bad */
};

enum form_status {
	FORM_ITEM,		/* one more part or pair was returned */
	FORM_END,		/* no more: the close delimiter or the end */
	FORM_MALFORMED		/* the body or query breaks the syntax */
};

/*
 * Classify a Content-Type header value (NULL when there is none: FORM_RAW).
 * For FORM_MULTIPART the boundary (1-70 characters of RFC 2046's bchars,
 * not ending in a space, quoted or not in the header) is copied to out.
 */
enum form_body	form_content_type(const char *value, size_t len,
		    char out[FORM_BOUNDARY_MAX + 1]);

/*
 * Whether a Content-Type header value names JSON: application/json, in
 * any case, with parameters or none, but a charset other than UTF-8 (the
 * only one JSON has, RFC 8259 8.1) is not.
 */
int		form_content_is_json(const char *value, size_t len);

/*
 * One part of a multipart body. name is the Content-Disposition form-data
 * name, or "" when the part has none, it is longer than FORM_NAME_MAX, or
 * the disposition is not form-data; has_filename says whether a filename
 * (or filename*) parameter was given. data/len is the part's content
 * inside the caller's body.
 */
struct form_part {
	char		 name[FORM_NAME_MAX + 1];
	int		 has_filename;
	const uint8_t	*data;
	size_t		 len;
};

/* A cursor over a multipart body; the body must outlive it. */
struct form_reader {
	const uint8_t	*buf;
	size_t		 len;
	size_t		 pos;
	int		 state;
	char		 delim[FORM_DELIMITER_MAX];
	size_t		 delim_len;
};

/* Start reading body[0..len) whose boundary form_content_type() gave. */
void	form_reader_init(struct form_reader *, const void *body, size_t len,
	    const char *boundary);

/*
 * The next part: FORM_ITEM with *part filled, FORM_END once the close
 * delimiter has been read (whatever follows it, the epilogue, is ignored),
 * or FORM_MALFORMED for a body without an opening delimiter, a truncated
 * one (no close delimiter), or a part whose headers break the syntax. After
 * FORM_END or FORM_MALFORMED every further call returns the same.
 */
enum form_status	form_next_part(struct form_reader *,
			    struct form_part *);

/*
 * One header line of a part (without its CRLF; "" ends the headers and
 * is accepted) into *part: only Content-Disposition is read, and *seen
 * (0 before a part's first line) says whether one was. Returns 0, or -1
 * for a line that breaks the syntax, a second disposition, or one longer
 * than FORM_HEADER_LINE_MAX. Both multipart readers use it (form.c for a
 * whole body, form_stream.c for one that arrives in pieces).
 */
int	form_header_line(const char *, size_t, struct form_part *, int *);

/*
 * One name=value pair of a query string, percent-decoded ('+' is a space)
 * in place. Both are NUL-terminated; the value may also hold NUL bytes, so
 * value_len is its length. A pair without '=' has the value "".
 */
struct form_pair {
	const char	*name;
	const char	*value;
	size_t		 value_len;
};

/*
 * The next pair of qs[0..len), from *pos (start at 0), which is advanced.
 * qs is modified: pairs are decoded where they stand, so it must be a
 * writable string with qs[len] == '\0' (a copy of the query). Empty pieces
 * ("a=1&&b=2") are skipped. A '%' not followed by two hex digits, or a
 * name that decodes to a control character, is FORM_MALFORMED.
 */
enum form_status	form_query_next(char *qs, size_t len, size_t *pos,
			    struct form_pair *);

#endif

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * What an upload says besides its bytes, and what is wrong with it: the
 * title and tags (from form fields and the query), the file part's
 * presence and size, and the answer a request with several problems
 * gets. Pure: no Kore. The events come from whoever reads the body
 * (intake.c), in the order of the body; the rules do not depend on how
 * it was cut.
 *
 * The first fault, in the order a client most needs it first (the order
 * upload.c always had):
 *
 *   1. a malformed body (400) or a second file part (422, once it has
 *      ended), whichever the body shows first; a bad multipart boundary
 *      is one at the headers;
 *   2. a malformed query string (400);
 *   3. no file part (422);
 *   4. a file over MAX_UPLOAD_BYTES (413);
 *   5. an empty file (422);
 *   6. a bad title or tags: the first of them, form fields before the
 *      query's (422);
 *   7. the media: not one of ours, or broken (415), or a picture of a
 *      bomb's size (422).
 *
 * Some of them stop the reading of the body at once (upload_form_stopped:
 * 1, a file that has grown over the limit, a refused type): a client is
 * not made to send megabytes to hear that. The answer is then the first
 * fault known at that moment, by the order above.
 */

#ifndef REACTBIN_UPLOAD_FORM_H
#define REACTBIN_UPLOAD_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "form.h"
#include "media.h"
#include "tags.h"

/* A valid title is at most TITLE_MAX_CHARS code points of UTF-8. */
#define UPLOAD_UTF8_CHAR_MAX	4
#define UPLOAD_TITLE_BYTES_MAX	(TITLE_MAX_CHARS * UPLOAD_UTF8_CHAR_MAX)

/*
 * The longest tags field held: many times what 32 tags of 64 bytes and
 * their separators take. A longer one is refused, unread.
 */
#define UPLOAD_TAGS_FIELD_MAX	(16 * 1024)

/* The longest query string held (Kore's request line stops at 2000). */
#define UPLOAD_QUERY_MAX	4096

#define UPLOAD_FILE_FIELD	"file"
#define UPLOAD_TITLE_FIELD	"title"
#define UPLOAD_TAGS_FIELD	"tags"

/* A problem with a request, as the API answers it. */
struct upload_fault {
	int		 status;
	const char	*code;
	const char	*field;		/* NULL: not about one field */
	const char	*message;
};

/* What the part just begun is to the upload. */
enum upload_part {
	UPLOAD_PART_FILE,
	UPLOAD_PART_TITLE,
	UPLOAD_PART_TAGS,
	UPLOAD_PART_OTHER	/* its bytes are not looked at */
};

struct upload_form {
	uint64_t		max_file;

	int			has_file;
	uint64_t		file_len;
	int			has_title;
	char			title[UPLOAD_TITLE_BYTES_MAX + 1];
	struct tag_set		tags;

	/* The faults seen, one slot per rank (the first of each kept). */
	struct upload_fault	body;
	struct upload_fault	query;
	struct upload_fault	fields;
	struct upload_fault	media;
	int			too_large;
	int			stopped;

	/* The query, held until the form's own fields have been read. */
	char			qs[UPLOAD_QUERY_MAX + 1];
	size_t			qs_len;
	int			qs_pending;

	/* The value of the title or tags part being read. */
	enum upload_part	part;
	int			in_part;
	int			second_file;
	char			value[UPLOAD_TAGS_FIELD_MAX];
	size_t			value_len;
	int			value_over;
};

/* Start; the file may have at most max_file bytes. */
void	upload_form_init(struct upload_form *, uint64_t max_file);

/*
 * The query string (NULL: none). Its fields are read after the form's
 * (upload_form_fields_done), as they always were.
 */
void	upload_form_query(struct upload_form *, const char *);

/* A raw body: the file is the body, of len bytes, and there is no form. */
void	upload_form_raw(struct upload_form *, uint64_t len);

/* The Content-Type said multipart/form-data without a usable boundary. */
void	upload_form_bad_boundary(struct upload_form *);

/*
 * A part's headers are in; the part's bytes and end follow. The kind
 * says where its bytes go (UPLOAD_PART_OTHER: nowhere, for a part of no
 * use, and for a second file).
 */
enum upload_part	upload_form_part_begin(struct upload_form *,
			    const struct form_part *);

/* Bytes of the file part (counted, not held); -1 once it is too large. */
int	upload_form_file_data(struct upload_form *, size_t);

/* Bytes of a title or tags part (held, up to a bound). */
void	upload_form_field_data(struct upload_form *, const void *, size_t);

/* The part begun last has ended. */
void	upload_form_part_end(struct upload_form *);

/* The multipart body breaks the syntax, or was cut short. */
void	upload_form_malformed(struct upload_form *);

/* No more form fields: the query's fields are read now. */
void	upload_form_fields_done(struct upload_form *);

/*
 * The media verdict: MEDIA_OK with its info (whose dimensions are then
 * checked), or a refusal.
 */
void	upload_form_media(struct upload_form *, enum media_status,
	    const struct media_info *);

/* Must the reading of the body stop now? 1 or 0. */
int	upload_form_stopped(const struct upload_form *);

/* The answer: 0 when nothing is wrong, -1 with the first fault in *out. */
int	upload_form_verdict(const struct upload_form *, struct upload_fault *);

#endif

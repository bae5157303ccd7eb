/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The rules of an upload's fields and the order of its faults (see
 * upload_form.h). Values are checked by the tag and title rules of
 * tags.c; the query is split by form.c. Each rank keeps its first fault:
 * later ones are often consequences of it.
 */

#include <string.h>

#include "upload_form.h"

#define STATUS_BAD_REQUEST		400
#define STATUS_TOO_LARGE		413
#define STATUS_UNSUPPORTED_MEDIA	415
#define STATUS_UNPROCESSABLE		422

#define CODE_BAD_REQUEST		"bad_request"
#define CODE_TOO_LARGE			"payload_too_large"
#define CODE_UNSUPPORTED_MEDIA		"unsupported_media_type"
#define CODE_VALIDATION			"validation_failed"

static void	fault(struct upload_fault *, int, const char *, const char *,
		    const char *);
static void	query_field(struct upload_form *, enum upload_part,
		    const char *, size_t);
static void	title(struct upload_form *, const char *, size_t);
static void	tags(struct upload_form *, const char *, size_t);
static enum upload_part	part_kind(const char *);

void
upload_form_init(struct upload_form *f, uint64_t max_file)
{
	memset(f, 0, sizeof(*f));
	f->max_file = max_file;
	tag_set_init(&f->tags);
}

void
upload_form_query(struct upload_form *f, const char *qs)
{
	size_t	len;

	if (qs == NULL)
		return;

	len = strlen(qs);
	if (len > UPLOAD_QUERY_MAX) {
		fault(&f->query, STATUS_BAD_REQUEST, CODE_BAD_REQUEST, NULL,
		    "the query string is too long");
		return;
	}

	memcpy(f->qs, qs, len + 1);
	f->qs_len = len;
	f->qs_pending = 1;
}

void
upload_form_raw(struct upload_form *f, uint64_t len)
{
	f->has_file = 1;
	f->file_len = len;
	if (len > f->max_file) {
		f->too_large = 1;
		f->stopped = 1;
	}
}

void
upload_form_bad_boundary(struct upload_form *f)
{
	fault(&f->body, STATUS_BAD_REQUEST, CODE_BAD_REQUEST, NULL,
	    "a multipart/form-data body needs a valid boundary");
	f->stopped = 1;
}

enum upload_part
upload_form_part_begin(struct upload_form *f, const struct form_part *part)
{
	enum upload_part	kind;

	kind = part_kind(part->name);
	f->in_part = 1;
	f->second_file = 0;
	f->value_len = 0;
	f->value_over = 0;

	switch (kind) {
	case UPLOAD_PART_FILE:
		/*
		 * Which of two files was meant is a guess: the second one is
		 * refused once it has ended (a body cut inside it is only
		 * malformed, as form.c, which returns whole parts, says).
		 */
		if (f->has_file) {
			f->second_file = 1;
			kind = UPLOAD_PART_OTHER;
			break;
		}
		f->has_file = 1;
		break;
	case UPLOAD_PART_TITLE:
		/* A second title is refused, not guessed at: unread. */
		if (f->has_title) {
			fault(&f->fields, STATUS_UNPROCESSABLE,
			    CODE_VALIDATION, UPLOAD_TITLE_FIELD,
			    "give the title once");
			kind = UPLOAD_PART_OTHER;
			break;
		}
		f->has_title = 1;
		break;
	case UPLOAD_PART_TAGS:
	case UPLOAD_PART_OTHER:
	default:
		break;
	}

	f->part = kind;
	return (kind);
}

int
upload_form_file_data(struct upload_form *f, size_t n)
{
	f->file_len += n;
	if (f->file_len <= f->max_file)
		return (0);

	f->too_large = 1;
	f->stopped = 1;
	return (-1);
}

void
upload_form_field_data(struct upload_form *f, const void *p, size_t n)
{
	size_t	room;

	if (!f->in_part || (f->part != UPLOAD_PART_TITLE &&
	    f->part != UPLOAD_PART_TAGS))
		return;

	/* A title longer than this is invalid whatever it holds. */
	room = (f->part == UPLOAD_PART_TITLE ? UPLOAD_TITLE_BYTES_MAX + 1 :
	    sizeof(f->value)) - f->value_len;
	if (n > room) {
		f->value_over = 1;
		n = room;
	}
	memcpy(f->value + f->value_len, p, n);
	f->value_len += n;
}

void
upload_form_part_end(struct upload_form *f)
{
	if (!f->in_part)
		return;
	f->in_part = 0;

	if (f->second_file) {
		fault(&f->body, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_FILE_FIELD, "send one file per upload");
		f->stopped = 1;
		return;
	}
	if (f->part == UPLOAD_PART_TAGS && f->value_over) {
		fault(&f->fields, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_TAGS_FIELD, "the tags field is too long");
		return;
	}
	if (f->part == UPLOAD_PART_TITLE)
		title(f, f->value, f->value_len);
	else if (f->part == UPLOAD_PART_TAGS)
		tags(f, f->value, f->value_len);
}

void
upload_form_malformed(struct upload_form *f)
{
	fault(&f->body, STATUS_BAD_REQUEST, CODE_BAD_REQUEST, NULL,
	    "the multipart body is malformed or truncated");
	f->in_part = 0;
	f->stopped = 1;
}

void
upload_form_fields_done(struct upload_form *f)
{
	struct form_pair	pair;
	enum form_status	st;
	size_t			pos;

	if (!f->qs_pending)
		return;
	f->qs_pending = 0;

	/*
	 * Kore's own query parser is not used: it silently drops a value
	 * with a control character, which must be a 422 here, and keeps
	 * only one of repeated names.
	 */
	pos = 0;
	while ((st = form_query_next(f->qs, f->qs_len, &pos, &pair)) ==
	    FORM_ITEM)
		query_field(f, part_kind(pair.name), pair.value,
		    pair.value_len);

	if (st == FORM_MALFORMED) {
		fault(&f->query, STATUS_BAD_REQUEST, CODE_BAD_REQUEST, NULL,
		    "the query string is malformed");
	}
}

void
upload_form_media(struct upload_form *f, enum media_status st,
    const struct media_info *info)
{
	switch (st) {
	case MEDIA_OK:
		if (!media_dimensions_sane(info)) {
			fault(&f->media, STATUS_UNPROCESSABLE, CODE_VALIDATION,
			    UPLOAD_FILE_FIELD,
			    "the image's width or height is zero or too large");
		}
		return;
	case MEDIA_MALFORMED:
		fault(&f->media, STATUS_UNSUPPORTED_MEDIA,
		    CODE_UNSUPPORTED_MEDIA,
		    NULL, "the file is truncated or malformed");
		break;
	case MEDIA_UNSUPPORTED:
	default:
		fault(&f->media, STATUS_UNSUPPORTED_MEDIA,
		    CODE_UNSUPPORTED_MEDIA, NULL,
		    "the file is not a GIF, PNG, JPEG, WebP, MP4 or WebM");
		break;
	}
	f->stopped = 1;
}

int
upload_form_stopped(const struct upload_form *f)
{
	return (f->stopped);
}

int
upload_form_verdict(const struct upload_form *f, struct upload_fault *out)
{
	memset(out, 0, sizeof(*out));

	if (f->body.status != 0) {
		*out = f->body;
	} else if (f->query.status != 0) {
		*out = f->query;
	} else if (!f->has_file) {
		fault(out, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_FILE_FIELD,
		    "a part named \"file\" with the file is required");
	} else if (f->too_large) {
		fault(out, STATUS_TOO_LARGE, CODE_TOO_LARGE, NULL,
		    "the file is larger than MAX_UPLOAD_BYTES allows");
	} else if (f->file_len == 0) {
		fault(out, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_FILE_FIELD, "the file is empty");
	} else if (f->fields.status != 0) {
		*out = f->fields;
	} else if (f->media.status != 0) {
		*out = f->media;
	} else {
		return (0);
	}

	return (-1);
}

/* Keep the first problem of a rank. */
static void
fault(struct upload_fault *slot, int status, const char *code,
    const char *name, const char *message)
{
	if (slot->status != 0)
		return;

	slot->status = status;
	slot->code = code;
	slot->field = name;
	slot->message = message;
}

/*
 * A title or tags value of the query; other names are ignored. A title
 * part of the form was counted when it began (upload_form_part_begin).
 */
static void
query_field(struct upload_form *f, enum upload_part kind, const char *value,
    size_t len)
{
	if (kind == UPLOAD_PART_TAGS) {
		tags(f, value, len);
		return;
	}
	if (kind != UPLOAD_PART_TITLE)
		return;

	if (f->has_title) {
		fault(&f->fields, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_TITLE_FIELD, "give the title once");
		return;
	}
	f->has_title = 1;
	title(f, value, len);
}

static void
title(struct upload_form *f, const char *value, size_t len)
{
	if (len > UPLOAD_TITLE_BYTES_MAX || !tag_title_valid(value, len)) {
		fault(&f->fields, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_TITLE_FIELD,
		    "a title is at most 200 characters of UTF-8 without "
		    "control characters");
		return;
	}
	memcpy(f->title, value, len);
	f->title[len] = '\0';
}

/* Tags may come in several values and add up. */
static void
tags(struct upload_form *f, const char *value, size_t len)
{
	switch (tag_set_parse_list(&f->tags, value, len)) {
	case TAG_OK:
		break;
	case TAG_TOO_MANY:
		fault(&f->fields, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_TAGS_FIELD, "a reaction has at most 32 tags");
		break;
	case TAG_INVALID:
	default:
		fault(&f->fields, STATUS_UNPROCESSABLE, CODE_VALIDATION,
		    UPLOAD_TAGS_FIELD,
		    "a tag is 1-64 bytes of UTF-8 without whitespace, control "
		    "characters, ',' or '*', and does not start with '-'");
		break;
	}
}

static enum upload_part
part_kind(const char *name)
{
	if (!strcmp(name, UPLOAD_FILE_FIELD))
		return (UPLOAD_PART_FILE);
	if (!strcmp(name, UPLOAD_TITLE_FIELD))
		return (UPLOAD_PART_TITLE);
	if (!strcmp(name, UPLOAD_TAGS_FIELD))
		return (UPLOAD_PART_TAGS);

	return (UPLOAD_PART_OTHER);
}

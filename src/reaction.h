/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * A reaction as the API shows it: the one SELECT list every query that
 * returns reactions uses, and the one function that turns such a row into
 * JSON. Kore-side (it reads job results).
 */

#ifndef REACTBIN_REACTION_H
#define REACTBIN_REACTION_H

#include "app.h"
#include "uuid.h"

/*
 * Select these columns, in this order, from "reactions r". Tags come as
 * one newline-separated string: a tag never contains whitespace, and this
 * avoids parsing PostgreSQL's array syntax.
 */
#define REACTION_COLUMNS						\
	"r.id, r.title, array_to_string(r.tags, E'\\n'), r.media_type, "	\
	"r.size_bytes, r.width, r.height, r.sha256, "			\
	"to_char(r.created_at AT TIME ZONE 'UTC', "			\
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "				\
	"to_char(r.updated_at AT TIME ZONE 'UTC', "			\
	"'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'), "				\
	"(extract(epoch FROM r.created_at) * 1000000)::bigint, "	\
	"r.object_key, r.duration_ms, r.thumbnail_key IS NOT NULL, "	\
	"r.preview_key IS NOT NULL"

enum reaction_column {
	RC_ID,
	RC_TITLE,
	RC_TAGS,
	RC_MEDIA_TYPE,
	RC_SIZE,
	RC_WIDTH,
	RC_HEIGHT,
	RC_SHA256,
	RC_CREATED_AT,
	RC_UPDATED_AT,
	RC_CREATED_US,
	RC_OBJECT_KEY,
	RC_DURATION,
	RC_HAS_THUMBNAIL,
	RC_HAS_PREVIEW,
	RC_COUNT
};

/* Emit row of the job's result as a reaction object (key may be NULL). */
void	reaction_json(struct json_out *, const char *, const struct job *,
	    int);

/* The same object's members alone, into an object the caller opened. */
void	reaction_fields(struct json_out *, const struct job *, int);

/* Reply status with the reaction in row as the whole body. */
void	reaction_reply(struct http_request *, int, const struct job *, int);

/* The id in a /api/v1/reactions/{id}[/...] path, canonical lowercase. */
void	reaction_path_id(struct http_request *, char [UUID_TEXT_LEN + 1]);

#endif

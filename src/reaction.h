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

/*
 * Deleting reactions: a DELETE named "d" with this RETURNING, and then
 * this statement queueing what it returned, in the same statement, so
 * no moment exists where an object is unreferenced and unqueued. The
 * single and the bulk delete (reactions.c) share both.
 */
#define REACTION_DELETE_RETURNING					\
	"RETURNING object_key, thumbnail_key, preview_key"
#define REACTION_DELETE_QUEUE_SQL					\
	"INSERT INTO storage_deletions (object_key, due_at) "		\
	"SELECT k.key, now() FROM d, unnest(ARRAY[d.object_key, "	\
	"d.thumbnail_key, d.preview_key]) AS k(key) "			\
	"WHERE k.key IS NOT NULL "					\
	"ON CONFLICT (object_key) DO UPDATE SET due_at = now() "	\
	"RETURNING object_key"

/*
 * The bulk edit and delete (reactions.c, next to the single delete):
 * $1 the ids, '\n'-joined; the edit's $2 the tags to remove and $3 those
 * to add ('\n'-joined, NULL for none). Each is one statement that
 * changes all of them or, when an id is unknown (or a reaction would
 * end with more than TAGS_MAX tags), none.
 *
 * bulk_edit_sql gives REACTION_COLUMNS of each reaction changed (newest
 * first), then BULK_COL_FOUND, BULK_COL_FITS and BULK_COL_MISSING (the
 * unknown ids, '\n'-joined); with nothing changed, one row of NULL
 * reaction columns. bulk_delete_sql gives one row: BULK_COL_FOUND, the
 * count deleted, BULK_COL_MISSING.
 */
extern const char	bulk_edit_sql[];
extern const char	bulk_delete_sql[];

#define BULK_COL_FOUND		RC_COUNT
#define BULK_COL_FITS		(RC_COUNT + 1)
#define BULK_COL_MISSING	(RC_COUNT + 2)
#define BULK_DEL_COL_FOUND	0
#define BULK_DEL_COL_DELETED	1
#define BULK_DEL_COL_MISSING	2

/* Emit row of the job's result as a reaction object (key may be NULL). */
void	reaction_json(struct json_out *, const char *, const struct job *,
	    int);

/* The same object's members alone, into an object the caller opened. */
void	reaction_fields(struct json_out *, const struct job *, int);

/* Reply status with the reaction in row as the whole body. */
void	reaction_reply(struct http_request *, int, const struct job *, int);

/*
 * The key list and export cursors are signed with (cursor.h), derived
 * from JWT_SECRET_KEY once per worker; NULL when that failed.
 */
const uint8_t	*reaction_cursor_key(void);

/* The id in a /api/v1/reactions/{id}[/...] path, canonical lowercase. */
void	reaction_path_id(struct http_request *, char [UUID_TEXT_LEN + 1]);

#endif

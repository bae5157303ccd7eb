/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Near-duplicate search results (similar.c), for the similar endpoint and
 * an upload's 201. Kore-side.
 */

#ifndef REACTBIN_SIMILAR_H
#define REACTBIN_SIMILAR_H

#include "app.h"
#include "reaction.h"

/* The closest first; among equals, the newest. */
#define SIMILAR_ORDER	"distance, r.created_at DESC, r.id"

/* Reactions within distance $2 of hash $1, but not the one with id $3. */
#define SIMILAR_TO_HASH_SQL						\
	"SELECT " REACTION_COLUMNS ", "					\
	"bit_count((r.phash # $1::bigint)::bit(64))::integer AS distance "	\
	"FROM reactions r WHERE r.phash IS NOT NULL AND r.id <> $3::uuid "	\
	"AND bit_count((r.phash # $1::bigint)::bit(64)) <= $2::integer "	\
	"ORDER BY " SIMILAR_ORDER " LIMIT $4::integer"

/* Rows of such a result (distance in column RC_COUNT) as a JSON array. */
void	similar_items(struct json_out *, const char *, const struct job *);

#endif

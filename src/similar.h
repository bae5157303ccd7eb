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

/* The closest first; among equals, the newest (of rows named t). */
#define SIMILAR_ORDER(t)	"distance, " t ".created_at DESC, " t ".id"

/*
 * The hashed reactions within distance dist of hash, but not the one with
 * id self, the first limit in SIMILAR_ORDER. Every hash is compared (a
 * Hamming distance has no index to look it up in), so they are read from
 * the narrow table of migration 8, not from the rows (12 ms instead of
 * 80 at 100,000 reactions), and only the winners' rows are then read.
 */
#define SIMILAR_SQL(hash, self, dist, limit)				\
	"SELECT " REACTION_COLUMNS ", c.distance FROM ("		\
	"SELECT h.id, h.created_at, "					\
	"bit_count((h.phash # " hash ")::bit(64))::integer "		\
	"AS distance "							\
	"FROM reaction_hashes h WHERE h.id <> " self			\
	" AND bit_count((h.phash # " hash ")::bit(64)) <= " dist	\
	" ORDER BY " SIMILAR_ORDER("h") " LIMIT " limit		\
	") c JOIN reactions r ON r.id = c.id ORDER BY " SIMILAR_ORDER("c")

/* Reactions within distance $2 of hash $1, but not the one with id $3. */
#define SIMILAR_TO_HASH_SQL						\
	SIMILAR_SQL("$1::bigint", "$3::uuid", "$2::integer", "$4::integer")

/* Rows of such a result (distance in column RC_COUNT) as a JSON array. */
void	similar_items(struct json_out *, const char *, const struct job *);

#endif

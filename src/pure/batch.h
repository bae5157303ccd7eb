/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The body of POST /api/v1/reactions/bulk (issue 12), checked before the
 * database is asked anything: {"ids": [...], "add_tags": [...],
 * "remove_tags": [...]} or {"ids": [...], "delete": true}. Pure: no Kore.
 *
 * Rules beyond the issue, decided here: ids are 1 to BATCH_IDS_MAX UUIDs
 * in any case (an id given twice counts once); a tag change needs at
 * least one tag to add or remove; "delete": false is no delete; and a
 * delete takes no tag changes.
 */

#ifndef REACTBIN_BATCH_H
#define REACTBIN_BATCH_H

#include <stddef.h>

#include <yajl/yajl_tree.h>

#include "tags.h"
#include "uuid.h"

#define BATCH_IDS_MAX		500

/* The ids '\n'-joined, for string_to_array() in SQL. */
#define BATCH_IDS_JOINED_MAX	(BATCH_IDS_MAX * (UUID_TEXT_LEN + 1))

struct batch_request {
	size_t		nids;
	char		ids[BATCH_IDS_MAX][UUID_TEXT_LEN + 1];	/* canonical */
	int		delete;
	struct tag_set	add;
	struct tag_set	remove;
};

/*
 * Check a body. 0, or -1 with the field at fault and a message for the
 * caller (field may point into body).
 */
int	batch_parse(yajl_val body, struct batch_request *,
	    const char **field, const char **message);

/* The ids '\n'-joined into out (BATCH_IDS_JOINED_MAX bytes suffice). */
int	batch_ids_join(const struct batch_request *, char *out,
	    size_t outlen);

#endif

/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * The body of PATCH /api/v1/reactions/{id} (api.md "Edit"): which changes
 * it asks for, checked against the tag and title rules. Pure: no Kore.
 *
 * Rules beyond api.md, decided here:
 *  - A member other than title, tags, add_tags and remove_tags is a 422
 *    naming it, so that a typo ("tag") is not a silent no-op.
 *  - A member of the wrong JSON type (null included) is a 422 naming the
 *    member; a tag that breaks the tag rules, in any of the three lists,
 *    and more than 32 tags as the result, are 422 with field "tags" as
 *    the tag rules say.
 *  - The operations apply in this order: tags replaces the set, then
 *    remove_tags removes, then add_tags adds; so a tag in both add_tags
 *    and remove_tags ends up present, and removing some tags makes room
 *    for as many added ones. They are applied by the UPDATE itself, to
 *    the row as it is then (reactions.c), so that concurrent edits do not
 *    lose each other's changes; this module checks the lists.
 *  - A member given twice: the last one counts (as in most JSON readers).
 */

#ifndef REACTBIN_PATCH_H
#define REACTBIN_PATCH_H

#include <yajl/yajl_tree.h>

#include "tags.h"

/* A title is TITLE_MAX_CHARS code points of at most 4 bytes each. */
#define PATCH_TITLE_MAX_BYTES	(TITLE_MAX_CHARS * 4)

struct reaction_patch {
	int		has_title;
	char		title[PATCH_TITLE_MAX_BYTES + 1];
	int		has_tags;
	struct tag_set	tags;
	int		has_add;
	struct tag_set	add;
	int		has_remove;
	struct tag_set	remove;
};

enum patch_status {
	PATCH_OK = 0,
	PATCH_INVALID		/* 422 with field and message set */
};

/*
 * Read the changes body (a JSON object) asks for. On PATCH_INVALID *field
 * and *message say what is wrong; *field may point into body, so use it
 * before freeing the tree.
 */
enum patch_status	patch_parse(yajl_val body, struct reaction_patch *,
			    const char **field, const char **message);

/* Does the patch touch the tags at all? 1 or 0. */
int	patch_has_tag_ops(const struct reaction_patch *);

#endif

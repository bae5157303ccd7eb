/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for PATCH bodies (patch.h): the input is the body,
 * parsed with json_parse_object() as the handler does, then read by
 * patch_parse(). An accepted patch holds a valid title and sorted,
 * unique, valid tag sets; a refused one names a field.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "patch.h"
#include "tags.h"

#include "fuzz_util.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ERR_LEN		128

static void	check_set(const struct tag_set *);

/* Besides what every set promises: each tag normalised already. */
static void
check_set(const struct tag_set *set)
{
	char	again[TAG_MAX_BYTES + 1];
	size_t	i;

	fuzz_tag_set_check(set);
	for (i = 0; i < set->count; i++)
		if (tag_normalise(set->tags[i], strlen(set->tags[i]),
		    again) != TAG_OK || strcmp(again, set->tags[i]) != 0)
			abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reaction_patch	 p;
	enum patch_status	 st;
	yajl_val		 tree;
	const char		*field, *message;
	char			 err[ERR_LEN];
	int			 ops;

	if ((tree = json_parse_object(data, size, err, sizeof(err))) == NULL)
		return (0);

	field = message = NULL;
	memset(&p, 0xa5, sizeof(p));
	st = patch_parse(tree, &p, &field, &message);
	switch (st) {
	case PATCH_OK:
		if (p.has_title && (strnlen(p.title, sizeof(p.title)) ==
		    sizeof(p.title) || !tag_title_valid(p.title,
		    strlen(p.title))))
			abort();
		if (p.has_tags)
			check_set(&p.tags);
		if (p.has_add)
			check_set(&p.add);
		if (p.has_remove)
			check_set(&p.remove);
		ops = patch_has_tag_ops(&p);
		if (ops != (p.has_tags || p.has_add || p.has_remove))
			abort();
		break;
	case PATCH_INVALID:
		if (field == NULL || message == NULL || message[0] == '\0')
			abort();
		break;
	default:
		abort();
	}

	yajl_tree_free(tree);
	return (0);
}

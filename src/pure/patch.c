/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * PATCH bodies for reactions: what they ask, checked before the database
 * is asked anything.
 */

#include <string.h>

#include "patch.h"
#include "tags.h"

#define KEY_TITLE	"title"
#define KEY_TAGS	"tags"
#define KEY_ADD		"add_tags"
#define KEY_REMOVE	"remove_tags"

static enum patch_status	patch_title(yajl_val, struct reaction_patch *,
				    const char **, const char **);
static enum patch_status	patch_tag_list(yajl_val, const char *,
				    const char *, struct tag_set *,
				    const char **, const char **);
static enum patch_status	invalid(const char **, const char **,
				    const char *, const char *);

enum patch_status
patch_parse(yajl_val body, struct reaction_patch *p, const char **field,
    const char **message)
{
	enum patch_status	 st;
	const char		*key;
	yajl_val		 value;
	size_t			 i;

	memset(p, 0, sizeof(*p));
	tag_set_init(&p->tags);
	tag_set_init(&p->add);
	tag_set_init(&p->remove);

	if (body == NULL || !YAJL_IS_OBJECT(body))
		return (invalid(field, message, "body",
		    "the body must be a JSON object"));

	for (i = 0; i < body->u.object.len; i++) {
		key = body->u.object.keys[i];
		value = body->u.object.values[i];

		if (!strcmp(key, KEY_TITLE)) {
			st = patch_title(value, p, field, message);
		} else if (!strcmp(key, KEY_TAGS)) {
			p->has_tags = 1;
			st = patch_tag_list(value, KEY_TAGS,
			    "tags must be an array of strings", &p->tags,
			    field, message);
		} else if (!strcmp(key, KEY_ADD)) {
			p->has_add = 1;
			st = patch_tag_list(value, KEY_ADD,
			    "add_tags must be an array of strings", &p->add,
			    field, message);
		} else if (!strcmp(key, KEY_REMOVE)) {
			p->has_remove = 1;
			st = patch_tag_list(value, KEY_REMOVE,
			    "remove_tags must be an array of strings",
			    &p->remove, field, message);
		} else {
			st = invalid(field, message, key,
			    "unknown field; a reaction's title, tags, "
			    "add_tags and remove_tags can be changed");
		}

		if (st != PATCH_OK)
			return (st);
	}

	return (PATCH_OK);
}

int
patch_has_tag_ops(const struct reaction_patch *p)
{
	return (p->has_tags || p->has_add || p->has_remove);
}

static enum patch_status
patch_title(yajl_val value, struct reaction_patch *p, const char **field,
    const char **message)
{
	const char	*s;
	size_t		 len;

	if (!YAJL_IS_STRING(value))
		return (invalid(field, message, KEY_TITLE,
		    "title must be a string"));

	s = YAJL_GET_STRING(value);
	len = strlen(s);
	if (len > PATCH_TITLE_MAX_BYTES || !tag_title_valid(s, len))
		return (invalid(field, message, KEY_TITLE,
		    "title must be at most 200 characters of UTF-8 text "
		    "without control characters"));

	memcpy(p->title, s, len + 1);
	p->has_title = 1;
	return (PATCH_OK);
}

/* An array of tag strings into a fresh set (a repeated member replaces). */
static enum patch_status
patch_tag_list(yajl_val value, const char *key, const char *type_message,
    struct tag_set *set, const char **field, const char **message)
{
	yajl_val	 item;
	const char	*s;
	size_t		 i;

	tag_set_init(set);

	if (!YAJL_IS_ARRAY(value))
		return (invalid(field, message, key, type_message));

	for (i = 0; i < value->u.array.len; i++) {
		item = value->u.array.values[i];
		if (!YAJL_IS_STRING(item))
			return (invalid(field, message, key, type_message));

		s = YAJL_GET_STRING(item);
		switch (tag_set_add(set, s, strlen(s))) {
		case TAG_OK:
			break;
		case TAG_TOO_MANY:
			return (invalid(field, message, KEY_TAGS,
			    "a reaction has at most 32 tags"));
		default:
			return (invalid(field, message, KEY_TAGS,
			    "a tag is 1-64 bytes of UTF-8 without whitespace, "
			    "control characters, commas or '*', and does not "
			    "start with '-'"));
		}
	}

	return (PATCH_OK);
}

static enum patch_status
invalid(const char **field, const char **message, const char *f,
    const char *m)
{
	*field = f;
	*message = m;
	return (PATCH_INVALID);
}

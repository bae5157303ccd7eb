/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * Bulk edit bodies (batch.h).
 */

#include <string.h>

#include "batch.h"
#include "json.h"
#include "tags.h"
#include "uuid.h"

#define KEY_IDS		"ids"
#define KEY_ADD		"add_tags"
#define KEY_REMOVE	"remove_tags"
#define KEY_DELETE	"delete"

static int	batch_ids(yajl_val, struct batch_request *, const char **,
		    const char **);
static int	batch_tags(yajl_val, const char *, struct tag_set *,
		    const char **, const char **);

int
batch_parse(yajl_val body, struct batch_request *r, const char **field,
    const char **message)
{
	const char	*key;
	yajl_val	 value;
	size_t		 i;
	int		 has_ids;

	memset(r, 0, sizeof(*r));
	tag_set_init(&r->add);
	tag_set_init(&r->remove);
	has_ids = 0;

	if (body == NULL || !YAJL_IS_OBJECT(body))
		return (json_refuse(field, message, "body",
		    "the body must be a JSON object"));

	for (i = 0; i < body->u.object.len; i++) {
		key = body->u.object.keys[i];
		value = body->u.object.values[i];

		if (!strcmp(key, KEY_IDS)) {
			if (batch_ids(value, r, field, message) == -1)
				return (-1);
			has_ids = 1;
		} else if (!strcmp(key, KEY_ADD)) {
			if (batch_tags(value, KEY_ADD, &r->add, field,
			    message) == -1)
				return (-1);
		} else if (!strcmp(key, KEY_REMOVE)) {
			if (batch_tags(value, KEY_REMOVE, &r->remove, field,
			    message) == -1)
				return (-1);
		} else if (!strcmp(key, KEY_DELETE)) {
			if (!YAJL_IS_TRUE(value) && !YAJL_IS_FALSE(value))
				return (json_refuse(field, message, KEY_DELETE,
				    "delete must be true or false"));
			r->delete = YAJL_IS_TRUE(value);
		} else {
			return (json_refuse(field, message, key,
			    "unknown field; a bulk edit takes ids and "
			    "add_tags, remove_tags or delete"));
		}
	}

	if (!has_ids)
		return (json_refuse(field, message, KEY_IDS,
		    "ids is required"));

	if (r->delete && (r->add.count > 0 || r->remove.count > 0))
		return (json_refuse(field, message, KEY_DELETE,
		    "a delete takes no tag changes"));

	if (!r->delete && r->add.count == 0 && r->remove.count == 0)
		return (json_refuse(field, message, "body",
		    "nothing to do: give tags in add_tags or remove_tags, "
		    "or delete: true"));

	return (0);
}

int
batch_ids_join(const struct batch_request *r, char *out, size_t outlen)
{
	size_t	i, n;

	if (outlen == 0)
		return (-1);
	out[0] = '\0';

	for (i = n = 0; i < r->nids; i++) {
		if (n + UUID_TEXT_LEN + 2 > outlen) {
			out[0] = '\0';
			return (-1);
		}
		if (i > 0)
			out[n++] = '\n';
		memcpy(out + n, r->ids[i], UUID_TEXT_LEN);
		n += UUID_TEXT_LEN;
		out[n] = '\0';
	}

	return (0);
}

/* 1 to BATCH_IDS_MAX ids, canonical, each once. */
static int
batch_ids(yajl_val value, struct batch_request *r, const char **field,
    const char **message)
{
	static const char	 why[] = "ids must be an array of 1 to 500 "
				    "reaction ids";
	uint8_t			 raw[UUID_BYTES];
	char			 id[UUID_TEXT_LEN + 1];
	const char		*s;
	size_t			 i, k;

	if (!YAJL_IS_ARRAY(value) || value->u.array.len == 0 ||
	    value->u.array.len > BATCH_IDS_MAX)
		return (json_refuse(field, message, KEY_IDS, why));

	r->nids = 0;
	for (i = 0; i < value->u.array.len; i++) {
		if (!YAJL_IS_STRING(value->u.array.values[i]))
			return (json_refuse(field, message, KEY_IDS, why));
		s = YAJL_GET_STRING(value->u.array.values[i]);
		if (uuid_from_text(s, strlen(s), raw) == -1)
			return (json_refuse(field, message, KEY_IDS,
			    "ids must be reaction ids (UUIDs)"));
		uuid_to_text(raw, id);

		/* At most 500 of them: a plain scan is quick enough. */
		for (k = 0; k < r->nids; k++) {
			if (!memcmp(r->ids[k], id, UUID_TEXT_LEN))
				break;
		}
		if (k < r->nids)
			continue;
		memcpy(r->ids[r->nids++], id, sizeof(id));
	}

	return (0);
}

static int
batch_tags(yajl_val value, const char *key, struct tag_set *set,
    const char **field, const char **message)
{
	const char	*s;
	size_t		 i;

	tag_set_init(set);
	if (!YAJL_IS_ARRAY(value))
		return (json_refuse(field, message, key,
		    "add_tags and remove_tags must be arrays of strings"));

	for (i = 0; i < value->u.array.len; i++) {
		if (!YAJL_IS_STRING(value->u.array.values[i]))
			return (json_refuse(field, message, key, "add_tags and "
			    "remove_tags must be arrays of strings"));
		s = YAJL_GET_STRING(value->u.array.values[i]);
		switch (tag_set_add(set, s, strlen(s))) {
		case TAG_OK:
			break;
		case TAG_TOO_MANY:
			return (json_refuse(field, message, key,
			    "a reaction has at most 32 tags"));
		default:
			return (json_refuse(field, message, key,
			    "a tag is 1-64 bytes of UTF-8 without whitespace, "
			    "control characters, ',' or '*', and does not "
			    "start with '-'"));
		}
	}

	return (0);
}


/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * libFuzzer harness for request bodies (json.h). The input is the body,
 * read from libFuzzer's exact-size buffer (no NUL after it). A tree that
 * comes back must be an object whose strings hold no NUL, json_get_string
 * must find its string members, and writing the tree again with the
 * json_out helpers must give JSON that parses to as many members.
 */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define ERR_LEN		128
#define WALK_DEPTH_MAX	64	/* deeper trees are parsed, not rewritten */

static int	depth_ok(yajl_val, int);
static void	emit(struct json_out *, const char *, yajl_val);
static void	check_members(yajl_val);

static int
depth_ok(yajl_val v, int depth)
{
	size_t	i;

	if (depth > WALK_DEPTH_MAX)
		return (0);
	if (YAJL_IS_OBJECT(v)) {
		for (i = 0; i < v->u.object.len; i++)
			if (!depth_ok(v->u.object.values[i], depth + 1))
				return (0);
	} else if (YAJL_IS_ARRAY(v)) {
		for (i = 0; i < v->u.array.len; i++)
			if (!depth_ok(v->u.array.values[i], depth + 1))
				return (0);
	}
	return (1);
}

/* Write v again; what the helpers cannot write becomes null. */
static void
emit(struct json_out *out, const char *key, yajl_val v)
{
	size_t	i;

	if (YAJL_IS_OBJECT(v)) {
		json_open(out, key);
		for (i = 0; i < v->u.object.len; i++)
			emit(out, v->u.object.keys[i], v->u.object.values[i]);
		json_close(out);
	} else if (YAJL_IS_ARRAY(v)) {
		json_array_open(out, key);
		for (i = 0; i < v->u.array.len; i++)
			emit(out, NULL, v->u.array.values[i]);
		json_array_close(out);
	} else if (YAJL_IS_STRING(v)) {
		json_put_string(out, key, YAJL_GET_STRING(v));
	} else if (YAJL_IS_INTEGER(v)) {
		json_put_int(out, key, YAJL_GET_INTEGER(v));
	} else
		json_put_null(out, key);
}

/* json_get_string answers for the first member of each name. */
static void
check_members(yajl_val obj)
{
	const char	*key, *got;
	yajl_val	 first;
	size_t		 i, j;

	for (i = 0; i < obj->u.object.len; i++) {
		key = obj->u.object.keys[i];
		first = NULL;
		for (j = 0; j <= i; j++) {
			if (strcmp(obj->u.object.keys[j], key) == 0) {
				first = obj->u.object.values[j];
				break;
			}
		}
		got = json_get_string(obj, key);
		if (YAJL_IS_STRING(first)) {
			if (got != YAJL_GET_STRING(first))
				abort();
		} else if (got != NULL)
			abort();
	}
	if (json_get_string(obj, "\001absent") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_out		 out;
	yajl_val		 tree, again;
	const unsigned char	*body;
	size_t			 blen;
	char			 err[ERR_LEN];

	memset(err, 'x', sizeof(err));
	if ((tree = json_parse_object(data, size, err, sizeof(err))) == NULL) {
		if (strnlen(err, sizeof(err)) == sizeof(err) || err[0] == '\0')
			abort();
		return (0);
	}
	if (!YAJL_IS_OBJECT(tree))
		abort();
	check_members(tree);

	if (depth_ok(tree, 0)) {
		if (json_out_init(&out) != 0)
			abort();
		emit(&out, NULL, tree);
		/* null for a number like 1.5 may make a big body too big. */
		if (json_out_body(&out, &body, &blen) == 0 &&
		    blen <= JSON_BODY_MAX) {
			again = json_parse_object(body, blen, err, sizeof(err));
			if (again == NULL ||
			    again->u.object.len != tree->u.object.len)
				abort();
			yajl_tree_free(again);
		}
		json_out_free(&out);
	}

	yajl_tree_free(tree);
	return (0);
}

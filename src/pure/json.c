/*
 * Copyright (c) 2026 The reactbin authors
 *
 * Permission to use, copy, modify, and distribute this software for any
 * purpose with or without fee is hereby granted, provided that the above
 * copyright notice and this permission notice appear in all copies.
 */

/*
 * yajl wrappers. Parsing takes two passes over the (small) body: a callback
 * pass that sees every string with its length, to refuse embedded NULs that
 * yajl_tree would otherwise hand back as silently shortened C strings, and
 * then yajl_tree for the convenient tree.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yajl/yajl_parse.h>

#include "json.h"

static int	json_check_string(void *, const unsigned char *, size_t);
static int	json_only_blanks_after(const unsigned char *, size_t);
static int	json_is_blank(unsigned char);
static void	json_key(struct json_out *, const char *);
static void	json_check(struct json_out *, yajl_gen_status);
static void	json_error(char *, size_t, const char *);

static const yajl_callbacks json_nul_check = {
	.yajl_string = json_check_string,
	.yajl_map_key = json_check_string,
};

yajl_val
json_parse_object(const void *data, size_t len, char *err, size_t errlen)
{
	yajl_handle	parser;
	yajl_status	status;
	yajl_val	tree;
	char		*text, reason[128];

	if (len == 0 || len > JSON_BODY_MAX) {
		json_error(err, errlen, len == 0 ? "empty body" :
		    "body too large");
		return (NULL);
	}

	if ((parser = yajl_alloc(&json_nul_check, NULL, NULL)) == NULL) {
		json_error(err, errlen, "out of memory");
		return (NULL);
	}

	status = yajl_parse(parser, data, len);
	if (status == yajl_status_ok)
		status = yajl_complete_parse(parser);
	yajl_free(parser);

	if (status != yajl_status_ok ||
	    !json_only_blanks_after((const unsigned char *)data, len)) {
		json_error(err, errlen, "body is not valid JSON");
		return (NULL);
	}

	if ((text = malloc(len + 1)) == NULL) {
		json_error(err, errlen, "out of memory");
		return (NULL);
	}
	memcpy(text, data, len);
	text[len] = '\0';

	tree = yajl_tree_parse(text, reason, sizeof(reason));
	free(text);

	if (tree == NULL) {
		json_error(err, errlen, "body is not valid JSON");
		return (NULL);
	}

	if (!YAJL_IS_OBJECT(tree)) {
		yajl_tree_free(tree);
		json_error(err, errlen, "body must be a JSON object");
		return (NULL);
	}

	return (tree);
}

int
json_refuse(const char **field, const char **message, const char *f,
    const char *m)
{
	*field = f;
	*message = m;
	return (-1);
}

const char *
json_get_string(yajl_val obj, const char *key)
{
	size_t		i;

	if (obj == NULL || !YAJL_IS_OBJECT(obj))
		return (NULL);

	for (i = 0; i < obj->u.object.len; i++) {
		if (strcmp(obj->u.object.keys[i], key))
			continue;
		if (!YAJL_IS_STRING(obj->u.object.values[i]))
			return (NULL);
		return (YAJL_GET_STRING(obj->u.object.values[i]));
	}

	return (NULL);
}

int
json_out_init(struct json_out *out)
{
	out->failed = 0;

	if ((out->gen = yajl_gen_alloc(NULL)) == NULL)
		return (-1);

	/* Refuse to emit invalid UTF-8 rather than send a broken body. */
	if (!yajl_gen_config(out->gen, yajl_gen_validate_utf8, 1)) {
		yajl_gen_free(out->gen);
		out->gen = NULL;
		return (-1);
	}

	return (0);
}

void
json_out_free(struct json_out *out)
{
	if (out->gen != NULL)
		yajl_gen_free(out->gen);
	out->gen = NULL;
}

int
json_out_failed(const struct json_out *out)
{
	return (out->gen == NULL || out->failed);
}

int
json_out_body(struct json_out *out, const unsigned char **body, size_t *len)
{
	if (json_out_failed(out))
		return (-1);

	if (yajl_gen_get_buf(out->gen, body, len) != yajl_gen_status_ok)
		return (-1);

	return (0);
}

void
json_open(struct json_out *out, const char *key)
{
	if (json_out_failed(out))
		return;

	json_key(out, key);
	json_check(out, yajl_gen_map_open(out->gen));
}

void
json_close(struct json_out *out)
{
	if (json_out_failed(out))
		return;

	json_check(out, yajl_gen_map_close(out->gen));
}

void
json_array_open(struct json_out *out, const char *key)
{
	if (json_out_failed(out))
		return;

	json_key(out, key);
	json_check(out, yajl_gen_array_open(out->gen));
}

void
json_array_close(struct json_out *out)
{
	if (json_out_failed(out))
		return;

	json_check(out, yajl_gen_array_close(out->gen));
}

void
json_put_string(struct json_out *out, const char *key, const char *value)
{
	if (json_out_failed(out))
		return;

	json_key(out, key);
	json_check(out, yajl_gen_string(out->gen,
	    (const unsigned char *)value, strlen(value)));
}

void
json_put_int(struct json_out *out, const char *key, int64_t value)
{
	if (json_out_failed(out))
		return;

	json_key(out, key);
	json_check(out, yajl_gen_integer(out->gen, value));
}

void
json_put_bool(struct json_out *out, const char *key, int value)
{
	if (json_out_failed(out))
		return;

	json_key(out, key);
	json_check(out, yajl_gen_bool(out->gen, value != 0));
}

void
json_put_null(struct json_out *out, const char *key)
{
	if (json_out_failed(out))
		return;

	json_key(out, key);
	json_check(out, yajl_gen_null(out->gen));
}

static void
json_key(struct json_out *out, const char *key)
{
	if (key == NULL || json_out_failed(out))
		return;

	json_check(out, yajl_gen_string(out->gen, (const unsigned char *)key,
	    strlen(key)));
}

/* The first failure sticks; every emitter checks it before writing. */
static void
json_check(struct json_out *out, yajl_gen_status status)
{
	if (status != yajl_gen_status_ok)
		out->failed = 1;
}

static int
json_check_string(void *ctx, const unsigned char *s, size_t len)
{
	(void)ctx;

	/* Returning 0 makes yajl stop with a client error. */
	return (memchr(s, '\0', len) == NULL);
}

/*
 * yajl takes an unterminated string after the top-level value ({}" or
 * {}"}) for one still to come, and then ends without complaint. The
 * text yajl accepted is valid up to the top-level object's closing brace;
 * after that only JSON whitespace may follow. A top-level value that is
 * not an object is refused by the caller anyway.
 */
static int
json_only_blanks_after(const unsigned char *s, size_t len)
{
	size_t	i, depth;
	int	in_string;

	for (i = 0; i < len && json_is_blank(s[i]); i++)
		;
	if (i == len || s[i] != '{')
		return (1);

	depth = 0;
	in_string = 0;
	for (; i < len; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = 0;
			continue;
		}
		if (s[i] == '"')
			in_string = 1;
		else if (s[i] == '{' || s[i] == '[')
			depth++;
		else if ((s[i] == '}' || s[i] == ']') && --depth == 0)
			break;
	}

	for (i++; i < len; i++)
		if (!json_is_blank(s[i]))
			return (0);
	return (1);
}

/* RFC 8259's whitespace. */
static int
json_is_blank(unsigned char c)
{
	return (c == ' ' || c == '\t' || c == '\n' || c == '\r');
}

static void
json_error(char *err, size_t errlen, const char *reason)
{
	if (errlen == 0)
		return;

	(void)snprintf(err, errlen, "%s", reason);
}
